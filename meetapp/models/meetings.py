"""Organisations, meetings, their stakeholder groups, organiser teams and media contacts."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetapp.database import UTCDateTime, utcnow
from meetapp.extensions import db
from meetapp.models.texts import Translatable

if TYPE_CHECKING:
    from meetapp.models.accounts import User
    from meetapp.models.agenda import AgendaSession, Speaker, Statement
    from meetapp.models.registration import Participant

meeting_organisers = Table(
    "meeting_organisers",
    db.metadata,
    Column("meeting_id", ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    # What the organiser hears about participants' registrations and cancellations: "off",
    # "each" (an e-mail per change) or "daily" (a digest); `meetings.notifications`.
    Column("notify", String(10), nullable=False, default="off", server_default="off"),
    # The start of the next digest's period, for "daily".
    Column("digest_from", UTCDateTime, nullable=True),
)


def registration_state(opens: datetime | None, closes: datetime | None, now: datetime) -> str:
    """'not_open', 'open' or 'closed' at `now` (aware), for a registration window that opens
    at `opens` and closes at `closes` (None: no limit on that side)."""
    if opens is not None and now < opens:
        return "not_open"
    if closes is not None and now > closes:
        return "closed"
    return "open"


class Organisation(db.Model):  # type: ignore[name-defined]
    """The convener of a meeting; its "about" text closes every press release."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(50))
    about: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(500))
    # How its press releases end: "ENDS" (the default, None) or "###".
    release_end: Mapped[str | None] = mapped_column(String(10))
    # Its privacy notice: the registration form's consent box links to it.
    privacy_url: Mapped[str | None] = mapped_column(String(500))
    # The organiser who created it (through the form or an import), who may use and edit it
    # before any meeting is convened under it; empty for the command line's imports, those
    # made before this was recorded, and when the account has since been deleted.
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    meetings: Mapped[list[Meeting]] = relationship(back_populates="organisation", lazy="raise")


class Meeting(Translatable, db.Model):  # type: ignore[name-defined]
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
        CheckConstraint(
            "registration_opens_at IS NULL OR registration_closes_at IS NULL"
            " OR registration_closes_at >= registration_opens_at",
            name="registration_window",
        ),
    )

    TRANSLATED = ("title", "topic", "venue", "city", "background")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str | None] = mapped_column(String(100))
    topic: Mapped[str | None] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    venue: Mapped[str | None] = mapped_column(String(300))
    # Held online (with or without a venue): the press release says so.
    online: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    background: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int | None] = mapped_column()
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The seats taken and the waiting list's length, and the latest `registered_at` ever given
    # in the meeting: kept by every flush that adds, changes or removes a participant, and by
    # the bulk imports (see `meetapp.models.registration.add_to_seat_counts`), so that the
    # public pages read them instead of counting the participants.
    registered_count: Mapped[int] = mapped_column(default=0, server_default="0")
    waitlisted_count: Mapped[int] = mapped_column(default=0, server_default="0")
    latest_registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(
        back_populates="meetings", lazy="joined", innerjoin=True
    )
    stakeholder_groups: Mapped[list[StakeholderGroup]] = relationship(
        back_populates="meeting",
        order_by="StakeholderGroup.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
    )
    organisers: Mapped[list[User]] = relationship(
        secondary=meeting_organisers, back_populates="meetings", lazy="raise"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )
    speakers: Mapped[list[Speaker]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )
    agenda_sessions: Mapped[list[AgendaSession]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )
    statements: Mapped[list[Statement]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="meeting",
        order_by="Contact.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )
    partners: Mapped[list[Partner]] = relationship(
        back_populates="meeting",
        order_by="Partner.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
    )

    def registration_state(self, now: datetime) -> str:
        """'not_open', 'open' or 'closed' at `now` (aware)."""
        return registration_state(self.registration_opens_at, self.registration_closes_at, now)


class StakeholderGroup(Translatable, db.Model):  # type: ignore[name-defined]
    __tablename__ = "stakeholder_groups"
    __table_args__ = (
        UniqueConstraint("meeting_id", "key"),
        UniqueConstraint("meeting_id", "label"),
    )

    TRANSLATED = ("label",)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    meeting: Mapped[Meeting] = relationship(back_populates="stakeholder_groups", lazy="raise")


class Contact(db.Model):  # type: ignore[name-defined]
    """A media contact named at the end of the press release."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    honorific: Mapped[str | None] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)

    meeting: Mapped[Meeting] = relationship(back_populates="contacts", lazy="raise")


class PartnerRole(enum.StrEnum):
    """What an organisation other than the convener did for a meeting."""

    CO_ORGANISER = "co_organiser"  # "in collaboration with STEP and Sightsavers"
    HOST = "host"  # "hosted by NAMAC"
    FUNDER = "funder"  # "with the support of the Government of Japan"


RELEASE_ENDS = ("ENDS", "###")


class Partner(db.Model):  # type: ignore[name-defined]
    """An organisation that co-organised, hosted or funded a meeting, named in the lead of
    its press release."""

    __tablename__ = "meeting_partners"
    __table_args__ = (
        CheckConstraint(
            "role IN (" + ", ".join(repr(r.value) for r in PartnerRole) + ")", name="role"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str | None] = mapped_column(String(50))

    meeting: Mapped[Meeting] = relationship(back_populates="partners", lazy="raise")
