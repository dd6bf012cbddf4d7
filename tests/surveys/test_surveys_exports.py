"""Response exports (CSV, XLSX) at size: streamed, in the same queries whatever the number of
responses, and an anonymous survey's responses in the order of their answers however many
there are."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from meetapp import exports
from tests.surveys.test_surveys_results import add_responses

ANSWERS = [
    {"q1": "agree", "q2": 4, "q3": 9, "q4": "Morning", "q5": ["Fees"], "q7": "Good"},
    {"q1": "disagree", "q2": 1, "q3": 0, "q4": "Afternoon", "q5": ["Fees", "Training"]},
    {"q1": "strongly_agree", "q2": 5, "q3": 10, "q6": "no", "q7": "=1+2"},
]


def _rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_response_exports_run_the_same_queries_whatever_the_number_of_responses(
    client, db, organiser_setup, login_as, make_survey, make_participant, count_queries, fmt
):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting)
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/responses.{fmt}"
    counts = []
    for people in (2, 60):
        for n in range(people):
            person = make_participant(meeting, group_key="cso")
            add_responses(db, survey.id, [person.id], ANSWERS[n % len(ANSWERS)])
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_a_tracked_survey_exports_each_response_with_its_answers_streamed(
    client, db, organiser_setup, login_as, make_survey, make_participant
):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting)
    people = [make_participant(meeting, name=f"Person {n:03d}") for n in range(300)]
    for n, person in enumerate(people):
        add_responses(db, survey.id, [person.id], ANSWERS[n % len(ANSWERS)])
    login_as(organiser)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"

    response = client.get(f"{base}/responses.csv", buffered=False)
    assert response.is_streamed
    assert response.headers["Cache-Control"] == "private, no-store"
    body = b"".join(response.response)
    response.close()
    rows = _rows(body)
    assert len(rows) == 301
    assert [row[3] for row in rows[1:]] == [person.name for person in people]
    # Several choices joined; numbers (0 too) as text; a formula neutralised.
    # The language column (empty: not recorded for these), then the answers, choices labelled.
    assert rows[0][6] == "Language"
    assert rows[2][6:13] == ["", "Disagree", "1", "0", "Afternoon", "Fees; Training", ""]
    assert rows[3][-1] == "'=1+2"

    response = client.get(f"{base}/responses.xlsx", buffered=False)
    assert response.is_streamed
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.response)))
    response.close()
    assert workbook.sheetnames == ["Responses", "Summary"]
    cells = list(workbook["Responses"].iter_rows(values_only=True))
    assert len(cells) == 301
    assert cells[3][-1] == "=1+2"
    assert workbook["Summary"].cell(2, 1).value == "Responses: 300 of 300"


def test_an_anonymous_survey_sorted_on_disk_exports_in_the_same_order(
    client, db, organiser_setup, login_as, make_survey, monkeypatch
):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting, anonymous=True)
    for n in range(25):
        add_responses(db, survey.id, [None], ANSWERS[(n * 7) % len(ANSWERS)] | {"q2": n % 5 + 1})
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/responses.csv"

    in_memory = client.get(url).get_data()
    monkeypatch.setattr(exports, "SORT_RUN", 2)
    on_disk = client.get(url).get_data()

    assert on_disk == in_memory
    rows = _rows(in_memory)
    assert len(rows) == 26
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(1, 26)]
    body = [row[1:] for row in rows[1:]]
    assert body == sorted(body, key=lambda row: (row[2:], row[:2]))
