"""Encryption and keyed lookup of identity numbers.

Numbers are stored AES-256-GCM encrypted (random nonce, so equal numbers give
different ciphertexts) and found by an HMAC-SHA256 of the normalised number.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

TOKEN_VERSION = b"\x01"  # the first byte of every stored cipher text


@lru_cache(maxsize=4)
def cipher_for(key_text: str) -> AESGCM:
    """The AES-256-GCM cipher of a configured key (the demo generator seals in bulk with it)."""
    return AESGCM(hashlib.sha256(key_text.encode()).digest())


@lru_cache(maxsize=4)
def lookup_key(key_text: str) -> bytes:
    """The HMAC key of the ID-number lookup hash, derived from the configured key."""
    return hashlib.sha256(b"jiuzhu-id-lookup:" + key_text.encode()).digest()


def encrypt(plain: str) -> str:
    nonce = os.urandom(12)
    sealed = cipher_for(settings.FIELD_ENCRYPTION_KEY).encrypt(nonce, plain.encode(), None)
    return base64.b64encode(TOKEN_VERSION + nonce + sealed).decode()


def decrypt(token: str) -> str:
    raw = base64.b64decode(token)
    return cipher_for(settings.FIELD_ENCRYPTION_KEY).decrypt(raw[1:13], raw[13:], None).decode()


def lookup_hash(number: str) -> str:
    return hmac.new(lookup_key(settings.FIELD_HASH_KEY), number.encode(), hashlib.sha256).hexdigest()
