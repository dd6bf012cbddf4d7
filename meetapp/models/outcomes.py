"""What a meeting concluded (outcomes) and the hand-edited parts of its press-release draft."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetapp.database import UTCDateTime, utcnow
from meetapp.extensions import db

if TYPE_CHECKING:
    from meetapp.models.accounts import User

OUTCOME_MAX_LENGTH = 5000
ADDRESSED_TO_MAX_LENGTH = 300
OVERRIDE_MAX_LENGTH = 20_000


class OutcomeKind(enum.StrEnum):
    FINDING = "finding"
    CONCERN = "concern"
    RECOMMENDATION = "recommendation"
    NEXT_STEP = "next_step"


# The sections of the press-release draft that staff may rewrite, in the order of the draft.
PRESS_RELEASE_SECTIONS = (
    "headline",
    "lead",
    "background",
    "participation",
    "speakers",
    "findings",
    "survey",
    "recommendations",
    "about",
    "contacts",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Outcome(db.Model):  # type: ignore[name-defined]
    """A finding, concern, recommendation (addressed to someone) or next step."""

    __tablename__ = "outcomes"
    __table_args__ = (
        CheckConstraint(_in("kind", tuple(k.value for k in OutcomeKind)), name="kind"),
        CheckConstraint(f"length(text) <= {OUTCOME_MAX_LENGTH}", name="text_length"),
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        Index("ix_outcomes_meeting_position", "meeting_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    # For recommendations: who is called on ("participants called for <addressed_to> to ...").
    addressed_to: Mapped[str | None] = mapped_column(String(ADDRESSED_TO_MAX_LENGTH))
    # The news of the meeting: the press release's headline and first sentence carry it (one
    # statement or outcome per meeting).
    is_news: Mapped[bool] = mapped_column(default=False, server_default=sa_false())


class PressRelease(db.Model):  # type: ignore[name-defined]
    """The release date of a meeting's press release (the draft itself is composed on demand)."""

    __tablename__ = "press_releases"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    release_date: Mapped[date | None] = mapped_column(Date)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    updated_by: Mapped[User | None] = relationship(lazy="raise")


class PressReleaseOverride(db.Model):  # type: ignore[name-defined]
    """A section of the press-release draft rewritten by hand, with who did it and when."""

    __tablename__ = "press_release_overrides"
    __table_args__ = (
        UniqueConstraint("meeting_id", "section"),
        CheckConstraint(_in("section", PRESS_RELEASE_SECTIONS), name="section"),
        CheckConstraint(f"length(text) <= {OVERRIDE_MAX_LENGTH}", name="text_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    updated_by: Mapped[User | None] = relationship(lazy="raise")
