"""The main paths in a real browser: organiser sets up a meeting, a participant registers,
the organiser checks them in; organiser builds the agenda, a visitor reads and downloads it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from meetapp.models import (
    AgendaSession,
    Meeting,
    Participant,
    SessionSpeaker,
    Speaker,
    StakeholderGroup,
    Statement,
)
from tests.e2e.conftest import log_in, screenshot
from tests.reports.pdftext import pdf_text


def _create_meeting(page: Any, live_server: str) -> None:
    """The logged-in organiser creates the organisation and the meeting with its two groups:
    /meetings/cambodia-japan, in Asia/Phnom_Penh, from 18 February 2030 at 09:00."""
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


def test_organiser_creates_meeting_participant_registers_and_is_checked_in(
    page: Any, live_server: str, make_user: Any, db: Any
) -> None:
    organiser = make_user("organiser", email="org@example.org", name="Dara Organiser")

    # The organiser logs in, creates the organisation and the meeting with its groups.
    log_in(page, live_server, organiser.email)
    screenshot(page, "dashboard-empty")
    _create_meeting(page, live_server)

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


# Speakers as typed into the speakers screen, and as the session forms list them.
MINISTER = {
    "Honorific": "H.E. Mr",
    "Name": "Sok Sovann",
    "Position": "Secretary of State",
    "Organisation": "Ministry of Labour and Vocational Training",
    "Stakeholder group": "Government",
}
LAWYER = {
    "Honorific": "Dr",
    "Name": "Lim Sreymom",
    "Position": "Director",
    "Organisation": "Mekong Legal Aid",
    "Stakeholder group": "Civil society",
}
MINISTER_LABEL = (
    "H.E. Mr Sok Sovann (Secretary of State, Ministry of Labour and Vocational Training)"
)
LAWYER_LABEL = "Dr Lim Sreymom (Director, Mekong Legal Aid)"
PANEL = "Panel: fair recruitment"
QUOTE = "No worker should pay to get a job."
POINT = "announced a hotline for workers placed in Japan."


def _add_session(
    page: Any, title: str, kind: str, starts: str, ends: str, speakers: list[tuple[str, str]]
) -> None:
    """Fill the session form: times are wall-clock times on 18 February 2030; speakers as
    (speaker, role) in the form's own words."""
    page.get_by_label("Title").fill(title)
    page.get_by_label("Kind").select_option(label=kind)
    page.get_by_label("Starts").fill(f"2030-02-18T{starts}")
    page.get_by_label("Ends").fill(f"2030-02-18T{ends}")
    for number, (speaker, role) in enumerate(speakers, start=1):
        page.get_by_label(f"Speaker {number}", exact=True).select_option(label=speaker)
        page.get_by_label(f"Role of speaker {number}", exact=True).select_option(label=role)


def _text(locator: Any) -> str:
    return " ".join(locator.inner_text().split())


