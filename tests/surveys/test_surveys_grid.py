"""Grid questions: one scale (agreement or a rating 1-5) over several rows the organiser lists.

Rows are kept by key like options; each answered row is one row of `survey_answers` (the row's
key as its choice, the point of the scale as its number); required means every row answered;
the results count each row's points (overall and per stakeholder group) in the same shared
statements as every other question; the exports give a column per row and meetapp/1 writes
{row key: value}, round-tripping."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from meetapp.errors import DomainError
from meetapp.meetings.translations import meeting_sections
from meetapp.models import SurveyAnswer, SurveyQuestion, SurveyResponse
from meetapp.surveys.exports import response_rows
from meetapp.surveys.results import results_summary, survey_results
from meetapp.surveys.services import (
    AnswerProblems,
    QuestionData,
    SurveyVisit,
    add_question,
    answer_rows,
    check_answers,
    current_answers,
    get_survey,
    update_question,
)
from tests.reports.pdftext import pdf_text
from tests.surveys.test_surveys_results import add_responses

SESSIONS = ["Opening panel", "Labour migration", "Closing remarks"]


def grid(scale: str = "likert", required: bool = False) -> QuestionData:
    return QuestionData(
        "How useful was each session?", "grid", required, list(SESSIONS), scale=scale
    )


@pytest.fixture
def grid_survey(db, organiser_setup, make_survey):
    """(meeting, survey) of a tracked survey with a likert grid (q1) and a rating grid (q2)."""

    def make(required: bool = False, anonymous: bool = False):
        organiser, meeting = organiser_setup()
        survey = get_survey(meeting, make_survey(meeting, questions=[], anonymous=anonymous).key)
        add_question(survey, grid("likert", required))
        add_question(survey, grid("rating"))
        db.session.commit()
        make.organiser = organiser
        return meeting, get_survey(meeting, survey.key)

    return make


def test_rows_get_keys_like_options_and_the_scale_is_kept(db, grid_survey):
    _meeting, survey = grid_survey()
    likert, rating = survey.questions
    assert likert.options == [
        {"key": "opening-panel", "label": "Opening panel"},
        {"key": "labour-migration", "label": "Labour migration"},
        {"key": "closing-remarks", "label": "Closing remarks"},
    ]
    assert (likert.scale, rating.scale) == ("likert", "rating")
    assert likert.has_options


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            QuestionData("Grid?", "grid", options=["Only one"], scale="likert"),
            "options",
            "two rows",
        ),
        (QuestionData("Grid?", "grid", options=["A", "A"], scale="likert"), "options", "twice"),
        (QuestionData("Grid?", "grid", options=["A", "B"], scale="stars"), "scale", "scale"),
        (QuestionData("Grid?", "grid", options=["A", "B"]), "scale", "scale"),
    ],
)
def test_a_grid_needs_two_rows_and_a_scale(db, grid_survey, data, field, message):
    _meeting, survey = grid_survey()
    with pytest.raises(DomainError) as refused:
        add_question(survey, data)
    assert refused.value.field == field
    assert message in refused.value.message


def test_other_kinds_keep_no_scale(db, grid_survey):
    _meeting, survey = grid_survey()
    question = add_question(survey, QuestionData("Rate it", "rating", scale="likert"))
    assert question.scale is None


def test_answers_are_checked_stored_and_read_back_row_by_row(db, grid_survey):
    _meeting, survey = grid_survey()
    likert, _rating = survey.questions
    # From the form (strings), from a document (numbers, or the agreement's names).
    clean = check_answers(
        survey.questions,
        {
            "q1": {"opening-panel": "4", "labour-migration": "strongly_agree"},
            "q2": {"closing-remarks": 2, "opening-panel": ""},
        },
    )
    assert clean == {
        "q1": {"opening-panel": 4, "labour-migration": 5},
        "q2": {"closing-remarks": 2},
    }
    rows = answer_rows(survey.questions, 7, clean)
    assert [(r["question_id"], r["choice"], r["number"], r["text"]) for r in rows] == [
        (likert.id, "opening-panel", 4, None),
        (likert.id, "labour-migration", 5, None),
        (survey.questions[1].id, "closing-remarks", 2, None),
    ]
    # Nothing given in any row is no answer.
    assert check_answers(survey.questions, {"q1": {"opening-panel": ""}, "q2": {}}) == {}


@pytest.mark.parametrize(
    "value",
    [
        {"no-such-row": "3"},
        {"opening-panel": "6"},
        {"opening-panel": "0"},
        {"opening-panel": "agree"},  # a name of the agreement scale, on the rating grid
        {"opening-panel": True},
        {"opening-panel": "٣"},  # digits of another script
        "3",
        ["3"],
    ],
)
def test_values_the_grid_does_not_offer_are_refused(db, grid_survey, value):
    _meeting, survey = grid_survey()
    with pytest.raises(AnswerProblems) as refused:
        check_answers(survey.questions, {"q2": value})
    assert set(refused.value.problems) == {"q2"}


def test_a_required_grid_needs_every_row(db, grid_survey):
    _meeting, survey = grid_survey(required=True)
    with pytest.raises(AnswerProblems) as refused:
        check_answers(survey.questions, {"q1": {"opening-panel": "4", "labour-migration": "2"}})
    assert refused.value.problems == {"q1": "Please answer every row."}
    with pytest.raises(AnswerProblems) as refused:
        check_answers(survey.questions, {})
    assert refused.value.problems == {"q1": "This question needs an answer."}
    every_row = {key: "3" for key in ["opening-panel", "labour-migration", "closing-remarks"]}
    assert check_answers(survey.questions, {"q1": every_row})["q1"] == dict.fromkeys(every_row, 3)
    # Past answers (an imported document's) are not held to it.
    partial = {"q1": {"opening-panel": "4"}}
    assert check_answers(survey.questions, partial, enforce_required=False)


def test_the_database_keeps_one_answer_per_row(db, grid_survey, make_participant):
    meeting, survey = grid_survey()
    person = make_participant(meeting)
    add_responses(db, survey.id, [person.id], {"q1": {"opening-panel": 4}})
    answer = db.session.scalar(select(SurveyAnswer))
    db.session.add(
        SurveyAnswer(
            response_id=answer.response_id,
            question_id=answer.question_id,
            choice="opening-panel",
            number=2,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_answers_read_back_to_fill_the_page_in(db, grid_survey, make_participant, invite_people):
    meeting, survey = grid_survey()
    person = make_participant(meeting)
    invite_people(survey, [person])
    add_responses(db, survey.id, [person.id], {"q1": {"labour-migration": 2, "opening-panel": 5}})
    survey = get_survey(meeting, survey.key)
    visit = SurveyVisit(survey=survey, invitation=None, participant=person, meeting=meeting)  # type: ignore[arg-type]
    assert current_answers(visit) == {"q1": {"labour-migration": 2, "opening-panel": 5}}


def test_an_answered_row_cannot_be_removed_nor_the_scale_changed(db, grid_survey, make_participant):
    meeting, survey = grid_survey()
    add_responses(db, survey.id, [make_participant(meeting).id], {"q1": {"opening-panel": 4}})
    survey = get_survey(meeting, survey.key)
    likert = survey.questions[0]
    with pytest.raises(DomainError) as refused:
        update_question(likert, grid(scale="rating"))
    assert refused.value.field == "scale"
    db.session.rollback()
    with pytest.raises(DomainError) as refused:
        update_question(
            likert, QuestionData("Useful?", "grid", options=SESSIONS[1:], scale="likert")
        )
    assert "Opening panel" in refused.value.message
    db.session.rollback()
    # A row that was not answered can go; a row can be reworded (it keeps its key) and added.
    update_question(
        likert,
        QuestionData(
            "Useful?",
            "grid",
            options=["The opening panel", "Labour migration", "Field visit"],
            option_keys=["opening-panel", "labour-migration", None],
            scale="likert",
        ),
    )
    assert likert.option_keys() == ["opening-panel", "labour-migration", "field-visit"]


def _fill(db, meeting, survey, make_participant):
    """Five respondents in two groups answer the likert grid; one of them skips a row."""
    gov = [make_participant(meeting, group_key="government").id for _ in range(2)]
    cso = [make_participant(meeting, group_key="cso").id for _ in range(3)]
    add_responses(
        db,
        survey.id,
        gov,
        {"q1": {"opening-panel": "strongly_agree", "labour-migration": "disagree"}},
    )
    add_responses(
        db,
        survey.id,
        cso[:2],
        {
            "q1": {
                "opening-panel": "agree",
                "labour-migration": "agree",
                "closing-remarks": "neutral",
            }
        },
    )
    add_responses(
        db,
        survey.id,
        cso[2:],
        {"q1": {"opening-panel": "strongly_disagree"}, "q2": {"closing-remarks": 4}},
    )


def test_results_per_row_and_by_group(db, grid_survey, make_participant):
    meeting, survey = grid_survey()
    _fill(db, meeting, survey, make_participant)
    results = survey_results(get_survey(meeting, survey.key))
    likert, rating = results.questions
    assert likert.answered == 5  # respondents, not rows
    opening, labour, closing = likert.rows
    assert (opening.key, opening.label, opening.answered) == ("opening-panel", "Opening panel", 5)
    assert [o.count for o in opening.options] == [1, 0, 0, 2, 2]
    assert [o.label for o in opening.options][0] == "Strongly disagree"
    assert opening.mean == pytest.approx((1 + 4 + 4 + 5 + 5) / 5)
    assert opening.agree_percent == pytest.approx(80.0)
    assert (labour.answered, labour.mean, labour.agree_percent) == (4, pytest.approx(3.0), 50.0)
    assert (closing.answered, closing.mean, closing.agree_percent) == (2, 3.0, 0.0)
    assert rating.answered == 1
    assert [r.mean for r in rating.rows] == [None, None, 4.0]
    assert all(r.agree_percent is None for r in rating.rows)
    # By stakeholder group, each row's figures of the group's respondents.
    groups = {g.label: g for g in likert.by_group}
    assert (groups["Government"].answered, groups["Civil society"].answered) == (2, 3)
    assert [r.mean for r in groups["Government"].rows] == [5.0, 2.0, None]
    assert [r.answered for r in groups["Civil society"].rows] == [3, 2, 2]
    assert groups["Civil society"].rows[0].mean == pytest.approx(3.0)

    summary = results_summary(results, meeting)
    q1 = summary["questions"][0]
    assert q1["kind"] == "grid"
    assert q1["rows"][0]["key"] == "opening-panel"
    assert q1["rows"][0]["options"][4] == {
        "value": "5",
        "label": "Strongly agree",
        "count": 2,
        "percent": 40.0,
    }
    assert q1["rows"][1]["agree_percent"] == 50.0
    assert q1["by_group"][0]["rows"][0]["mean"] == 5.0


def test_the_results_statements_do_not_grow_with_rows_or_answers(
    client, db, grid_survey, make_participant, login_as, organiser_setup, count_queries
):
    meeting, survey = grid_survey()
    grid_id = survey.questions[0].id
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/results"
    add_responses(
        db, survey.id, [make_participant(meeting, group_key="cso").id], {"q1": {"opening-panel": 4}}
    )
    login_as(grid_survey.organiser)
    with count_queries() as few:
        page = client.get(url)
    assert page.status_code == 200
    _fill(db, meeting, survey, make_participant)
    question = db.session.get(SurveyQuestion, grid_id)
    update_question(
        question,
        QuestionData(
            "How useful was each session?",
            "grid",
            options=[*SESSIONS, "Field visit", "Dinner"],
            scale="likert",
        ),
    )
    db.session.commit()
    with count_queries() as many:
        page = client.get(url)
    text = page.get_data(as_text=True)
    assert many.count == few.count
    assert "Field visit" in text
    assert "Labour migration" in text
    assert "By stakeholder group" in text


def test_the_csv_export_has_a_column_per_row(db, grid_survey, make_participant):
    meeting, survey = grid_survey()
    _fill(db, meeting, survey, make_participant)
    header, *rows = list(response_rows(get_survey(meeting, survey.key), meeting))
    assert header[-6:] == [
        "How useful was each session?: Opening panel",
        "How useful was each session?: Labour migration",
        "How useful was each session?: Closing remarks",
        "How useful was each session?: Opening panel",
        "How useful was each session?: Labour migration",
        "How useful was each session?: Closing remarks",
    ]
    assert rows[0][-6:] == ["Strongly agree", "Disagree", "", "", "", ""]
    assert rows[4][-6:] == ["Strongly disagree", "", "", "", "", "4"]
    assert all(len(row) == len(header) for row in rows)


def test_the_answer_page_shows_a_radio_group_per_row_and_stores_the_grid(
    client, db, grid_survey, make_participant, invite_people
):
    meeting, survey = grid_survey(required=True)
    grid_id = survey.questions[0].id
    person = make_participant(meeting)
    [token] = invite_people(survey, [person])
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert page.count('role="radiogroup"') == 6
    assert 'name="q-q1-labour-migration"' in page
    assert "Strongly agree" in page
    assert "1 = very poor" in page

    # A required grid with a row left: nothing is stored, the chosen points are kept.
    response = client.post(
        f"/s/{token}", data={"q-q1-opening-panel": "5", "q-q1-labour-migration": "2"}
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Please answer every row." in text
    assert 'name="q-q1-opening-panel" id="q' in text
    assert db.session.scalar(select(SurveyAnswer.id)) is None
    # A point the page never offers.
    response = client.post(f"/s/{token}", data={"q-q1-opening-panel": "9"})
    assert response.status_code == 422

    response = client.post(
        f"/s/{token}",
        data={
            "q-q1-opening-panel": "5",
            "q-q1-labour-migration": "2",
            "q-q1-closing-remarks": "3",
            "q-q2-closing-remarks": "4",
        },
    )
    assert response.status_code == 302
    db.session.rollback()
    stored = db.session.execute(
        select(SurveyAnswer.choice, SurveyAnswer.number).order_by(SurveyAnswer.id)
    ).all()
    assert [tuple(row) for row in stored] == [
        ("opening-panel", 5),
        ("labour-migration", 2),
        ("closing-remarks", 3),
        ("closing-remarks", 4),
    ]
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert f'name="q-q1-labour-migration" id="q{grid_id}-r2-2" value="2" checked' in page


def test_rows_are_translated_on_the_translations_page_and_shown_in_the_language(
    client, db, organiser_setup, make_survey, make_participant, invite_people
):
    _organiser, meeting = organiser_setup()
    meeting.languages = ["en", "km"]
    survey = get_survey(meeting, make_survey(meeting, questions=[]).key)
    question = add_question(survey, grid("likert"))
    db.session.commit()
    texts = [text for section in meeting_sections(meeting) for text in section.texts]
    rows = [text for text in texts if text.row is question and text.key.startswith("option:")]
    assert [(text.key, text.label, text.source) for text in rows] == [
        ("option:opening-panel", "Question 1, row", "Opening panel"),
        ("option:labour-migration", "Question 1, row", "Labour migration"),
        ("option:closing-remarks", "Question 1, row", "Closing remarks"),
    ]
    question.translations = {"km": {"option:labour-migration": "ចំណាកស្រុកការងារ"}}
    db.session.commit()
    person = make_participant(meeting, languages=["km"])
    [token] = invite_people(survey, [person])
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert "ចំណាកស្រុកការងារ" in page
    assert "Opening panel" in page  # not translated: the meeting's first language
    assert "យល់ស្របខ្លាំង" in page  # "Strongly agree", from the catalogue
    assert "Please answer every row." not in page


def test_the_results_page_json_pdf_and_downloads_show_each_row(
    client, db, grid_survey, make_participant, login_as
):
    meeting, survey = grid_survey()
    _fill(db, meeting, survey, make_participant)
    login_as(grid_survey.organiser)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"

    text = client.get(f"{base}/results").get_data(as_text=True)
    assert '<th scope="row">Labour migration</th>' in text
    assert "80%" in text  # of those who answered the opening panel, agreed
    assert "By stakeholder group" in text

    summary = client.get(f"{base}/results.json").get_json()
    rows = summary["questions"][0]["rows"]
    assert [(r["key"], r["answered"], r["mean"]) for r in rows] == [
        ("opening-panel", 5, 3.8),
        ("labour-migration", 4, 3.0),
        ("closing-remarks", 2, 3.0),
    ]

    response = client.get(f"{base}/responses.csv")
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert "How useful was each session?: Closing remarks" in header

    response = client.get(f"{base}/responses.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    labels = [row[0] for row in workbook["Summary"].iter_rows(values_only=True)]
    assert "Labour migration" in labels

    response = client.get(f"{base}/results.pdf")
    reader = PdfReader(io.BytesIO(response.get_data()))
    pdf_text = " ".join(page.extract_text() for page in reader.pages)
    assert "Labour migration" in pdf_text
    assert "3.80 80%" in pdf_text  # the opening panel's mean and share who agreed
    assert "Government" in pdf_text


def test_an_anonymous_grid_waits_for_its_batch_then_counts(
    client, db, grid_survey, make_participant, invite_people
):
    meeting, survey = grid_survey(anonymous=True)
    grid_id = survey.questions[0].id
    people = [make_participant(meeting) for _ in range(5)]
    tokens = invite_people(survey, people)
    for n, token in enumerate(tokens):
        response = client.post(
            f"/s/{token}", data={"q-q1-opening-panel": str(n % 5 + 1), "q-q2-closing-remarks": "5"}
        )
        assert response.status_code == 302
        if n == 0:
            # Waiting for its batch: kept as checked, and shown again through its link.
            db.session.rollback()
            assert db.session.scalar(select(SurveyResponse.pending_answers)) == {
                "q1": {"opening-panel": 1},
                "q2": {"closing-remarks": 5},
            }
            page = client.get(f"/s/{token}").get_data(as_text=True)
            assert f'id="q{grid_id}-r1-1" value="1" checked' in page
    db.session.rollback()
    results = survey_results(get_survey(meeting, survey.key))
    opening = results.questions[0].rows[0]
    assert (opening.answered, opening.mean) == (5, 3.0)
    assert results.questions[1].rows[2].mean == 5.0


def test_the_organiser_adds_a_grid_in_the_editor_and_previews_it(
    client, db, organiser_setup, make_survey, login_as
):
    organiser, meeting = organiser_setup()
    key = make_survey(meeting, questions=[]).key
    login_as(organiser)
    base = f"/meetings/{meeting.slug}/surveys/{key}"
    form = {
        "text": "Rate each session",
        "kind": "grid",
        "options": "Opening\nField visit",
        "scale": "rating",
    }
    # A scale the editor does not offer is said by its field; nothing is added.
    page = client.post(f"{base}/questions", data={**form, "scale": "stars"})
    assert "Not a valid choice" in page.get_data(as_text=True)
    assert client.post(f"{base}/questions", data=form).status_code == 302
    question = get_survey(meeting, key).questions[0]
    assert (question.kind, question.scale, question.option_keys()) == (
        "grid",
        "rating",
        ["opening", "field-visit"],
    )
    editor = client.get(f"{base}/questions/{question.id}").get_data(as_text=True)
    assert '<option selected value="rating">' in editor
    assert "Opening\nField visit" in editor
    preview = client.get(f"{base}/preview").get_data(as_text=True)
    assert preview.count('role="radiogroup"') == 2
    assert 'name="q-q1-field-visit"' in preview
    assert "disabled" in preview


def test_the_meeting_summary_pdf_shows_a_grid_row_by_row(
    client, db, grid_survey, make_participant, make_user, login_as
):
    meeting, survey = grid_survey()
    _fill(db, meeting, survey, make_participant)
    login_as(make_user("staff"))
    text = pdf_text(client.get(f"/meetings/{meeting.slug}/summary.pdf").data)
    survey_part = text[text.index("Survey results") :]
    assert "Labour migration" in survey_part
    assert "3.80 80%" in survey_part
