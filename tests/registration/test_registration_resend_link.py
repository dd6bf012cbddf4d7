""" "Send me my link again": a new personal link e-mailed to a registered address, the same
answer for any address, rate-limited per visitor and per address; and a second registration
with the same address gets the same answer, its link sent again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from meetapp.extensions import limiter
from meetapp.models import OutboxMessage

CSRF = re.compile(rb'name="csrf_token" type="hidden" value="[^"]*"')


@pytest.fixture
def mailing(app: Any, smtp_server: Any, mail_to: Any) -> Any:
    mail_to(smtp_server.port)
    return smtp_server


def links_in(inbox: Any) -> list[str]:
    return [re.search(r"http://localhost/r/\S+", body).group(0) for body in inbox.bodies()]


def test_the_page_asks_for_the_address(client: Any, make_meeting: Any) -> None:
    meeting = make_meeting()
    html = client.get(f"/m/{meeting.slug}/link").get_data(as_text=True)
    assert "Send me my link again" in html
    assert 'name="email"' in html
    register_page = client.get(f"/m/{meeting.slug}/register").get_data(as_text=True)
    assert f'href="/m/{meeting.slug}/link"' in register_page


def test_a_registered_address_gets_a_new_link_and_the_old_stops(
    client: Any, db: Any, make_meeting: Any, register: Any, mailing: Any
) -> None:
    meeting = make_meeting()
    old = register(meeting.slug, email="sokha@example.org")
    before = len(mailing.messages)
    response = client.post(f"/m/{meeting.slug}/link", data={"email": " SOKHA@example.org "})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/m/{meeting.slug}/link?sent=1"
    assert len(mailing.messages) == before + 1
    assert mailing.recipients[-1] == ["sokha@example.org"]
    new = links_in(mailing)[-1]
    assert client.get(new).status_code == 200
    assert client.get(f"/r/{old}").status_code == 404
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please check your e-mail." in page
    assert new.rsplit("/", 1)[1] not in page


def test_registered_and_unknown_addresses_get_byte_identical_answers(
    app: Any, make_meeting: Any, register: Any, mailing: Any, new_client: Any
) -> None:
    meeting = make_meeting()
    register(meeting.slug, email="sokha@example.org")
    answers = []
    for email in ("sokha@example.org", "nobody@example.org"):
        browser = new_client()
        form_page = browser.get(f"/m/{meeting.slug}/link")
        response = browser.post(f"/m/{meeting.slug}/link", data={"email": email})
        followed = browser.get(response.headers["Location"])
        answers.append(
            (
                response.status_code,
                response.headers["Location"],
                response.get_data(),
                followed.get_data(),
                CSRF.sub(b"", form_page.get_data()),
            )
        )
    assert answers[0] == answers[1]
    # The page answered carries no form, so no CSRF token, nothing of the visitor.
    assert b"csrf_token" not in answers[0][3]
    assert len(mailing.messages) == 2  # the confirmation, then the one link sent again


def test_a_second_registration_is_told_to_look_in_the_mailbox(
    client: Any, db: Any, make_meeting: Any, register: Any, form: Any, mailing: Any
) -> None:
    meeting = make_meeting()
    old = register(meeting.slug, email="sokha@example.org")
    response = client.post(f"/m/{meeting.slug}/register", data=form(email="Sokha@Example.org"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/m/{meeting.slug}/link?sent=1"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please check your e-mail." in page
    assert "/r/" not in page
    assert len(mailing.messages) == 2
    assert mailing.recipients[-1] == ["sokha@example.org"]
    assert client.get(links_in(mailing)[-1]).status_code == 200
    assert client.get(f"/r/{old}").status_code == 404


def test_a_cancelled_registration_gets_no_link(
    client: Any, db: Any, make_meeting: Any, register: Any, mailing: Any
) -> None:
    meeting = make_meeting()
    token = register(meeting.slug, email="sokha@example.org")
    client.post(f"/r/{token}/cancel")
    before = len(mailing.messages)
    response = client.post(f"/m/{meeting.slug}/link", data={"email": "sokha@example.org"})
    assert response.status_code == 303
    assert len(mailing.messages) == before


def test_without_mail_nothing_changes_and_the_page_says_so(
    client: Any, make_meeting: Any, register: Any
) -> None:
    meeting = make_meeting()
    token = register(meeting.slug, email="sokha@example.org")
    response = client.post(f"/m/{meeting.slug}/link", data={"email": "sokha@example.org"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "contact the organisers" in page
    assert client.get(f"/r/{token}").status_code == 200


def test_links_sent_per_address_are_limited(
    app: Any,
    db: Any,
    client: Any,
    make_meeting: Any,
    register: Any,
    mailing: Any,
    monkeypatch: Any,
) -> None:
    monkeypatch.setitem(app.config, "LINK_RESEND_ADDRESS_RATE_LIMIT", "2 per hour")
    limiter.reset()
    meeting = make_meeting()
    register(meeting.slug, email="sokha@example.org")
    for _ in range(4):
        response = client.post(f"/m/{meeting.slug}/link", data={"email": "sokha@example.org"})
        assert response.status_code == 303
    new_links = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "registration_new_link")
    ).all()
    assert len(new_links) == 2


def test_asks_per_visitor_are_limited(
    app: Any, client: Any, make_meeting: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "LINK_RESEND_RATE_LIMIT", "3 per hour")
    limiter.reset()
    meeting = make_meeting()
    codes = [
        client.post(f"/m/{meeting.slug}/link", data={"email": f"p{i}@example.org"}).status_code
        for i in range(4)
    ]
    assert codes == [303, 303, 303, 429]


def test_a_bad_address_is_refused_beside_the_field(client: Any, make_meeting: Any) -> None:
    meeting = make_meeting()
    response = client.post(f"/m/{meeting.slug}/link", data={"email": "not an address"})
    assert response.status_code == 422
    assert "Enter a valid e-mail address." in response.get_data(as_text=True)


def test_the_personal_page_has_a_copy_button_a_qr_code_and_a_calendar_link(
    client: Any, make_meeting: Any, register: Any
) -> None:
    meeting = make_meeting()
    token = register(meeting.slug)
    response = client.get(f"/r/{token}")
    html = response.get_data(as_text=True)
    link = f"http://localhost/r/{token}"
    assert '<code id="personal-link"' in html
    assert f">{link}</code>" in html
    assert 'data-copy="personal-link"' in html
    assert "/static/js/copy.js" in html
    # The QR code: an inline SVG, no script, no style attribute (the CSP allows neither).
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    assert "<title>QR code of your personal link</title>" in svg
    assert "script" not in svg
    assert "style=" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert f'href="/m/{meeting.slug}/agenda.ics"' in html
    ics = client.get(f"/m/{meeting.slug}/agenda.ics")
    assert ics.status_code == 200
    assert ics.mimetype == "text/calendar"


def test_the_qr_code_holds_the_link() -> None:
    from meetapp.qr import qr_svg

    svg = qr_svg("http://localhost/r/abc", "<b>title</b>")
    assert svg.startswith('<svg role="img" ')
    assert "<title>&lt;b&gt;title&lt;/b&gt;</title>" in svg


def test_the_page_speaks_the_visitors_language(client: Any, make_meeting: Any) -> None:
    meeting = make_meeting(languages=["km", "en"])
    html = client.get(f"/m/{meeting.slug}/link?lang=km").get_data(as_text=True)
    assert "ផ្ញើតំណរបស់ខ្ញុំមកម្ដងទៀត" in html
    sent = client.get(f"/m/{meeting.slug}/link?sent=1&lang=ja").get_data(as_text=True)
    assert "主催者にお問い合わせください" in sent


def test_the_page_of_a_link_that_no_longer_works_says_how_to_get_a_new_one(client: Any) -> None:
    response = client.get("/r/" + "x" * 43)
    assert response.status_code == 404
    assert "Send me my link again" in response.get_data(as_text=True)
