"""The agenda's domain: speakers, sessions with their speakers, and statements.

Every function works within one meeting and checks that the records it is given belong to it.
Functions flush, never commit. Listing functions load what a page shows with a fixed number of
statements (selectinload), whatever the number of sessions and speakers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from meetapp.agenda.display import day_heading, local_day, speaker_name
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.keys import key_from_text, unique_key
from meetapp.locking import lock_meeting
from meetapp.meetings.access import readable_meetings_filter
from meetapp.models import (
    AgendaSession,
    Meeting,
    SessionKind,
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    Statement,
    StatementKind,
    User,
)
from meetapp.models.agenda import MAX_SESSION_SPEAKERS, STATEMENT_MAX_LENGTH
from meetapp.validation import without_control_characters

KEY_LENGTH = 80
COPY_RESULTS_LIMIT = 50
MAX_SEARCH_LENGTH = 200

SESSION_KINDS = tuple(kind.value for kind in SessionKind)
SPEAKER_ROLES = tuple(role.value for role in SpeakerRole)
STATEMENT_KINDS = tuple(kind.value for kind in StatementKind)


def valid_id(value: int) -> bool:
    """A forged id beyond the columns' range matches nothing (and must not reach the driver)."""
    return 0 < value < 2**31


# --- speakers ---------------------------------------------------------------------------------


@dataclass
class SpeakerData:
    name: str
    honorific: str | None = None
    position: str | None = None
    organisation: str | None = None
    stakeholder_group_id: int | None = None
    bio: str | None = None
    family_name: str | None = None
    name_order: str | None = None  # "family_first", "given_first"; None: from the name


def find_speaker(meeting: Meeting, speaker_id: int) -> Speaker | None:
    if not valid_id(speaker_id):
        return None
    return db.session.scalar(
        select(Speaker).where(Speaker.id == speaker_id, Speaker.meeting_id == meeting.id)
    )


def meeting_speakers(meeting: Meeting) -> list[Speaker]:
    """The meeting's speakers by name."""
    return list(
        db.session.scalars(
            select(Speaker)
            .where(Speaker.meeting_id == meeting.id)
            .order_by(func.lower(Speaker.name), Speaker.id)
        )
    )


@dataclass
class SpeakerRow:
    speaker: Speaker
    appearances: list[SessionSpeaker]
    statements: int


def speaker_rows(meeting: Meeting) -> list[SpeakerRow]:
    """The speakers page: each speaker with their sessions and number of statements
    (three statements whatever the number of speakers)."""
    speakers = db.session.scalars(
        select(Speaker)
        .where(Speaker.meeting_id == meeting.id)
        .options(
            selectinload(Speaker.appearances).joinedload(SessionSpeaker.session),
            joinedload(Speaker.stakeholder_group),
        )
        .order_by(func.lower(Speaker.name), Speaker.id)
    ).all()
    counts = dict(
        db.session.execute(
            select(Statement.speaker_id, func.count(Statement.id))
            .where(Statement.meeting_id == meeting.id, Statement.speaker_id.is_not(None))
            .group_by(Statement.speaker_id)
        ).all()
    )
    return [
        SpeakerRow(
            speaker=speaker,
            appearances=sorted(speaker.appearances, key=lambda a: _session_order(a.session)),
            statements=counts.get(speaker.id, 0),
        )
        for speaker in speakers
    ]


def _check_group(meeting: Meeting, group_id: int | None) -> None:
    if group_id is None:
        return
    if group_id not in {group.id for group in meeting.stakeholder_groups}:
        raise DomainError("Choose one of the meeting's stakeholder groups.", "stakeholder_group")


def _speaker_keys(meeting: Meeting) -> list[str]:
    return list(db.session.scalars(select(Speaker.key).where(Speaker.meeting_id == meeting.id)))


_NAME_ORDERS = ("family_first", "given_first")


def _apply_speaker(speaker: Speaker, data: SpeakerData) -> None:
    speaker.name = data.name
    speaker.honorific = data.honorific or None
    speaker.position = data.position or None
    speaker.organisation = data.organisation or None
    speaker.stakeholder_group_id = data.stakeholder_group_id
    speaker.bio = data.bio or None
    speaker.family_name = data.family_name or None
    speaker.name_order = data.name_order if data.name_order in _NAME_ORDERS else None


