"""The Documents page counts the rows of all its cards in one statement, however many
surveys (and so cards) the meeting has."""

from __future__ import annotations

from typing import Any

from meetapp.documents.kinds import KINDS
from meetapp.documents.services import document_cards
from meetapp.surveys.services import SurveyData, create_survey


def _add_surveys(db: Any, meeting: Any, n: int) -> list[str]:
    keys = [create_survey(meeting, SurveyData(title=f"Survey {n}")).key for n in range(n)]
    db.session.commit()
    return keys


def _statements(client: Any, count_queries: Any, slug: str) -> int:
    with count_queries() as counter:
        response = client.get(f"/meetings/{slug}/documents")
    assert response.status_code == 200
    return counter.count


def test_the_page_counts_every_card_in_one_statement(
    db: Any, make_user: Any, make_meeting: Any, login_as: Any, count_queries: Any
) -> None:
    organiser = make_user("organiser")
    meeting = make_meeting(slug="docs", organisers=[organiser])
    client = login_as(organiser)
    _add_surveys(db, meeting, 1)
    one_survey = _statements(client, count_queries, "docs")
    _add_surveys(db, meeting, 4)
    assert _statements(client, count_queries, "docs") == one_survey


def test_the_counts_are_those_of_each_card(
    app: Any, db: Any, make_meeting: Any, make_participant: Any
) -> None:
    meeting = make_meeting()
    make_participant(meeting)
    make_participant(meeting)
    make_participant(meeting, status="waitlisted")
    (key,) = _add_surveys(db, meeting, 1)
    with app.test_request_context("/"):
        cards = document_cards(meeting, [key])
        assert cards[f"survey-results/{key}"].rows == 0
        assert cards[f"responses-csv/{key}"].rows == 0
        assert cards["sign-in-sheet"].rows == 2  # registered only
        assert cards["participants-csv"].rows == 3
        assert cards["summary"].rows == 3
        assert cards["meeting-json"].rows == KINDS["meeting-json"].estimate(meeting, {}) == 3
