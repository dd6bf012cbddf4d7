"""Grid questions in meetapp/1: a grid's rows are its `options` (with `option_keys`), its
`scale` is written for grid questions only, and its answers are {row key: value} (on the
agreement scale the answers' names, on the rating scale 1-5); they are checked on import and
round-trip."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from meetapp.interchange.export import export_meeting
from meetapp.interchange.services import InterchangeError, import_meeting
from meetapp.models import SurveyAnswer, SurveyQuestion
from tests.interchange.test_interchange_round_trip import empty_database


def _grid_document(document: dict[str, Any], **question: Any) -> dict[str, Any]:
    document["surveys"] = [
        {
            "key": "after",
            "title": "After the meeting",
            "questions": [
                {
                    "key": "sessions",
                    "text": "How useful was each session?",
                    "kind": "grid",
                    "options": ["Opening panel", "Labour migration"],
                    "option_keys": ["opening", "labour"],
                    "scale": "likert",
                    "required": True,
                    "translations": {"km": {"option:opening": "សម័យបើក"}},
                    **question,
                },
                {
                    "key": "rated",
                    "text": "Rate each session",
                    "kind": "grid",
                    "options": ["Opening panel", "Labour migration"],
                    "scale": "rating",
                },
            ],
            "responses": [
                {
                    "participant": "ana@example.org",
                    "submitted_at": "2024-05-03T10:00:00+02:00",
                    "answers": {
                        "sessions": {"opening": "agree", "labour": "strongly_disagree"},
                        "rated": {"labour-migration": 4},
                    },
                },
                {
                    "participant": "bo@example.org",
                    "submitted_at": "2024-05-03T11:00:00+02:00",
                    "answers": {"sessions": {"labour": "neutral"}},
                },
            ],
        }
    ]
    return document


def test_grids_round_trip_through_meetapp_1(db, small_document):
    document = _grid_document(small_document())
    report = import_meeting(copy.deepcopy(document))
    db.session.commit()
    question = db.session.scalar(select(SurveyQuestion).where(SurveyQuestion.key == "sessions"))
    assert (question.scale, question.option_keys()) == ("likert", ["opening", "labour"])
    assert question.option_label("opening", "km") == "សម័យបើក"
    stored = db.session.execute(
        select(SurveyAnswer.choice, SurveyAnswer.number)
        .where(SurveyAnswer.question_id == question.id)
        .order_by(SurveyAnswer.id)
    ).all()
    assert [tuple(row) for row in stored] == [("opening", 4), ("labour", 1), ("labour", 3)]

    exported = export_meeting(report.meeting)
    [survey] = exported["surveys"]
    sessions, rated = survey["questions"]
    assert sessions["scale"] == "likert"
    assert rated["scale"] == "rating"
    assert sessions["options"] == ["Opening panel", "Labour migration"]
    assert sessions["option_keys"] == ["opening", "labour"]
    assert "option_keys" not in rated
    responses = list(survey["responses"])
    assert [r["answers"] for r in responses] == [
        {
            "sessions": {"opening": "agree", "labour": "strongly_disagree"},
            "rated": {"labour-migration": 4},
        },
        {"sessions": {"labour": "neutral"}},
    ]
    # Other kinds write no scale.
    assert all("scale" not in q for s in exported["surveys"] for q in s["questions"][2:])

    # The export imports again into the same questions and answers.
    empty_database()
    again = import_meeting(copy.deepcopy(exported))
    db.session.commit()
    assert export_meeting(again.meeting)["surveys"] == exported["surveys"]


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({"scale": None}, "questions[0].scale", "needs its scale"),
        ({"scale": "stars"}, "questions[0].scale", "must be one of"),
        (
            {"options": ["Opening panel"], "option_keys": None},
            "questions[0].options",
            "two rows",
        ),
    ],
)
def test_grid_questions_are_checked_on_import(db, small_document, change, where, message):
    document = _grid_document(small_document(), **change)
    with pytest.raises(InterchangeError) as refused:
        import_meeting(document)
    found = [str(problem) for problem in refused.value.problems]
    assert any(where in problem and message in problem for problem in found), found


@pytest.mark.parametrize(
    "answer",
    [{"opening": "agreed"}, {"elsewhere": "agree"}, {"opening": 6}, "agree"],
)
def test_grid_answers_are_checked_on_import(db, small_document, answer):
    document = _grid_document(small_document())
    document["surveys"][0]["responses"][1]["answers"] = {"sessions": answer}
    with pytest.raises(InterchangeError) as refused:
        import_meeting(document)
    assert any("sessions" in str(problem) for problem in refused.value.problems)


def test_a_scale_on_another_kind_is_refused_on_import(db, small_document):
    document = _grid_document(small_document())
    document["surveys"][0]["questions"].append(
        {"key": "why", "text": "Why?", "kind": "text", "scale": "likert"}
    )
    with pytest.raises(InterchangeError) as refused:
        import_meeting(document)
    assert any("only grid questions have a scale" in str(p) for p in refused.value.problems)
