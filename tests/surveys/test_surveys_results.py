"""Results for staff: the demo's survey against figures computed here with plain Python, a fixed
number of queries, the breakdown by group, who has not answered, exports and the PDF."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from meetapp.cli import DEMO_FILE
from meetapp.interchange.services import import_meeting
from meetapp.models import Meeting, Participant, Survey, SurveyAnswer, SurveyResponse
from meetapp.surveys.results import survey_results
from meetapp.surveys.services import (
    QuestionData,
    answer_rows,
    answers_from_labels,
    check_answers,
    get_survey,
    survey_highlights,
)
from tests.surveys.conftest import good_answers

DEMO = json.loads(Path(DEMO_FILE).read_text(encoding="utf-8"))


@pytest.fixture
def demo(db, make_user):
    """The demo meeting imported, with an organiser on its team; (organiser, slug, survey key)."""
    document = copy.deepcopy(DEMO)
    for section in ("speakers", "sessions", "statements", "outcomes", "press_release"):
        document.pop(section, None)
    report = import_meeting(document)
    organiser = make_user("organiser")
    db.session.execute(
        db.metadata.tables["meeting_organisers"]
        .insert()
        .values(meeting_id=report.meeting.id, user_id=organiser.id)
    )
    db.session.commit()
    return organiser, "cambodia-japan-2019", DEMO["surveys"][0]["key"]


def expected_from_the_file():
    """The demo survey's figures, computed straight from the JSON."""
    survey = DEMO["surveys"][0]
    answers = [response["answers"] for response in survey["responses"]]
    ratings = [a["rating"] for a in answers if "rating" in a]
    scores = [a["recommend"] for a in answers if "recommend" in a]
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    counts = {}
    for question in survey["questions"]:
        key = question["key"]
        given = Counter()
        for a in answers:
            value = a.get(key)
            for item in value if isinstance(value, list) else [value]:
                if item is not None and question["kind"] != "text":
                    given[str(item)] += 1
        counts[key] = dict(given)
    useful = [a["useful"] for a in answers if "useful" in a]
    return {
        "responses": len(survey["responses"]),
        "rating_mean": sum(ratings) / len(ratings),
        "nps": 100 * promoters / len(scores) - 100 * detractors / len(scores),
        "counts": counts,
        "agree": 100 * sum(1 for u in useful if u in ("agree", "strongly_agree")) / len(useful),
        "texts": [a["comments"] for a in answers if a.get("comments")],
        "attended": sum(1 for p in DEMO["participants"] if p.get("attended")),
    }


def test_demo_results_equal_those_computed_from_the_file(db, demo):
    _organiser, slug, key = demo
    expected = expected_from_the_file()
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
    results = survey_results(get_survey(meeting, key))

    assert results.responses == expected["responses"] == 38
    assert results.audience == expected["attended"] == 51
    by_key = {item.question.key: item for item in results.questions}
    assert by_key["rating"].mean == pytest.approx(expected["rating_mean"])
    assert by_key["recommend"].nps == pytest.approx(expected["nps"])
    assert by_key["useful"].agree_percent == pytest.approx(expected["agree"])
    for question_key, counts in expected["counts"].items():
        item = by_key[question_key]
        if item.question.kind == "text":
            continue
        # A choice question's answers are stored by option key; the file gives labels.
        by_label = item.question.kind in ("single", "multiple")
        got = {
            (option.label if by_label else option.value): option.count
            for option in item.options
            if option.count
        }
        assert got == counts, question_key
        for option in item.options:
            assert option.percent == pytest.approx(100 * option.count / item.answered)
    assert sorted(by_key["comments"].texts) == sorted(expected["texts"])

    highlights = survey_highlights(meeting)
    assert highlights.title == "Post-meeting survey"
    assert (highlights.audience, highlights.responses) == (51, 38)
    assert highlights.agreement_question == "The meeting was useful for my work."
    assert highlights.agreement_percent == pytest.approx(expected["agree"])
    assert highlights.nps == pytest.approx(expected["nps"])
    assert highlights.rating_mean == pytest.approx(expected["rating_mean"])