def create_speaker(meeting: Meeting, data: SpeakerData) -> Speaker:
    _check_group(meeting, data.stakeholder_group_id)
    lock_meeting(meeting.id)  # the key is chosen from those in use: one writer at a time
    key = unique_key(key_from_text(data.name, KEY_LENGTH, "speaker"), _speaker_keys(meeting))
    speaker = Speaker(meeting_id=meeting.id, key=key, name=data.name)
    _apply_speaker(speaker, data)
    db.session.add(speaker)
    db.session.flush()
    return speaker


def update_speaker(speaker: Speaker, meeting: Meeting, data: SpeakerData) -> Speaker:
    _check_group(meeting, data.stakeholder_group_id)
    _apply_speaker(speaker, data)
    db.session.flush()
    return speaker


def delete_speaker(speaker: Speaker) -> None:
    """Remove a speaker and their places in sessions; refused while statements are theirs."""
    statements = db.session.scalar(
        select(func.count(Statement.id)).where(Statement.speaker_id == speaker.id)
    )
    if statements:
        noun = "statement" if statements == 1 else "statements"
        raise DomainError(
            f"{speaker_name(speaker)} has {statements} {noun}. Delete them or give them to "
            "another speaker first."
        )
    db.session.execute(delete(Speaker).where(Speaker.id == speaker.id))
    db.session.flush()


def copy_candidates(meeting: Meeting, user: User, search: str | None) -> list[Speaker]:
    """Speakers of the other meetings `user` may read, newest meetings first, for "add a
    speaker from an earlier meeting". Control characters in the search are ignored, as in
    every search box."""
    query = (
        select(Speaker)
        .join(Meeting, Meeting.id == Speaker.meeting_id)
        .where(Speaker.meeting_id != meeting.id)
        .options(joinedload(Speaker.meeting))
        .order_by(Meeting.starts_at.desc(), func.lower(Speaker.name), Speaker.id)
        .limit(COPY_RESULTS_LIMIT)
    )
    readable = readable_meetings_filter(user)
    if readable is not None:
        query = query.where(readable)
    search = without_control_characters(search or "").strip()
    if search:
        pattern = _like_pattern(search[:MAX_SEARCH_LENGTH])
        query = query.where(
            func.lower(Speaker.name).like(pattern, escape="\\")
            | func.lower(Speaker.organisation).like(pattern, escape="\\")
        )
    return list(db.session.scalars(query).unique())


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def copy_speaker(meeting: Meeting, user: User, source_id: int) -> Speaker:
    """A new speaker of `meeting` with the details of speaker `source_id` of another meeting
    that `user` may read. The stakeholder group is matched by key, then by label."""
    if not valid_id(source_id):
        raise DomainError("That speaker is not one you can copy.", "speaker")
    query = (
        select(Speaker)
        .join(Meeting, Meeting.id == Speaker.meeting_id)
        .where(Speaker.id == source_id, Speaker.meeting_id != meeting.id)
        .options(joinedload(Speaker.stakeholder_group))
    )
    readable = readable_meetings_filter(user)
    if readable is not None:
        query = query.where(readable)
    source = db.session.scalar(query)
    if source is None:
        raise DomainError("That speaker is not one you can copy.", "speaker")
    taken = db.session.scalar(
        select(Speaker.id).where(
            Speaker.meeting_id == meeting.id,
            func.lower(Speaker.name) == source.name.lower(),
            Speaker.organisation.is_not_distinct_from(source.organisation),
        )
    )
    if taken is not None:
        raise DomainError(f"{speaker_name(source)} is already a speaker of this meeting.")
    group_id = None
    if source.stakeholder_group is not None:
        wanted = source.stakeholder_group
        for group in meeting.stakeholder_groups:
            if group.key == wanted.key:
                group_id = group.id
                break
        else:
            group_id = next(
                (g.id for g in meeting.stakeholder_groups if g.label == wanted.label), None
            )
    return create_speaker(
        meeting,
        SpeakerData(
            name=source.name,
            honorific=source.honorific,
            position=source.position,
            organisation=source.organisation,
            stakeholder_group_id=group_id,
            bio=source.bio,
            family_name=source.family_name,
            name_order=source.name_order,
        ),
    )


# --- sessions ---------------------------------------------------------------------------------


@dataclass
class SessionData:
    title: str
    kind: str = SessionKind.OTHER.value
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: str | None = None
    description: str | None = None
    # (speaker id, role) in the order they are listed
    speakers: list[tuple[int, str]] = field(default_factory=list)


def _session_order(session: AgendaSession) -> tuple[bool, datetime, datetime, int]:
    """Sessions by time; those without a time last."""
    far = datetime.max.replace(tzinfo=None)
    start = session.starts_at.replace(tzinfo=None) if session.starts_at else far
    end = session.ends_at.replace(tzinfo=None) if session.ends_at else start
    return (session.starts_at is None, start, end, session.id or 0)


