"""The services behind the registration answers in the participant screens, called directly:
the filter's condition, the exports' cells, the import's reading of cells and its places."""

from __future__ import annotations

from meetapp.participants.answers import (
    ANSWERED,
    AnswerReader,
    ExportedAnswers,
    PlacesLeft,
    match_question,
)
from meetapp.participants.services import ParticipantFilter, filtered_query
from meetapp.registration.questions import form_questions


def test_the_answer_filter_is_an_exists_on_the_answers(setup, make_participant):
    meals = setup.question("multiple_choice", "Meals", options=("Lunch", "Dinner"))
    ana, bo, _cy = (make_participant(setup.meeting, name=name) for name in ("Ana", "Bo", "Cy"))
    setup.answer(ana, meals, ["lunch", "dinner"])
    setup.answer(bo, meals, ["dinner"])

    def names(key):
        query = filtered_query(setup.meeting, ParticipantFilter(answer=(meals.id, key)))
        return [p.name for p in setup.db.session.scalars(query)]

    assert names("lunch") == ["Ana"]
    assert names("dinner") == ["Ana", "Bo"]
    assert names(ANSWERED) == ["Ana", "Bo"]
    assert names("breakfast") == []
    sql = str(filtered_query(setup.meeting, ParticipantFilter(answer=(meals.id, "lunch"))))
    assert "EXISTS" in sql


def test_the_exports_cells_follow_the_questions_order_in_the_first_language(setup):
    meals = setup.question("multiple_choice", "Meals", options=("Lunch", "Dinner"))
    hotel = setup.question("yes_no", "Hotel")
    country = setup.question("country", "Passport")
    number = setup.question("number", "Nights")
    cells = ExportedAnswers(setup.meeting, [meals, hotel, country, number])
    assert cells.header() == ["Meals", "Hotel", "Passport", "Nights"]
    assert cells.cells(
        {meals.id: ["dinner", "lunch"], hotel.id: ["no"], country.id: "KH", number.id: "2.5"}
    ) == ["Lunch; Dinner", "No", "Cambodia", "2.5"]
    assert cells.cells({}) == ["", "", "", ""]


def test_the_import_reads_options_in_every_language_and_countries_by_name(setup):
    visit = setup.question("single_choice", "Field visit", options=("Port", "Farm"))
    visit.translations = {"km": {"label": "ទស្សនកិច្ច", "option:port": "កំពង់ផែ"}}
    country = setup.question("country", "Passport")
    setup.db.session.commit()
    questions = form_questions(setup.meeting.id)
    assert match_question("  FIELD VISIT ", questions).id == visit.id
    assert match_question("field-visit", questions).id == visit.id
    assert match_question("Field visits", questions) is None

    reader = AnswerReader(setup.meeting, questions)
    answers, problems = reader.read({visit.id: "កំពង់ផែ", country.id: "japan"}, None, {})
    assert (answers, problems) == ({visit.id: ["port"], country.id: "JP"}, [])
    answers, problems = reader.read({visit.id: "FARM", country.id: "jp"}, None, {})
    assert (answers, problems) == ({visit.id: ["farm"], country.id: "JP"}, [])
    answers, problems = reader.read({country.id: "Atlantis"}, None, {})
    assert answers == {}
    assert problems == ["Passport: Choose a country from the list."]


def test_places_are_taken_row_after_row_and_none_by_a_refused_row(setup):
    visit = setup.question("multiple_choice", "Visits", options=(("Port", 1), ("Farm", 2)))
    places = PlacesLeft([visit], {visit.id: {"farm": 1}})
    assert places.take({visit.id: ["farm"]}) == []
    assert places.take({visit.id: ["port", "farm"]}) == [
        "Visits: “Farm” has no places left (2 places)"
    ]
    assert places.take({visit.id: ["port"]}) == []  # the refused row took no place
    assert places.take({visit.id: ["port"]}) == ["Visits: “Port” has no places left (1 place)"]