def test_highlights_read_only_their_questions_figures(db, demo, count_queries):
    """The press release's highlights count their few figures in SQL, without building the
    whole results (no breakdown by group, no texts, nobody listed)."""
    _organiser, slug, key = demo
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
    results = survey_results(get_survey(meeting, key))
    with count_queries() as counter:
        highlights = survey_highlights(meeting)
    by_kind: dict[str, object] = {}
    for item in results.questions:
        if item.answered:
            by_kind.setdefault(item.question.kind, item)
    assert highlights.agreement_percent == by_kind["likert"].agree_percent
    assert highlights.nps == by_kind["nps"].nps
    assert highlights.rating_mean == by_kind["rating"].mean
    assert counter.count <= 5, counter.statements
    text = " ".join(counter.statements).lower()
    assert "row_number" not in text
    assert "participants.name" not in text


def test_results_page_json_and_exports_of_the_demo(client, db, demo, login_as):
    organiser, slug, key = demo
    expected = expected_from_the_file()
    login_as(organiser)
    base = f"/meetings/{slug}/surveys/{key}"

    page = client.get(f"{base}/results")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<svg" in text
    assert "Recruitment fees" in text
    assert "By stakeholder group" in text
    assert "Not answered (13)" in text  # 51 attended, 38 answered

    summary = client.get(f"{base}/results.json").get_json()
    assert summary["responses"] == 38
    assert summary["audience"] == 51
    questions = {q["key"]: q for q in summary["questions"]}
    assert questions["rating"]["mean"] == round(expected["rating_mean"], 2)
    assert questions["recommend"]["nps"] == round(expected["nps"], 1)
    topics = {o["label"]: o["count"] for o in questions["topics"]["options"]}
    assert topics == {
        option: expected["counts"]["topics"].get(option, 0)
        for option in DEMO["surveys"][0]["questions"][3]["options"]
    }
    groups = {g["group"]: g["answered"] for g in questions["rating"]["by_group"]}
    assert sum(groups.values()) == 38

    response = client.get(f"{base}/responses.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 39
    assert rows[0][:6] == [
        "Response",
        "Submitted at",
        "Changed at",
        "Name",
        "E-mail",
        "Stakeholder group",
    ]
    assert "The meeting was useful for my work." in rows[0]

    response = client.get(f"{base}/responses.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["Responses", "Summary"]
    assert workbook["Responses"].max_row == 39

    response = client.get(f"{base}/results.pdf")
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.get_data()))
    pdf_text = " ".join(page.extract_text() for page in reader.pages)
    assert "Post-meeting survey" in pdf_text
    assert "38 responses from 51 participants" in pdf_text
    assert "Recruitment fees" in pdf_text
    assert "NPS" in pdf_text


def add_responses(db, survey_id, people, answers):
    """Store one response per person (None: anonymous) with the same answers, directly."""
    survey = db.session.get(Survey, survey_id)
    questions = get_survey_questions(db, survey)
    clean = check_answers(questions, answers_from_labels(questions, answers))
    rows = []
    for person in people:
        group = None if person is None else db.session.get(Participant, person).stakeholder_group_id
        response = SurveyResponse(
            survey_id=survey.id, participant_id=person, stakeholder_group_id=group
        )
        db.session.add(response)
        db.session.flush()
        rows.extend(answer_rows(questions, response.id, clean, group))
    db.session.execute(SurveyAnswer.__table__.insert(), rows)
    db.session.commit()


def get_survey_questions(db, survey):
    meeting = db.session.get(Meeting, survey.meeting_id)
    return get_survey(meeting, survey.key).questions


def test_results_view_runs_a_fixed_number_of_queries(
    client, db, organiser_setup, login_as, make_survey, make_participant, count_queries
):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting)
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/results"
    answers = {"q1": "agree", "q2": 4, "q3": 9, "q4": "Morning", "q5": ["Fees"], "q7": "Good"}

    people = [make_participant(meeting, group_key="cso").id for _ in range(3)]
    add_responses(db, survey.id, people, answers)
    with count_queries() as few:
        assert client.get(url).status_code == 200

    more = [
        make_participant(meeting, group_key=("cso" if n % 2 else "government")).id
        for n in range(40)
    ]
    add_responses(db, survey.id, more, answers)
    with count_queries() as many:
        page = client.get(url)
    assert page.status_code == 200
    assert "43 of 43 answered" in page.get_data(as_text=True)
    assert many.count == few.count
    group_by = [s for s in many.statements if "GROUP BY" in s]
    assert len(group_by) >= 3


