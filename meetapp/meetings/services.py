"""Meetings: organisations, meetings, stakeholder groups and organiser teams.

Functions take plain data and models, flush and never commit; a rule that refuses an operation
raises `DomainError` naming the form field concerned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import Integer, case, delete, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload
from sqlalchemy.sql.elements import ColumnElement

from meetapp.accounts.services import find_user_by_email
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.formatting import is_timezone
from meetapp.keys import key_from_text, unique_key
from meetapp.locking import lock_meeting
from meetapp.meetings.access import readable_meetings_filter, usable_organisations_filter
from meetapp.models import (
    RELEASE_ENDS,
    Meeting,
    Organisation,
    Participant,
    Partner,
    PartnerRole,
    RegistrationQuestion,
    Role,
    StakeholderGroup,
    Status,
    User,
    meeting_organisers,
    registration_question_groups,
)
from meetapp.registration.services import promote_waitlisted

SLUG_PATTERN = re.compile(r"[a-z0-9-]+")
# Addresses under /meetings/ that are pages, not meetings.
RESERVED_SLUGS = frozenset({"new", "import"})
GROUP_KEY_LENGTH = 50
MAX_GROUPS = 50


# --- organisations ----------------------------------------------------------------------------


@dataclass
class OrganisationData:
    name: str
    short_name: str | None = None
    about: str | None = None
    website: str | None = None
    release_end: str | None = None  # "ENDS" (None) or "###"
    privacy_url: str | None = None


def usable_organisations(user: User) -> list[Organisation]:
    """The organisations `user` may convene a meeting for, by name."""
    query = select(Organisation).order_by(func.lower(Organisation.name), Organisation.id)
    condition = usable_organisations_filter(user)
    if condition is not None:
        query = query.where(condition)
    return list(db.session.scalars(query))


def _apply_organisation(organisation: Organisation, data: OrganisationData) -> None:
    name = data.name.strip()
    if not name:
        raise DomainError("Enter the organisation's name.", field="name")
    organisation.name = name
    organisation.short_name = (data.short_name or "").strip() or None
    organisation.about = (data.about or "").strip() or None
    organisation.website = (data.website or "").strip() or None
    organisation.release_end = data.release_end if data.release_end in RELEASE_ENDS else None
    organisation.privacy_url = (data.privacy_url or "").strip() or None


def create_organisation(data: OrganisationData, creator: User | None = None) -> Organisation:
    """A new organisation; its `creator` may use and edit it (see `usable_organisations_filter`)."""
    organisation = Organisation(created_by_id=creator.id if creator is not None else None)
    _apply_organisation(organisation, data)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def update_organisation(organisation: Organisation, data: OrganisationData) -> Organisation:
    _apply_organisation(organisation, data)
    db.session.flush()
    return organisation


# --- meetings ---------------------------------------------------------------------------------


@dataclass
class MeetingData:
    """A meeting's fields; date-times are aware (see `meetapp.formatting.from_local`)."""

    slug: str
    title: str
    starts_at: datetime
    timezone: str
    organisation_id: int
    kind: str | None = None
    topic: str | None = None
    ends_at: datetime | None = None
    venue: str | None = None
    city: str | None = None
    country: str | None = None
    languages: list[str] = field(default_factory=list)
    background: str | None = None
    capacity: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    online: bool = False
    # Co-organisers, host and funders; None leaves those recorded unchanged.
    partners: list[PartnerData] | None = None


@dataclass(frozen=True)
class PartnerData:
    role: str  # a PartnerRole
    name: str
    short_name: str | None = None


_PARTNER_ROLES = {
    "co-organiser": PartnerRole.CO_ORGANISER,
    "co-organizer": PartnerRole.CO_ORGANISER,
    "co-organisers": PartnerRole.CO_ORGANISER,
    "co-organizers": PartnerRole.CO_ORGANISER,
    "co_organiser": PartnerRole.CO_ORGANISER,
    "host": PartnerRole.HOST,
    "funder": PartnerRole.FUNDER,
    "funders": PartnerRole.FUNDER,
}
_PARTNER_LABELS = {
    PartnerRole.CO_ORGANISER: "Co-organiser",
    PartnerRole.HOST: "Host",
    PartnerRole.FUNDER: "Funder",
}
MAX_PARTNERS = 50