def test_organiser_builds_the_agenda_and_a_visitor_reads_and_downloads_it(
    page: Any, live_server: str, make_user: Any, db: Any
) -> None:
    organiser = make_user("organiser", email="org@example.org", name="Dara Organiser")
    log_in(page, live_server, organiser.email)
    _create_meeting(page, live_server)

    # The organiser adds two speakers on the speakers screens.
    page.get_by_role("link", name="Speakers", exact=True).first.click()  # the meeting's tab
    page.get_by_text("No speakers yet.").wait_for()
    for speaker in (MINISTER, LAWYER):
        page.get_by_role("link", name="Add a speaker").click()
        page.get_by_role("heading", name="Add a speaker").wait_for()
        for label in ("Honorific", "Name", "Position", "Organisation"):
            page.get_by_label(label, exact=True).fill(speaker[label])
        page.get_by_label("Stakeholder group").select_option(label=speaker["Stakeholder group"])
        page.get_by_role("button", name="Save").click()
        page.get_by_text(f"{speaker['Honorific']} {speaker['Name']} was added.").wait_for()
    rows = page.get_by_role("row")
    assert _text(rows.filter(has_text="Sok Sovann")).startswith(
        "H.E. Mr Sok Sovann Secretary of State, Ministry of Labour and Vocational Training "
        "Government"
    )
    assert _text(rows.filter(has_text="Lim Sreymom")).startswith(
        "Dr Lim Sreymom Director, Mekong Legal Aid Civil society"
    )

    # Then the sessions on the agenda screens, not in time order: the break comes before the
    # panel that precedes it. A new session starts where the last one ended.
    page.get_by_role("link", name="Agenda", exact=True).click()
    page.get_by_role("link", name="Add a session").click()
    assert page.get_by_label("Starts").input_value() == "2030-02-18T09:00"
    _add_session(
        page, "Opening keynote", "Keynote", "09:00", "09:30", [(MINISTER_LABEL, "Keynote speaker")]
    )
    page.get_by_role("button", name="Save and add another").click()
    page.get_by_text("The session “Opening keynote” was added.").wait_for()
    assert page.get_by_label("Starts").input_value() == "2030-02-18T09:30"
    _add_session(page, "Coffee break", "Break", "10:30", "10:45", [])
    page.get_by_role("button", name="Save and add another").click()
    page.get_by_text("The session “Coffee break” was added.").wait_for()
    _add_session(
        page,
        PANEL,
        "Panel",
        "09:30",
        "10:30",
        [(MINISTER_LABEL, "Panelist"), (LAWYER_LABEL, "Moderator")],
    )
    screenshot(page, "agenda-session-form")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"/meetings/cambodia-japan/agenda$"))
    page.get_by_text(f"The session “{PANEL}” was added.").wait_for()

    # The agenda editor lists them in time order, in the meeting's time zone, without warnings.
    editor = page.get_by_role("table")
    sessions = editor.get_by_role("row").filter(has=page.get_by_role("cell"))
    assert [_text(row.get_by_role("cell").first) for row in sessions.all()] == [
        "09:00–09:30",
        "09:30–10:30",
        "10:30–10:45",
    ]
    assert _text(sessions.nth(1)).startswith(
        # In the order the organiser listed them, not sorted by role.
        f"09:30–10:30 {PANEL} Panel Panelist: H.E. Mr Sok Sovann"
    )
    assert "Moderator: Dr Lim Sreymom" in _text(sessions.nth(1))
    assert page.get_by_text("Times are in the meeting's time zone, Asia/Phnom_Penh.").count()
    assert page.get_by_text(re.compile("Overlaps|Outside the meeting")).count() == 0
    screenshot(page, "agenda-editor")

    # On the panel's statements screen she records a quote for the press release, then a point.
    sessions.filter(has_text=PANEL).get_by_role("link", name="Statements", exact=True).click()
    page.get_by_role("heading", name=PANEL).wait_for()
    page.get_by_label("Who").select_option(label=MINISTER_LABEL)
    page.get_by_role("group", name="Kind").get_by_label("Quote (their exact words)").check()
    page.get_by_label("What was said").fill(QUOTE)
    page.get_by_label("Use in the press release").check()
    page.get_by_role("button", name="Save and record the next").click()
    page.get_by_text("Saved.").wait_for()
    # The next entry keeps who and the kind; the press-release flag is per statement.
    assert page.get_by_label("Who").locator("option:checked").inner_text() == MINISTER_LABEL
    assert page.get_by_label("Quote (their exact words)").is_checked()
    assert not page.get_by_label("Use in the press release").is_checked()
    page.get_by_label(re.compile(r"^Point \(")).check()
    page.get_by_label("What was said").fill(POINT)
    page.get_by_role("button", name="Save and record the next").click()
    page.get_by_role("listitem").filter(has_text=POINT).wait_for()
    recorded = page.get_by_role("listitem").filter(has_text="Sok Sovann")
    assert [_text(item) for item in recorded.all()] == [
        f"H.E. Mr Sok Sovann: {QUOTE} Quote Press release ↑ ↓ Edit Delete",
        f"H.E. Mr Sok Sovann {POINT} Point ↑ ↓ Edit Delete",
    ]
    screenshot(page, "session-statements")

    # A visitor (no login) finds the agenda from the registration page.
    public = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    visitor = public.new_page()
    try:
        visitor.goto(f"{live_server}/m/cambodia-japan/register")
        visitor.get_by_role("link", name="See the agenda").click()
        visitor.wait_for_url(re.compile(r"/m/cambodia-japan/agenda$"))
        assert visitor.get_by_text(
            "All times are local times in Phnom Penh (UTC+7)."
        ).count()
        day = visitor.get_by_role("table", name="Sessions on Monday 18 February 2030")
        rows = day.get_by_role("row").filter(has=visitor.get_by_role("cell"))
        assert [_text(row) for row in rows.all()] == [
            "09:00–09:30 Opening keynote Keynote Keynote speaker: H.E. Mr Sok Sovann, "
            "Secretary of State, Ministry of Labour and Vocational Training "
            "Add this session to your calendar",
            f"09:30–10:30 {PANEL} Panel Panelist: H.E. Mr Sok Sovann, Secretary of State, "
            "Ministry of Labour and Vocational Training Moderator: Dr Lim Sreymom, Director, "
            "Mekong Legal Aid Add this session to your calendar",
            "10:30–10:45 Coffee break",
        ]
        # What was said stays with the meeting's team.
        assert QUOTE not in visitor.content()
        screenshot(visitor, "public-agenda")

        # The whole agenda for a calendar program: the instants in UTC.
        with visitor.expect_download() as download_info:
            visitor.get_by_role("link", name="Add to your calendar").click()
        download = download_info.value
        assert download.suggested_filename == "cambodia-japan.ics"
        ics = Path(download.path()).read_text(encoding="utf-8")
        assert ics.startswith("BEGIN:VCALENDAR")
        assert ics.count("BEGIN:VEVENT") == 3
        assert "DTSTART:20300218T020000Z" in ics
        assert "SUMMARY:Opening keynote" in ics

        # The print version: Chromium shows an inline PDF instead of downloading it, so the
        # link is followed with the visitor's own request context.
        href = visitor.get_by_role("link", name="Print version (PDF)").get_attribute("href")
        response = visitor.request.get(f"{live_server}{href}")
        assert response.ok
        assert response.headers["content-type"] == "application/pdf"
        pdf = response.body()
        assert pdf.startswith(b"%PDF")
        text = pdf_text(pdf)
        assert text.index("09:00–09:30 Opening keynote") < text.index(f"09:30–10:30 {PANEL}")
        assert text.index(f"09:30–10:30 {PANEL}") < text.index("10:30–10:45 Coffee break")
        assert "Moderator: Dr Lim Sreymom, Director, Mekong Legal Aid" in text
    finally:
        public.close()

    # The stored instants are UTC: 09:00 in Phnom Penh (UTC+7) is 02:00.
    db.session.rollback()  # end the test's read snapshot: see what the server committed
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == "cambodia-japan"))
    stored = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.meeting_id == meeting.id)
        .order_by(AgendaSession.starts_at)
    ).all()
    assert [(s.title, s.kind, s.starts_at, s.ends_at) for s in stored] == [
        (
            "Opening keynote",
            "keynote",
            datetime(2030, 2, 18, 2, 0, tzinfo=UTC),
            datetime(2030, 2, 18, 2, 30, tzinfo=UTC),
        ),
        (
            PANEL,
            "panel",
            datetime(2030, 2, 18, 2, 30, tzinfo=UTC),
            datetime(2030, 2, 18, 3, 30, tzinfo=UTC),
        ),
        (
            "Coffee break",
            "break",
            datetime(2030, 2, 18, 3, 30, tzinfo=UTC),
            datetime(2030, 2, 18, 3, 45, tzinfo=UTC),
        ),
    ]
    roles = db.session.execute(
        select(AgendaSession.title, Speaker.name, SessionSpeaker.role)
        .join(SessionSpeaker, SessionSpeaker.session_id == AgendaSession.id)
        .join(Speaker, Speaker.id == SessionSpeaker.speaker_id)
        .where(AgendaSession.meeting_id == meeting.id)
        .order_by(AgendaSession.starts_at, SessionSpeaker.sort_order)
    ).all()
    assert [tuple(row) for row in roles] == [
        ("Opening keynote", "Sok Sovann", "keynote"),
        (PANEL, "Sok Sovann", "panelist"),
        (PANEL, "Lim Sreymom", "moderator"),
    ]
    speakers = db.session.execute(
        select(
            Speaker.honorific,
            Speaker.name,
            Speaker.position,
            Speaker.organisation,
            StakeholderGroup.label,
        )
        .join(StakeholderGroup, StakeholderGroup.id == Speaker.stakeholder_group_id)
        .where(Speaker.meeting_id == meeting.id)
        .order_by(Speaker.id)
    ).all()
    assert [tuple(row) for row in speakers] == [
        tuple(speaker.values()) for speaker in (MINISTER, LAWYER)
    ]
    statements = db.session.execute(
        select(Speaker.name, Statement.kind, Statement.highlight, Statement.text)
        .join(Speaker, Speaker.id == Statement.speaker_id)
        .where(Statement.session_id == stored[1].id)
        .order_by(Statement.sort_order)
    ).all()
    assert [tuple(row) for row in statements] == [
        ("Sok Sovann", "quote", True, QUOTE),
        ("Sok Sovann", "point", False, POINT),
    ]