def test_breakdown_by_group_and_who_has_not_answered(
    db, organiser_setup, make_survey, make_participant, invite_people
):
    _organiser, meeting = organiser_setup()
    survey = make_survey(
        meeting,
        questions=[QuestionData("Rate it", "rating", required=True), QuestionData("NPS", "nps")],
    )
    gov = [make_participant(meeting, name=f"Gov {n}", group_key="government") for n in range(2)]
    cso = [make_participant(meeting, name=f"Cso {n}", group_key="cso") for n in range(3)]
    invite_people(survey, gov + cso)
    add_responses(db, survey.id, [gov[0].id], {"q1": 5, "q2": 10})
    add_responses(db, survey.id, [cso[0].id, cso[1].id], {"q1": 2, "q2": 3})

    results = survey_results(get_survey(meeting, survey.key), missing_page=1)
    assert (results.responses, results.audience, results.audience_is_invited) == (3, 5, True)
    assert results.rate == pytest.approx(60.0)
    rating, nps = results.questions
    assert rating.mean == pytest.approx(3.0)
    assert [(g.label, g.answered, g.mean) for g in rating.by_group] == [
        ("Government", 1, 5.0),
        ("Civil society", 2, 2.0),
    ]
    assert nps.nps == pytest.approx(100 / 3 - 200 / 3)
    assert [g.nps for g in nps.by_group] == [pytest.approx(100.0), pytest.approx(-100.0)]
    assert [row.name for row in results.not_answered] == ["Cso 2", "Gov 1"]
    assert results.not_answered_count == 2


def test_those_who_have_not_answered_are_counted_and_listed_a_page_at_a_time(
    client,
    db,
    monkeypatch,
    organiser_setup,
    login_as,
    make_survey,
    make_participant,
    count_queries,
):
    """The results page shows how many have not answered and one page of their names, with
    links to the others, in the same statements whatever their number; the PDF gives only
    the number."""
    monkeypatch.setattr("meetapp.surveys.results.MISSING_PER_PAGE", 2)
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting)
    login_as(organiser)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"
    answered = make_participant(meeting, name="Has Answered").id
    add_responses(db, survey.id, [answered], {"q1": "agree", "q2": 4})
    for n in range(3):
        make_participant(meeting, name=f"Silent {n}")
    client.get(f"{base}/results")
    with count_queries() as few:
        page = client.get(f"{base}/results").get_data(as_text=True)
    assert "Not answered (3)" in page
    assert "Silent 0" in page
    assert "Silent 1" in page
    assert "Silent 2" not in page
    assert "1 of 2" in page
    assert f"{base}/results?missing_page=2#not-answered" in page

    for n in range(3, 30):
        make_participant(meeting, name=f"Silent {n:02d}")
    with count_queries() as many:
        page = client.get(f"{base}/results?missing_page=2").get_data(as_text=True)
    assert "Not answered (30)" in page
    assert "2 of 15" in page
    assert page.count("Silent ") == 2
    assert many.count == few.count, many.statements
    # A page past the last shows the last.
    assert "15 of 15" in client.get(f"{base}/results?missing_page=99").get_data(as_text=True)

    pdf = client.get(f"{base}/results.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.get_data())).pages)
    assert "30 of those asked have not answered" in text
    assert "Silent" not in text
    assert client.get(f"{base}/results.json").get_json()["not_answered"] == 30


def test_anonymous_results_have_no_names(
    client, db, organiser_setup, login_as, make_survey, make_participant
):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting, anonymous=True)
    make_participant(meeting, name="Visible Person")
    add_responses(db, survey.id, [None, None], {"q1": "agree", "q2": 3})
    login_as(organiser)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"
    page = client.get(f"{base}/results").get_data(as_text=True)
    assert "Not answered" not in page
    assert "Visible Person" not in page
    header = client.get(f"{base}/responses.csv").get_data(as_text=True).splitlines()[0]
    assert "E-mail" not in header
    assert client.get(f"{base}/results.json").get_json()["responses"] == 2