def parse_partners(text: str | None, field_name: str = "partners") -> list[PartnerData]:
    """Partners typed one a line: 'Co-organiser: Legal Support for Children and Women (LSCW)',
    'Host: NAMAC', 'Funder: Government of Japan'; a short name in brackets at the end."""
    partners = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = " ".join(line.split())
        if not line:
            continue
        role_text, colon, rest = line.partition(":")
        role = _PARTNER_ROLES.get(role_text.strip().casefold())
        if not colon or role is None:
            raise DomainError(
                f"Line {number}: begin with “Co-organiser:”, “Host:” or “Funder:”.",
                field=field_name,
            )
        name, short = rest.strip(), None
        bracketed = re.fullmatch(r"(.+?)\s*\(([^()]{1,50})\)", name)
        if bracketed:
            name, short = bracketed.group(1).strip(), bracketed.group(2).strip()
        if not name or len(name) > 300:
            raise DomainError(
                f"Line {number}: enter a name of 1 to 300 characters.", field=field_name
            )
        partners.append(PartnerData(role=role.value, name=name, short_name=short))
    if len(partners) > MAX_PARTNERS:
        raise DomainError(f"A meeting can have at most {MAX_PARTNERS} partners.", field=field_name)
    return partners


def partner_lines(meeting: Meeting) -> str:
    """The meeting's partners as the form shows them, one a line."""
    partners = db.session.scalars(
        select(Partner)
        .where(Partner.meeting_id == meeting.id)
        .order_by(Partner.position, Partner.id)
    )
    return "\n".join(
        f"{_PARTNER_LABELS.get(PartnerRole(p.role), p.role)}: {p.name}"
        + (f" ({p.short_name})" if p.short_name else "")
        for p in partners
    )


