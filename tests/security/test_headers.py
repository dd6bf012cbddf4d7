"""Security headers on every kind of response, the production cookie settings and HSTS, and
what caches may keep: nothing a logged-in user or a personal link sees, every public page."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from config import ProductionConfig
from meetapp import create_app
from meetapp.models import AgendaSession
from meetapp.registration.services import new_token
from meetapp.security_headers import CONTENT_SECURITY_POLICY
from tests.meeting_records import two_meetings
from tests.surveys.conftest import invite_people, make_survey  # noqa: F401
from tests.url_map import fill_url, url_rules

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    assert response.headers["Cache-Control"] == "no-store"


# --- Strict-Transport-Security ----------------------------------------------------------------


def test_hsts_in_production_only(client: Any, database_url: str) -> None:
    production = create_app(
        type(
            "ProductionSuiteConfig",
            (ProductionConfig,),
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "a production key long enough",
                "RATELIMIT_STORAGE_URI": "memory://",
                "PUBLIC_BASE_URL": "https://meet.example.org",
            },
        )
    ).test_client()
    for url in ("/login", "/no-such-page", "/static/css/app.css"):
        response = production.get(url, base_url="https://meet.example.org")
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"
        )
        response.close()
        response = client.get(url)
        assert "Strict-Transport-Security" not in response.headers
        response.close()


# --- Cache-Control ------------------------------------------------------------------------------


@pytest.fixture
def world(db: Any, make_user: Any, make_meeting: Any, make_participant: Any) -> dict[str, Any]:
    return two_meetings(db, make_user, make_meeting, make_participant)


def _get(client: Any, url: str) -> Any:
    response = client.get(url)
    response.close()  # static files are streamed from an open file
    return response


@pytest.mark.slow
def test_every_response_to_a_logged_in_user_is_kept_out_of_caches(
    app: Flask, world: dict[str, Any], new_client: Any
) -> None:
    """Every page and download of the URL map (PDFs, exports, the public pages too, which
    show the user's navigation), and an error page; not the static files."""
    client = new_client(world["organiser_b"])
    seen = {}
    for rule in url_rules(app):
        if "GET" not in rule.methods or rule.endpoint in ("accounts.logout", "surveys.answer"):
            continue
        url = fill_url(rule, world["values"])
        seen[url] = _get(client, url).headers.get("Cache-Control", "")
    seen["/no-such-page"] = _get(client, "/no-such-page").headers.get("Cache-Control", "")
    assert len(seen) > 40
    assert {url: value for url, value in seen.items() if "no-store" not in value} == {}
    for url in ("/static/css/app.css", "/bootstrap/static/css/bootstrap.min.css"):
        response = _get(client, url)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_public_pages_stay_cacheable(client: Any, db: Any, make_meeting: Any) -> None:
    meeting = make_meeting()
    session = AgendaSession(
        meeting_id=meeting.id, key="opening", title="Opening", starts_at=meeting.starts_at
    )
    db.session.add(session)
    db.session.commit()
    for url in (
        "/login",
        f"/m/{meeting.slug}/register",
        f"/m/{meeting.slug}/agenda",
        f"/m/{meeting.slug}/agenda.ics",
        f"/m/{meeting.slug}/sessions/opening.ics",
        "/static/css/app.css",
    ):
        response = _get(client, url)
        assert response.status_code == 200, url
        assert "no-store" not in response.headers.get("Cache-Control", ""), url


def test_personal_downloads_are_kept_out_of_caches_and_name_their_charset_once(
    client: Any,
    make_user: Any,
    make_meeting: Any,
    make_participant: Any,
    login_as: Any,
    make_survey: Any,  # noqa: F811
) -> None:
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser])
    make_participant(meeting, name="Sokha Chan")
    survey = make_survey(meeting)
    login_as(organiser)
    base = f"/meetings/{meeting.slug}"
    downloads = {
        f"{base}/participants.csv": "text/csv; charset=utf-8",
        f"{base}/participants.xlsx": XLSX,
        f"{base}/export.json": "application/json",
        f"{base}/press-release.md": "text/markdown; charset=utf-8",
        f"{base}/press-release.html": "text/html; charset=utf-8",
        f"{base}/surveys/{survey.key}/responses.csv": "text/csv; charset=utf-8",
        f"{base}/surveys/{survey.key}/results.json": "application/json",
    }
    for url, content_type in downloads.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == content_type, url
        assert "no-store" in response.headers["Cache-Control"], url
    # Without e-mail, inviting people hands out their survey links as a CSV file.
    response = client.post(
        f"{base}/surveys/{survey.key}/invitations", data={"audience": "registered"}
    )
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response.headers["Cache-Control"]
    assert "Sokha Chan" in response.get_data(as_text=True)
