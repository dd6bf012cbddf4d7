"""Question kinds: every kind has its class and its answer template, and a new kind is one class
and one template: defined and registered here only, it is answered, checked, stored, read back,
summarised and shown without any other module knowing of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, get_args

import pytest
from flask import render_template
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from meetapp.interchange.schema import QuestionDoc
from meetapp.models import QuestionKind, SurveyAnswer, SurveyQuestion, SurveyResponse
from meetapp.models.surveys import CHOICE_KINDS
from meetapp.reports.survey_figures import figure_clause
from meetapp.surveys import kinds
from meetapp.surveys.exports import response_rows
from meetapp.surveys.forms import QuestionForm
from meetapp.surveys.kinds import Answer, Figures, Kind, NotOffered, kind_of, percent
from meetapp.surveys.results import survey_results
from meetapp.surveys.services import (
    AnswerProblems,
    QuestionData,
    SurveyVisit,
    answer_rows,
    check_answers,
    current_answers,
    get_survey,
)


def test_every_kind_the_database_accepts_has_its_class_and_template(app):
    """The kinds the database accepts (`QuestionKind`) are those with a class, and each class's
    answer template exists; the question editor offers every kind, in their order."""
    assert list(kinds.KINDS) == [kind.value for kind in QuestionKind]
    for name, kind in kinds.KINDS.items():
        assert kind.name == name
        assert kind.template == f"surveys/kinds/{name}.html"
        assert app.jinja_env.get_template(kind.template) is not None, name
    with app.test_request_context():
        offered = [choice.value for choice in QuestionForm(formdata=None).kind.choices]
    assert offered == list(kinds.KINDS)
    assert set(CHOICE_KINDS) == {name for name, kind in kinds.KINDS.items() if kind.has_options}
    # The meetapp/1 document names the same kinds.
    assert get_args(QuestionDoc.model_fields["kind"].annotation) == tuple(kinds.KINDS)


def test_a_kind_words_its_press_release_figure():
    """The release's clause is the kind's; a kind without a figure to quote gives none."""
    assert figure_clause("rating", "How would you rate your stay?", 4.5) == (
        "respondents rated their stay 4.5 out of 5 on average"
    )
    assert figure_clause("single", "Which session?", 50.0) == ""
    assert figure_clause("no-such-kind", "Which session?", 50.0) == ""
    assert kinds.quotable_kinds() == ("likert", "rating", "nps", "yes_no")


def test_only_kinds_with_options_take_them_in_a_document():
    """The import's message names the kinds that have options, from their classes."""
    problems, keys = kind_of("rating").document_option_problems(["A", "B"], ["A", "B"], None)
    assert problems == [("options", "only single, multiple and grid questions have options")]
    assert keys is None
    problems, keys = kind_of("single").document_option_problems(["A", "B"], ["A", "B"], ["a"])
    assert problems == [("option_keys", "must give one key per option, in order")]
    assert keys is None


# --- a new kind, known only to this module -----------------------------------------------------


class ThumbsKind(Kind):
    """Thumbs up or down: a choice of two fixed values, with the share of thumbs up."""

    name: ClassVar[str] = "thumbs"
    label: ClassVar[str] = "Thumbs up or down"
    template: ClassVar[str] = "surveys/kinds/thumbs.html"
    values = ("up", "down")

    def choices(self, question: SurveyQuestion) -> list[tuple[str, str]]:
        return [("up", "Thumbs up"), ("down", "Thumbs down")]

    def parse(self, question: SurveyQuestion, value: Any) -> Answer | None:
        if value not in self.values:
            raise NotOffered("Thumbs up or down, please.")
        return str(value)

    def summarise(
        self,
        question: SurveyQuestion,
        counts: Mapping[str, int],
        answered: int,
        locale: str | None,
    ) -> Figures:
        figures = super().summarise(question, counts, answered, locale)
        if answered:
            figures.agree_percent = percent(counts.get("up", 0), answered)
        return figures


THUMBS_TEMPLATE = """{% for value, label in question.choices() %}<label><input type="radio" \
name="{{ name }}" value="{{ value }}"{% if value in chosen %} checked{% endif %}> {{ label }}\
</label>{% endfor %}"""


