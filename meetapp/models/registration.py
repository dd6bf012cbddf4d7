"""Participants: registrations with their status, waiting-list order and check-in."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from meetapp.database import UTCDateTime, utcnow
from meetapp.extensions import db
from meetapp.formatting import folded

if TYPE_CHECKING:
    from meetapp.models.accounts import User
    from meetapp.models.meetings import Meeting, StakeholderGroup


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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
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
    status: Mapped[str] = mapped_column(String(20), default=Status.REGISTERED)
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
