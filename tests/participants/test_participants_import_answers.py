"""CSV import of registration answers: a column per question, read as the exports write them,
checked by the registration form's rules, refused line by line, written in bulk."""

from __future__ import annotations

import csv
import io

import pytest

from meetapp.participants.answers import meeting_questions
from meetapp.registration.questions import answer_counts, answers_of, remove_question
from tests.participants.test_participants_import import confirm, problems, upload


@pytest.fixture
def asked(setup):
    visit = setup.question(
        "single_choice", "Field visit", options=(("Port", 2), "Farm"), groups=("government",)
    )
    meals = setup.question("multiple_choice", "Meals", options=("Lunch", "Dinner, with wine"))
    hotel = setup.question("yes_no", "Hotel needed")
    arrival = setup.question("date", "Arrival", required=True)
    passport = setup.question("country", "Passport")
    return visit, meals, hotel, arrival, passport


def answers_by_email(setup):
    people = setup.participants()
    found = answers_of(person.id for person in people)
    return {person.email: found.get(person.id, {}) for person in people}


def test_answers_are_read_by_label_or_key_and_written_with_the_people(setup, asked):
    visit, meals, hotel, arrival, passport = asked
    text = "\n".join(
        [
            "name,email,stakeholder_group,field visit,Meals,hotel-needed,ARRIVAL,passport",
            "Ana,ana@example.org,government,Port,Lunch; Dinner, with wine,yes,2019-02-17,KH",
            'Bo,bo@example.org,cso,,"dinner-with-wine",No,2019-02-18,Cambodia',
            "Cy,cy@example.org,,,,,2019-02-19,",
        ]
    )
    html = upload(setup, text).get_data(as_text=True)
    assert 'id="import-problems"' in html  # the unquoted comma splits Ana's line
    text = text.replace("Lunch; Dinner, with wine", '"lunch;Dinner, with wine"')
    html = upload(setup, text).get_data(as_text=True)
    assert 'id="import-problems"' not in html, problems(html)
    assert "Answers are read for: Field visit, Meals, Hotel needed, Arrival, Passport" in html

    response = confirm(setup, text)
    assert response.status_code == 302
    assert answers_by_email(setup) == {
        "ana@example.org": {
            visit.id: ["port"],
            meals.id: ["lunch", "dinner-with-wine"],
            hotel.id: ["yes"],
            arrival.id: "2019-02-17",
            passport.id: "KH",
        },
        "bo@example.org": {
            meals.id: ["dinner-with-wine"],
            hotel.id: ["no"],
            arrival.id: "2019-02-18",
            passport.id: "KH",
        },
        "cy@example.org": {arrival.id: "2019-02-19"},
    }


def test_every_bad_answer_is_listed_by_line_and_nothing_is_written(setup, asked):
    setup.client.set_cookie("lang", "km")  # the problems stay in the organiser pages' English
    text = "\n".join(
        [
            "name,email,stakeholder_group,Field visit,Meals,Hotel needed,Arrival",
            "Ana,ana@example.org,government,Boat,Lunch;Breakfast,maybe,17 February",
            "Bo,bo@example.org,cso,Port,,,2019-02-18",
            "Cy,cy@example.org,,,,,",
            "Dee,dee@example.org,government,Port;Farm,,,2019-02-18",
        ]
    )
    html = upload(setup, text).get_data(as_text=True)
    found = problems(html)
    assert "Field visit: “Boat” is not one of the options (Port, Farm)" in found[2]
    assert "Meals: “Breakfast” is not one of the options (Lunch, Dinner, with wine)" in found[2]
    assert "Hotel needed: “maybe” is not one of the options (Yes, No)" in found[2]
    assert "Arrival: Enter a date as year-month-day, such as 2019-02-21." in found[2]
    assert found[3].endswith("bo@example.org Field visit: asked only of Government; leave it empty")
    assert found[4].endswith("cy@example.org Arrival: Answer this question.")
    assert found[5].endswith("dee@example.org Field visit: Choose one of the options.")
    assert "Import these participants" not in html
    assert confirm(setup, text).status_code == 200
    assert setup.participants() == []


def test_a_required_question_without_a_column_is_not_asked(setup, asked):
    text = "name,email\nAna,ana@example.org"
    assert confirm(setup, text).status_code == 302
    assert answers_by_email(setup) == {"ana@example.org": {}}


