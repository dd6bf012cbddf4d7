"""The public agenda, its PDF and its iCalendar files: every session in time order with its
speakers, times in the meeting's time zone, the right UTC instants."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar
from sqlalchemy import update

from meetapp.models import Meeting
from tests.agenda.conftest import page_text, pdf_text


def _in_order(text, parts):
    positions = [text.index(part) for part in parts]
    assert positions == sorted(positions), parts


def _each_session_shows_its_own_speakers(text, demo):
    """Sessions in time order, and between one session's title and the next, the names of
    that session's speakers and of no other speaker."""
    names = {speaker["key"]: speaker["name"] for speaker in demo["speakers"]}
    sessions = sorted(demo["sessions"], key=lambda s: s["starts_at"])
    _in_order(text, [session["title"] for session in sessions])
    starts = [text.index(session["title"]) for session in sessions] + [len(text)]
    for session, start, end in zip(sessions, starts, starts[1:], strict=False):
        block = text[start:end]
        own = {entry["speaker"] for entry in session.get("speakers", [])}
        for key, name in names.items():
            assert (name in block) == (key in own), (session["title"], name)


def test_demo_agenda_page_lists_every_session_in_time_order_with_speakers(
    client, demo_meeting, demo
):
    response = client.get("/m/cambodia-japan-2019/agenda")

    assert response.status_code == 200
    page = page_text(response)
    _each_session_shows_its_own_speakers(page, demo)
    # Times in the meeting's time zone, titles and organisations, breaks.
    assert "09:20–10:00" in page
    assert "H.E. Ms Chou Bun Eng, Secretary of State" in page
    assert "Kyoto University" in page
    assert "Coffee break" in page
    assert "Lunch" in page
    assert "Panelists:" in page
    assert "Moderator:" in page
    # Statements are staff material, not part of the public agenda.
    assert demo["statements"][0]["text"] not in page


def test_demo_agenda_pdf_contains_every_session_and_speaker(client, demo_meeting, demo):
    response = client.get("/m/cambodia-japan-2019/agenda.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    _each_session_shows_its_own_speakers(text, demo)
    assert "Mekong Migration Network" in text
    assert "09:00–09:20" in text
    assert demo["statements"][0]["text"][:40] not in text


def test_a_time_entered_in_phnom_penh_is_shown_and_exported_right(setup, client):
    response = setup.client.post(
        f"{setup.base}/agenda/new",
        data={
            "title": "Opening",
            "kind": "keynote",
            "starts_at": "2025-03-10T09:30",
            "ends_at": "2025-03-10T10:15",
        },
    )
    assert response.status_code == 302

    page = page_text(client.get("/m/phnom-penh-2025/agenda"))
    assert "09:30–10:15" in page
    assert "Monday 10 March 2025" in page
    assert "Phnom Penh (UTC+7)" in page

    text = pdf_text(client.get("/m/phnom-penh-2025/agenda.pdf").data)
    assert "09:30–10:15" in text
    assert "Opening" in text

    response = client.get("/m/phnom-penh-2025/sessions/opening.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert b"DTSTART:20250310T023000Z" in response.data
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2025, 3, 10, 2, 30, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2025, 3, 10, 3, 15, tzinfo=UTC)
    assert str(event["summary"]).startswith("Opening")


def test_meeting_calendar_has_every_timed_session(client, demo_meeting, demo):
    response = client.get("/m/cambodia-japan-2019/agenda.ics")

    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    events = Calendar.from_ical(response.data).walk("VEVENT")
    assert len(events) == len(demo["sessions"])
    keynote = next(e for e in events if str(e["summary"]).startswith("Keynote speech"))
    assert keynote.decoded("dtstart") == datetime(2019, 2, 18, 2, 20, tzinfo=UTC)
    assert "Chou Bun Eng" in str(keynote["description"])
    assert str(keynote["uid"]) == "keynote.cambodia-japan-2019@meetapp"


def test_a_meeting_without_sessions_has_an_empty_agenda_and_a_one_event_calendar(setup, client):
    page = client.get("/m/phnom-penh-2025/agenda").get_data(as_text=True)
    assert "The agenda has not been published yet." in page
    assert "agenda.pdf" not in page
    events = Calendar.from_ical(client.get("/m/phnom-penh-2025/agenda.ics").data).walk("VEVENT")
    assert [e.decoded("dtstart") for e in events] == [setup.meeting.starts_at]
    assert client.get("/m/phnom-penh-2025/agenda.pdf").status_code == 200
    # The registration page links to the agenda only once there is one.
    assert "See the agenda" not in client.get("/m/phnom-penh-2025/register").get_data(as_text=True)
    setup.add_session("Opening", starts_at=setup.meeting.starts_at)
    register = client.get("/m/phnom-penh-2025/register").get_data(as_text=True)
    assert 'href="/m/phnom-penh-2025/agenda"' in register


def test_titles_stored_with_line_breaks_are_written_on_one_line(setup, client, db):
    """Forms and imports refuse line breaks in titles and places now, but rows stored before
    may hold them: the calendar files are still made, with those texts on one line."""
    calendar_url = "/m/phnom-penh-2025/agenda.ics"
    db.session.execute(
        update(Meeting)
        .where(Meeting.id == setup.meeting.id)
        .values(title="Labour\r\nmigration\tmeeting", venue="Sunway\nHotel")
    )
    db.session.commit()
    # Without a session the meeting is the one event.
    response = client.get(calendar_url)
    assert response.status_code == 200
    [event] = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["summary"]) == "Labour migration meeting"
    assert str(event["location"]).startswith("Sunway Hotel")

    setup.add_session("Opening\nsession", key="opening", starts_at=setup.meeting.starts_at)
    for url in (calendar_url, "/m/phnom-penh-2025/sessions/opening.ics"):
        response = client.get(url)
        assert response.status_code == 200, url
        calendar = Calendar.from_ical(response.data)
        assert str(calendar["x-wr-calname"]) in (
            "Labour migration meeting",
            "Opening session · Labour migration meeting",
        )
        [event] = calendar.walk("VEVENT")
        assert str(event["summary"]) == "Opening session · Labour migration meeting"
    # The pages show them as they are.
    assert client.get("/m/phnom-penh-2025/agenda").status_code == 200
    assert client.get("/m/phnom-penh-2025/agenda.pdf").status_code == 200


