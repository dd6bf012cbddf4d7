"""The demo meeting, whole, for the report tests.

The demo document is imported; its speakers, agenda sessions and statements are then stored
with the models directly, unless the import already stored them (once the agenda is part of
the interchange, the loader has nothing left to do).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from meetapp.cli import DEMO_FILE
from meetapp.interchange.services import import_meeting
from meetapp.models import (
    AgendaSession,
    Meeting,
    SessionSpeaker,
    Speaker,
    StakeholderGroup,
    Statement,
)

DEMO: dict[str, Any] = json.loads(Path(DEMO_FILE).read_text(encoding="utf-8"))


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def store_agenda(db: Any, meeting: Meeting, document: dict[str, Any]) -> None:
    """Speakers, sessions and statements of `document`, unless the meeting has them already."""
    stored = db.session.scalar(
        select(func.count()).select_from(Speaker).where(Speaker.meeting_id == meeting.id)
    )
    if stored:
        return
    groups = {
        group.key: group.id
        for group in db.session.scalars(
            select(StakeholderGroup).where(StakeholderGroup.meeting_id == meeting.id)
        )
    }
    speakers: dict[str, Speaker] = {}
    for item in document.get("speakers") or []:
        speaker = Speaker(
            meeting_id=meeting.id,
            key=item["key"],
            honorific=item.get("honorific"),
            name=item["name"],
            position=item.get("position"),
            organisation=item.get("organisation"),
            stakeholder_group_id=groups.get(item.get("stakeholder_group") or ""),
            bio=item.get("bio"),
        )
        db.session.add(speaker)
        speakers[item["key"]] = speaker
    sessions: dict[str, AgendaSession] = {}
    for item in document.get("sessions") or []:
        session = AgendaSession(
            meeting_id=meeting.id,
            key=item["key"],
            title=item["title"],
            kind=item.get("kind") or "other",
            starts_at=_time(item.get("starts_at")),
            ends_at=_time(item.get("ends_at")),
            location=item.get("location"),
            description=item.get("description"),
        )
        db.session.add(session)
        sessions[item["key"]] = session
    db.session.flush()
    for item in document.get("sessions") or []:
        for order, part in enumerate(item.get("speakers") or []):
            db.session.add(
                SessionSpeaker(
                    session_id=sessions[item["key"]].id,
                    speaker_id=speakers[part["speaker"]].id,
                    role=part.get("role") or "speaker",
                    sort_order=order,
                )
            )
    for order, item in enumerate(document.get("statements") or []):
        db.session.add(
            Statement(
                meeting_id=meeting.id,
                session_id=sessions[item["session"]].id if item.get("session") else None,
                speaker_id=speakers[item["speaker"]].id if item.get("speaker") else None,
                kind=item["kind"],
                text=item["text"],
                highlight=bool(item.get("highlight")),
                sort_order=order,
            )
        )
    db.session.flush()


@pytest.fixture
def load_demo(db: Any) -> Callable[..., Meeting]:
    """Import the demo (or a changed copy of it) with its agenda; returns the meeting."""

    def load(document: dict[str, Any] | None = None) -> Meeting:
        document = document or json.loads(json.dumps(DEMO))
        report = import_meeting(document, leave_out_unsupported=True)
        store_agenda(db, report.meeting, document)
        db.session.commit()
        return report.meeting

    return load