def test_an_option_takes_no_more_people_than_its_places_left(setup, asked, make_participant):
    visit, *_rest = asked
    holder = make_participant(setup.meeting, group_key="government")
    setup.answer(holder, visit, ["port"])
    gone = make_participant(setup.meeting, group_key="government", status="cancelled")
    setup.answer(gone, visit, ["port"])  # a cancelled registration holds no place
    text = "\n".join(
        [
            "name,email,stakeholder_group,status,Field visit",
            "Ana,ana@example.org,government,cancelled,Port",
            "Bo,bo@example.org,government,,Port",
            "Cy,cy@example.org,government,,Port",
            "Dee,dee@example.org,government,,Farm",
        ]
    )
    html = upload(setup, text).get_data(as_text=True)
    assert problems(html) == {
        4: "4 Cy cy@example.org Field visit: “Port” has no places left (2 places)"
    }
    assert confirm(setup, text).status_code == 200
    assert len(setup.participants()) == 2

    lines = text.splitlines()
    del lines[3]
    assert confirm(setup, "\n".join(lines)).status_code == 302
    assert answer_counts([visit.id])[visit.id] == {"port": 2, "farm": 1}


def test_a_removed_questions_column_refuses_the_file(setup, asked, make_participant):
    _visit, meals, *_rest = asked
    setup.answer(make_participant(setup.meeting), meals, ["lunch"])
    remove_question(meals)
    setup.db.session.commit()
    for header in ("Meals", "meals (archived)"):
        response = upload(setup, f"name,email,{header}\nAna,ana@example.org,Lunch")
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "holds the answers to a removed question" in html
    response = upload(setup, "name,email,Meals,meals\nAna,ana@example.org,,")
    assert "Repeated column(s) in the header: Meals" in response.get_data(as_text=True)


def test_an_unknown_column_names_the_questions(setup, asked):
    html = upload(setup, "name,email,Dessert\nAna,ana@example.org,Cake").get_data(as_text=True)
    assert "and the key or the wording of each registration question" in html
    page = setup.client.get(f"{setup.base}/participants/import").get_data(as_text=True)
    assert "field-visit, meals, hotel-needed, arrival, passport" in page


def test_a_file_with_answers_goes_in_as_two_bulk_statements(setup, asked, count_queries):
    _visit, meals, hotel, arrival, _passport = asked
    lines = ["name,email,Meals,Hotel needed,Arrival"]
    lines += [
        f'Person {n},person{n}@example.org,"Lunch;Dinner, with wine",yes,2019-02-{10 + n % 9}'
        for n in range(300)
    ]
    with count_queries() as counter:
        response = confirm(setup, "\n".join(lines))
    assert response.status_code == 302
    inserts = [s for s in counter.statements if s.lstrip().upper().startswith("INSERT")]
    assert [s.split("(", 1)[0].split()[-1] for s in inserts] == [
        "participants",
        "registration_answers",
    ]
    found = answers_by_email(setup)
    assert len(found) == 300
    assert found["person7@example.org"] == {
        meals.id: ["lunch", "dinner-with-wine"],
        hotel.id: ["yes"],
        arrival.id: "2019-02-17",
    }


def test_an_export_imports_into_a_meeting_with_the_same_questions(
    setup, asked, make_meeting, make_participant
):
    visit, meals, hotel, arrival, passport = asked
    person = make_participant(
        setup.meeting, email="ana@example.org", group_key="government", country="KH"
    )
    setup.answer(person, visit, ["port"])
    setup.answer(person, meals, ["lunch", "dinner-with-wine"])
    setup.answer(person, hotel, ["no"])
    setup.answer(person, arrival, "2019-02-17")
    setup.answer(person, passport, "JP")
    body = setup.client.get(f"{setup.base}/participants.csv").get_data().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body)))[1][12:] == [
        "Port",
        "Lunch; Dinner, with wine",
        "No",
        "2019-02-17",
        "Japan",
    ]

    copy = make_meeting(organisers=[setup.organiser], slug="mekong-2020")
    again = type(setup)(setup.db, copy, setup.organiser, setup.client)
    for question in asked:
        again.question(
            question.kind,
            question.label,
            options=tuple(option["label"] for option in question.options),
            groups=("government",) if question.id == visit.id else (),
        )
    response = confirm(again, body)
    assert response.status_code == 302, problems(response.get_data(as_text=True))
    (imported,) = again.participants()
    setup.db.session.rollback()
    keyed = {question.key: answer for question, answer in _by_question(again, imported.id).items()}
    assert keyed == {
        "field-visit": ["port"],
        "meals": ["lunch", "dinner-with-wine"],
        "hotel-needed": ["no"],
        "arrival": "2019-02-17",
        "passport": "JP",
    }


def _by_question(setup, participant_id):
    questions = {question.id: question for question in meeting_questions(setup.meeting.id)}
    return {
        questions[qid]: answer
        for qid, answer in answers_of([participant_id])[participant_id].items()
    }
