"""The press-release editor: sections rewritten by hand and the release date.

Functions flush and never commit; a refused change raises `DomainError` naming its field.
"""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import delete, select

from meetapp.database import utcnow
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.models import (
    PRESS_RELEASE_SECTIONS,
    Meeting,
    PressRelease,
    PressReleaseOverride,
    User,
)
from meetapp.models.outcomes import OVERRIDE_MAX_LENGTH


def _normalised(text: str) -> str:
    """Line endings made uniform and white space at the ends removed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def save_override(
    meeting: Meeting, section: str, text: str, generated: str, user: User
) -> PressReleaseOverride | None:
    """Keep `text` as the section's wording. Text equal to the generated wording is no
    override: the section goes back to following the data (None is returned)."""
    if section not in PRESS_RELEASE_SECTIONS:
        raise DomainError("There is no such section in the press release.")
    text = _normalised(text)
    if not text:
        raise DomainError(
            "Enter the text of the section, or reset it to the generated text.", field="text"
        )
    if len(text) > OVERRIDE_MAX_LENGTH:
        raise DomainError(
            f"The section can be at most {OVERRIDE_MAX_LENGTH:,} characters long.", field="text"
        )
    override = db.session.scalar(
        select(PressReleaseOverride).where(
            PressReleaseOverride.meeting_id == meeting.id, PressReleaseOverride.section == section
        )
    )
    if text == _normalised(generated):
        if override is not None:
            db.session.delete(override)
            db.session.flush()
        return None
    if override is None:
        override = PressReleaseOverride(meeting_id=meeting.id, section=section)
        db.session.add(override)
    override.text = text
    override.updated_by_id = user.id
    override.updated_at = utcnow()
    db.session.flush()
    return override


def reset_override(meeting: Meeting, section: str) -> bool:
    """Back to the generated text; False if the section had not been rewritten."""
    if section not in PRESS_RELEASE_SECTIONS:
        raise DomainError("There is no such section in the press release.")
    result = db.session.execute(
        delete(PressReleaseOverride).where(
            PressReleaseOverride.meeting_id == meeting.id, PressReleaseOverride.section == section
        )
    )
    db.session.flush()
    return bool(getattr(result, "rowcount", 0))


def set_release_date(meeting: Meeting, release_date: date | None, user: User) -> None:
    """The date printed on the release; None means "the day it is downloaded"."""
    record = db.session.get(PressRelease, meeting.id)
    if record is None:
        record = PressRelease(meeting_id=meeting.id)
        db.session.add(record)
    record.release_date = release_date
    record.updated_by_id = user.id
    record.updated_at = utcnow()
    db.session.flush()


def stored_release_date(meeting: Meeting) -> date | None:
    return db.session.scalar(
        select(PressRelease.release_date).where(PressRelease.meeting_id == meeting.id)
    )


def fingerprint(text: str) -> str:
    """A short fingerprint of a section's text as the editor shows it, to tell on saving
    whether the form changed it and whether the draft changed since the form was loaded."""
    return hashlib.sha256(_normalised(text).encode("utf-8")).hexdigest()[:32]


def date_fingerprint(value: date | None) -> str:
    return value.isoformat() if value is not None else ""
