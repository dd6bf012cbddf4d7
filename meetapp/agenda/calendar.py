"""iCalendar files of the agenda (RFC 5545, written by the icalendar library).

Times are written in UTC: the instant is then unambiguous in every calendar program, which
shows it in the reader's own time zone. The library folds long lines and escapes text, so
user text cannot break out of its property. Names, summaries and places are written on one
line (`one_line`): titles stored before line breaks were refused in them may still hold one,
which the calendar's name cannot. The meeting's and sessions' texts are in the language of the
request when the organisers translated them (`meetapp.i18n.in_language`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from icalendar import Calendar, Event

from meetapp.agenda.display import (
    role_label,
    session_kind_label,
    speaker_name,
    speaker_title,
)
from meetapp.database import utcnow
from meetapp.formatting import country_name
from meetapp.i18n import in_language as tr
from meetapp.models import AgendaSession, Meeting, SessionKind
from meetapp.validation import one_line

PRODUCT_ID = "-//meetapp//agenda//EN"
DEFAULT_LENGTH = timedelta(hours=1)


def _calendar(meeting: Meeting, name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", one_line(name))
    return calendar


def _place(meeting: Meeting, location: str | None = None) -> str:
    parts = [location, tr(meeting, "venue"), tr(meeting, "city"), country_name(meeting.country)]
    return one_line(", ".join(part for part in parts if part))


def _uid(meeting: Meeting, key: str) -> str:
    return f"{key}.{meeting.slug}@meetapp"


def _session_description(session: AgendaSession, agenda_url: str) -> str:
    lines: list[str] = []
    if session.kind != SessionKind.BREAK:
        lines.append(session_kind_label(session.kind))
    for part in session.speakers:
        title = speaker_title(part.speaker)
        line = f"{role_label(part.role)}: {speaker_name(part.speaker)}"
        lines.append(f"{line}, {title}" if title else line)
    if session.description:
        lines.extend(["", tr(session, "description")])
    lines.extend(["", f"Agenda: {agenda_url}"])
    return "\n".join(lines).strip()


def _session_event(meeting: Meeting, session: AgendaSession, agenda_url: str) -> Event:
    assert session.starts_at is not None  # noqa: S101 - callers pass timed sessions only
    event = Event()
    event.add("uid", _uid(meeting, session.key))
    event.add("dtstamp", utcnow())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at or session.starts_at + DEFAULT_LENGTH)
    event.add("summary", one_line(f"{tr(session, 'title')} · {tr(meeting, 'title')}"))
    place = _place(meeting, tr(session, "location"))
    if place:
        event.add("location", place)
    event.add("description", _session_description(session, agenda_url))
    event.add("url", agenda_url)
    if session.kind == SessionKind.BREAK:
        event.add("transp", "TRANSPARENT")
    return event


def _meeting_event(meeting: Meeting, agenda_url: str) -> Event:
    event = Event()
    event.add("uid", _uid(meeting, "meeting"))
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH)
    event.add("summary", one_line(tr(meeting, "title")))
    place = _place(meeting)
    if place:
        event.add("location", place)
    event.add("description", f"Agenda: {agenda_url}")
    event.add("url", agenda_url)
    return event


def agenda_calendar(meeting: Meeting, sessions: Sequence[AgendaSession], agenda_url: str) -> bytes:
    """Every session that has a time; the meeting as one event while none has."""
    calendar = _calendar(meeting, tr(meeting, "title"))
    timed = [session for session in sessions if session.starts_at is not None]
    if not timed:
        calendar.add_component(_meeting_event(meeting, agenda_url))
    for session in timed:
        calendar.add_component(_session_event(meeting, session, agenda_url))
    return bytes(calendar.to_ical())


def session_calendar(meeting: Meeting, session: AgendaSession, agenda_url: str) -> bytes:
    calendar = _calendar(meeting, f"{tr(session, 'title')} · {tr(meeting, 'title')}")
    calendar.add_component(_session_event(meeting, session, agenda_url))
    return bytes(calendar.to_ical())