class PartnerLike(Protocol):
    """A partner as the form (PartnerData) and the meetapp/1 document give one."""

    @property
    def role(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def short_name(self) -> str | None: ...


def save_partners(meeting: Meeting, partners: Iterable[PartnerLike]) -> None:
    """The meeting's partners become `partners`, in their order."""
    db.session.execute(delete(Partner).where(Partner.meeting_id == meeting.id))
    for position, partner in enumerate(partners):
        db.session.add(
            Partner(
                meeting_id=meeting.id,
                position=position,
                role=partner.role,
                name=partner.name,
                short_name=partner.short_name,
            )
        )


@dataclass
class MeetingSummary:
    """A meeting with its registration counts, as listed on the dashboard."""

    meeting: Meeting
    registered: int
    waitlisted: int
    cancelled: int
    attended: int


def _check_meeting(data: MeetingData, meeting: Meeting | None) -> None:
    if not SLUG_PATTERN.fullmatch(data.slug or ""):
        raise DomainError("Use only lower-case letters a-z, digits and hyphens.", field="slug")
    if data.slug in RESERVED_SLUGS:
        raise DomainError(f"“{data.slug}” is the address of a page of meetapp.", field="slug")
    clash = select(Meeting.id).where(Meeting.slug == data.slug)
    if meeting is not None:
        clash = clash.where(Meeting.id != meeting.id)
    if db.session.scalar(clash) is not None:
        raise DomainError("Another meeting already uses this address.", field="slug")
    if not data.title.strip():
        raise DomainError("Enter a title.", field="title")
    if not is_timezone(data.timezone):
        raise DomainError("Choose a time zone from the list.", field="timezone")
    if data.ends_at is not None and data.ends_at < data.starts_at:
        raise DomainError("The meeting cannot end before it starts.", field="ends_at")
    if (
        data.registration_opens_at is not None
        and data.registration_closes_at is not None
        and data.registration_closes_at < data.registration_opens_at
    ):
        raise DomainError(
            "Registration cannot close before it opens.", field="registration_closes_at"
        )
    if data.capacity is not None and data.capacity < 0:
        raise DomainError("The capacity cannot be negative.", field="capacity")
    if db.session.get(Organisation, data.organisation_id) is None:
        raise DomainError("Choose an organisation from the list.", field="organisation")


def _apply_meeting(meeting: Meeting, data: MeetingData) -> None:
    meeting.slug = data.slug
    meeting.title = data.title.strip()
    meeting.kind = (data.kind or "").strip() or None
    meeting.topic = (data.topic or "").strip() or None
    meeting.starts_at = data.starts_at
    meeting.ends_at = data.ends_at
    meeting.timezone = data.timezone
    meeting.venue = (data.venue or "").strip() or None
    meeting.online = data.online
    meeting.city = (data.city or "").strip() or None
    meeting.country = data.country or None
    meeting.languages = list(data.languages)
    meeting.background = (data.background or "").strip() or None
    meeting.capacity = data.capacity
    meeting.registration_opens_at = data.registration_opens_at
    meeting.registration_closes_at = data.registration_closes_at
    meeting.organisation_id = data.organisation_id


def _flush_meeting() -> None:
    """Flush; a concurrent use of the same slug becomes a DomainError, not a 500."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise DomainError("Another meeting already uses this address.", field="slug") from exc


def parse_group_labels(text: str | None) -> list[str]:
    """Stakeholder group labels from a "one per line" text; blank lines and repeats dropped."""
    labels: list[str] = []
    seen: set[str] = set()
    for line in (text or "").splitlines():
        label = " ".join(line.split())
        if label and label.lower() not in seen:
            seen.add(label.lower())
            labels.append(label)
    return labels


def create_meeting(
    data: MeetingData, *, groups: list[str] | None = None, creator: User | None = None
) -> Meeting:
    """A new meeting with its stakeholder groups; an organiser creating it joins its team."""
    _check_meeting(data, None)
    if groups and len(groups) > MAX_GROUPS:
        raise DomainError(f"A meeting can have at most {MAX_GROUPS} groups.", field="groups")
    meeting = Meeting()
    _apply_meeting(meeting, data)
    db.session.add(meeting)
    _flush_meeting()
    if data.partners is not None:
        save_partners(meeting, data.partners)
    for label in groups or []:
        add_group(meeting, label, field_name="groups")
    if creator is not None and creator.role == Role.ORGANISER:
        add_team_member(meeting, creator)
    db.session.flush()
    return meeting


def update_meeting(meeting: Meeting, data: MeetingData) -> list[Participant]:
    """Change a meeting's fields. Returns the participants promoted from the waiting list.

    The capacity cannot go below the number of registered participants (nobody loses a seat);
    when it rises, the waiting list fills the new seats in order.
    """
    meeting = lock_meeting(meeting.id)
    _check_meeting(data, meeting)
    if data.capacity is not None:
        registered = meeting.registered_count
        if data.capacity < registered:
            raise DomainError(
                f"{registered} participants are registered: the capacity cannot be lower. "
                "Cancel registrations first.",
                field="capacity",
            )
    _apply_meeting(meeting, data)
    _flush_meeting()
    if data.partners is not None:
        save_partners(meeting, data.partners)
        db.session.flush()
    return promote_waitlisted(meeting)


def delete_meeting(meeting: Meeting) -> None:
    """Delete a meeting with everything recorded about it.

    Participants go first: they refer to stakeholder groups, which refuse to go while used.
    """
    db.session.execute(delete(Participant).where(Participant.meeting_id == meeting.id))
    db.session.execute(delete(Meeting).where(Meeting.id == meeting.id))
    db.session.expunge(meeting)


def dashboard_summaries(user: User) -> list[MeetingSummary]:
    """The meetings `user` may read, soonest last, with counts: one query with a GROUP BY."""
    counts = (
        select(
            Participant.meeting_id.label("meeting_id"),
            _count_if(Participant.status == Status.REGISTERED).label("registered"),
            _count_if(Participant.status == Status.WAITLISTED).label("waitlisted"),
            _count_if(Participant.status == Status.CANCELLED).label("cancelled"),
            _count_if(Participant.attended.is_(True)).label("attended"),
        )
        .group_by(Participant.meeting_id)
        .subquery()
    )
    query = (
        select(
            Meeting,
            func.coalesce(counts.c.registered, 0),
            func.coalesce(counts.c.waitlisted, 0),
            func.coalesce(counts.c.cancelled, 0),
            func.coalesce(counts.c.attended, 0),
        )
        .outerjoin(counts, counts.c.meeting_id == Meeting.id)
        .options(lazyload(Meeting.stakeholder_groups))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    )
    condition = readable_meetings_filter(user)
    if condition is not None:
        query = query.where(condition)
    return [
        MeetingSummary(meeting, int(reg), int(wait), int(cancelled), int(attended))
        for meeting, reg, wait, cancelled, attended in db.session.execute(query)
    ]


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0), type_=Integer)


@dataclass
class MeetingCounts:
    registered: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    attended: int = 0
    # stakeholder group id (None: no group) -> registered, waitlisted
    by_group: dict[int | None, dict[str, int]] = field(default_factory=dict)


def meeting_counts(meeting: Meeting) -> MeetingCounts:
    """Counts by status and stakeholder group: one GROUP BY query."""
    rows = db.session.execute(
        select(
            Participant.stakeholder_group_id,
            Participant.status,
            func.count(),
            _count_if(Participant.attended.is_(True)),
        )
        .where(Participant.meeting_id == meeting.id)
        .group_by(Participant.stakeholder_group_id, Participant.status)
    )
    counts = MeetingCounts()
    for group_id, status, number, attended in rows:
        group = counts.by_group.setdefault(group_id, {s.value: 0 for s in Status})
        group[status] = group.get(status, 0) + number
        if status == Status.REGISTERED:
            counts.registered += number
        elif status == Status.WAITLISTED:
            counts.waitlisted += number
        elif status == Status.CANCELLED:
            counts.cancelled += number
        if status != Status.CANCELLED:
            counts.attended += int(attended or 0)
    return counts


# --- stakeholder groups -----------------------------------------------------------------------


def find_group(meeting: Meeting, group_id: int) -> StakeholderGroup | None:
    """The meeting's group with this id; None for a group of another meeting."""
    return db.session.scalar(
        select(StakeholderGroup).where(
            StakeholderGroup.id == group_id, StakeholderGroup.meeting_id == meeting.id
        )
    )


def meeting_groups(meeting: Meeting) -> list[StakeholderGroup]:
    """The meeting's stakeholder groups in their order."""
    return meeting_groups_by_id(meeting.id)


def meeting_groups_by_id(meeting_id: int) -> list[StakeholderGroup]:
    return list(
        db.session.scalars(
            select(StakeholderGroup)
            .where(StakeholderGroup.meeting_id == meeting_id)
            .order_by(StakeholderGroup.position, StakeholderGroup.id)
        )
    )


def _clean_label(label: str, field_name: str) -> str:
    label = " ".join(label.split())
    if not label:
        raise DomainError("Enter the group's name.", field=field_name)
    if len(label) > 200:
        raise DomainError("A group's name may have at most 200 characters.", field=field_name)
    return label


def _flush_group(label: str, field_name: str) -> None:
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise DomainError(f"There is already a group called “{label}”.", field=field_name) from exc


def add_group(meeting: Meeting, label: str, *, field_name: str = "label") -> StakeholderGroup:
    """Append a group; its key is derived from the label and unique within the meeting."""
    label = _clean_label(label, field_name)
    groups = meeting_groups_by_id(meeting.id)
    if len(groups) >= MAX_GROUPS:
        raise DomainError(f"A meeting can have at most {MAX_GROUPS} groups.", field=field_name)
    if any(group.label.lower() == label.lower() for group in groups):
        raise DomainError(f"There is already a group called “{label}”.", field=field_name)
    keys = {group.key for group in groups}
    key = unique_key(key_from_text(label, GROUP_KEY_LENGTH, "group"), keys)
    position = max((group.position for group in groups), default=-1) + 1
    group = StakeholderGroup(meeting_id=meeting.id, key=key, label=label, position=position)
    db.session.add(group)
    _flush_group(label, field_name)
    return group


def rename_group(group: StakeholderGroup, label: str) -> StakeholderGroup:
    """Change the label; the key stays, as documents and exports refer to it."""
    label = _clean_label(label, "label")
    clash = db.session.scalar(
        select(StakeholderGroup.id).where(
            StakeholderGroup.meeting_id == group.meeting_id,
            func.lower(StakeholderGroup.label) == label.lower(),
            StakeholderGroup.id != group.id,
        )
    )
    if clash is not None:
        raise DomainError(f"There is already a group called “{label}”.", field="label")
    group.label = label
    _flush_group(label, "label")
    return group


def move_group(group: StakeholderGroup, direction: str) -> None:
    """Swap the group with its neighbour above ("up") or below ("down")."""
    if direction not in ("up", "down"):
        raise DomainError("Move a group up or down.", field="direction")
    groups = meeting_groups_by_id(group.meeting_id)
    index = next(i for i, g in enumerate(groups) if g.id == group.id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(groups):
        groups[index], groups[other] = groups[other], groups[index]
    for position, item in enumerate(groups):
        item.position = position
    db.session.flush()


def delete_group(group: StakeholderGroup) -> None:
    """Remove a group that no participant belongs to.

    Under the meeting lock, which registrations take before checking the group they name: a
    group cannot disappear between that check and the new participant's insert."""
    lock_meeting(group.meeting_id)
    used = (
        db.session.scalar(
            select(func.count())
            .select_from(Participant)
            .where(Participant.stakeholder_group_id == group.id)
        )
        or 0
    )
    if used:
        people = "participant belongs" if used == 1 else "participants belong"
        raise DomainError(
            f"The group “{group.label}” cannot be removed: {used} {people} to it. "
            "Move them to another group first."
        )
    asking = db.session.scalars(
        select(RegistrationQuestion.label)
        .join(
            registration_question_groups,
            registration_question_groups.c.question_id == RegistrationQuestion.id,
        )
        .where(
            registration_question_groups.c.group_id == group.id,
            RegistrationQuestion.archived_at.is_(None),
        )
        .order_by(RegistrationQuestion.position)
    ).all()
    if asking:
        # Removed, the group would leave such a question asked of everyone (or of the others).
        names = ", ".join(f"“{label}”" for label in asking)
        raise DomainError(
            f"The group “{group.label}” cannot be removed: the registration "
            f"question{'s' if len(asking) > 1 else ''} {names} "
            f"{'are' if len(asking) > 1 else 'is'} asked of it. Change "
            f"{'them' if len(asking) > 1 else 'it'} first."
        )
    try:
        with db.session.begin_nested():
            db.session.execute(delete(StakeholderGroup).where(StakeholderGroup.id == group.id))
    except IntegrityError as exc:
        raise DomainError(f"The group “{group.label}” cannot be removed: it is in use.") from exc
    db.session.expunge(group)


# --- organiser teams --------------------------------------------------------------------------


def team_members(meeting: Meeting) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(meeting_organisers, meeting_organisers.c.user_id == User.id)
            .where(meeting_organisers.c.meeting_id == meeting.id)
            .order_by(func.lower(User.name), User.id)
        )
    )