def session_order_by() -> tuple[Any, ...]:
    return (
        AgendaSession.starts_at.is_(None),
        AgendaSession.starts_at,
        AgendaSession.ends_at,
        AgendaSession.id,
    )


def find_session(meeting: Meeting, session_id: int) -> AgendaSession | None:
    if not valid_id(session_id):
        return None
    return db.session.scalar(
        select(AgendaSession)
        .where(AgendaSession.id == session_id, AgendaSession.meeting_id == meeting.id)
        .options(selectinload(AgendaSession.speakers).joinedload(SessionSpeaker.speaker))
    )


def find_session_by_key(meeting: Meeting, key: str) -> AgendaSession | None:
    if not key or len(key) > KEY_LENGTH:
        return None
    return db.session.scalar(
        select(AgendaSession)
        .where(AgendaSession.key == key, AgendaSession.meeting_id == meeting.id)
        .options(selectinload(AgendaSession.speakers).joinedload(SessionSpeaker.speaker))
    )


def agenda_sessions(meeting: Meeting) -> list[AgendaSession]:
    """The agenda in time order, each session with its speakers (three statements)."""
    return list(
        db.session.scalars(
            select(AgendaSession)
            .where(AgendaSession.meeting_id == meeting.id)
            .options(selectinload(AgendaSession.speakers).selectinload(SessionSpeaker.speaker))
            .order_by(*session_order_by())
        )
    )


def has_agenda(meeting: Meeting) -> bool:
    return (
        db.session.scalar(
            select(AgendaSession.id).where(AgendaSession.meeting_id == meeting.id).limit(1)
        )
        is not None
    )


@dataclass
class AgendaDay:
    day: date | None
    heading: str
    sessions: list[AgendaSession]


def agenda_days(meeting: Meeting, sessions: Sequence[AgendaSession]) -> list[AgendaDay]:
    """Sessions (already in time order) grouped by their day in the meeting's time zone."""
    days: list[AgendaDay] = []
    for session in sessions:
        day = local_day(session.starts_at, meeting.timezone)
        if not days or days[-1].day != day:
            days.append(AgendaDay(day=day, heading=day_heading(day), sessions=[]))
        days[-1].sessions.append(session)
    return days


def agenda_warnings(meeting: Meeting, sessions: Sequence[AgendaSession]) -> dict[int, list[str]]:
    """Warnings by session id: sessions that overlap, and sessions outside the meeting's dates
    (compared as days in the meeting's time zone)."""
    warnings: dict[int, list[str]] = {session.id: [] for session in sessions}
    first_day = local_day(meeting.starts_at, meeting.timezone)
    last_day = local_day(meeting.ends_at or meeting.starts_at, meeting.timezone)
    for session in sessions:
        if session.starts_at is None:
            warnings[session.id].append("No time yet: it is listed at the end of the agenda.")
            continue
        start_day = local_day(session.starts_at, meeting.timezone)
        end_day = local_day(session.ends_at or session.starts_at, meeting.timezone)
        if (first_day and start_day and start_day < first_day) or (
            last_day and end_day and end_day > last_day
        ):
            warnings[session.id].append("Outside the meeting's dates.")
    timed = sorted(
        (
            (session, session.starts_at, session.ends_at or session.starts_at)
            for session in sessions
            if session.starts_at is not None
        ),
        key=lambda item: (item[1], item[2]),
    )
    # Sorted by start: a session can only overlap the following ones that start before it
    # ends (or at the same moment).
    for index, (session, start, end) in enumerate(timed):
        for other, other_start, _other_end in timed[index + 1 :]:
            if other_start >= end and other_start > start:
                break
            warnings[session.id].append(f"Overlaps with “{other.title}”.")
            warnings[other.id].append(f"Overlaps with “{session.title}”.")
    return warnings


