"""Participants: registrations with their status, waiting-list order and check-in."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    case,
    event,
    inspect,
    literal,
    or_,
    update,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, Mapper, Session, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.state import InstanceState
from sqlalchemy.orm.util import identity_key

from meetapp.database import UTCDateTime, utcnow
from meetapp.extensions import db
from meetapp.formatting import folded
from meetapp.models.meetings import Meeting

if TYPE_CHECKING:
    from meetapp.models.accounts import User
    from meetapp.models.meetings import StakeholderGroup


class Status(enum.StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


def participant_search_text(name: str | None, organisation: str | None) -> str:
    """What the participant list and the check-in desk search in: the name and organisation
    `folded` (no case, no accents), on a line each so that no search spans both."""
    return f"{folded(name or '')}\n{folded(organisation or '')}"


def _search_text_on_insert(context: DefaultExecutionContext) -> str:
    # Also runs for the bulk inserts of the imports, row by row.
    row = context.get_current_parameters()
    return participant_search_text(row.get("name"), row.get("organisation"))


class Participant(db.Model):  # type: ignore[name-defined]
    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("meeting_id", "email_normalized"),
        CheckConstraint("status IN ('registered', 'waitlisted', 'cancelled')", name="status"),
        # Only a registered participant holds a seat, so only one can have come.
        CheckConstraint("status = 'registered' OR NOT attended", name="attended_registered"),
        Index("ix_participants_meeting_status", "meeting_id", "status", "id"),
        # The orders of the waiting list (and of the list filtered by status), of the
        # participant list, and of the list sorted by name: read from the index, not sorted.
        Index(
            "ix_participants_meeting_status_registered",
            "meeting_id",
            "status",
            "registered_at",
            "id",
        ),
        Index("ix_participants_meeting_registered", "meeting_id", "registered_at", "id"),
        Index("ix_participants_meeting_search", "meeting_id", "search_text", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Their old values are loaded when they change, for the meeting's seat counts
    # (`_keep_seat_counts`): active_history.
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), active_history=True
    )
    name: Mapped[str] = mapped_column(String(200))
    honorific: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(254))
    # The e-mail in its normal form (`normalise_email`: lower-cased, NFC, no surrounding
    # spaces): one registration per address and meeting, however it was typed.
    email_normalized: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str | None] = mapped_column(String(300))
    # `participant_search_text` of name and organisation: searched and sorted alike on every
    # database, whatever its collation (SQLite's lower() knows only ASCII).
    search_text: Mapped[str] = mapped_column(
        Text, default=_search_text_on_insert, server_default=""
    )
    position: Mapped[str | None] = mapped_column(String(200))
    stakeholder_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder_groups.id"), index=True
    )
    country: Mapped[str | None] = mapped_column(String(2))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=Status.REGISTERED, active_history=True)
    attended: Mapped[bool] = mapped_column(default=False)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who checked the person in at the desk; empty when they were marked attended another way
    # (an import) or the account has since been deleted: the check-in itself stays.
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a seat last came to them from the waiting list, and when they were last told of
    # their seat or given their link (an e-mail queued, a link made by an organiser, the desk).
    # Without e-mail a promoted person is "not told yet" until an organiser passes the link on.
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # SHA-256 of the personal link's token; the token itself is never stored.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    @property
    def promoted_not_told(self) -> bool:
        """Given a seat from the waiting list and not told since (mail off, no link passed on)."""
        return (
            self.status == Status.REGISTERED
            and self.promoted_at is not None
            and (self.told_at is None or self.told_at < self.promoted_at)
        )

    meeting: Mapped[Meeting] = relationship(back_populates="participants", lazy="raise")
    stakeholder_group: Mapped[StakeholderGroup | None] = relationship(lazy="raise")
    checked_in_by: Mapped[User | None] = relationship(lazy="raise")


@event.listens_for(Participant, "before_update")
def _search_text_on_update(
    _mapper: Mapper[Participant], _connection: object, target: Participant
) -> None:
    text = participant_search_text(target.name, target.organisation)
    if target.search_text != text:
        target.search_text = text


@dataclass
class SeatChange:
    """What a write does to a meeting's seat counts."""

    registered: int = 0
    waitlisted: int = 0
    latest: datetime | None = None  # the latest `registered_at` it writes

    def count(self, status: str | None, sign: int) -> None:
        if status == Status.REGISTERED:
            self.registered += sign
        elif status == Status.WAITLISTED:
            self.waitlisted += sign

    def add(self, other: SeatChange) -> None:
        self.registered += other.registered
        self.waitlisted += other.waitlisted
        self.saw(other.latest)

    def saw(self, registered_at: datetime | None) -> None:
        if registered_at is not None and (self.latest is None or registered_at > self.latest):
            self.latest = registered_at


def seat_change(rows: Iterable[Mapping[str, Any]]) -> SeatChange:
    """The change that inserting `rows` (dicts of participants' columns, as a bulk insert
    takes them) makes to their meeting's seat counts."""
    change = SeatChange()
    for row in rows:
        change.count(row.get("status") or Status.REGISTERED, 1)
        change.saw(row.get("registered_at"))
    return change