@pytest.fixture
def thumbs(app, monkeypatch):
    """ThumbsKind registered, and its template found, for this test only."""
    monkeypatch.setitem(kinds.KINDS, ThumbsKind.name, ThumbsKind())
    loader = ChoiceLoader(
        [DictLoader({ThumbsKind.template: THUMBS_TEMPLATE}), app.jinja_env.loader]
    )
    monkeypatch.setattr(app.jinja_env, "loader", loader)
    return kinds.KINDS[ThumbsKind.name]


def as_thumbs(question: SurveyQuestion) -> SurveyQuestion:
    """The question read as a thumbs question. The database accepts only the kinds it was
    told of (a CHECK on survey_questions.kind, which a migration widens when a kind is added),
    so the question is stored as a yes/no question and only read as the new kind."""
    set_committed_value(question, "kind", ThumbsKind.name)
    return question


def test_a_new_kind_is_one_class_and_one_template(
    app, db, thumbs, make_meeting, make_participant, make_survey, count_queries
):
    meeting = make_meeting()
    made = make_survey(
        meeting,
        questions=[
            QuestionData("How was the venue?", "rating"),
            QuestionData("Thumbs up for the meeting?", "yes_no", required=True),
        ],
    )
    people = [make_participant(meeting, name=f"Person {n}") for n in range(4)]
    survey = get_survey(meeting, made.key)
    assert survey is not None
    rating, question = survey.questions
    as_thumbs(question)
    key = question.key

    # Its answers are checked by its class...
    with pytest.raises(AnswerProblems) as refused:
        check_answers(survey.questions, {key: "sideways"})
    assert refused.value.problems == {key: "Thumbs up or down, please."}
    assert refused.value.not_offered
    with app.test_request_context(), pytest.raises(AnswerProblems) as missing:
        check_answers(survey.questions, {rating.key: "4"})
    assert list(missing.value.problems) == [key]

    # ... stored as the rows its class gives, and counted by the results' shared statements:
    # the new kind adds no statement of its own.
    for person, (stars, thumb) in zip(
        people, [("4", "up"), ("5", "up"), ("2", "down"), ("4", "up")], strict=True
    ):
        response = SurveyResponse(survey_id=survey.id, participant_id=person.id)
        db.session.add(response)
        db.session.flush()
        clean = check_answers(survey.questions, {rating.key: stars, key: [thumb]})
        assert clean[key] == thumb
        db.session.execute(
            SurveyAnswer.__table__.insert(), answer_rows(survey.questions, response.id, clean)
        )
    stored = db.session.execute(
        select(SurveyAnswer.choice, SurveyAnswer.number, SurveyAnswer.text).where(
            SurveyAnswer.question_id == question.id
        )
    ).all()
    assert sorted(stored) == [("down", None, None)] + [("up", None, None)] * 3

    with count_queries() as with_thumbs:
        results = survey_results(survey, with_missing=False)
    item = results.questions[1]
    assert item.question is question
    assert item.answered == 4
    assert [(o.value, o.label, o.count) for o in item.options] == [
        ("up", "Thumbs up", 3),
        ("down", "Thumbs down", 1),
    ]
    assert item.agree_percent == 75.0
    assert item.mean is None
    assert results.questions[0].mean == pytest.approx(3.75)
    # The breakdown by group is the kind's figures of each group's counts.
    assert [(g.label, g.answered, [o.count for o in g.options]) for g in item.by_group] == [
        ("No group", 4, [3, 1])
    ]
    set_committed_value(question, "kind", "yes_no")
    with count_queries() as without:
        survey_results(survey, with_missing=False)
    assert len(with_thumbs.statements) == len(without.statements)
    as_thumbs(question)

    # The answers read back for the form, and the exports label them, through the class.
    with app.test_request_context():
        visit = SurveyVisit(
            survey=survey,
            invitation=None,  # type: ignore[arg-type]
            participant=people[2],
            meeting=meeting,
        )
        assert current_answers(visit) == {rating.key: 2, key: "down"}
    rows = list(response_rows(survey, meeting))
    assert [row[-1] for row in rows[1:]] == ["Thumbs up", "Thumbs up", "Thumbs down", "Thumbs up"]

    # The answer page shows it with the template its class names, in the page's fieldset.
    with app.test_request_context():
        html = render_template(
            "surveys/_answer_question.html",
            question=question,
            values={key: ["down"]},
            problems={},
            disabled=False,
        )
    assert f'<legend class="h6 mb-2" id="q{question.id}-legend">Thumbs up for the meeting?' in html
    assert f'name="q-{key}" value="down" checked> Thumbs down' in html
    assert f'name="q-{key}" value="up"> Thumbs up' in html
