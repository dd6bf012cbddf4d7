"""The main paths in a real browser: organiser sets up a meeting, a participant registers,
the organiser checks them in."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from meetapp.models import Meeting, Participant
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot


def _log_in(page: Any, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def test_organiser_creates_meeting_participant_registers_and_is_checked_in(
    page: Any, live_server: str, make_user: Any, db: Any
) -> None:
    organiser = make_user("organiser", email="org@example.org", name="Dara Organiser")

    # The organiser logs in, creates the organisation and the meeting with its groups.
    _log_in(page, live_server, organiser.email)
    screenshot(page, "dashboard-empty")
    page.goto(f"{live_server}/meetings/new")
    page.get_by_role("link", name="Create the organisation first").click()
    page.get_by_label("Name", exact=True).fill("Mekong Migration Network")
    page.get_by_label("Short name").fill("MMN")
    page.get_by_role("button", name=re.compile("Save|Create")).click()
    page.wait_for_url(re.compile(r"/meetings/new"))
    page.get_by_label("Title").fill("Labour migration from Cambodia to Japan")
    page.get_by_label("Address").fill("cambodia-japan")
    page.get_by_label("Time zone").select_option("Asia/Phnom_Penh")
    page.get_by_label("Starts").fill("2030-02-18T09:00")
    page.get_by_label("Capacity").fill("2")
    page.get_by_label(re.compile("Stakeholder groups")).fill("Government\nCivil society")
    screenshot(page, "meeting-new")
    page.get_by_role("button", name=re.compile("Create|Save")).click()
    page.wait_for_url(re.compile(r"/meetings/cambodia-japan$"))
    assert page.get_by_role("heading", name="Labour migration from Cambodia to Japan").count()
    screenshot(page, "meeting-show")

    # A participant registers on the public page in another browser context.
    public = page.context.browser.new_context()
    visitor = public.new_page()
    visitor.goto(f"{live_server}/m/cambodia-japan/register")
    visitor.get_by_label("Name", exact=True).fill("Sokha Chan")
    visitor.get_by_label("E-mail").fill("sokha@example.org")
    visitor.get_by_label("Organisation").fill("Legal Support for Children and Women")
    visitor.get_by_label("Stakeholder group").select_option(label="Civil society")
    visitor.get_by_label(re.compile("agree", re.I)).check()
    screenshot(visitor, "register")
    visitor.get_by_role("button", name="Register").click()
    visitor.wait_for_url(re.compile(r"/r/[A-Za-z0-9_-]{40,}$"))
    personal_link = visitor.url
    assert personal_link in visitor.content()
    screenshot(visitor, "personal-page")
    public.close()

    db.session.rollback()  # end the test's read snapshot: see what the server committed
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == "cambodia-japan"))
    participant = db.session.scalar(select(Participant).where(Participant.meeting_id == meeting.id))
    assert participant.status == "registered"
    assert participant.attended is False

    # On the day the organiser finds her by organisation with the type-ahead and checks her in.
    page.goto(f"{live_server}/meetings/cambodia-japan/checkin")
    page.get_by_label("Find a participant by name or organisation").fill("legal supp")
    page.get_by_text("Sokha Chan").wait_for()
    page.get_by_role("button", name="Check in").click()
    page.get_by_text("1 of 1 checked in").wait_for()
    screenshot(page, "checkin")
    db.session.rollback()
    assert db.session.get(Participant, participant.id).attended is True

    # Undo is one click too.
    page.get_by_role("button", name="Undo").click()
    page.get_by_text("0 of 1 checked in").wait_for()
    db.session.rollback()
    assert db.session.get(Participant, participant.id).attended is False