def test_user_text_is_escaped_and_defused_in_exports(
    client, db, organiser_setup, login_as, make_survey, make_participant
):
    organiser, meeting = organiser_setup()
    survey = make_survey(
        meeting,
        questions=[
            QuestionData("<b>Bold?</b>", "single", options=["<script>x</script>", "=1+1"]),
            QuestionData("Say", "text"),
        ],
    )
    person = make_participant(meeting, name="=cmd|' /C calc'!A0")
    add_responses(db, survey.id, [person.id], {"q1": "=1+1", "q2": "@SUM(A1)"})
    login_as(organiser)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"
    page = client.get(f"{base}/results").get_data(as_text=True)
    assert "<script>x" not in page
    assert "&lt;b&gt;Bold?&lt;/b&gt;" in page
    rows = list(csv.reader(io.StringIO(client.get(f"{base}/responses.csv").get_data(as_text=True))))
    assert rows[1][3].startswith("'=")
    assert rows[1][7] == "'=1+1"
    assert rows[1][8] == "'@SUM(A1)"
    reader = PdfReader(io.BytesIO(client.get(f"{base}/results.pdf").get_data()))
    assert "<b>Bold?</b>" in reader.pages[0].extract_text()


def test_no_highlights_without_answers(db, organiser_setup, make_survey):
    _organiser, meeting = organiser_setup()
    assert survey_highlights(meeting) is None
    make_survey(meeting)
    assert survey_highlights(meeting) is None


def test_participant_rows_survive_in_results_after_import(db, demo):
    # Imported tracked responses point at the imported participants.
    _organiser, slug, _key = demo
    linked = db.session.scalars(
        select(Participant.email)
        .join(SurveyResponse, SurveyResponse.participant_id == Participant.id)
        .order_by(SurveyResponse.id)
    ).all()
    assert linked == [r["participant"] for r in DEMO["surveys"][0]["responses"]]


def test_invitations_after_an_import_count_the_imported_answers_too(db, demo, invite_people):
    _organiser, slug, key = demo
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
    answered = select(SurveyResponse.participant_id)
    one_who_answered = db.session.scalar(select(Participant).where(Participant.id.in_(answered)))
    one_who_did_not = db.session.scalar(
        select(Participant).where(Participant.id.not_in(answered), Participant.attended)
    )
    survey = get_survey(meeting, key)
    invite_people(survey, [one_who_answered, one_who_did_not])
    results = survey_results(get_survey(meeting, key), missing_page=1)
    assert (results.responses, results.audience) == (38, 39)
    assert results.rate == pytest.approx(100 * 38 / 39)
    assert [row.email for row in results.not_answered] == [one_who_did_not.email]


def test_group_percentages_of_a_multiple_question_are_of_those_who_answered_it(
    db, organiser_setup, make_survey, make_participant
):
    """Overall and per group alike, a multiple question's percentages are of the respondents
    who answered that question, not of every respondent."""
    _organiser, meeting = organiser_setup()
    survey = make_survey(
        meeting,
        questions=[
            QuestionData("Topics?", "multiple", options=["Fees", "Hiring", "Training"]),
            QuestionData("Rate it", "rating"),
        ],
    )
    cso = [make_participant(meeting, group_key="cso").id for _ in range(4)]
    add_responses(db, survey.id, cso[:1], {"q1": ["Fees", "Hiring"], "q2": 4})
    add_responses(db, survey.id, cso[1:2], {"q1": ["Fees"], "q2": 2})
    add_responses(db, survey.id, cso[2:], {"q2": 3})  # two who left the topics unanswered

    [topics, _rating] = survey_results(get_survey(meeting, survey.key)).questions
    overall = {option.value: option.percent for option in topics.options}
    assert topics.answered == 2
    assert overall == {"fees": 100.0, "hiring": 50.0, "training": 0.0}
    [group] = topics.by_group
    assert (group.label, group.answered) == ("Civil society", 2)
    assert {option.value: option.percent for option in group.options} == overall