def _check_session(meeting: Meeting, data: SessionData) -> None:
    if data.kind not in SESSION_KINDS:
        raise DomainError("Choose a kind of session.", "kind")
    if data.starts_at is None and data.ends_at is not None:
        raise DomainError("Enter the start as well as the end.", "starts_at")
    if data.starts_at and data.ends_at and data.ends_at < data.starts_at:
        raise DomainError("The end is before the start.", "ends_at")
    if len(data.speakers) > MAX_SESSION_SPEAKERS:
        raise DomainError(f"A session has at most {MAX_SESSION_SPEAKERS} speakers.", "speakers")
    ids = [speaker_id for speaker_id, _role in data.speakers]
    if len(set(ids)) != len(ids):
        raise DomainError("Each speaker can be listed once per session.", "speakers")
    if any(role not in SPEAKER_ROLES for _id, role in data.speakers):
        raise DomainError("Choose a role for each speaker.", "speakers")
    if ids:
        known = set(
            db.session.scalars(
                select(Speaker.id).where(Speaker.meeting_id == meeting.id, Speaker.id.in_(ids))
            )
        )
        if known != set(ids):
            raise DomainError("Choose speakers of this meeting.", "speakers")


def _apply_session(session: AgendaSession, data: SessionData) -> None:
    session.title = data.title
    session.kind = data.kind
    session.starts_at = data.starts_at
    session.ends_at = data.ends_at
    session.location = data.location or None
    session.description = data.description or None


def _set_session_speakers(session: AgendaSession, data: SessionData) -> None:
    db.session.execute(delete(SessionSpeaker).where(SessionSpeaker.session_id == session.id))
    for order, (speaker_id, role) in enumerate(data.speakers):
        db.session.add(
            SessionSpeaker(
                session_id=session.id, speaker_id=speaker_id, role=role, sort_order=order
            )
        )
    db.session.flush()


def create_session(meeting: Meeting, data: SessionData) -> AgendaSession:
    _check_session(meeting, data)
    lock_meeting(meeting.id)
    taken = db.session.scalars(
        select(AgendaSession.key).where(AgendaSession.meeting_id == meeting.id)
    )
    session = AgendaSession(
        meeting_id=meeting.id,
        key=unique_key(key_from_text(data.title, KEY_LENGTH, "session"), taken),
        title=data.title,
    )
    _apply_session(session, data)
    db.session.add(session)
    db.session.flush()
    _set_session_speakers(session, data)
    return session


def update_session(meeting: Meeting, session: AgendaSession, data: SessionData) -> AgendaSession:
    _check_session(meeting, data)
    _apply_session(session, data)
    db.session.flush()
    _set_session_speakers(session, data)
    return session


def delete_session(session: AgendaSession) -> None:
    """Remove a session with its statements (the database cascades)."""
    db.session.execute(delete(AgendaSession).where(AgendaSession.id == session.id))
    db.session.flush()


def statement_counts(meeting: Meeting) -> dict[int | None, int]:
    """Statements per session id (None: not tied to a session), one GROUP BY."""
    return dict(
        db.session.execute(
            select(Statement.session_id, func.count(Statement.id))
            .where(Statement.meeting_id == meeting.id)
            .group_by(Statement.session_id)
        ).all()
    )


def next_start(meeting: Meeting) -> datetime:
    """Where a new session most likely starts: when the last one ends (or the meeting starts)."""
    latest = func.coalesce(AgendaSession.ends_at, AgendaSession.starts_at)
    last = db.session.scalar(
        select(AgendaSession)
        .where(AgendaSession.meeting_id == meeting.id, latest.is_not(None))
        .order_by(latest.desc())
        .limit(1)
    )
    if last is None:
        return meeting.starts_at
    return last.ends_at or last.starts_at or meeting.starts_at


# --- statements -------------------------------------------------------------------------------


@dataclass
class StatementData:
    text: str
    kind: str = StatementKind.POINT.value
    speaker_id: int | None = None  # None: participants as a whole
    session_id: int | None = None
    highlight: bool = False
    is_news: bool = False  # the news of the meeting (one statement or outcome per meeting)


def find_statement(meeting: Meeting, statement_id: int) -> Statement | None:
    if not valid_id(statement_id):
        return None
    return db.session.scalar(
        select(Statement)
        .where(Statement.id == statement_id, Statement.meeting_id == meeting.id)
        .options(joinedload(Statement.speaker), joinedload(Statement.session))
    )


def session_statements(session: AgendaSession) -> list[Statement]:
    return list(
        db.session.scalars(
            select(Statement)
            .where(Statement.session_id == session.id, Statement.meeting_id == session.meeting_id)
            .options(joinedload(Statement.speaker))
            .order_by(Statement.sort_order, Statement.id)
        )
    )


@dataclass
class StatementGroup:
    session: AgendaSession | None
    statements: list[Statement]