def add_to_seat_counts(session: Session, meeting_id: int, change: SeatChange) -> None:
    """Apply `change` to the meeting's counts, in the caller's transaction.

    Bulk inserts of participants (the imports), which bypass the ORM's flush, call this with
    `seat_change(rows)`; every other write is counted by `_keep_seat_counts`. The meeting's
    row is updated in place (a row lock on PostgreSQL, taken by `lock_meeting` already on the
    paths that hand out seats), and an instance of it in the session gets the new values.
    """
    if not (change.registered or change.waitlisted or change.latest):
        return
    meetings = Meeting.__table__
    values: dict[str, Any] = {
        "registered_count": meetings.c.registered_count + change.registered,
        "waitlisted_count": meetings.c.waitlisted_count + change.waitlisted,
    }
    if change.latest is not None:
        latest = literal(change.latest, UTCDateTime())
        current = meetings.c.latest_registered_at
        values["latest_registered_at"] = case(
            (or_(current.is_(None), current < latest), latest), else_=current
        )
    # The session's connection, without the autoflush that session.execute would start.
    row = (
        session.connection()
        .execute(
            update(meetings)
            .where(meetings.c.id == meeting_id)
            .values(values)
            .returning(
                meetings.c.registered_count,
                meetings.c.waitlisted_count,
                meetings.c.latest_registered_at,
            )
        )
        .one_or_none()
    )
    loaded = session.identity_map.get(identity_key(Meeting, meeting_id))
    if row is not None and isinstance(loaded, Meeting):
        set_committed_value(loaded, "registered_count", row[0])
        set_committed_value(loaded, "waitlisted_count", row[1])
        set_committed_value(loaded, "latest_registered_at", row[2])


@event.listens_for(Session, "before_flush")
def _keep_seat_counts(session: Session, _context: object, _instances: object) -> None:
    """Count what the flush is about to write to participants into their meetings' counts.

    Before the flush, so that the meeting's row is locked before any participant's (the order
    `lock_meeting` takes them in: two writers never wait on each other in a circle), and in
    its transaction: a flush that fails rolls the counts back with the rows. New participants
    get their status and `registered_at` now rather than from the columns' defaults, so that
    they are known here.
    """
    changes: dict[int, SeatChange] = {}
    # Meetings written by this same flush, whose participants were given by the relationship:
    # their counts go into the row that the flush inserts.
    new_meetings: dict[int, tuple[Meeting, SeatChange]] = {}

    def change(meeting_id: int | None) -> SeatChange:
        if meeting_id is None:
            raise RuntimeError("a participant must name its meeting (meeting_id) to be counted")
        return changes.setdefault(meeting_id, SeatChange())

    def change_of_new(participant: Participant) -> SeatChange:
        if participant.meeting_id is not None:
            return change(participant.meeting_id)
        meeting = participant.__dict__.get("meeting")  # set, not loaded (lazy="raise")
        if meeting is None:
            return change(None)
        if meeting.id is not None:
            return change(meeting.id)
        return new_meetings.setdefault(id(meeting), (meeting, SeatChange()))[1]

    for instance in session.new:
        if isinstance(instance, Participant):
            if instance.status is None:
                instance.status = Status.REGISTERED
            if instance.registered_at is None:
                instance.registered_at = utcnow()
            counted = change_of_new(instance)
            counted.count(instance.status, 1)
            counted.saw(instance.registered_at)
    for instance in session.dirty:
        if not isinstance(instance, Participant):
            continue
        state: InstanceState[Participant] = inspect(instance)
        status = state.attrs.status.history
        meeting = state.attrs.meeting_id.history
        registered_at = state.attrs.registered_at.history
        if status.has_changes() or meeting.has_changes():
            old_status = status.deleted[0] if status.deleted else instance.status
            old_meeting = meeting.deleted[0] if meeting.deleted else instance.meeting_id
            change(old_meeting).count(old_status, -1)
            change(instance.meeting_id).count(instance.status, 1)
        if registered_at.has_changes() or meeting.has_changes():
            change(instance.meeting_id).saw(instance.registered_at)
    for instance in session.deleted:
        if isinstance(instance, Participant):
            change(instance.meeting_id).count(instance.status, -1)
    for meeting_id, counted in changes.items():
        add_to_seat_counts(session, meeting_id, counted)
    for meeting, counted in new_meetings.values():
        meeting.registered_count = (meeting.registered_count or 0) + counted.registered
        meeting.waitlisted_count = (meeting.waitlisted_count or 0) + counted.waitlisted
        latest = meeting.latest_registered_at
        if counted.latest is not None and (latest is None or counted.latest > latest):
            meeting.latest_registered_at = counted.latest


class OutboxMessage(db.Model):  # type: ignore[name-defined]
    """Every e-mail the app sends, recorded before it is sent, with its delivery status.

    'sending' means a deliverer has claimed the message and may be talking to the mail server
    now (see `meetapp.outbox.services`); `claimed_at` says since when, so that a claim left by
    a deliverer that died can be told from one that is still running.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name="status"),
        CheckConstraint("status <> 'sending' OR claimed_at IS NOT NULL", name="claimed"),
        Index("ix_outbox_messages_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When a deliverer last claimed the message (kept after the outcome, as the last attempt).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A file sent with the message (the meeting's .ics), stored once for all its messages.
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_attachments.id", ondelete="SET NULL"), index=True
    )
