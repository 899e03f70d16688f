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

_VERSION = b"\x01"


@lru_cache(maxsize=4)
def _aes(key_text: str) -> AESGCM:
    return AESGCM(hashlib.sha256(key_text.encode()).digest())


@lru_cache(maxsize=4)
def _hash_key(key_text: str) -> bytes:
    return hashlib.sha256(b"jiuzhu-id-lookup:" + key_text.encode()).digest()


def encrypt(plain: str) -> str:
    nonce = os.urandom(12)
    sealed = _aes(settings.FIELD_ENCRYPTION_KEY).encrypt(nonce, plain.encode(), None)
    return base64.b64encode(_VERSION + nonce + sealed).decode()


def decrypt(token: str) -> str:
    raw = base64.b64decode(token)
    return _aes(settings.FIELD_ENCRYPTION_KEY).decrypt(raw[1:13], raw[13:], None).decode()


def lookup_hash(number: str) -> str:
    return hmac.new(_hash_key(settings.FIELD_HASH_KEY), number.encode(), hashlib.sha256).hexdigest()
