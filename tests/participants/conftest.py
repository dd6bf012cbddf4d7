"""Fixtures of the participant-screen tests: a meeting with its organiser, logged in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from meetapp.models import Meeting, Participant, User
from meetapp.models.questions import RegistrationAnswer, RegistrationQuestion
from meetapp.registration.questions import (
    Answer,
    OptionLine,
    QuestionData,
    answer_rows,
    save_question,
)


@dataclass
class Setup:
    """A meeting (capacity 3, groups government and cso) and its organiser, logged in."""

    db: Any
    meeting: Meeting
    organiser: User
    client: FlaskClient

    @property
    def base(self) -> str:
        return f"/meetings/{self.meeting.slug}"

    def group_id(self, key: str) -> int:
        return next(group.id for group in self.meeting.stakeholder_groups if group.key == key)

    def reload(self, participant: Participant) -> Participant:
        """The participant as the database has it now (a request wrote in its own session)."""
        self.db.session.rollback()
        fresh = self.db.session.get(Participant, participant.id)
        assert fresh is not None
        return fresh

    def participants(self) -> list[Participant]:
        self.db.session.rollback()
        return list(
            self.db.session.scalars(
                select(Participant)
                .where(Participant.meeting_id == self.meeting.id)
                .order_by(Participant.id)
            )
        )

    def question(
        self,
        kind: str,
        label: str,
        options: tuple[Any, ...] = (),
        groups: tuple[str, ...] = (),
        **fields: Any,
    ) -> RegistrationQuestion:
        """A registration question of the meeting: `options` are labels, or (label, places)."""
        lines = [
            OptionLine(*option) if isinstance(option, tuple) else OptionLine(option)
            for option in options
        ]
        data = QuestionData(
            kind=kind,
            label=label,
            options=lines,
            group_ids=[self.group_id(key) for key in groups],
            **fields,
        )
        question = save_question(self.meeting, data)
        self.db.session.commit()
        return question

    def answer(
        self, participant: Participant, question: RegistrationQuestion, answer: Answer
    ) -> None:
        """Store `answer` (option keys, or a typed value) as given, as a registration would."""
        self.db.session.execute(
            insert(RegistrationAnswer),
            answer_rows(participant.id, [question], {question.id: answer}),
        )
        self.db.session.commit()

    def bulk(self, count: int, meeting: Meeting | None = None) -> None:
        """Insert `count` participants in one statement: statuses and groups in turn."""
        meeting = meeting or self.meeting
        start = datetime(2019, 1, 1, tzinfo=UTC)
        groups: list[int | None] = [group.id for group in meeting.stakeholder_groups]
        groups.append(None)
        statuses = ["registered", "waitlisted", "cancelled"]
        rows = [
            {
                "meeting_id": meeting.id,
                "name": f"Bulk Person {n:05d}",
                "email": f"bulk{n}@example.org",
                "email_normalized": f"bulk{n}@example.org",
                "organisation": f"Org {n % 17}",
                "status": statuses[n % 3],
                "stakeholder_group_id": groups[n % len(groups)],
                "languages": ["en"],
                "attended": n % 6 == 0,
                # Checked in at the desk, so that the list's query count covers the checker.
                "checked_in_at": start if n % 6 == 0 else None,
                "checked_in_by_id": self.organiser.id if n % 6 == 0 else None,
                "registered_at": start + timedelta(seconds=n),
                "updated_at": start,
            }
            for n in range(count)
        ]
        self.db.session.execute(insert(Participant), rows)
        self.db.session.commit()


@pytest.fixture
def setup(db: Any, make_user: Any, make_meeting: Any, new_client: Any) -> Setup:
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser], capacity=3, slug="mekong-2019")
    return Setup(db=db, meeting=meeting, organiser=organiser, client=new_client(organiser))