def test_unknown_meetings_and_sessions_are_not_found(setup, client):
    setup.add_session("Untimed", key="untimed")
    assert client.get("/m/no-such-meeting/agenda").status_code == 404
    assert client.get("/m/no-such-meeting/agenda.pdf").status_code == 404
    assert client.get("/m/no-such-meeting/agenda.ics").status_code == 404
    assert client.get("/m/phnom-penh-2025/sessions/nothing.ics").status_code == 404
    assert client.get("/m/phnom-penh-2025/sessions/untimed.ics").status_code == 404
    assert client.get("/m/phnom-penh-2025/sessions/" + "x" * 500 + ".ics").status_code == 404


def test_a_session_of_another_meeting_is_not_found_by_key(setup, client, make_meeting, db):
    from tests.agenda.conftest import add_session

    other = make_meeting(slug="other-meeting")
    add_session(db, other, "Secret", key="secret", starts_at=other.starts_at)
    assert client.get("/m/other-meeting/sessions/secret.ics").status_code == 200
    assert client.get("/m/phnom-penh-2025/sessions/secret.ics").status_code == 404


def test_sessions_across_two_days_are_grouped_by_local_day(setup, client):
    # 23:30 UTC on the 10th is 06:30 on the 11th in Phnom Penh.
    setup.add_session("Late", starts_at=datetime(2025, 3, 10, 10, 0, tzinfo=UTC))
    setup.add_session("Next morning", starts_at=datetime(2025, 3, 10, 23, 30, tzinfo=UTC))
    page = page_text(client.get("/m/phnom-penh-2025/agenda"))
    _in_order(page, ["Monday 10 March 2025", "Late", "Tuesday 11 March 2025", "Next morning"])
    assert "06:30" in page


def test_speakers_are_grouped_by_role_in_the_order_listed():
    from types import SimpleNamespace

    from meetapp.agenda.display import speakers_by_role

    listed = [
        SimpleNamespace(role="panelist", name="A"),
        SimpleNamespace(role="moderator", name="B"),
        SimpleNamespace(role="panelist", name="C"),
        SimpleNamespace(role="chair", name="D"),
    ]
    grouped = speakers_by_role(listed)  # type: ignore[arg-type]
    assert [(role, [p.name for p in people]) for role, people in grouped] == [
        ("panelist", ["A", "C"]),
        ("moderator", ["B"]),
        ("chair", ["D"]),
    ]
