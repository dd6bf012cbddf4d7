"""Messages that organisers write to a filtered set of a meeting's participants.

An `OrganiserMessage` keeps what was written (a subject and body per meeting language), the
filters that chose its recipients, and how far the job that queues it has got. Its
recipients are fixed when it is sent: one `MessageRecipient` row per participant, unique per
message, whose `state` says whether the job has queued that person's e-mail yet, so that a
job run again never queues anyone twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from meetapp.database import UTCDateTime, utcnow
from meetapp.extensions import db


class OutboxAttachment(db.Model):  # type: ignore[name-defined]
    """A file attached to outbox messages; one row serves every message that carries it."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MessageState:
    QUEUING = "queuing"
    DONE = "done"


class OrganiserMessage(db.Model):  # type: ignore[name-defined]
    __tablename__ = "organiser_messages"
    __table_args__ = (
        CheckConstraint("state IN ('queuing', 'done')", name="state"),
        Index("ix_organiser_messages_meeting", "meeting_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The filters as chosen ({"statuses": [...], "group_id": ..., ...}), to show them later.
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{"language": "en", "subject": "...", "body": "..."}, ...] in the meeting's order of
    # languages: the first is the one an empty version falls back to.
    versions: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # The survey whose personal links {survey_link} gives.
    survey_id: Mapped[int | None] = mapped_column(
        ForeignKey("surveys.id", ondelete="SET NULL"), index=True
    )
    attach_ics: Mapped[bool] = mapped_column(default=False)
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_attachments.id", ondelete="SET NULL"), index=True
    )
    # Recipients chosen when it was sent, and how many of them have their e-mail queued (or
    # were passed over: cancelled meanwhile, for a message with a personal link).
    total: Mapped[int] = mapped_column(default=0)
    queued: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(20), default=MessageState.QUEUING)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def subject(self) -> str:
        return (self.versions[0].get("subject") if self.versions else "") or ""


class RecipientState:
    WAITING = "waiting"
    QUEUED = "queued"
    SKIPPED = "skipped"


class MessageRecipient(db.Model):  # type: ignore[name-defined]
    __tablename__ = "message_recipients"
    __table_args__ = (
        UniqueConstraint("message_id", "participant_id"),
        CheckConstraint("state IN ('waiting', 'queued', 'skipped')", name="state"),
        Index("ix_message_recipients_message_state", "message_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("organiser_messages.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(20), default=RecipientState.WAITING)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True
    )
