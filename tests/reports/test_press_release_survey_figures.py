"""Survey figures in the press release only on purpose: a question the organiser marked as
quotable gives its figure, naming its question; no other question does (satisfaction figures
stay in the summary)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import select

from meetapp.interchange.export import export_meeting
from meetapp.models import SurveyQuestion
from meetapp.reports.press_release import compose_press_release
from meetapp.reports.survey_figures import figure_clause
from tests.reports.conftest import DEMO


def _demo_with(changes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The demo with some of its survey questions changed (by key)."""
    document = json.loads(json.dumps(DEMO))
    for question in document["surveys"][0]["questions"]:
        question.pop("quotable_in_release", None)
        question.update(changes.get(question["key"], {}))
    return document


def test_no_question_is_quoted_unless_marked(load_demo: Any) -> None:
    meeting = load_demo(_demo_with({}))
    draft = compose_press_release(meeting)
    assert draft.section("survey").paragraphs == ()
    assert "out of 5" not in draft.plain_text()
    assert "agreed" not in draft.plain_text()


def test_a_venue_rating_never_becomes_the_average_rating(load_demo: Any) -> None:
    """Regression: "The average rating was 4.5 out of 5" was the mean of "How would you rate
    the venue?"."""
    unmarked = compose_press_release(
        load_demo(_demo_with({"rating": {"text": "How would you rate the venue?"}}))
    )
    assert "average rating" not in unmarked.plain_text().lower()
    assert "venue" not in unmarked.plain_text()


def test_a_marked_rating_names_what_was_rated(load_demo: Any) -> None:
    meeting = load_demo(
        _demo_with(
            {
                "rating": {
                    "text": "How would you rate the venue?",
                    "quotable_in_release": True,
                }
            }
        )
    )
    text = compose_press_release(meeting).section("survey").text
    assert text.startswith("Of the 51 participants, 38 answered the post-meeting survey; ")
    assert "respondents rated the venue 3.7 out of 5 on average" in text
    assert "the average rating was" not in text.lower()
    assert "agreed" not in text  # the likert question is not marked here


def test_the_mark_travels_in_meetapp_1(load_demo: Any) -> None:
    meeting = load_demo()
    exported = export_meeting(meeting)
    questions = {q["key"]: q for q in exported["surveys"][0]["questions"]}
    assert questions["useful"]["quotable_in_release"] is True
    assert questions["rating"]["quotable_in_release"] is None


@pytest.mark.parametrize(
    ("kind", "question", "value", "expected"),
    [
        (
            "rating",
            "How would you rate the meeting's usefulness?",
            4.5,
            "respondents rated the meeting's usefulness 4.5 out of 5 on average",
        ),
        (
            "rating",
            "Overall, how would you rate your experience?",
            4.04,
            "respondents rated their experience 4.0 out of 5 on average",
        ),
        (
            "rating",
            "The venue, from 1 to 5",
            3.66,
            "the average answer to the question “The venue, from 1 to 5” was 3.7 out of 5",
        ),
        (
            "likert",
            "The meeting was useful for my work.",
            84.2,
            "84% agreed with the statement “The meeting was useful for my work”",
        ),
        (
            "yes_no",
            "Will you act on it?",
            90,
            "90% answered yes to the question “Will you act on it?”",
        ),
        (
            "nps",
            "Would you recommend it?",
            40,
            "the net promoter score for the question “Would you recommend it?” was +40",
        ),
        ("text", "Any comments?", 1, ""),
        ("single", "Which day?", 1, ""),
    ],
)
def test_each_figure_names_its_question(
    kind: str, question: str, value: float, expected: str
) -> None:
    assert figure_clause(kind, question, value) == expected


def test_the_question_form_keeps_the_mark(
    client: Any, db: Any, login_as: Any, make_user: Any, make_meeting: Any
) -> None:
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser])
    login_as(organiser)
    response = client.post(
        f"/meetings/{meeting.slug}/surveys/new", data={"title": "After", "closes_at": ""}
    )
    assert response.status_code == 302
    base = f"/meetings/{meeting.slug}/surveys/after"
    response = client.post(
        f"{base}/questions",
        data={
            "text": "How would you rate the meeting?",
            "kind": "rating",
            "quotable_in_release": "y",
        },
    )
    assert response.status_code == 302
    question = db.session.scalar(select(SurveyQuestion))
    assert question.quotable_in_release is True
    page = client.get(f"{base}/questions/{question.id}").get_data(as_text=True)
    (box,) = re.findall(r"<input[^>]*name=\"quotable_in_release\"[^>]*>", page)
    assert "checked" in box
    response = client.post(
        f"{base}/questions/{question.id}",
        data={"text": "How would you rate the meeting?", "kind": "rating"},
    )
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(SurveyQuestion, question.id).quotable_in_release is False
