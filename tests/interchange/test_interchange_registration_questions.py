"""Registration questions and answers in meetapp/1: exported, imported all or nothing with
the form's rules, and round-tripped."""

from __future__ import annotations

import json
from typing import Any

import pytest

from meetapp.interchange.export import export_meeting
from meetapp.interchange.services import InterchangeError, import_meeting

QUESTIONS = [
    {
        "key": "visit",
        "label": "Field visit",
        "kind": "single_choice",
        "help": "A bus leaves at 14:00.\nBring a hat.",
        "required": True,
        "options": [
            {"key": "port", "label": "Port", "capacity": 1},
            {"key": "farm", "label": "Farm"},
        ],
        "show_at_desk": True,
        "translations": {"km": {"label": "ទស្សនកិច្ច", "option:port": "កំពង់ផែ"}},
    },
    {
        "key": "sessions",
        "label": "Sessions",
        "kind": "multiple_choice",
        "options": [{"key": "law", "label": "Law"}, {"key": "data", "label": "Data"}],
    },
    {"key": "permit", "label": "Work permit", "kind": "short_text", "groups": ["gov"]},
    {"key": "nights", "label": "Nights", "kind": "number", "archived": True},
    {"key": "visa", "label": "Visa letter", "kind": "yes_no"},
]
ANSWERS = [
    {"visit": "port", "sessions": ["law", "data"], "permit": "P-7", "nights": "2.5", "visa": "yes"},
    {"visit": "farm", "sessions": ["data"]},
    {},
]


def _document(small_document: Any, slug: str = "with-questions") -> dict[str, Any]:
    document = small_document(slug=slug)
    document["meeting"]["languages"] = ["en", "km"]
    document["meeting"]["registration_questions"] = json.loads(json.dumps(QUESTIONS))
    for participant, answers in zip(document["participants"], ANSWERS, strict=True):
        if answers:
            participant["answers"] = dict(answers)
    return document


def test_questions_and_answers_round_trip(db: Any, small_document: Any) -> None:
    plain = import_meeting(small_document(slug="plain")).meeting
    exported = export_meeting(plain)
    assert "registration_questions" not in exported["meeting"]
    assert all("answers" not in participant for participant in exported["participants"])

    meeting = import_meeting(_document(small_document)).meeting
    db.session.commit()
    exported = json.loads(json.dumps(export_meeting(meeting)))
    assert exported["meeting"]["registration_questions"] == QUESTIONS
    assert [p.get("answers", {}) for p in exported["participants"]] == ANSWERS

    exported["meeting"]["slug"] = "again"
    again = import_meeting(exported).meeting
    db.session.commit()
    second = json.loads(json.dumps(export_meeting(again)))
    assert second["meeting"]["registration_questions"] == QUESTIONS
    assert [p.get("answers", {}) for p in second["participants"]] == ANSWERS


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["participants"][0]["answers"].update(moon="x"),
            "participants[0].answers.moon: no question with this key",
        ),
        (
            lambda d: d["participants"][1]["answers"].update(permit="P-1"),
            "participants[1].answers.permit: this question is asked only of gov",
        ),
        (
            lambda d: d["participants"][0]["answers"].update(visit="moon"),
            'participants[0].answers.visit: not an option of the question: "moon"',
        ),
        (
            lambda d: d["participants"][0]["answers"].update(visit=["port", "farm"]),
            "participants[0].answers.visit: must be one option key",
        ),
        (
            lambda d: d["participants"][0]["answers"].update(nights="many"),
            "participants[0].answers.nights: Enter a number",
        ),
        (
            lambda d: d["participants"][1]["answers"].update(visit="port"),
            "meeting.registration_questions[0].options[0].capacity: 2 participants chose this "
            "option, more than its 1 places",
        ),
        (
            lambda d: d["meeting"]["registration_questions"][2].update(groups=["nobody"]),
            "meeting.registration_questions[2].groups[0]: no stakeholder group with the key",
        ),
        (
            lambda d: d["meeting"]["registration_questions"][1].pop("options"),
            "meeting.registration_questions[1].options: a multiple_choice question needs",
        ),
        (
            lambda d: d["meeting"]["registration_questions"][2].update(groups=["gov", "gov"]),
            "meeting.registration_questions[2].groups[1]: listed twice",
        ),
        (
            lambda d: d["meeting"]["registration_questions"][1]["options"][0].update(label="A|B"),
            "meeting.registration_questions[1].options[0].label: contains |",
        ),
        (
            lambda d: d["meeting"]["registration_questions"][4].update(key="visit"),
            "meeting.registration_questions[4].key: the same key as",
        ),
    ],
)
def test_bad_questions_or_answers_are_refused_by_path(
    db: Any, small_document: Any, row_counts: Any, change: Any, expected: str
) -> None:
    before = row_counts()
    document = _document(small_document)
    change(document)
    with pytest.raises(InterchangeError) as error:
        import_meeting(document)
    assert any(problem.startswith(expected) for problem in error.value.problems), (
        error.value.problems
    )
    assert row_counts() == before
