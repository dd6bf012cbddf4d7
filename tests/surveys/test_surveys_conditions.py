"""Questions shown only when an earlier answer matches: the answer page without a script (the
server judges the conditions, discards hidden answers, asks for required answers only where
shown), the builder's refusals, the results' "shown to" count in fixed statements, and
meetapp/1. Property tests: a hidden question's answer is never kept, a shown required question
is never skipped."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from meetapp.errors import DomainError
from meetapp.interchange.checks import InterchangeError
from meetapp.interchange.export import export_meeting
from meetapp.interchange.services import import_meeting
from meetapp.models import Meeting, SurveyAnswer, SurveyQuestion
from meetapp.models.surveys import LIKERT_VALUES
from meetapp.surveys.conditions import clean_condition, condition_of, is_met
from meetapp.surveys.results import survey_results
from meetapp.surveys.services import (
    AnswerProblems,
    QuestionData,
    add_question,
    check_answers,
    delete_question,
    get_survey,
    move_question,
    update_question,
)

# A branching survey: q2 only for those who attended the field visit, q4 only for a rating
# of at least 4, q6 only for those who chose topics, but not "Fees".
BRANCHING = [
    QuestionData("Did you attend the field visit?", "yes_no", required=True),
    QuestionData(
        "What did you learn on the visit?",
        "text",
        required=True,
        show_if={"question": "q1", "op": "is", "value": "yes"},
    ),
    QuestionData("How would you rate the meeting?", "rating", required=True),
    QuestionData(
        "What worked best?",
        "single",
        required=True,
        options=["Sessions", "Networking"],
        show_if={"question": "q3", "op": "at_least", "value": 4},
    ),
    QuestionData("Which topics next?", "multiple", options=["Fees", "Hiring"]),
    QuestionData(
        "Why not fees?",
        "text",
        show_if={"question": "q5", "op": "is_not", "value": "fees"},
    ),
]


def build(db: Any, make_survey: Any, meeting: Meeting, questions: list[QuestionData]) -> Any:
    survey = get_survey(meeting, make_survey(meeting, questions=[]).key)
    for data in questions:
        add_question(survey, data)
    db.session.commit()
    return get_survey(meeting, survey.key)


@pytest.fixture
def branching(db, organiser_setup, make_survey, make_participant, invite_people):
    """(meeting, survey, tokens, organiser) of the branching survey, four people invited."""
    organiser, meeting = organiser_setup(title="Dialogue on Migration")
    survey = build(db, make_survey, meeting, BRANCHING)
    people = [make_participant(meeting, name=f"P {n}", group_key="cso") for n in range(4)]
    tokens = invite_people(survey, people)
    return meeting, survey, tokens, organiser


def stored(db) -> dict[str, set[Any]]:
    db.session.rollback()
    keys = dict(db.session.execute(select(SurveyQuestion.id, SurveyQuestion.key)).all())
    found: dict[str, set[Any]] = {}
    for answer in db.session.scalars(select(SurveyAnswer)):
        value = next(v for v in (answer.choice, answer.number, answer.text) if v is not None)
        found.setdefault(keys[answer.question_id], set()).add(value)
    return found


def post(client, token, data):
    return client.post(f"/s/{token}", data=data)


def test_without_a_script_every_question_is_shown_with_its_condition(client, branching):
    _meeting, _survey, tokens, _organiser = branching
    page = client.get(f"/s/{tokens[0]}").get_data(as_text=True)
    assert "Answer this only if your answer to “Did you attend the field visit?” is “Yes”." in page
    assert "is at least “4”" in page
    assert "is not “Fees”" in page
    assert 'data-show-if-field="q-q1"' in page
    assert "js/survey_conditions.js" in page
    # Every question is in the page, none hidden: without a script all can be answered.
    assert page.count('class="survey-question') == 6
    assert " hidden" not in re.sub(r'id="q\d+-help" hidden', "", page)


def test_hidden_answers_are_discarded_and_need_no_answer(client, db, branching):
    _meeting, _survey, tokens, _organiser = branching
    # "No" to the visit: what was written about it is discarded, though it is required when
    # shown; a rating of 3 hides q4 (required); choosing fees hides q5's follow-up.
    response = post(
        client,
        tokens[0],
        {
            "q-q1": "no",
            "q-q2": "The river crossing",
            "q-q3": "3",
            "q-q4": "sessions",
            "q-q5": ["fees", "hiring"],
            "q-q6": "Because",
        },
    )
    assert response.status_code == 302
    assert stored(db) == {"q1": {"no"}, "q3": {3}, "q5": {"fees", "hiring"}}


def test_a_shown_required_question_needs_its_answer(client, db, branching):
    _meeting, _survey, tokens, _organiser = branching
    response = post(client, tokens[1], {"q-q1": "yes", "q-q3": "5", "q-q5": ["hiring"]})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("This question needs an answer.") == 2  # q2 and q4
    assert stored(db) == {}
    response = post(
        client,
        tokens[1],
        {
            "q-q1": "yes",
            "q-q2": "Much",
            "q-q3": "5",
            "q-q4": "networking",
            "q-q5": ["hiring"],
            "q-q6": "Too dear",
        },
    )
    assert response.status_code == 302
    assert stored(db)["q6"] == {"Too dear"}
    assert stored(db)["q2"] == {"Much"}


def test_results_say_how_many_each_question_was_shown_to(client, db, branching):
    meeting, survey, tokens, _organiser = branching
    answers = [
        {"q-q1": "yes", "q-q2": "A", "q-q3": "5", "q-q4": "sessions", "q-q5": ["hiring"]},
        {"q-q1": "no", "q-q3": "4", "q-q4": "networking", "q-q5": ["fees", "hiring"]},
        {"q-q1": "no", "q-q3": "2"},
    ]
    for token, data in zip(tokens, answers, strict=False):
        assert post(client, token, data).status_code == 302
    results = survey_results(get_survey(meeting, survey.key), with_missing=False)
    shown = {item.question.key: (item.shown, item.answered) for item in results.questions}
    assert shown == {
        "q1": (None, 3),
        "q2": (1, 1),
        "q3": (None, 3),
        "q4": (2, 2),
        "q5": (None, 2),
        # Judged per response: the first chose only hiring (shown), the second chose fees
        # too (hidden), the third did not answer (hidden).
        "q6": (1, 0),
    }


def test_the_shown_count_is_one_statement_whatever_the_number_of_questions(
    db, make_meeting, make_survey, count_queries
):
    meeting = make_meeting()
    small = build(db, make_survey, meeting, BRANCHING)
    big = build(
        db,
        make_survey,
        meeting,
        [
            *BRANCHING,
            *[
                QuestionData(
                    f"Follow-up {n}",
                    "text",
                    show_if={"question": "q3", "op": "at_most", "value": n % 5 + 1},
                )
                for n in range(12)
            ],
        ],
    )
    for survey in (small, big):  # once first, so that both are counted alike
        survey_results(get_survey(meeting, survey.key), with_missing=False)
    with count_queries() as few:
        survey_results(get_survey(meeting, small.key), with_missing=False)
    with count_queries() as many:
        results = survey_results(get_survey(meeting, big.key), with_missing=False)
    assert many.count == few.count
    assert all(item.shown == 0 for item in results.questions[6:])


def test_the_results_page_shows_shown_to_beside_answered_by(client, db, branching, login_as):
    meeting, survey, tokens, organiser = branching
    assert post(client, tokens[0], {"q-q1": "no", "q-q3": "2"}).status_code == 302
    login_as(organiser)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"
    page = client.get(f"{base}/results")
    assert page.status_code == 200
    assert "shown to 0 of 1 · answered by 0" in page.get_data(as_text=True)
    summary = client.get(f"{base}/results.json").json
    assert [q["shown"] for q in summary["questions"]] == [1, 0, 1, 0, 1, 0]


# --- the builder ---------------------------------------------------------------------------


def test_conditions_are_checked_where_they_are_set(db, make_meeting, make_survey):
    meeting = make_meeting()
    survey = build(db, make_survey, meeting, BRANCHING[:3])
    questions = survey.questions
    refusals = {
        "show_if_question": [
            {"question": "q3", "op": "is", "value": "4"},  # itself: not earlier
            {"question": "q9", "op": "is", "value": "4"},
            {"question": "q2", "op": "is", "value": "x"},  # a free-text answer
        ],
        "show_if_op": [{"question": "q1", "op": "at_least", "value": "yes"}],
        "show_if_value": [
            {"question": "q1", "op": "is", "value": "maybe"},
            {"question": "q1", "op": "is", "value": []},
            {"question": "q1", "op": "is", "value": ["yes", "no"]},
        ],
    }
    for field, conditions in refusals.items():
        for condition in conditions:
            with pytest.raises(DomainError) as refused:
                clean_condition(condition, questions, 2, "q3")
            assert refused.value.field == field, (condition, refused.value.message)
    kept = clean_condition({"question": "q3", "op": "any_of", "value": ["4", 5]}, questions, 3)
    assert kept == {"question": "q3", "op": "any_of", "value": [4, 5]}


def test_a_later_question_cannot_be_a_condition(db, make_meeting, make_survey):
    meeting = make_meeting()
    survey = build(db, make_survey, meeting, BRANCHING[:3])
    with pytest.raises(DomainError) as refused:
        clean_condition({"question": "q3", "op": "is", "value": 4}, survey.questions, 1, "q2")
    assert refused.value.field == "show_if_question"
    assert "not before this one" in refused.value.message


def test_what_others_depend_on_cannot_be_removed_moved_or_changed(db, make_meeting, make_survey):
    meeting = make_meeting()
    survey = build(db, make_survey, meeting, BRANCHING)
    q1, q2, q3, q4, q5, _q6 = survey.questions
    with pytest.raises(DomainError, match="shown depending on this one"):
        delete_question(survey, q1)
    with pytest.raises(DomainError, match="must stay after it"):
        move_question(survey, q2, -1)
    with pytest.raises(DomainError, match="must stay after it"):
        move_question(survey, q3, 1)
    db.session.rollback()
    survey = get_survey(meeting, survey.key)
    q1, q2, q3, q4, q5, _q6 = survey.questions
    with pytest.raises(DomainError, match="conditions would no longer fit") as refused:
        update_question(q5, QuestionData(q5.text, "multiple", options=["Hiring", "Rent"]))
    assert refused.value.field == "options"
    with pytest.raises(DomainError, match="conditions would no longer fit") as refused:
        update_question(q1, QuestionData(q1.text, "text"))
    assert refused.value.field == "kind"
    db.session.rollback()
    # Other moves stay possible, and a question no other depends on can go.
    survey = get_survey(meeting, survey.key)
    move_question(survey, survey.questions[4], -1)  # q5 above q4
    delete_question(survey, survey.questions[-1])  # q6
    db.session.commit()
    assert [q.key for q in get_survey(meeting, survey.key).questions] == [
        "q1",
        "q2",
        "q3",
        "q5",
        "q4",
    ]


def test_a_condition_cannot_change_under_answers_but_can_be_removed(client, db, branching):
    meeting, survey, tokens, _organiser = branching
    post(client, tokens[0], {"q-q1": "yes", "q-q2": "A", "q-q3": "5", "q-q4": "sessions"})
    survey = get_survey(meeting, survey.key)
    q2 = survey.questions[1]
    with pytest.raises(DomainError, match="cannot be set or changed now"):
        update_question(
            q2,
            QuestionData(q2.text, "text", show_if={"question": "q1", "op": "is", "value": "no"}),
        )
    db.session.rollback()
    q2 = get_survey(meeting, survey.key).questions[1]
    update_question(q2, QuestionData(q2.text, "text", required=True))
    assert q2.show_if is None


def test_the_editor_sets_a_condition_and_refuses_a_bad_one_by_its_field(
    client, db, organiser_setup, login_as, make_survey
):
    organiser, meeting = organiser_setup()
    survey = build(db, make_survey, meeting, BRANCHING[:1])
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="show_if_value-q1"' in page
    data = {
        "text": "Which part?",
        "kind": "single",
        "options": "Morning\nAfternoon",
        "show_if_question": "q1",
        "show_if_op": "at_least",
        "show_if_value-q1": "yes",
    }
    refused = client.post(url + "/questions", data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "“at least” and “at most” (at_least, at_most) compare answers on a scale" in page
    data["show_if_op"] = "is"
    assert client.post(url + "/questions", data=data).status_code == 302
    survey = get_survey(meeting, survey.key)
    assert survey.questions[1].show_if == {"question": "q1", "op": "is", "value": "yes"}
    ids = [question.id for question in survey.questions]
    page = client.get(url).get_data(as_text=True)
    assert "Shown only when “Did you attend the field visit?” is “Yes”" in page
    edit = client.get(f"{url}/questions/{ids[1]}").get_data(as_text=True)
    assert re.search(r'name="show_if_value-q1" id="[^"]+" value="yes" checked', edit)
    # Deleting the question it depends on is refused, with the reason.
    delete = client.post(
        f"{url}/questions/{ids[0]}/delete",
        follow_redirects=True,
    )
    assert "shown depending on this one" in delete.get_data(as_text=True)


# --- meetapp/1 ------------------------------------------------------------------------------


def _document(questions: list[dict[str, Any]], responses: list[dict[str, Any]]) -> dict[str, Any]:
    return json.loads(
        json.dumps(
            {
                "format": "meetapp/1",
                "organisation": {"name": "Small Network", "short_name": "SN"},
                "meeting": {
                    "slug": "branching",
                    "title": "A branching survey",
                    "starts_at": "2024-05-02T09:00:00+02:00",
                    "timezone": "Europe/Berlin",
                },
                "surveys": [
                    {"key": "s", "title": "S", "questions": questions, "responses": responses}
                ],
            }
        )
    )


QUESTIONS_DOC = [
    {"key": "visit", "text": "Visited?", "kind": "yes_no"},
    {
        "key": "learnt",
        "text": "Learnt?",
        "kind": "text",
        "show_if": {"question": "visit", "op": "is", "value": "yes"},
    },
    {"key": "rate", "text": "Rate", "kind": "rating"},
    {
        "key": "part",
        "text": "Part",
        "kind": "single",
        "options": ["Morning", "Afternoon"],
        "show_if": {"question": "rate", "op": "at_most", "value": 2},
    },
]


def test_conditions_travel_in_meetapp_1_and_round_trip(db):
    document = _document(
        QUESTIONS_DOC,
        [{"answers": {"visit": "yes", "learnt": "A lot", "rate": 1, "part": "Morning"}}],
    )
    meeting = import_meeting(document).meeting
    db.session.commit()
    survey = get_survey(meeting, "s")
    assert survey.questions[3].show_if == {"question": "rate", "op": "at_most", "value": 2}
    exported = json.loads(json.dumps(export_meeting(meeting), default=str))
    questions = exported["surveys"][0]["questions"]
    assert [q.get("show_if") for q in questions] == [q.get("show_if") for q in QUESTIONS_DOC]
    # An option named by its label is kept, and exported, by its key.
    exported["meeting"]["slug"] = "again"
    exported["surveys"][0]["questions"].append(
        {
            "key": "why",
            "text": "Why?",
            "kind": "text",
            "show_if": {"question": "part", "op": "is", "value": "Afternoon"},
        }
    )
    again = import_meeting(exported).meeting
    db.session.commit()
    assert get_survey(again, "s").questions[4].show_if == {
        "question": "part",
        "op": "is",
        "value": "afternoon",
    }


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"question": "part", "op": "is", "value": "morning"}, "show_if.question"),
        ({"question": "learnt", "op": "is", "value": "x"}, "show_if.question"),
        ({"question": "visit", "op": "is", "value": "maybe"}, "show_if.value"),
        ({"question": "visit", "op": "at_least", "value": "yes"}, "show_if.op"),
        ({"question": "visit", "op": "is", "value": ["yes", "no"]}, "show_if.value"),
    ],
)
def test_an_imported_condition_must_be_on_an_earlier_question_with_a_fitting_value(
    db, change, problem
):
    questions = [dict(q) for q in QUESTIONS_DOC]
    questions[2] = {**questions[2], "show_if": change}
    with pytest.raises(InterchangeError) as refused:
        import_meeting(_document(questions, []))
    assert any(problem in line for line in refused.value.problems), refused.value.problems


def test_an_imported_answer_to_a_hidden_question_is_refused(db):
    document = _document(QUESTIONS_DOC, [{"answers": {"visit": "no", "learnt": "A lot"}}])
    with pytest.raises(InterchangeError) as refused:
        import_meeting(document)
    assert any("answers.learnt" in line for line in refused.value.problems), refused.value


# --- properties -----------------------------------------------------------------------------

KINDS = ["yes_no", "likert", "rating", "nps", "single", "multiple", "text"]
VALUES: dict[str, list[Any]] = {
    "yes_no": ["yes", "no"],
    "likert": list(LIKERT_VALUES),
    "rating": [1, 2, 3, 4, 5],
    "nps": list(range(11)),
    "single": ["a", "b", "c"],
    "multiple": ["a", "b", "c"],
}


def _question(index: int, kind: str, required: bool) -> SurveyQuestion:
    options = (
        [{"key": k, "label": k.upper()} for k in ("a", "b", "c")]
        if kind in ("single", "multiple")
        else []
    )
    return SurveyQuestion(
        key=f"q{index + 1}", kind=kind, text=f"Q{index + 1}", required=required, options=options
    )


@st.composite
def surveys_and_answers(draw: Any) -> tuple[list[SurveyQuestion], dict[str, Any]]:
    """A survey of 1-7 questions, some shown only for an earlier answer, and answers to any
    of them (valid values, or blanks), as a form would send them."""
    questions: list[SurveyQuestion] = []
    for index in range(draw(st.integers(1, 7))):
        question = _question(index, draw(st.sampled_from(KINDS)), draw(st.booleans()))
        earlier = [q for q in questions if q.kind != "text"]
        if earlier and draw(st.booleans()):
            referred = draw(st.sampled_from(earlier))
            ops = ["is", "is_not", "any_of"]
            if referred.kind in ("likert", "rating", "nps"):
                ops += ["at_least", "at_most"]
            op = draw(st.sampled_from(ops))
            offered = VALUES[referred.kind]
            if op == "any_of":
                value: Any = draw(st.lists(st.sampled_from(offered), min_size=1, unique=True))
            else:
                value = draw(st.sampled_from(offered))
            question.show_if = clean_condition(
                {"question": referred.key, "op": op, "value": value}, questions, index
            )
        questions.append(question)
    raw: dict[str, Any] = {}
    for question in questions:
        if not draw(st.booleans()):
            continue
        if question.kind == "text":
            raw[question.key] = draw(st.sampled_from(["", "words"]))
        elif question.kind == "multiple":
            raw[question.key] = draw(st.lists(st.sampled_from(["a", "b", "c"]), unique=True))
        else:
            raw[question.key] = str(draw(st.sampled_from(VALUES[question.kind])))
    return questions, raw


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _shown_oracle(questions: list[SurveyQuestion], raw: dict[str, Any]) -> set[str]:
    """Which questions are shown, worked out here from the definition (not by the code under
    test): a condition matches the referred question's answer, which counts only if that
    question is shown itself; an unanswered question matches nothing."""
    order = {"likert": list(LIKERT_VALUES)}
    shown: set[str] = set()
    for question in questions:
        show_if = question.show_if
        if show_if is None:
            shown.add(question.key)
            continue
        ref = show_if["question"]
        given = raw.get(ref) if ref in shown else None
        if _blank(given):
            continue
        given_list = [str(v) for v in (given if isinstance(given, list) else [given])]
        value = show_if["value"]
        wanted = [str(v) for v in (value if isinstance(value, list) else [value])]
        kind = next(q.kind for q in questions if q.key == ref)

        def rank(v: str, kind: str = kind) -> int:
            return order[kind].index(v) if kind in order else int(v)

        op = show_if["op"]
        if op == "is":
            hit = wanted[0] in given_list
        elif op == "is_not":
            hit = wanted[0] not in given_list
        elif op == "any_of":
            hit = bool(set(wanted) & set(given_list))
        elif op == "at_least":
            hit = rank(given_list[0]) >= rank(wanted[0])
        else:
            hit = rank(given_list[0]) <= rank(wanted[0])
        if hit:
            shown.add(question.key)
    return shown


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=surveys_and_answers())
def test_hidden_answers_are_never_kept_and_shown_required_never_skipped(app, case):
    questions, raw = case
    shown = _shown_oracle(questions, raw)
    missing = {q.key for q in questions if q.required and q.key in shown and _blank(raw.get(q.key))}
    with app.test_request_context():
        if missing:
            # The only problems are the required questions shown and left unanswered.
            with pytest.raises(AnswerProblems) as refused:
                check_answers(questions, raw)
            assert set(refused.value.problems) == missing
            return
        clean = check_answers(questions, raw)
    assert set(clean) <= shown, "an answer to a hidden question was kept"
    for question in questions:
        if question.required and question.key in shown:
            assert question.key in clean, "a shown required question was skipped"
        if question.key in shown and not _blank(raw.get(question.key)):
            assert question.key in clean
    # The code's own judgement agrees with the definition.
    by_key = {q.key: q for q in questions}
    for question in questions:
        condition = condition_of(question)
        if condition is not None and question.key in clean:
            assert is_met(condition, by_key[condition.question], clean)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    visit=st.sampled_from(["", "yes", "no"]),
    learnt=st.sampled_from(["", "The crossing"]),
    rating=st.sampled_from(["", "1", "3", "4", "5"]),
    part=st.sampled_from(["", "sessions", "networking"]),
    topics=st.lists(st.sampled_from(["fees", "hiring"]), unique=True),
    why=st.sampled_from(["", "Dear"]),
)
def test_through_the_answer_page_hidden_answers_are_never_stored(
    client, db, branching_once, visit, learnt, rating, part, topics, why
):
    meeting, survey, token = branching_once
    data = {
        "q-q1": visit,
        "q-q2": learnt,
        "q-q3": rating,
        "q-q4": part,
        "q-q5": topics,
        "q-q6": why,
    }
    response = post(client, token, data)
    kept = stored(db)
    raw = {k[2:]: v for k, v in data.items()}
    questions = list(get_survey(meeting, survey.key).questions)
    shown = _shown_oracle(questions, raw)
    required_missing = {
        q.key for q in questions if q.required and q.key in shown and _blank(raw[q.key])
    }
    if required_missing:
        assert response.status_code == 200
        assert "This question needs an answer." in response.get_data(as_text=True)
    else:
        assert response.status_code == 302
        expected = {k for k in shown if not _blank(raw[k])}
        assert set(kept) == expected


@pytest.fixture
def branching_once(branching):
    meeting, survey, tokens, _organiser = branching
    return meeting, survey, tokens[0]


def test_the_condition_is_said_in_the_page_language(client, branching):
    _meeting, _survey, tokens, _organiser = branching
    page = client.get(f"/s/{tokens[0]}?lang=km").get_data(as_text=True)
    # The sentence and the fixed answer ("Yes") in Khmer; the question as the organiser wrote it.
    assert (
        "ឆ្លើយសំណួរនេះ លុះត្រាតែចម្លើយរបស់អ្នកចំពោះ “Did you attend the field visit?” គឺ “បាទ/ចាស”។"
    ) in page
