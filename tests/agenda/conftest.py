"""Fixtures of the agenda tests: a meeting in Asia/Phnom_Penh with its organiser logged in,
factories for speakers, sessions and statements, the demo meeting, and PDF text."""

from __future__ import annotations

import copy
import html
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from meetapp.cli import DEMO_FILE
from meetapp.interchange.services import import_meeting
from meetapp.models import (
    AgendaSession,
    Meeting,
    SessionSpeaker,
    Speaker,
    Statement,
    User,
)

DEMO: dict[str, Any] = json.loads(Path(DEMO_FILE).read_text(encoding="utf-8"))


def page_text(response: Any) -> str:
    """What a reader sees of an HTML page: tags removed, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(text).split()).replace(" ,", ",").replace(" :", ":")


def pdf_text(data: bytes) -> str:
    """The PDF's text with white space (line breaks included) collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


@dataclass
class Setup:
    db: Any
    meeting: Meeting
    organiser: User
    client: FlaskClient

    @property
    def base(self) -> str:
        return f"/meetings/{self.meeting.slug}"

    def count(self, model: Any) -> int:
        self.db.session.rollback()
        return int(
            self.db.session.scalar(
                select(func.count()).select_from(model).where(model.meeting_id == self.meeting.id)
            )
        )

    def add_speaker(self, name: str, **fields: Any) -> Speaker:
        return add_speaker(self.db, self.meeting, name, **fields)

    def add_session(self, title: str, **fields: Any) -> AgendaSession:
        return add_session(self.db, self.meeting, title, **fields)

    def add_statement(
        self, session: AgendaSession | None, speaker: Speaker | None, text: str, **fields: Any
    ) -> Statement:
        return add_statement(self.db, self.meeting, session, speaker, text, **fields)


def add_speaker(db: Any, meeting: Meeting, name: str, **fields: Any) -> Speaker:
    key = fields.pop("key", name.lower().replace(" ", "-"))
    speaker = Speaker(meeting_id=meeting.id, key=key, name=name, **fields)
    db.session.add(speaker)
    db.session.commit()
    return speaker


def add_session(
    db: Any,
    meeting: Meeting,
    title: str,
    speakers: list[tuple[Speaker, str]] = (),  # type: ignore[assignment]
    **fields: Any,
) -> AgendaSession:
    key = fields.pop("key", title.lower().replace(" ", "-"))
    fields.setdefault("kind", "presentation")
    session = AgendaSession(meeting_id=meeting.id, key=key, title=title, **fields)
    db.session.add(session)
    db.session.flush()
    for order, (speaker, role) in enumerate(speakers):
        db.session.add(
            SessionSpeaker(
                session_id=session.id, speaker_id=speaker.id, role=role, sort_order=order
            )
        )
    db.session.commit()
    return session


def add_statement(
    db: Any,
    meeting: Meeting,
    session: AgendaSession | None,
    speaker: Speaker | None,
    text: str,
    **fields: Any,
) -> Statement:
    fields.setdefault("kind", "point")
    statement = Statement(
        meeting_id=meeting.id,
        session_id=session.id if session else None,
        speaker_id=speaker.id if speaker else None,
        text=text,
        **fields,
    )
    db.session.add(statement)
    db.session.commit()
    return statement


@pytest.fixture
def setup(db: Any, make_user: Any, make_meeting: Any, login_as: Any) -> Setup:
    organiser = make_user("organiser")
    meeting = make_meeting(
        slug="phnom-penh-2025",
        organisers=[organiser],
        timezone="Asia/Phnom_Penh",
        starts_at=datetime(2025, 3, 10, 2, 0, tzinfo=UTC),  # 09:00 in Phnom Penh
        ends_at=datetime(2025, 3, 11, 10, 0, tzinfo=UTC),  # 17:00 on the 11th
    )
    client = login_as(organiser)
    return Setup(db=db, meeting=meeting, organiser=organiser, client=client)


@pytest.fixture
def demo_meeting(db: Any) -> Meeting:
    """The demo meeting, imported with its agenda."""
    document = copy.deepcopy(DEMO)
    report = import_meeting(document)
    db.session.commit()
    return report.meeting


@pytest.fixture
def demo() -> dict[str, Any]:
    return copy.deepcopy(DEMO)
