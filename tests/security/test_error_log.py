"""The app's error log records no personal-link token: an unexpected error on a personal page
is logged with `/r/…` or `/s/…` in place of the token, in the message and in the traceback."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask, request

from meetapp.agenda import routes as agenda_routes
from meetapp.registration import routes as registration_routes
from meetapp.surveys import services as survey_services
from meetapp.tokens import new_token

TOKEN, _HASH = new_token()


@pytest.fixture(autouse=True)
def _server_errors_answer(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected error answers 500 and is logged, as in production."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


def _fail(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError(f"could not look up {request.path}")


@pytest.mark.parametrize(
    ("url", "shown", "module", "lookup"),
    [
        (f"/r/{TOKEN}", "/r/…", registration_routes, "find_by_token"),
        (f"/r/{TOKEN}/cancel", "/r/…/cancel", registration_routes, "find_by_token"),
        (f"/s/{TOKEN}", "/s/…", survey_services, "find_visit"),
    ],
    ids=["registration", "cancellation", "survey"],
)
def test_an_error_on_a_personal_page_logs_no_token(
    client: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    shown: str,
    module: Any,
    lookup: str,
) -> None:
    monkeypatch.setattr(module, lookup, _fail)
    with caplog.at_level(logging.ERROR):
        response = client.post(url) if url.endswith("/cancel") else client.get(url)
    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.name == "meetapp"]
    logged = caplog.text
    assert TOKEN not in logged
    method = "POST" if url.endswith("/cancel") else "GET"
    assert record.getMessage() == f"Exception on {shown} [{method}]"
    assert f"RuntimeError: could not look up {shown}" in logged


def test_other_errors_are_logged_as_they_are(
    client: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(agenda_routes, "get_meeting_or_404", _fail)
    with caplog.at_level(logging.ERROR):
        assert client.get("/m/some-meeting/agenda").status_code == 500
    [record] = [r for r in caplog.records if r.name == "meetapp"]
    assert record.getMessage() == "Exception on /m/some-meeting/agenda [GET]"
    assert "RuntimeError: could not look up /m/some-meeting/agenda" in caplog.text
