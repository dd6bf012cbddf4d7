"""Import and export of whole meetings in the `meetapp/1` JSON format.

An import is all or nothing: the document is checked completely (shape by the pydantic models
in `schema`, then the rules that span fields or need the database) and every problem is
reported by its JSON path before a single row is added.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from meetapp.accounts.services import normalise_email
from meetapp.database import utcnow
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.interchange.schema import (
    FORMAT,
    SECTIONS,
    UNSUPPORTED_SECTIONS,
    Loc,
    MeetingDoc,
    MeetingDocument,
    OrganisationDoc,
    json_path,
    parse_time,
    validation_problems,
)
from meetapp.models import (
    PRESS_RELEASE_SECTIONS,
    Contact,
    Meeting,
    Organisation,
    Outcome,
    Participant,
    PressRelease,
    PressReleaseOverride,
    StakeholderGroup,
    Status,
)
from meetapp.registration.services import new_token

# Addresses under /meetings/ that are pages, not meetings.
RESERVED_SLUGS = frozenset({"new", "import"})


class InterchangeError(Exception):
    """A document that cannot be imported; `problems` are "json.path: message" lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class ImportReport:
    meeting: Meeting
    left_out: list[str] = field(default_factory=list)
    participants: int = 0
    stakeholder_groups: int = 0
    contacts: int = 0

    def summary(self) -> str:
        """'52 participants, 5 stakeholder groups, 2 contacts'."""
        return ", ".join(
            _count(number, noun)
            for number, noun in (
                (self.participants, "participant"),
                (self.stakeholder_groups, "stakeholder group"),
                (self.contacts, "contact"),
            )
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def parse_document(data: bytes) -> Any:
    """The JSON value in `data` (UTF-8, a byte-order mark allowed)."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InterchangeError([f"$: not valid JSON: not UTF-8 text ({exc.reason})"]) from exc
    except json.JSONDecodeError as exc:
        raise InterchangeError(
            [f"$: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        ) from exc
    except RecursionError as exc:
        raise InterchangeError(["$: not valid JSON: nested too deeply"]) from exc


# --- import -------------------------------------------------------------------------------


def import_meeting(document: Any, *, leave_out_unsupported: bool = False) -> ImportReport:
    """Create the meeting described by `document`; InterchangeError lists every problem.

    Sections this version cannot store are refused, unless `leave_out_unsupported`, in which
    case they are skipped and named in the report. Flushes, never commits.
    """
    if not isinstance(document, dict):
        raise InterchangeError(["$: expected a JSON object (a meetapp/1 document)"])

    problems: list[tuple[Loc, str]] = []
    left_out: list[str] = []
    for section in UNSUPPORTED_SECTIONS:
        if _is_empty(document.get(section)):
            continue
        if leave_out_unsupported:
            left_out.append(section)
        else:
            problems.append(
                (
                    (section,),
                    "not supported by this version of meetapp; remove the section to import "
                    "the rest",
                )
            )
    if isinstance(document.get("format"), str) and document["format"] != FORMAT:
        problems.append((("format",), f'must be "{FORMAT}"'))

    parsed: MeetingDocument | None = None
    try:
        parsed = MeetingDocument.model_validate(document)
    except ValidationError as exc:
        problems.extend(validation_problems(exc))
    cross = _CrossChecks(document)
    problems.extend(cross.problems)
    if problems or parsed is None:
        raise InterchangeError(_ordered(problems))

    report = _write(parsed, cross.normalised_emails)
    report.left_out = left_out
    return report


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, list | dict | str) and len(value) == 0)


def _ordered(problems: list[tuple[Loc, str]]) -> list[str]:
    """Problems in the order of the document: by section, then by list item; no repeats."""

    def key(problem: tuple[Loc, str]) -> tuple[int, int]:
        loc = problem[0]
        section = SECTIONS.index(loc[0]) if loc and loc[0] in SECTIONS else len(SECTIONS)
        item = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else -1
        return (section, item)

    lines: list[str] = []
    for loc, message in sorted(problems, key=key):
        line = f"{json_path(loc)}: {message}"
        if line not in lines:
            lines.append(line)
    return lines


class _CrossChecks:
    """Rules that span fields or need the database, read from the raw document.

    They run even when the shape is wrong, so that one pass over a bad file lists everything;
    values of the wrong type are simply skipped here (the schema reports them).
    """

    def __init__(self, document: dict[str, Any]) -> None:
        self.problems: list[tuple[Loc, str]] = []
        self.normalised_emails: list[str | None] = []
        meeting = document.get("meeting")
        meeting = meeting if isinstance(meeting, dict) else {}
        group_keys = self._check_meeting(meeting)
        self._check_participants(document.get("participants"), group_keys)

    def _check_meeting(self, meeting: dict[str, Any]) -> set[str] | None:
        slug = meeting.get("slug")
        if isinstance(slug, str) and slug.strip() in RESERVED_SLUGS:
            self.problems.append(
                (("meeting", "slug"), f"{json.dumps(slug)} is reserved for a page of meetapp")
            )
        elif isinstance(slug, str) and slug:
            taken = db.session.scalar(select(Meeting.id).where(Meeting.slug == slug.strip()))
            if taken is not None:
                self.problems.append(
                    (("meeting", "slug"), f"{json.dumps(slug)} is already used by another meeting")
                )
        self._check_order(meeting, "starts_at", "ends_at")
        self._check_order(meeting, "registration_opens_at", "registration_closes_at")

        groups = meeting.get("stakeholder_groups")
        if groups is None:
            return set()
        if not isinstance(groups, list):
            return None
        keys: dict[str, int] = {}
        labels: dict[str, int] = {}
        for index, group in enumerate(groups):
            if not isinstance(group, dict):
                continue
            for name, seen in (("key", keys), ("label", labels)):
                value = group.get(name)
                if not isinstance(value, str):
                    continue
                value = value.strip()
                if value in seen:
                    self.problems.append(
                        (
                            ("meeting", "stakeholder_groups", index, name),
                            f"{json.dumps(value)} is also the {name} of "
                            f"meeting.stakeholder_groups[{seen[value]}]",
                        )
                    )
                else:
                    seen[value] = index
        return set(keys)

    def _check_order(self, meeting: dict[str, Any], first: str, then: str) -> None:
        start, end = _time_or_none(meeting.get(first)), _time_or_none(meeting.get(then))
        if start is not None and end is not None and end < start:
            self.problems.append((("meeting", then), f"is before {first}"))

    def _check_participants(self, participants: Any, group_keys: set[str] | None) -> None:
        if not isinstance(participants, list):
            return
        seen: dict[str, int] = {}
        for index, participant in enumerate(participants):
            normalised = None
            if isinstance(participant, dict):
                group = participant.get("stakeholder_group")
                if isinstance(group, str) and group_keys is not None:
                    group = group.strip()
                    if group and group not in group_keys:
                        self.problems.append(
                            (
                                ("participants", index, "stakeholder_group"),
                                f"no stakeholder group with the key {json.dumps(group)} "
                                "in meeting.stakeholder_groups",
                            )
                        )
                normalised = _normalised_email(participant.get("email"))
                if normalised is not None:
                    if normalised in seen:
                        self.problems.append(
                            (
                                ("participants", index, "email"),
                                f"the same address as participants[{seen[normalised]}].email "
                                "(addresses are compared without regard to case)",
                            )
                        )
                    else:
                        seen[normalised] = index
            self.normalised_emails.append(normalised)


def _time_or_none(value: Any) -> datetime | None:
    try:
        return parse_time(value)
    except ValueError:  # PydanticCustomError is a ValueError
        return None


def _normalised_email(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return normalise_email(value)
    except DomainError:
        return None


def _write(document: MeetingDocument, emails: list[str | None]) -> ImportReport:
    organisation = _find_or_create_organisation(document.organisation)
    meeting = _new_meeting(document.meeting, organisation)
    db.session.add(meeting)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        # Another import took the slug between the check and now.
        raise InterchangeError(
            [f"meeting.slug: {json.dumps(meeting.slug)} is already used by another meeting"]
        ) from exc

    contacts = document.contacts or []
    for position, contact in enumerate(contacts):
        db.session.add(
            Contact(
                meeting_id=meeting.id,
                position=position,
                honorific=contact.honorific,
                name=contact.name,
                role=contact.role,
                organisation=contact.organisation,
                email=contact.email,
                phone=contact.phone,
                languages=list(contact.languages or []),
            )
        )

    for position, outcome in enumerate(document.outcomes or []):
        db.session.add(
            Outcome(
                meeting_id=meeting.id,
                position=position,
                kind=outcome.kind,
                text=outcome.text,
                addressed_to=outcome.addressed_to,
            )
        )
    now = utcnow()
    press_release = document.press_release
    if press_release is not None:
        if press_release.release_date is not None:
            db.session.add(
                PressRelease(
                    meeting_id=meeting.id, release_date=press_release.release_date, updated_at=now
                )
            )
        for section, text in press_release.overrides().items():
            db.session.add(
                PressReleaseOverride(
                    meeting_id=meeting.id, section=section, text=text, updated_at=now
                )
            )

    group_ids = {group.key: group.id for group in meeting.stakeholder_groups}
    rows = []
    for participant, email_normalized in zip(document.participants or [], emails, strict=True):
        rows.append(
            {
                "meeting_id": meeting.id,
                "name": participant.name,
                "honorific": participant.honorific,
                "email": participant.email,
                "email_normalized": email_normalized,
                "organisation": participant.organisation,
                "position": participant.position,
                "stakeholder_group_id": (
                    group_ids[participant.stakeholder_group]
                    if participant.stakeholder_group
                    else None
                ),
                "country": participant.country,
                "languages": list(participant.languages or []),
                "status": participant.status or Status.REGISTERED.value,
                "attended": bool(participant.attended),
                "registered_at": participant.registered_at or now,
                "updated_at": now,
                "token_hash": new_token()[1],
            }
        )
    if rows:
        db.session.execute(insert(Participant), rows)
    db.session.flush()
    return ImportReport(
        meeting=meeting,
        participants=len(rows),
        stakeholder_groups=len(group_ids),
        contacts=len(contacts),
    )


def _find_or_create_organisation(doc: OrganisationDoc) -> Organisation:
    """The organisation with exactly these details, or a new one."""
    existing = db.session.scalars(
        select(Organisation)
        .where(
            Organisation.name == doc.name,
            Organisation.short_name.is_not_distinct_from(doc.short_name),
            Organisation.about.is_not_distinct_from(doc.about),
            Organisation.website.is_not_distinct_from(doc.website),
        )
        .order_by(Organisation.id)
        .limit(1)
    ).first()
    if existing is not None:
        return existing
    organisation = Organisation(
        name=doc.name, short_name=doc.short_name, about=doc.about, website=doc.website
    )
    db.session.add(organisation)
    return organisation


def _new_meeting(doc: MeetingDoc, organisation: Organisation) -> Meeting:
    meeting = Meeting(
        organisation=organisation,
        slug=doc.slug,
        title=doc.title,
        kind=doc.kind,
        topic=doc.topic,
        starts_at=doc.starts_at,
        ends_at=doc.ends_at,
        timezone=doc.timezone or "UTC",
        venue=doc.venue,
        city=doc.city,
        country=doc.country,
        languages=list(doc.languages or []),
        background=doc.background,
        capacity=doc.capacity,
        registration_opens_at=doc.registration_opens_at,
        registration_closes_at=doc.registration_closes_at,
    )
    for position, group in enumerate(doc.stakeholder_groups or []):
        meeting.stakeholder_groups.append(
            StakeholderGroup(key=group.key, label=group.label, position=position)
        )
    return meeting


# --- export -------------------------------------------------------------------------------


def export_meeting(meeting: Meeting) -> dict[str, Any]:
    """The meeting as a `meetapp/1` document, keys in the order of the format's table.

    Times are given in the meeting's time zone with its offset; every field is present
    (null or an empty list when there is nothing), so export -> import -> export is stable.
    """
    zone = _zone(meeting.timezone)

    def when(value: datetime | None) -> str | None:
        return value.astimezone(zone).isoformat() if value is not None else None

    organisation = meeting.organisation
    groups = sorted(meeting.stakeholder_groups, key=lambda group: (group.position, group.id))
    group_keys = {group.id: group.key for group in groups}
    contacts = db.session.scalars(
        select(Contact)
        .where(Contact.meeting_id == meeting.id)
        .order_by(Contact.position, Contact.id)
    )
    participants = db.session.scalars(
        select(Participant).where(Participant.meeting_id == meeting.id).order_by(Participant.id)
    )
    outcomes = db.session.scalars(
        select(Outcome)
        .where(Outcome.meeting_id == meeting.id)
        .order_by(Outcome.position, Outcome.id)
    )
    return {
        "format": FORMAT,
        "organisation": {
            "name": organisation.name,
            "short_name": organisation.short_name,
            "about": organisation.about,
            "website": organisation.website,
        },
        "meeting": {
            "slug": meeting.slug,
            "title": meeting.title,
            "kind": meeting.kind,
            "topic": meeting.topic,
            "starts_at": when(meeting.starts_at),
            "ends_at": when(meeting.ends_at),
            "timezone": meeting.timezone,
            "venue": meeting.venue,
            "city": meeting.city,
            "country": meeting.country,
            "languages": list(meeting.languages or []),
            "background": meeting.background,
            "capacity": meeting.capacity,
            "registration_opens_at": when(meeting.registration_opens_at),
            "registration_closes_at": when(meeting.registration_closes_at),
            "stakeholder_groups": [{"key": group.key, "label": group.label} for group in groups],
        },
        "outcomes": [
            {"kind": outcome.kind, "text": outcome.text, "addressed_to": outcome.addressed_to}
            for outcome in outcomes
        ],
        "contacts": [
            {
                "honorific": contact.honorific,
                "name": contact.name,
                "role": contact.role,
                "organisation": contact.organisation,
                "email": contact.email,
                "phone": contact.phone,
                "languages": list(contact.languages or []),
            }
            for contact in contacts
        ],
        "participants": [
            {
                "name": participant.name,
                "honorific": participant.honorific,
                "email": participant.email,
                "organisation": participant.organisation,
                "position": participant.position,
                "stakeholder_group": group_keys.get(participant.stakeholder_group_id)
                if participant.stakeholder_group_id is not None
                else None,
                "country": participant.country,
                "languages": list(participant.languages or []),
                "status": participant.status,
                "attended": participant.attended,
                "registered_at": when(participant.registered_at),
            }
            for participant in participants
        ],
        "press_release": _export_press_release(meeting),
    }


def _export_press_release(meeting: Meeting) -> dict[str, Any]:
    """The release date and the sections rewritten by hand, in the order of the draft."""
    release_date = db.session.scalar(
        select(PressRelease.release_date).where(PressRelease.meeting_id == meeting.id)
    )
    overrides = {
        row.section: row.text
        for row in db.session.scalars(
            select(PressReleaseOverride).where(PressReleaseOverride.meeting_id == meeting.id)
        )
    }
    result: dict[str, Any] = {
        "release_date": release_date.isoformat() if release_date is not None else None
    }
    result.update({name: overrides[name] for name in PRESS_RELEASE_SECTIONS if name in overrides})
    return result


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def export_json(meeting: Meeting) -> str:
    """The export as text: UTF-8 friendly, indented, key order kept."""
    return json.dumps(export_meeting(meeting), ensure_ascii=False, indent=2) + "\n"
