"""/healthz answers without login and says whether the database answers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

import meetapp.health


def test_healthz_ok_without_login(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "jobs": {"kind": "in-process"}}


def test_healthz_503_when_the_database_does_not_answer(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(meetapp.health, "text", lambda _sql: text("SELECT * FROM no_such_table"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"


def test_healthz_is_not_rate_limited(app: Any, client: Any, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(app.config, "TOKEN_RATE_LIMIT", "2 per minute")
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    for _ in range(20):
        assert client.get("/healthz").status_code == 200
