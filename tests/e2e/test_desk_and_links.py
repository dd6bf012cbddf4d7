"""In a real browser: a walk-in added at the desk on a phone-sized screen (390 px), seated over
capacity once confirmed; the copy button and the QR code on the confirmation page, under the
Content-Security-Policy."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from meetapp.models import Participant
from tests.e2e.conftest import log_in, screenshot, watch_errors

PHONE = {"width": 390, "height": 844}


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_walk_in_is_added_at_the_desk_on_a_phone(
    browser: Any,
    live_server: str,
    make_user: Any,
    make_meeting: Any,
    make_participant: Any,
    db: Any,
) -> None:
    staff = make_user("staff", email="desk@example.org", name="Desk Person")
    meeting = make_meeting(capacity=2, slug="desk-day")
    make_participant(meeting, name="Sokha Chan", needs="Wheelchair access")
    meeting_id = meeting.id
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    problems = watch_errors(page)
    log_in(page, live_server, staff.email)
    page.goto(f"{live_server}/meetings/desk-day/checkin")
    assert _fits(page)

    # Needs show on the row.
    page.get_by_label("Find a participant by name or organisation").fill("sokha")
    page.get_by_text("Wheelchair access").wait_for()

    page.get_by_text("Add a walk-in").click()
    page.get_by_label("Name", exact=True).fill("Aiko Tanaka")
    page.get_by_label("E-mail").fill("aiko@example.org")
    page.get_by_label("Organisation", exact=True).fill("JICA")
    page.get_by_label("Stakeholder group").select_option(index=1)
    screenshot(page, "desk-walk-in-phone")
    page.get_by_role("button", name="Add and check in").click()
    page.get_by_text("Aiko Tanaka is added and checked in.").wait_for()
    assert _fits(page)
    screenshot(page, "desk-walk-in-added-phone")

    # The meeting is now full: the next walk-in is seated only once confirmed.
    page.get_by_text("Add a walk-in").click()
    page.get_by_label("Name", exact=True).fill("Mai Yamada")
    page.get_by_label("E-mail").fill("mai@example.org")
    page.get_by_role("button", name="Add and check in").click()
    page.get_by_text("The meeting is full (2 of 2 seats taken)").wait_for()
    screenshot(page, "desk-walk-in-over-capacity-phone")
    page.get_by_role("button", name="Seat over capacity and check in").click()
    page.get_by_text("Mai Yamada is added and checked in.").wait_for()
    assert _fits(page)
    assert problems == []
    context.close()

    db.session.rollback()
    rows = db.session.scalars(
        select(Participant).where(Participant.meeting_id == meeting_id).order_by(Participant.id)
    ).all()
    assert [(p.name, p.status, p.attended) for p in rows] == [
        ("Sokha Chan", "registered", False),
        ("Aiko Tanaka", "registered", True),
        ("Mai Yamada", "registered", True),
    ]
    assert rows[1].stakeholder_group_id is not None


def test_the_confirmation_page_has_a_copy_button_and_a_qr_code(
    browser: Any, live_server: str, make_meeting: Any
) -> None:
    make_meeting(slug="copy-day")
    context = browser.new_context(viewport=PHONE, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    problems = watch_errors(page)
    page.goto(f"{live_server}/m/copy-day/register")
    page.get_by_label("Name", exact=True).fill("Sokha Chan")
    page.get_by_label("E-mail").fill("sokha@example.org")
    page.get_by_label(re.compile("agree", re.I)).check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url(re.compile(r"/r/[A-Za-z0-9_-]{40,}$"))
    link = page.url

    qr = page.locator("svg.qr-code")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] > 80
    assert page.locator("#personal-link").inner_text().strip() == link
    button = page.get_by_role("button", name="Copy the link")
    assert button.is_visible()
    button.click()
    page.get_by_role("button", name="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert page.get_by_role("link", name="Add to calendar").is_visible()
    assert _fits(page)
    screenshot(page, "confirmation-copy-qr-phone")
    assert problems == []
    context.close()