def statement_overview(meeting: Meeting) -> list[StatementGroup]:
    """Every statement of the meeting grouped by session in agenda order; those not tied to a
    session last. Sessions without statements are listed too (empty)."""
    sessions = list(
        db.session.scalars(
            select(AgendaSession)
            .where(AgendaSession.meeting_id == meeting.id)
            .order_by(*session_order_by())
        )
    )
    statements = db.session.scalars(
        select(Statement)
        .where(Statement.meeting_id == meeting.id)
        .options(joinedload(Statement.speaker))
        .order_by(Statement.sort_order, Statement.id)
    ).all()
    by_session: dict[int | None, list[Statement]] = {}
    for statement in statements:
        by_session.setdefault(statement.session_id, []).append(statement)
    groups = [StatementGroup(session, by_session.get(session.id, [])) for session in sessions]
    if by_session.get(None):
        groups.append(StatementGroup(None, by_session[None]))
    return groups


def _check_statement(meeting: Meeting, data: StatementData) -> None:
    if not data.text.strip():
        raise DomainError("Enter what was said.", "text")
    if len(data.text) > STATEMENT_MAX_LENGTH:
        raise DomainError(f"At most {STATEMENT_MAX_LENGTH:,} characters.", "text")
    if data.kind not in STATEMENT_KINDS:
        raise DomainError("Choose quote or point.", "kind")
    if data.speaker_id is not None and find_speaker(meeting, data.speaker_id) is None:
        raise DomainError("Choose a speaker of this meeting.", "speaker")
    if data.session_id is not None and not valid_id(data.session_id):
        raise DomainError("Choose a session of this meeting.", "session")
    if data.session_id is not None and (
        db.session.scalar(
            select(AgendaSession.id).where(
                AgendaSession.id == data.session_id, AgendaSession.meeting_id == meeting.id
            )
        )
        is None
    ):
        raise DomainError("Choose a session of this meeting.", "session")


def _next_sort_order(meeting: Meeting, session_id: int | None) -> int:
    current = db.session.scalar(
        select(func.max(Statement.sort_order)).where(
            Statement.meeting_id == meeting.id,
            Statement.session_id.is_not_distinct_from(session_id),
        )
    )
    return 0 if current is None else current + 1


def create_statement(meeting: Meeting, data: StatementData) -> Statement:
    _check_statement(meeting, data)
    lock_meeting(meeting.id)
    statement = Statement(
        meeting_id=meeting.id,
        session_id=data.session_id,
        speaker_id=data.speaker_id,
        kind=data.kind,
        text=data.text,
        highlight=data.highlight,
        is_news=data.is_news,
        sort_order=_next_sort_order(meeting, data.session_id),
    )
    db.session.add(statement)
    db.session.flush()
    if data.is_news:
        _only_news(meeting, statement)
    return statement


def update_statement(meeting: Meeting, statement: Statement, data: StatementData) -> Statement:
    _check_statement(meeting, data)
    if data.session_id != statement.session_id:
        lock_meeting(meeting.id)
        statement.sort_order = _next_sort_order(meeting, data.session_id)
    statement.session_id = data.session_id
    statement.speaker_id = data.speaker_id
    statement.kind = data.kind
    statement.text = data.text
    statement.highlight = data.highlight
    statement.is_news = data.is_news
    db.session.flush()
    if data.is_news:
        _only_news(meeting, statement)
    return statement


def _only_news(meeting: Meeting, statement: Statement) -> None:
    """One piece of news per meeting: the outcome or statement that was it no longer is."""
    from meetapp.outcomes.services import clear_news

    clear_news(meeting, keep=statement)


def delete_statement(statement: Statement) -> None:
    db.session.execute(delete(Statement).where(Statement.id == statement.id))
    db.session.flush()


def move_statement(meeting: Meeting, statement: Statement, direction: str) -> bool:
    """Swap the statement with its neighbour above ("up") or below ("down") in its session.
    False when it is already first or last."""
    lock_meeting(meeting.id)
    siblings = list(
        db.session.execute(
            select(Statement.id, Statement.sort_order)
            .where(
                Statement.meeting_id == meeting.id,
                Statement.session_id.is_not_distinct_from(statement.session_id),
            )
            .order_by(Statement.sort_order, Statement.id)
        ).all()
    )
    ids = [statement_id for statement_id, _order in siblings]
    index = ids.index(statement.id)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(ids):
        return False
    ids[index], ids[other] = ids[other], ids[index]
    # Renumber the whole session: orders may have gaps or ties after imports and moves.
    for order, statement_id in enumerate(ids):
        db.session.execute(
            update(Statement).where(Statement.id == statement_id).values(sort_order=order)
        )
    db.session.flush()
    return True
