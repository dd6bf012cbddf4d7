"""Survey option keys and response languages in meetapp/1: options and answers stay the
labels in the meeting's first language (old documents mean the same), `option_keys` is written
only where a key differs from the one its label gives, and both round-trip losslessly."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from meetapp.interchange.export import export_meeting
from meetapp.interchange.services import InterchangeError, import_meeting
from meetapp.models import SurveyAnswer, SurveyQuestion, SurveyResponse
from tests.interchange.test_interchange_round_trip import empty_database


def _with_survey(document: dict[str, Any], **question: Any) -> dict[str, Any]:
    document["surveys"] = [
        {
            "key": "after",
            "title": "After the meeting",
            "questions": [
                {
                    "key": "when",
                    "text": "Which session did you prefer?",
                    "kind": "single",
                    "options": ["Morning", "Afternoon"],
                    **question,
                },
                {"key": "say", "text": "Anything else?", "kind": "text"},
            ],
            "responses": [
                {
                    "participant": "ana@example.org",
                    "submitted_at": "2024-05-03T10:00:00+02:00",
                    "answers": {"when": "Morning", "say": "ល្អណាស់"},
                    "language": "km",
                },
                {
                    "participant": "bo@example.org",
                    "submitted_at": "2024-05-03T11:00:00+02:00",
                    "answers": {"when": "Morning"},
                },
            ],
        }
    ]
    return document


def test_option_keys_and_languages_round_trip(db, small_document):
    document = _with_survey(small_document(), option_keys=["am", "afternoon"])
    report = import_meeting(copy.deepcopy(document))
    db.session.commit()

    question = db.session.scalar(select(SurveyQuestion).where(SurveyQuestion.key == "when"))
    assert question.options == [
        {"key": "am", "label": "Morning"},
        {"key": "afternoon", "label": "Afternoon"},
    ]
    # The answers are stored by key; the responses keep their language.
    choices = db.session.scalars(
        select(SurveyAnswer.choice).where(SurveyAnswer.question_id == question.id)
    ).all()
    assert choices == ["am", "am"]
    languages = db.session.scalars(select(SurveyResponse.language).order_by(SurveyResponse.id))
    assert languages.all() == ["km", None]

    exported = export_meeting(report.meeting)
    [survey] = exported["surveys"]
    when = survey["questions"][0]
    assert when["options"] == ["Morning", "Afternoon"]
    assert when["option_keys"] == ["am", "afternoon"]
    assert "option_keys" not in survey["questions"][1]
    responses = list(survey["responses"])
    assert [r["answers"]["when"] for r in responses] == ["Morning", "Morning"]
    assert responses[0]["language"] == "km"
    assert "language" not in responses[1]

    empty_database()
    again = import_meeting(copy.deepcopy(exported))
    db.session.commit()
    assert export_meeting(again.meeting)["surveys"] == exported["surveys"]
    question = db.session.scalar(select(SurveyQuestion).where(SurveyQuestion.key == "when"))
    assert question.option_keys() == ["am", "afternoon"]


def test_a_document_without_option_keys_gets_the_keys_of_its_labels(db, small_document):
    report = import_meeting(_with_survey(small_document()))
    db.session.commit()
    question = db.session.scalar(select(SurveyQuestion).where(SurveyQuestion.key == "when"))
    assert question.option_keys() == ["morning", "afternoon"]
    # Reworded later, an option keeps its key: the export then names the keys.
    question.options = [
        {"key": "morning", "label": "The morning"},
        {"key": "afternoon", "label": "Afternoon"},
    ]
    db.session.commit()
    [survey] = export_meeting(report.meeting)["surveys"]
    assert survey["questions"][0]["options"] == ["The morning", "Afternoon"]
    assert survey["questions"][0]["option_keys"] == ["morning", "afternoon"]
    assert [r["answers"]["when"] for r in survey["responses"]] == ["The morning"] * 2


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        ({"option_keys": ["am"]}, "option_keys: must give one key per option, in order"),
        ({"option_keys": ["am", "am"]}, "option_keys: a key is listed twice"),
        ({"option_keys": ["AM", "pm"]}, "option_keys[0]"),
        ({"kind": "text", "options": None, "option_keys": ["a", "b"]}, "only single, multiple"),
    ],
)
def test_bad_option_keys_are_refused(db, small_document, question, problem):
    document = _with_survey(small_document(), **question)
    if question.get("kind") == "text":
        for response in document["surveys"][0]["responses"]:
            response["answers"].pop("when")
    with pytest.raises(InterchangeError) as refused:
        import_meeting(document)
    assert any(problem in line for line in refused.value.problems), refused.value.problems
