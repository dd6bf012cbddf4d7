"""Security headers on every kind of response, and the production cookie settings."""

from __future__ import annotations

from typing import Any

import pytest

from config import ProductionConfig
from meetapp.registration.services import new_token
from meetapp.security_headers import CONTENT_SECURITY_POLICY
from tests.surveys.conftest import invite_people, make_survey  # noqa: F401


def _assert_headers(response: Any, referrer: str = "strict-origin-when-cross-origin") -> None:
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == referrer


def test_headers_on_staff_pages(client: Any, make_user: Any, make_meeting: Any, login_as: Any):
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser])
    login_as(organiser)
    for url in ("/", f"/meetings/{meeting.slug}", f"/meetings/{meeting.slug}/participants"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_headers(response)


def test_headers_on_public_pages_and_static_files(client: Any, make_meeting: Any) -> None:
    meeting = make_meeting()
    for url in ("/login", f"/m/{meeting.slug}/register", "/static/css/app.css"):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_headers(response)
        response.close()


@pytest.mark.parametrize("url", ["/no-such-page", "/meetings/nope", "/m/nope/register"])
def test_headers_on_errors(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (302, 404)
    _assert_headers(response)


def test_headers_on_405_and_csrf_refusal(client: Any, csrf_enabled: None) -> None:
    _assert_headers(client.put("/login"))
    response = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    _assert_headers(response)


def test_personal_page_keeps_no_referrer(
    client: Any, db: Any, make_meeting: Any, make_participant: Any
) -> None:
    meeting = make_meeting()
    participant = make_participant(meeting)
    token, participant.token_hash = new_token()
    db.session.commit()
    response = client.get(f"/r/{token}")
    assert response.status_code == 200
    _assert_headers(response, referrer="no-referrer")
    assert response.headers["Cache-Control"] == "no-store"


def test_production_cookies_are_secure_httponly_samesite() -> None:
    for prefix in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        assert getattr(ProductionConfig, f"{prefix}_SECURE") is True
        assert getattr(ProductionConfig, f"{prefix}_HTTPONLY") is True
        assert getattr(ProductionConfig, f"{prefix}_SAMESITE") == "Lax"


def test_survey_answer_page_keeps_no_referrer(
    client: Any,
    make_meeting: Any,
    make_participant: Any,
    make_survey: Any,  # noqa: F811
    invite_people: Any,  # noqa: F811
) -> None:
    meeting = make_meeting()
    survey = make_survey(meeting)
    [token] = invite_people(survey, [make_participant(meeting)])
    response = client.get(f"/s/{token}")
    assert response.status_code == 200
    _assert_headers(response, referrer="no-referrer")
