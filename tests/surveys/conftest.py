"""Fixtures of the survey tests: a survey with one question of each kind, and invitations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from meetapp.models import Meeting, Participant, Survey, SurveyInvitation
from meetapp.surveys.services import QuestionData, SurveyData, add_question, create_survey

ALL_KINDS = [
    QuestionData("The meeting was useful for my work.", "likert", required=True),
    QuestionData("Overall, how would you rate the meeting?", "rating", required=True),
    QuestionData("How likely are you to recommend it?", "nps"),
    QuestionData("Which session did you prefer?", "single", options=["Morning", "Afternoon"]),
    QuestionData("Which topics next?", "multiple", options=["Fees", "Hiring", "Training"]),
    QuestionData("Would you come again?", "yes_no"),
    QuestionData("Any other comments?", "text"),
]
KEYS = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]


def good_answers(**changes: Any) -> dict[str, Any]:
    """Form data answering every question of ALL_KINDS."""
    data: dict[str, Any] = {
        "q-q1": "agree",
        "q-q2": "4",
        "q-q3": "9",
        "q-q4": "morning",
        "q-q5": ["fees", "training"],
        "q-q6": "yes",
        "q-q7": "Very well organised.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def make_survey(db: Any) -> Callable[..., Survey]:
    def make(
        meeting: Meeting,
        questions: list[QuestionData] | None = None,
        anonymous: bool = False,
        opens_in: timedelta | None = timedelta(days=-1),
        closes_in: timedelta | None = timedelta(days=10),
        title: str = "Post-meeting survey",
        batch_size: int = 5,
    ) -> Survey:
        now = datetime.now(UTC)
        survey = create_survey(
            meeting,
            SurveyData(
                title=title,
                intro="It takes three minutes.",
                anonymous=anonymous,
                opens_at=None if opens_in is None else now + opens_in,
                closes_at=None if closes_in is None else now + closes_in,
                batch_size=batch_size,
            ),
        )
        for data in ALL_KINDS if questions is None else questions:
            add_question(survey, QuestionData(data.text, data.kind, data.required, data.options))
        db.session.commit()
        return survey

    return make


@pytest.fixture
def invite_people(app: Flask, db: Any) -> Callable[..., list[str]]:
    """Invite participants to a survey directly; returns their tokens in the same order."""
    from meetapp.surveys.services import issue_token

    def invite(survey: Survey, people: list[Participant]) -> list[str]:
        tokens = []
        with app.test_request_context():
            for person in people:
                invitation = SurveyInvitation(survey_id=survey.id, participant_id=person.id)
                db.session.add(invitation)
                db.session.flush()
                tokens.append(issue_token(invitation))
            db.session.commit()
        return tokens

    return invite


@pytest.fixture
def organiser_setup(make_user: Any, make_meeting: Any) -> Callable[..., tuple[Any, Meeting]]:
    def setup(**meeting_fields: Any) -> tuple[Any, Meeting]:
        organiser = make_user("organiser")
        meeting = make_meeting(organisers=[organiser], **meeting_fields)
        return organiser, meeting

    return setup
