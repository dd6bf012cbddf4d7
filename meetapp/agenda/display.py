"""How the agenda reads: times of day and day headings in the meeting's time zone, speakers
named with their titles, kinds and roles in words. Used by the pages and the PDF alike."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from babel.dates import format_date, format_skeleton, format_time
from flask import Flask
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from meetapp.formatting import to_zone
from meetapp.i18n import current_locale
from meetapp.models import (
    AgendaSession,
    SessionKind,
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    StatementKind,
)

SESSION_KIND_LABELS = {
    SessionKind.KEYNOTE: _l("Keynote"),
    SessionKind.PRESENTATION: _l("Presentation"),
    SessionKind.PANEL: _l("Panel"),
    SessionKind.DISCUSSION: _l("Discussion"),
    SessionKind.BREAK: _l("Break"),
    SessionKind.OTHER: _l("Other"),
}
ROLE_LABELS = {
    SpeakerRole.KEYNOTE: _l("Keynote speaker"),
    SpeakerRole.SPEAKER: _l("Speaker"),
    SpeakerRole.PANELIST: _l("Panelist"),
    SpeakerRole.MODERATOR: _l("Moderator"),
    SpeakerRole.CHAIR: _l("Chair"),
}
ROLE_PLURALS = {
    SpeakerRole.KEYNOTE: _l("Keynote speakers"),
    SpeakerRole.SPEAKER: _l("Speakers"),
    SpeakerRole.PANELIST: _l("Panelists"),
    SpeakerRole.MODERATOR: _l("Moderators"),
    SpeakerRole.CHAIR: _l("Chairs"),
}
STATEMENT_KIND_LABELS = {StatementKind.QUOTE: _l("Quote"), StatementKind.POINT: _l("Point")}
PARTICIPANTS = _l("Participants")


def local_time(value: datetime | None, timezone: str | None) -> str:
    """'09:00', the wall-clock time in the meeting's time zone."""
    if value is None:
        return ""
    return format_time(to_zone(value, timezone), "HH:mm", locale=current_locale())


def local_day(value: datetime | None, timezone: str | None) -> date | None:
    return to_zone(value, timezone).date() if value is not None else None


def day_heading(value: date | None) -> str:
    """'Monday 18 February 2019', in the page's language."""
    if value is None:
        return gettext("Time to be announced")
    locale = current_locale()
    if locale.language == "en":
        return format_date(value, "EEEE d MMMM y", locale=locale)
    return format_date(value, "full", locale=locale)


def time_range(session: AgendaSession, timezone: str | None) -> str:
    """'09:00–09:20', '09:00', or '' for a session without a time. An end on another day
    carries its date."""
    if session.starts_at is None:
        return ""
    start = local_time(session.starts_at, timezone)
    if session.ends_at is None:
        return start
    end = local_time(session.ends_at, timezone)
    if local_day(session.ends_at, timezone) != local_day(session.starts_at, timezone):
        end_day = local_day(session.ends_at, timezone)
        end = f"{format_skeleton('MMMd', end_day, locale=current_locale())} {end}"
    return f"{start}\u2013{end}"


def utc_offset(timezone: str | None, at: datetime) -> str:
    """'UTC+07:00' for the zone at that moment."""
    offset = to_zone(at, timezone).utcoffset()
    if offset is None:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def speaker_name(speaker: Speaker | None) -> str:
    """'H.E. Ms Chou Bun Eng'; None is what participants as a whole said."""
    if speaker is None:
        return str(PARTICIPANTS)
    return f"{speaker.honorific} {speaker.name}" if speaker.honorific else speaker.name


def speaker_title(speaker: Speaker) -> str:
    """'Secretary of State, Royal Government of Cambodia': position and organisation (a
    position that only repeats the honorific, or an organisation already named, is left
    out)."""
    parts = []
    if speaker.position and speaker.position != speaker.honorific:
        parts.append(speaker.position)
    if speaker.organisation and speaker.organisation not in speaker.name:
        parts.append(speaker.organisation)
    return ", ".join(parts)


def session_kind_label(kind: str) -> str:
    return str(SESSION_KIND_LABELS.get(kind, kind))  # type: ignore[call-overload]


def role_label(role: str, count: int = 1) -> str:
    labels = ROLE_LABELS if count == 1 else ROLE_PLURALS
    return str(labels.get(role, role))  # type: ignore[call-overload]


def speakers_by_role(
    appearances: Iterable[SessionSpeaker],
) -> list[tuple[str, list[SessionSpeaker]]]:
    """A session's speakers grouped by role, in the order the organiser listed them: the
    first role listed comes first, and each group keeps its people in the listed order.
    (Jinja's groupby would sort the roles by name: moderators before panelists.)"""
    groups: dict[str, list[SessionSpeaker]] = {}
    for appearance in appearances:
        groups.setdefault(appearance.role, []).append(appearance)
    return list(groups.items())


def statement_kind_label(kind: str) -> str:
    return str(STATEMENT_KIND_LABELS.get(kind, kind))  # type: ignore[call-overload]


def register_agenda_filters(app: Flask) -> None:
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(day_heading, "day_heading")
    app.add_template_filter(speaker_name, "speaker_name")
    app.add_template_filter(speaker_title, "speaker_title")
    app.add_template_filter(session_kind_label, "session_kind")
    app.add_template_filter(role_label, "role_label")
    app.add_template_filter(speakers_by_role, "speakers_by_role")
    app.add_template_filter(statement_kind_label, "statement_kind")
    app.add_template_global(time_range, "time_range")
    app.add_template_global(utc_offset, "utc_offset")
