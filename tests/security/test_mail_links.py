"""Links in e-mails come from configuration alone, never from the request's headers.

An attacker who sends a request with `Host: evil.example` (or, behind a proxy, with
`X-Forwarded-Host` and `X-Forwarded-Prefix`) must not make the app mail someone a link to
the attacker's host: that link would carry the recipient's personal token there.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from config import ProductionConfig, TestingConfig
from meetapp import create_app
from meetapp.models import OutboxMessage, Participant
from meetapp.public_urls import DEVELOPMENT_BASE_URL, public_base_url
from meetapp.surveys.services import SurveyData, create_survey
from tests.conftest import PASSWORD

FORM = {"name": "Sokha Chan", "email": "sokha@example.org", "country": "KH", "consent": "y"}
HOSTILE = {
    "Host": "evil.example",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "http",
    "X-Forwarded-Prefix": "/phish",
}
LINK = re.compile(r"https?://[^\s/]+[^\s]*/[rs]/[A-Za-z0-9_-]+")


def bodies(db: Any) -> list[str]:
    db.session.rollback()
    return [message.body for message in db.session.scalars(select(OutboxMessage))]


@pytest.fixture
def mail_queued_only(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mail configured, but the delivery job does nothing: the queued bodies keep their links."""
    from meetapp import jobs

    monkeypatch.setitem(app.config, "MAIL_SERVER", "mail.example.invalid")
    monkeypatch.setitem(jobs.TASKS, "outbox.deliver", jobs.Task("outbox.deliver", lambda ids: 0))


@pytest.mark.parametrize(
    ("base", "expected"),
    [(None, DEVELOPMENT_BASE_URL), ("https://meet.example.org/", "https://meet.example.org")],
)
def test_confirmation_and_promotion_links_ignore_the_host_header(
    app, client, db, make_meeting, make_participant, mail_queued_only, monkeypatch, base, expected
):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", base)
    meeting = make_meeting(capacity=1)
    # A waitlisted person added by an import has no link yet: the promotion e-mail makes one.
    waiting = make_participant(meeting, status="waitlisted", email="next@example.org")
    waiting.token_hash = None
    db.session.commit()

    response = client.post(f"/m/{meeting.slug}/register", data=FORM, headers=HOSTILE)
    assert response.status_code == 302
    token_page = response.headers["Location"]
    # The registrant cancels from their page, with the hostile headers again: the next one
    # on the waiting list is promoted and e-mailed.
    assert client.post(f"{token_page}/cancel", headers=HOSTILE).status_code == 302

    links = [link for body in bodies(db) for link in LINK.findall(body)]
    assert len(links) == 2, bodies(db)  # the confirmation's, and the promotion's new link
    for link in links:
        assert link.startswith(f"{expected}/r/"), link
        assert "evil" not in link
        assert "phish" not in link
    db.session.rollback()
    assert db.session.get(Participant, waiting.id).status == "registered"


def test_survey_invitation_links_ignore_the_host_header(
    app, db, make_user, make_meeting, make_participant, mail_queued_only
):
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser])
    survey = create_survey(meeting, SurveyData(title="Feedback"))
    db.session.commit()
    make_participant(meeting, email="ana@example.org")
    # An organiser's browser, tricked into (or an insider) sending hostile headers.
    client = app.test_client()
    credentials = {"email": organiser.email, "password": PASSWORD}
    assert client.post("/login", data=credentials, headers=HOSTILE).status_code == 302
    response = client.post(
        f"/meetings/{meeting.slug}/surveys/{survey.key}/invitations",
        data={"audience": "registered"},
        headers=HOSTILE,
    )
    assert response.status_code == 302
    [body] = bodies(db)
    [link] = LINK.findall(body)
    assert link.startswith("http://localhost/s/"), link


def test_behind_a_proxy_forwarded_host_and_prefix_do_not_reach_links(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = type(
        "ProxyConfig",
        (TestingConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PROXY_FIX": 1,
            "PUBLIC_BASE_URL": "https://meet.example.org/events",
        },
    )
    app = create_app(config)
    seen: list[str] = []

    @app.get("/_link")
    def _link() -> str:
        from meetapp.registration.notifications import personal_link

        seen.append(personal_link("abc"))
        return "ok"

    app.test_client().get("/_link", headers=HOSTILE)
    assert seen == ["https://meet.example.org/events/r/abc"]


def test_production_refuses_to_start_without_a_public_address(monkeypatch) -> None:
    settings = {"SECRET_KEY": "a-long-enough-production-secret", "PUBLIC_BASE_URL": None}
    production = type("Production", (ProductionConfig,), settings)
    with pytest.raises(RuntimeError, match="MEETAPP_PUBLIC_BASE_URL"):
        create_app(production)
    for unusable in ("meet.example.org", "javascript:alert(1)", "https://meet.example.org/?x=1"):
        broken = type("Broken", (ProductionConfig,), {**settings, "PUBLIC_BASE_URL": unusable})
        with pytest.raises(RuntimeError, match="is not usable"):
            create_app(broken)


def test_without_a_public_address_development_uses_the_server_name() -> None:
    app = Flask("bare", static_folder=None)
    assert public_base_url(app) == "http://127.0.0.1:5000"
    app.config.update(SERVER_NAME="meet.example.org", PREFERRED_URL_SCHEME="https")
    assert public_base_url(app) == "https://meet.example.org"
