"""Registration answers in the organiser's screens: the add/edit form, the participant's page,
the list's filter by answer, the check-in desk and the exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import insert, select

from meetapp.database import utcnow
from meetapp.models import Participant
from meetapp.models.questions import RegistrationAnswer
from meetapp.participants import exports as participant_exports
from meetapp.participants.answers import desk_answers
from meetapp.registration.questions import answers_of, remove_question
from tests.documents.test_prepared_documents import DOWNLOAD, documents


def valid_form(**changes):
    data = {
        "name": "Sokha Chan",
        "email": "sokha@example.org",
        "stakeholder_group": "",
        "country": "KH",
        "languages": ["km"],
    }
    data.update(changes)
    return data


def stored(setup, participant_id):
    setup.db.session.rollback()
    return answers_of([participant_id])[participant_id]


def rows(html):
    return re.findall(r'<tr id="p(\d+)"', html)


@pytest.fixture
def asked(setup):
    """A single choice with limited places (government only), a multiple choice, a yes/no, a
    date and a short text."""
    visit = setup.question(
        "single_choice", "Field visit", options=(("Port", 1), "Farm"), groups=("government",)
    )
    meals = setup.question("multiple_choice", "Meals", options=("Lunch", "Dinner, with wine"))
    hotel = setup.question("yes_no", "Hotel needed", show_at_desk=True)
    arrival = setup.question("date", "Arrival")
    note = setup.question("short_text", "Note", show_at_desk=True)
    return visit, meals, hotel, arrival, note


# --- the organiser's form -------------------------------------------------------------------


def test_the_add_form_asks_the_questions_and_stores_the_answers(setup, asked):
    visit, meals, hotel, arrival, note = asked
    html = setup.client.get(f"{setup.base}/participants/new").get_data(as_text=True)
    for question in asked:
        assert f'name="question_{question.id}"' in html
    assert f'data-groups="{setup.group_id("government")}"' in html
    assert "js/questions.js" in html
    assert "Port (1 places left)" in html

    response = setup.client.post(
        f"{setup.base}/participants/new",
        data=valid_form(
            stakeholder_group=str(setup.group_id("government")),
            **{
                f"question_{visit.id}": "port",
                f"question_{meals.id}": ["lunch", "dinner-with-wine"],
                f"question_{hotel.id}": "yes",
                f"question_{arrival.id}": "2019-02-17",
                f"question_{note.id}": "Arrives late",
            },
        ),
    )
    assert response.status_code == 302
    (person,) = setup.participants()
    assert stored(setup, person.id) == {
        visit.id: ["port"],
        meals.id: ["lunch", "dinner-with-wine"],
        hotel.id: ["yes"],
        arrival.id: "2019-02-17",
        note.id: "Arrives late",
    }


def test_the_add_form_refuses_a_bad_answer_beside_its_field(setup, asked):
    visit, _meals, _hotel, arrival, _note = asked
    response = setup.client.post(
        f"{setup.base}/participants/new",
        data=valid_form(**{f"question_{arrival.id}": "17 February"}),
    )
    html = response.get_data(as_text=True)
    assert "Enter a date as year-month-day" in html
    assert setup.participants() == []

    # The last place of "Port" is taken: a second person cannot have it.
    government = str(setup.group_id("government"))
    first = setup.client.post(
        f"{setup.base}/participants/new",
        data=valid_form(stakeholder_group=government, **{f"question_{visit.id}": "port"}),
    )
    assert first.status_code == 302
    second = setup.client.post(
        f"{setup.base}/participants/new",
        data=valid_form(
            email="dara@example.org",
            stakeholder_group=government,
            **{f"question_{visit.id}": "port"},
        ),
    )
    assert "“Port” has no places left" in second.get_data(as_text=True)
    assert len(setup.participants()) == 1


def test_the_edit_form_shows_and_changes_the_stored_answers(setup, asked, make_participant):
    visit, meals, hotel, _arrival, note = asked
    person = make_participant(setup.meeting, group_key="government", email="sokha@example.org")
    setup.answer(person, visit, ["port"])
    setup.answer(person, meals, ["dinner-with-wine"])
    setup.answer(person, note, "Vegan")
    url = f"{setup.base}/participants/{person.id}/edit"
    html = setup.client.get(url).get_data(as_text=True)
    assert re.search(r'value="port"[^>]*checked|checked[^>]*value="port"', html)
    assert re.search(
        r'value="dinner-with-wine"[^>]*checked|checked[^>]*value="dinner-with-wine"', html
    )
    assert 'value="Vegan"' in html
    # Their own place on "Port" stays theirs although none is left.
    assert "Port (full)" not in html

    response = setup.client.post(
        url,
        data=valid_form(
            stakeholder_group=str(setup.group_id("government")),
            **{
                f"question_{visit.id}": "port",
                f"question_{meals.id}": ["lunch"],
                f"question_{hotel.id}": "no",
            },
        ),
    )
    assert response.status_code == 302
    assert stored(setup, person.id) == {visit.id: ["port"], meals.id: ["lunch"], hotel.id: ["no"]}


def test_answers_to_a_removed_question_are_shown_read_only_and_kept(setup, asked, make_participant):
    _visit, meals, _hotel, _arrival, note = asked
    person = make_participant(setup.meeting, email="sokha@example.org")
    setup.answer(person, meals, ["lunch", "dinner-with-wine"])
    setup.answer(person, note, "Vegan")
    assert remove_question(meals) is True
    setup.db.session.commit()

    url = f"{setup.base}/participants/{person.id}/edit"
    html = setup.client.get(url).get_data(as_text=True)
    assert f'name="question_{meals.id}"' not in html
    section = html.split('id="archived-answers"', 1)[1].split("</section>", 1)[0]
    assert "<dt>Meals</dt>" in section
    assert "Lunch, Dinner, with wine" in section
    assert "Vegan" not in section  # still on the form, so in the form

    assert setup.client.post(url, data=valid_form()).status_code == 302
    assert stored(setup, person.id) == {meals.id: ["lunch", "dinner-with-wine"]}


def test_a_participant_page_without_answers_has_no_archived_section(setup, make_participant):
    person = make_participant(setup.meeting)
    html = setup.client.get(f"{setup.base}/participants/{person.id}/edit").get_data(as_text=True)
    assert 'id="archived-answers"' not in html
    assert "Registration questions" not in html


# --- the list -------------------------------------------------------------------------------


def test_the_list_filters_by_an_answer_and_shows_it(setup, asked, make_participant):
    visit, meals, hotel, _arrival, note = asked
    ana = make_participant(setup.meeting, name="Ana", group_key="government")
    bo = make_participant(setup.meeting, name="Bo")
    cy = make_participant(setup.meeting, name="Cy")
    setup.answer(ana, visit, ["port"])
    setup.answer(ana, meals, ["lunch", "dinner-with-wine"])
    setup.answer(bo, meals, ["lunch"])
    setup.answer(bo, hotel, ["no"])
    setup.answer(cy, hotel, ["yes"])
    setup.answer(cy, note, "Late")

    html = setup.client.get(f"{setup.base}/participants").get_data(as_text=True)
    assert '<select class="form-select" id="answer" name="answer">' in html
    assert '<optgroup label="Meals">' in html
    assert f'value="{meals.id}:dinner-with-wine">Dinner, with wine</option>' in html
    assert f'value="{hotel.id}:yes">Yes</option>' in html
    assert f'value="{note.id}:*">Answered</option>' in html
    assert 'id="answer-column"' not in html

    def listed(value):
        page = setup.client.get(f"{setup.base}/participants", query_string={"answer": value})
        assert page.status_code == 200
        return page.get_data(as_text=True)

    html = listed(f"{meals.id}:lunch")
    assert rows(html) == [str(ana.id), str(bo.id)]
    assert '<th scope="col" id="answer-column">Meals</th>' in html
    assert ">Lunch, Dinner, with wine</td>" in html
    assert "2 participants match the filters" in html
    assert rows(listed(f"{meals.id}:dinner-with-wine")) == [str(ana.id)]
    assert rows(listed(f"{hotel.id}:yes")) == [str(cy.id)]
    assert rows(listed(f"{hotel.id}:*")) == [str(bo.id), str(cy.id)]
    assert rows(listed(f"{note.id}:*")) == [str(cy.id)]
    assert ">Late</td>" in listed(f"{note.id}:*")
    # With the other filters.
    page = setup.client.get(
        f"{setup.base}/participants", query_string={"answer": f"{meals.id}:*", "q": "bo"}
    )
    assert rows(page.get_data(as_text=True)) == [str(bo.id)]
    # An option the question lacks, or nonsense: ignored, and said.
    for bad in (f"{meals.id}:breakfast", "nonsense", f"{meals.id}", ":*"):
        html = listed(bad)
        assert len(rows(html)) == 3, bad
        assert "Not a valid choice" in html


def test_the_answer_filter_names_only_the_meetings_questions(
    setup, asked, make_meeting, make_participant
):
    other = make_meeting(organisers=[setup.organiser], slug="other-meeting")
    elsewhere = type(setup)(setup.db, other, setup.organiser, setup.client)
    theirs = elsewhere.question("yes_no", "Other question")
    person = make_participant(other)
    elsewhere.answer(person, theirs, ["yes"])
    mine = make_participant(setup.meeting)
    html = setup.client.get(
        f"{setup.base}/participants", query_string={"answer": f"{theirs.id}:yes"}
    ).get_data(as_text=True)
    assert "Other question" not in html
    assert rows(html) == [str(mine.id)]
    assert "Not a valid choice" in html


def test_archived_questions_stay_in_the_answer_filter(setup, asked, make_participant):
    _visit, meals, *_rest = asked
    person = make_participant(setup.meeting)
    make_participant(setup.meeting)
    setup.answer(person, meals, ["lunch"])
    remove_question(meals)
    setup.db.session.commit()
    html = setup.client.get(
        f"{setup.base}/participants", query_string={"answer": f"{meals.id}:lunch"}
    ).get_data(as_text=True)
    assert '<optgroup label="Meals (archived)">' in html
    assert rows(html) == [str(person.id)]


def _list_queries(setup, count_queries, query):
    with count_queries() as counter:
        response = setup.client.get(f"{setup.base}/participants", query_string=query)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


def test_the_list_filtered_by_an_answer_runs_a_fixed_number_of_queries(setup, asked, count_queries):
    _visit, meals, *_rest = asked
    setup.bulk(6)
    _answer_all(setup, meals.id)
    few, _html = _list_queries(setup, count_queries, {"answer": f"{meals.id}:lunch"})
    plain_few, _html = _list_queries(setup, count_queries, {})

    _bulk_more(setup, 3000)
    _answer_all(setup, meals.id)
    many, html = _list_queries(setup, count_queries, {"answer": f"{meals.id}:lunch"})
    assert len(rows(html)) == 50
    assert html.count(">Lunch</td>") == 50
    plain_many, _html = _list_queries(setup, count_queries, {})
    assert (many, plain_many) == (few, plain_few)
    # The filter's question and the page's answers: one query each.
    assert many == plain_many + 1


def _answer_all(setup, question_id):
    """Everyone of the meeting without an answer chooses "Lunch"."""
    setup.db.session.rollback()
    answered = select(RegistrationAnswer.participant_id).where(
        RegistrationAnswer.question_id == question_id
    )
    ids = setup.db.session.scalars(
        select(Participant.id).where(
            Participant.meeting_id == setup.meeting.id, Participant.id.not_in(answered)
        )
    ).all()
    setup.db.session.execute(
        insert(RegistrationAnswer),
        [{"participant_id": pid, "question_id": question_id, "option_key": "lunch"} for pid in ids],
    )
    setup.db.session.commit()


# --- the check-in desk ----------------------------------------------------------------------


def test_the_desk_shows_the_answers_marked_for_it(setup, asked, make_participant):
    visit, meals, hotel, _arrival, note = asked
    person = make_participant(setup.meeting, name="Sokha Chan", needs="Wheelchair")
    other = make_participant(setup.meeting, name="Sokha Lim")
    setup.answer(person, hotel, ["yes"])
    setup.answer(person, note, "Brings a poster")
    setup.answer(person, meals, ["lunch"])  # not shown at the desk
    setup.answer(other, hotel, ["no"])
    html = setup.client.get(f"{setup.base}/checkin?q=sokha").get_data(as_text=True)
    row = html.split(f'id="p{person.id}"', 1)[1].split("</li>", 1)[0]
    assert "Wheelchair" in row
    answers = re.findall(r'class="small checkin-answer text-break">(.*?)</div>', row)
    assert [re.sub(r"<[^>]+>", "", answer) for answer in answers] == [
        "Hotel needed: Yes",
        "Note: Brings a poster",
    ]
    assert "Lunch" not in row
    other_row = html.split(f'id="p{other.id}"', 1)[1].split("</li>", 1)[0]
    assert "Hotel needed:</span> No" in other_row
    # The type-ahead's fragment too.
    fragment = setup.client.get(f"{setup.base}/checkin/search?q=sokha").get_data(as_text=True)
    assert "Brings a poster" in fragment

    # A question taken off the form leaves the desk.
    remove_question(note)
    setup.db.session.commit()
    assert "Brings a poster" not in setup.client.get(f"{setup.base}/checkin?q=sokha").get_data(
        as_text=True
    )
    assert visit.id not in {q for q, _t in desk_answers([person.id]).get(person.id, [])}


def test_the_desk_fetches_the_answers_in_one_query(setup, asked, count_queries):
    _visit, _meals, hotel, *_rest = asked

    def desk(q):
        with count_queries() as counter:
            response = setup.client.get(f"{setup.base}/checkin/search?q={q}")
        assert response.status_code == 200
        return counter.count, response.get_data(as_text=True)

    setup.bulk(40)
    setup.db.session.execute(
        insert(RegistrationAnswer),
        [
            {"participant_id": person.id, "question_id": hotel.id, "option_key": "yes"}
            for person in setup.participants()
        ],
    )
    setup.db.session.commit()
    one, html = desk("Person 00007")
    assert html.count("Hotel needed:") == 1
    many, html = desk("bulk")
    assert html.count("Hotel needed:") == 30
    assert one == many


# --- the exports ----------------------------------------------------------------------------


def _exported(setup, query=""):
    body = setup.client.get(f"{setup.base}/participants.csv{query}").get_data()
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_exports_have_a_column_per_question_archived_ones_marked(
    setup, asked, make_participant
):
    visit, meals, hotel, arrival, note = asked
    country = setup.question("country", "Passport")
    ana = make_participant(
        setup.meeting,
        name="Ana",
        group_key="government",
        registered_at=datetime(2019, 1, 1, tzinfo=UTC),
    )
    bo = make_participant(setup.meeting, name="Bo", registered_at=datetime(2019, 1, 2, tzinfo=UTC))
    setup.answer(ana, visit, ["port"])
    setup.answer(ana, meals, ["dinner-with-wine", "lunch"])
    setup.answer(ana, hotel, ["yes"])
    setup.answer(ana, arrival, "2019-02-17")
    setup.answer(ana, country, "KH")
    setup.answer(bo, note, "=1+2")
    setup.answer(bo, meals, ["lunch"])
    remove_question(meals)
    setup.db.session.commit()

    found = _exported(setup)
    header = found[0]
    assert header[12:] == [
        "Field visit",
        "Hotel needed",
        "Arrival",
        "Note",
        "Passport",
        "Meals (archived)",
    ]
    assert found[1][12:] == [
        "Port",
        "Yes",
        "2019-02-17",
        "",
        "Cambodia",
        "Lunch; Dinner, with wine",
    ]
    # A typed answer that a spreadsheet would run is neutralised like the other cells.
    assert found[2][12:] == ["", "", "", "'=1+2", "", "Lunch"]

    # Filtered by an answer, as the list is.
    filtered = _exported(setup, f"?answer={hotel.id}:yes")
    assert [row[0] for row in filtered[1:]] == ["Ana"]

    body = setup.client.get(f"{setup.base}/participants.xlsx").get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0][12:] == header[12:]
    assert cells[1][12:] == found[1][12:]
    assert cells[2][15] == "=1+2"  # text, never a formula
    assert sheet.cell(row=3, column=16).data_type == "s"


def test_the_exports_write_the_answers_in_the_meetings_first_language(
    setup, make_meeting, make_participant
):
    meeting = make_meeting(organisers=[setup.organiser], slug="khmer-first", languages=["km", "en"])
    khmer = type(setup)(setup.db, meeting, setup.organiser, setup.client)
    hotel = khmer.question("yes_no", "សណ្ឋាគារ")
    person = make_participant(meeting)
    khmer.answer(person, hotel, ["yes"])
    found = _exported(khmer)
    assert found[0][-1] == "សណ្ឋាគារ"
    assert found[1][-1] not in ("", "Yes", "yes")


def test_the_answers_are_fetched_a_chunk_at_a_time(setup, asked, monkeypatch, count_queries):
    _visit, meals, *_rest = asked
    setup.bulk(7)
    _answer_all(setup, meals.id)
    with count_queries() as counter:
        whole = _exported(setup)
    monkeypatch.setattr(participant_exports, "ANSWERS_CHUNK", 3)
    with count_queries() as chunked_counter:
        chunked = _exported(setup)
    assert chunked == whole
    column = whole[0].index("Meals")
    assert [row[column] for row in whole[1:]] == ["Lunch"] * 7
    answer_queries = [s for s in chunked_counter.statements if "registration_answers" in s]
    assert len(answer_queries) == 3  # 3 + 3 + 1 rows
    assert chunked_counter.count == counter.count + 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_with_questions_run_the_same_queries_whatever_the_number_of_rows(
    setup, asked, count_queries, fmt
):
    _visit, meals, *_rest = asked
    counts = []
    for more in (3, 600):
        setup.bulk(more, None) if not counts else _bulk_more(setup, more)
        _answer_all(setup, meals.id)
        with count_queries() as counter:
            response = setup.client.get(f"{setup.base}/participants.{fmt}")
            assert response.status_code == 200
            response.get_data()
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def _bulk_more(setup, count):
    setup.db.session.execute(
        insert(Participant),
        [
            {
                "meeting_id": setup.meeting.id,
                "name": f"More {n}",
                "email": f"more{n}@example.org",
                "email_normalized": f"more{n}@example.org",
                "registered_at": datetime(2019, 3, 1, tzinfo=UTC),
                "updated_at": utcnow(),
            }
            for n in range(count)
        ],
    )
    setup.db.session.commit()


def test_an_export_prepared_by_a_job_keeps_the_answer_filter_and_the_answers(
    app, setup, asked, make_participant, monkeypatch
):
    _visit, meals, hotel, *_rest = asked
    people = [make_participant(setup.meeting, name=f"P{n}") for n in range(4)]
    for person in people[:3]:
        setup.answer(person, meals, ["lunch"])
    setup.answer(people[0], hotel, ["yes"])
    url = f"{setup.base}/participants.csv?answer={meals.id}:lunch"
    direct = setup.client.get(url).get_data()

    monkeypatch.setitem(app.config, "EXPORTS_JOB_ROWS", 2)
    response = setup.client.get(url)
    assert response.status_code == 303
    prepare = f"{setup.base}/documents/participants-csv/prepare?answer={meals.id}:lunch"
    assert setup.client.post(prepare).status_code == 302
    (document,) = [d for d in documents(setup.db) if d.kind == "participants-csv"]
    assert (document.status, document.params) == ("ready", {"answer": f"{meals.id}:lunch"})
    prepared = setup.client.get(DOWNLOAD.format(slug=setup.meeting.slug, id=document.id))
    assert prepared.get_data() == direct
    found = list(csv.reader(io.StringIO(direct.decode("utf-8-sig"))))
    meals_column, hotel_column = found[0].index("Meals"), found[0].index("Hotel needed")
    assert [(row[0], row[meals_column], row[hotel_column]) for row in found[1:]] == [
        ("P0", "Lunch", "Yes"),
        ("P1", "Lunch", ""),
        ("P2", "Lunch", ""),
    ]
