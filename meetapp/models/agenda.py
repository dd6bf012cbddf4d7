"""The agenda: speakers, sessions with their speakers, and what was said (statements)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetapp.database import UTCDateTime
from meetapp.extensions import db
from meetapp.models.texts import Translatable

if TYPE_CHECKING:
    from meetapp.models.meetings import Meeting, StakeholderGroup

STATEMENT_MAX_LENGTH = 5000
# The most speakers one session lists (the session form has a row for each).
MAX_SESSION_SPEAKERS = 40


class SessionKind(enum.StrEnum):
    KEYNOTE = "keynote"
    PRESENTATION = "presentation"
    PANEL = "panel"
    DISCUSSION = "discussion"
    BREAK = "break"
    OTHER = "other"


class SpeakerRole(enum.StrEnum):
    KEYNOTE = "keynote"
    SPEAKER = "speaker"
    PANELIST = "panelist"
    MODERATOR = "moderator"
    CHAIR = "chair"


class StatementKind(enum.StrEnum):
    QUOTE = "quote"  # verbatim words
    POINT = "point"  # reported speech completing "<speaker> ..."


def _in(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Speaker(db.Model):  # type: ignore[name-defined]
    __tablename__ = "speakers"
    __table_args__ = (UniqueConstraint("meeting_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    honorific: Mapped[str | None] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    # How the press names them again: "Professor Asato" (None: derived from the name).
    family_name: Mapped[str | None] = mapped_column(String(100))
    # "family_first" (Khmer, Japanese, Chinese names: "Chou Bun Eng") or "given_first";
    # None: derived from the name.
    name_order: Mapped[str | None] = mapped_column(String(12))
    position: Mapped[str | None] = mapped_column(String(300))  # job title, not an ordering
    organisation: Mapped[str | None] = mapped_column(String(300))
    stakeholder_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder_groups.id"), index=True
    )
    bio: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="speakers", lazy="raise")
    stakeholder_group: Mapped[StakeholderGroup | None] = relationship(lazy="raise")
    appearances: Mapped[list[SessionSpeaker]] = relationship(
        back_populates="speaker", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )


class AgendaSession(Translatable, db.Model):  # type: ignore[name-defined]
    """One item of the agenda (called a session; not to be confused with a web session)."""

    __tablename__ = "agenda_sessions"
    __table_args__ = (
        UniqueConstraint("meeting_id", "key"),
        CheckConstraint(_in("kind", SessionKind), name="kind"),
        CheckConstraint(
            "ends_at IS NULL OR starts_at IS NULL OR ends_at >= starts_at", name="ends_after_start"
        ),
        Index("ix_agenda_sessions_meeting_start", "meeting_id", "starts_at"),
    )

    TRANSLATED = ("title", "location", "description")

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default=SessionKind.OTHER)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_sessions", lazy="raise")
    speakers: Mapped[list[SessionSpeaker]] = relationship(
        back_populates="session",
        order_by="SessionSpeaker.sort_order",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )
    # The database deletes a session's statements with it (ON DELETE CASCADE).
    statements: Mapped[list[Statement]] = relationship(
        back_populates="session",
        order_by="Statement.sort_order",
        passive_deletes=True,
        lazy="raise",
    )


class SessionSpeaker(db.Model):  # type: ignore[name-defined]
    """A speaker's part in a session (keynote, panelist, moderator ...)."""

    __tablename__ = "session_speakers"
    __table_args__ = (
        UniqueConstraint("session_id", "speaker_id"),
        CheckConstraint(_in("role", SpeakerRole), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_sessions.id", ondelete="CASCADE"), index=True
    )
    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("speakers.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20), default=SpeakerRole.SPEAKER)
    sort_order: Mapped[int] = mapped_column(default=0)

    session: Mapped[AgendaSession] = relationship(back_populates="speakers", lazy="raise")
    speaker: Mapped[Speaker] = relationship(back_populates="appearances", lazy="raise")


class Statement(db.Model):  # type: ignore[name-defined]
    """What was said: by a speaker, or by "participants" as a whole (speaker_id NULL)."""

    __tablename__ = "statements"
    __table_args__ = (
        CheckConstraint(_in("kind", StatementKind), name="kind"),
        CheckConstraint(f"length(text) <= {STATEMENT_MAX_LENGTH}", name="text_length"),
        Index("ix_statements_meeting_session", "meeting_id", "session_id", "sort_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_sessions.id", ondelete="CASCADE")
    )
    # A speaker with statements cannot be deleted until they are moved or removed.
    speaker_id: Mapped[int | None] = mapped_column(
        ForeignKey("speakers.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    highlight: Mapped[bool] = mapped_column(default=False)
    # The news of the meeting: the press release's headline and first sentence carry it (one
    # statement or outcome per meeting).
    is_news: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    sort_order: Mapped[int] = mapped_column(default=0)

    session: Mapped[AgendaSession | None] = relationship(back_populates="statements", lazy="raise")
    speaker: Mapped[Speaker | None] = relationship(lazy="raise")