def add_team_member(meeting: Meeting, user: User) -> None:
    """Put `user` on the organiser team of `meeting` (no-op when already there)."""
    already = db.session.scalar(
        select(
            exists().where(
                meeting_organisers.c.meeting_id == meeting.id,
                meeting_organisers.c.user_id == user.id,
            )
        )
    )
    if not already:
        db.session.execute(
            insert(meeting_organisers).values(meeting_id=meeting.id, user_id=user.id)
        )


def add_team_member_by_email(meeting: Meeting, email: str) -> User:
    """Add the organiser with this e-mail address to the team."""
    user = find_user_by_email(email)
    if user is None:
        raise DomainError("There is no user with this e-mail address.", field="email")
    if user.role != Role.ORGANISER:
        raise DomainError(
            "Only organisers join a team (admins and staff already see every meeting).",
            field="email",
        )
    if not user.active:
        raise DomainError("This account is deactivated.", field="email")
    if user.id in {member.id for member in team_members(meeting)}:
        raise DomainError(f"{user.name} is already on the team.", field="email")
    add_team_member(meeting, user)
    return user


def remove_team_member(meeting: Meeting, user_id: int, *, acting_user: User) -> User | None:
    """Take a user off the team; the last member stays unless an admin removes them.

    Returns the removed user, or None when they were not on this meeting's team.
    """
    members = team_members(meeting)
    member = next((user for user in members if user.id == user_id), None)
    if member is None:
        return None
    if len(members) == 1 and acting_user.role != Role.ADMIN:
        raise DomainError(
            "The last member of the team cannot be removed: add another organiser first."
        )
    db.session.execute(
        delete(meeting_organisers).where(
            meeting_organisers.c.meeting_id == meeting.id,
            meeting_organisers.c.user_id == user_id,
        )
    )
    return member
