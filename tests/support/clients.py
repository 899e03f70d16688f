"""Logged-in clients: the Django test client for pages, and a token client for the API."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from django.test import Client

from jiuzhu.households import choices as c
from tests.factories import PASSWORD, member_data


def client_for(user) -> Client:
    """A fresh test client logged in as `user` (for tests that act as several people)."""
    client = Client()
    client.force_login(user)
    return client


def page_text(response) -> str:
    """A page's HTML with every run of whitespace made one space, to search in."""
    return re.sub(r"\s+", " ", response.content.decode())


class Api:
    """A client that remembers every body it received, to check for leaks."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.token = token
        self.bodies: list[str] = []

    def _auth(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def _keep(self, response):
        self.bodies.append(response.content.decode())
        return response

    def get(self, path, params=None):
        return self._keep(self.client.get(path, params or {}, **self._auth()))

    def post(self, path, body):
        return self._keep(
            self.client.post(
                path, data=json.dumps(body), content_type="application/json", **self._auth()
            )
        )

    def patch(self, path, body):
        return self._keep(
            self.client.patch(
                path, data=json.dumps(body), content_type="application/json", **self._auth()
            )
        )


def api_login(user) -> Api:
    """An API client holding a bearer token got with the user's password, as other systems do."""
    api = Api()
    response = api.post("/api/token", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    api.token = response.json()["token"]
    return api


def household_payload(*, village: str, members: list[dict] | None = None, **overrides) -> dict:
    """The JSON body of POST /api/households: a head and a spouse unless `members` says."""

    def clean(m: dict) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in m.items()}

    members = members or [member_data(), member_data(relation=c.Relation.SPOUSE)]
    body = {"village": village, "address": "接口路1号", "members": [clean(m) for m in members]}
    body.update(overrides)
    return body


_CSRF = re.compile(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+"')


def without_csrf(content: bytes) -> bytes:
    """A page's bytes with its CSRF tokens blanked (Django masks the token afresh in every
    response), so that two answers can be compared byte for byte."""
    return _CSRF.sub(rb'\1<token>"', content)
