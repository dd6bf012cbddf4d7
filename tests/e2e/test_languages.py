"""A participant in their own language, in a real browser: a Khmer browser gets the page in
Khmer unasked; an English one switches to Khmer with the links (no JavaScript needed) and
registers in Khmer; the personal page and the confirmation are in Khmer."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from meetapp.models import OutboxMessage, Participant
from tests.e2e.conftest import screenshot
from tests.i18n.catalogues import read_catalogue

KM = read_catalogue("km")


def km(text: str) -> str:
    return str(KM.get(text).string)


def test_switch_to_khmer_and_register(
    app: Any, browser: Any, live_server: str, make_meeting: Any, db: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 9)  # nothing listens: the e-mail stays queued
    meeting = make_meeting(languages=["en", "km"], title="Labour migration dialogue")
    url = f"{live_server}/m/{meeting.slug}/register"

    khmer_browser = browser.new_context(locale="km-KH", java_script_enabled=False)
    try:
        page = khmer_browser.new_page()
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "km"
        assert page.get_by_role("heading", name=km("Register")).count()
    finally:
        khmer_browser.close()

    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "en"
        page.get_by_role("link", name="ខ្មែរ").click()
        page.wait_for_url(url)
        assert page.locator("html").get_attribute("lang") == "km"
        screenshot(page, "register-khmer")

        page.get_by_label(km("Name"), exact=True).fill("សុខា ចាន់")
        page.get_by_label(km("E-mail")).fill("sokha.km@example.org")
        page.get_by_label("ខ្មែរ", exact=True).check()
        page.get_by_label(km("Another language")).first.select_option("ja")
        consent = km("I agree that the organisers store and use these details to run this meeting.")
        page.get_by_label(consent).check()
        page.get_by_role("button", name=km("Register")).click()
        page.wait_for_url(re.compile(r"/r/"))
        assert page.locator("html").get_attribute("lang") == "km"
        body = page.locator("body").inner_text()
        assert (
            km("You are registered for %(meeting)s.").replace(
                "%(meeting)s", "Labour migration dialogue"
            )
            in body
        )
        assert km("Your personal link") in body
        screenshot(page, "personal-page-khmer")
    finally:
        context.close()

    db.session.rollback()  # what the server committed
    person = db.session.scalars(
        select(Participant).where(Participant.email == "sokha.km@example.org")
    ).one()
    assert person.languages == ["km", "ja"]
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "sokha.km@example.org")
    ).one()
    assert message.subject == km("Registration confirmed: %(meeting)s").replace(
        "%(meeting)s", "Labour migration dialogue"
    )