@pytest.mark.parametrize("registered", [0, 2])
def test_no_response_rate_without_a_real_denominator(
    client, db, organiser_setup, login_as, make_survey, make_participant, registered
):
    """Responses brought in by an import, nobody invited, and no participants (or fewer than
    the responses) to count them against: the number of responses, and no rate."""
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting, anonymous=True)
    for _ in range(registered):
        make_participant(meeting)
    add_responses(db, survey.id, [None, None, None], {"q1": "agree", "q2": 3})

    results = survey_results(get_survey(meeting, survey.key))
    assert (results.responses, results.audience, results.rate) == (3, 0, None)

    login_as(organiser)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"
    page = client.get(f"{base}/results").get_data(as_text=True)
    assert '<div class="stat">—</div><div class="text-muted small">response rate' in page
    assert "No response rate" in page
    summary = client.get(f"{base}/results.json").get_json()
    assert (summary["responses"], summary["audience"], summary["response_rate"]) == (3, None, None)
    reader = PdfReader(io.BytesIO(client.get(f"{base}/results.pdf").get_data()))
    pdf_text = reader.pages[0].extract_text()
    assert "3 responses." in pdf_text
    assert "response rate" not in pdf_text
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}/responses.xlsx").get_data()))
    assert workbook["Summary"]["A2"].value == "Responses: 3"


def test_each_chart_has_one_title_and_its_figures_as_text(
    client, db, organiser_setup, login_as, make_survey, make_participant
):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting, questions=[QuestionData("Would you come again?", "yes_no")])
    people = [make_participant(meeting).id for _ in range(4)]
    add_responses(db, survey.id, people[:3], {"q1": "yes"})
    add_responses(db, survey.id, people[3:], {"q1": "no"})
    login_as(organiser)
    page = client.get(f"/meetings/{meeting.slug}/surveys/{survey.key}/results")
    [chart] = re.findall(r"<svg.*?</svg>", page.get_data(as_text=True), re.S)
    # The chart's accessible name once (not once per bar), then its figures.
    assert re.findall(r"<title>(.*?)</title>", chart) == ["Would you come again?"]
    assert re.findall(r"<desc>(.*?)</desc>", chart, re.S) == ["Yes: 3 (75%); No: 1 (25%)"]
    assert chart.index("<title>") < chart.index("<desc>") < chart.index("<text")


def answer_through_links(client, make_participant, invite_people, meeting, survey, texts):
    """Each text answered (as the comment) through a new participant's link, in this order."""
    people = [make_participant(meeting) for _ in texts]
    for token, text in zip(invite_people(survey, people), texts, strict=True):
        data = good_answers(**{"q-q7": text})
        assert client.post(f"/s/{token}", data=data).status_code == 302


def test_anonymous_responses_keep_days_only_and_are_listed_by_content(
    client, new_client, db, organiser_setup, login_as, make_survey, make_participant, invite_people
):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting, anonymous=True, batch_size=3)
    given = ["Charlie was here", "Alpha came first", "Bravo in between"]
    answer_through_links(new_client(), make_participant, invite_people, meeting, survey, given)

    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    db.session.rollback()
    stored = db.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()
    assert {response.submitted_at for response in stored} == {midnight}

    login_as(organiser)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"
    rows = list(csv.reader(io.StringIO(client.get(f"{base}/responses.csv").get_data(True))))
    assert rows[0][:3] == ["\ufeffResponse", "Published on (UTC)", "Change published on (UTC)"]
    day = midnight.date().isoformat()
    assert [row[:3] for row in rows[1:]] == [["1", day, ""], ["2", day, ""], ["3", day, ""]]
    assert [row[-1] for row in rows[1:]] == sorted(given)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}/responses.xlsx").get_data()))
    assert [row[-1] for row in sheet["Responses"].values][1:] == sorted(given)
    # The free-text answers on the page (and in the PDF) too.
    page = client.get(f"{base}/results").get_data(as_text=True)
    positions = [page.index(text) for text in sorted(given)]
    assert positions == sorted(positions)


def test_tracked_responses_keep_their_times_and_order(
    client, new_client, db, organiser_setup, login_as, make_survey, make_participant, invite_people
):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting)
    given = ["Charlie was here", "Alpha came first", "Bravo in between"]
    answer_through_links(new_client(), make_participant, invite_people, meeting, survey, given)
    login_as(organiser)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"
    rows = list(csv.reader(io.StringIO(client.get(f"{base}/responses.csv").get_data(True))))
    assert rows[0][:3] == ["\ufeffResponse", "Submitted at", "Changed at"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row[1]) for row in rows[1:])
    assert [row[-1] for row in rows[1:]] == given
    page = client.get(f"{base}/results").get_data(as_text=True)
    positions = [page.index(text) for text in given]
    assert positions == sorted(positions)
