"""Published survey results in meetapp/1: `published_results` (the questions whose figures the
public page shows, and the breakdown by group) while published, and `published_texts` per
response (its free-text answers chosen one by one); both optional, both round-trip."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from meetapp.interchange.export import export_meeting
from meetapp.interchange.services import InterchangeError, import_meeting
from meetapp.models import Survey, SurveyAnswer
from tests.interchange.test_interchange_option_keys import _with_survey
from tests.interchange.test_interchange_round_trip import empty_database


def _published(document: dict[str, Any]) -> dict[str, Any]:
    survey = _with_survey(document)["surveys"][0]
    survey["published_results"] = {"questions": ["when"], "by_group": True}
    survey["responses"][0]["published_texts"] = ["say"]
    return document


def test_publication_round_trips(db, small_document):
    document = _published(small_document())
    report = import_meeting(copy.deepcopy(document))
    db.session.commit()
    survey = db.session.scalar(select(Survey))
    assert survey.results_published
    assert survey.published_questions == ["when"]
    assert survey.published_by_group
    chosen = db.session.scalars(select(SurveyAnswer.text).where(SurveyAnswer.published_text))
    assert chosen.all() == ["ល្អណាស់"]

    exported = export_meeting(report.meeting)
    [survey_doc] = exported["surveys"]
    assert survey_doc["published_results"] == {"questions": ["when"], "by_group": True}
    responses = list(survey_doc["responses"])
    assert responses[0]["published_texts"] == ["say"]
    assert "published_texts" not in responses[1]

    empty_database()
    again = import_meeting(copy.deepcopy(exported))
    db.session.commit()
    assert export_meeting(again.meeting)["surveys"] == exported["surveys"]


def test_an_unpublished_survey_writes_nothing_of_it(db, small_document):
    report = import_meeting(_with_survey(small_document()))
    db.session.commit()
    [survey_doc] = export_meeting(report.meeting)["surveys"]
    assert "published_results" not in survey_doc
    assert all("published_texts" not in r for r in survey_doc["responses"])
    assert not db.session.scalar(select(Survey)).results_published


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda s: s["published_results"].update(questions=["say"]),
            "published_results.questions[0]: a free-text question is not published whole",
        ),
        (
            lambda s: s["published_results"].update(questions=["nope"]),
            "published_results.questions[0]: no question of this survey has this key",
        ),
        (
            lambda s: s["responses"][0].update(published_texts=["when"]),
            "published_texts[0]: only free-text answers are published one by one",
        ),
        (
            lambda s: s["responses"][1].update(published_texts=["say"]),
            "published_texts[0]: this response has no answer to this question",
        ),
    ],
)
def test_bad_publication_is_refused(db, small_document, change, problem):
    document = _published(small_document())
    change(document["surveys"][0])
    with pytest.raises(InterchangeError) as refused:
        import_meeting(document)
    assert any(problem in line for line in refused.value.problems), refused.value.problems


def test_keys_with_a_line_break_are_refused(db, small_document):
    document = _published(small_document())
    survey = document["surveys"][0]
    survey["published_results"]["questions"] = ["wh\nen"]
    survey["responses"][0]["published_texts"] = ["sa\ty"]
    with pytest.raises(InterchangeError) as refused:
        import_meeting(document)
    problems = "\n".join(refused.value.problems)
    assert "published_results.questions[0]: keep this on one line" in problems
    assert "published_texts[0]: keep this on one line" in problems
