"""A participant fills a grid question ("How useful was each session?") on a phone-sized
screen (390 x 844) in Chromium: the rows stack without overflowing sideways, each row is a
radio group named by its row that the keyboard moves through, a required row left out is
said by the question, axe-core finds nothing serious or critical, and the answers are stored
row by row. Screenshots go to test-artifacts/screenshots/grid-*.png."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from meetapp.models import SurveyAnswer, SurveyInvitation
from meetapp.surveys.services import (
    QuestionData,
    SurveyData,
    add_question,
    create_survey,
    get_survey,
    issue_token,
)
from tests.e2e.conftest import screenshot, watch_errors
from tests.e2e.test_phone_pages import PHONE, TOO_WIDE, overflow, serious_violations

SESSIONS = ["Opening panel on labour migration", "Recruitment fees", "Closing remarks"]


def _grid_survey_link(app: Flask, db: Any, make_meeting: Any, make_participant: Any) -> str:
    """A tracked survey with a required agreement grid and an optional rating grid, and the
    personal link of one invited participant."""
    meeting = make_meeting(title="Dialogue on Migration")
    now = datetime.now(UTC)
    survey = create_survey(
        meeting, SurveyData(title="After the dialogue", opens_at=now - timedelta(days=1))
    )
    survey = get_survey(meeting, survey.key)
    add_question(
        survey,
        QuestionData("How useful was each session?", "grid", True, list(SESSIONS), scale="likert"),
    )
    add_question(
        survey,
        QuestionData("Rate each session", "grid", False, list(SESSIONS), scale="rating"),
    )
    person = make_participant(meeting, name="Sokha Chan")
    with app.test_request_context():
        invitation = SurveyInvitation(survey_id=survey.id, participant_id=person.id)
        db.session.add(invitation)
        db.session.flush()
        token = issue_token(invitation)
    db.session.commit()
    return token


def test_a_participant_fills_a_grid_on_a_phone(
    app: Flask, browser: Any, live_server: str, db: Any, make_meeting: Any, make_participant: Any
) -> None:
    token = _grid_survey_link(app, db, make_meeting, make_participant)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    problems = watch_errors(page)
    try:
        page.goto(f"{live_server}/s/{token}")
        useful = page.get_by_role("group", name="How useful was each session?")
        # One radio group per row, named by the row; its radios by the scale's labels.
        rows = useful.get_by_role("radiogroup")
        assert rows.count() == 3
        opening = useful.get_by_role("radiogroup", name=SESSIONS[0])
        assert opening.get_by_role("radio").count() == 5
        assert overflow(page) <= 0, page.evaluate(TOO_WIDE)
        assert serious_violations(page) == []
        screenshot(page, "grid-phone")

        # The rows stack: each row's points lie below its label, within the screen.
        label_box = page.locator(".survey-grid-label").first.bounding_box()
        point_box = opening.get_by_role("radio").last.bounding_box()
        assert point_box["y"] > label_box["y"]
        assert point_box["x"] + point_box["width"] <= PHONE["width"]

        # By tap, and by keyboard: the arrow keys move within a row's group.
        opening.get_by_role("radio", name="Strongly agree").check()
        fees = useful.get_by_role("radiogroup", name=SESSIONS[1])
        fees.get_by_role("radio", name="Disagree", exact=True).focus()
        page.keyboard.press("Space")
        page.keyboard.press("ArrowDown")
        assert fees.get_by_role("radio", name="Neither agree nor disagree").is_checked()
        rated = page.get_by_role("group", name="Rate each session")
        rated.get_by_role("radiogroup", name=SESSIONS[2]).get_by_role("radio", name="4").check()

        # The third row of the required grid is left out: the page says so and keeps the rest.
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_load_state()
        assert page.get_by_text("Please answer every row.").first.is_visible()
        useful = page.get_by_role("group", name="How useful was each session?")
        assert (
            useful.get_by_role("radiogroup", name=SESSIONS[0])
            .get_by_role("radio", name="Strongly agree")
            .is_checked()
        )
        assert serious_violations(page) == []
        screenshot(page, "grid-phone-problem")

        # On a wide screen the scale's labels head the columns, and each row is one line.
        page.set_viewport_size({"width": 1280, "height": 900})
        assert page.locator(".survey-grid-head").first.is_visible()
        tops = {
            round(box["y"])
            for radio in useful.get_by_role("radiogroup", name=SESSIONS[1])
            .get_by_role("radio")
            .all()
            if (box := radio.bounding_box())
        }
        assert len(tops) == 1
        assert serious_violations(page) == []
        screenshot(page, "grid-wide")
        page.set_viewport_size(PHONE)

        useful.get_by_role("radiogroup", name=SESSIONS[2]).get_by_role(
            "radio", name="Agree", exact=True
        ).check()
        page.get_by_role("button", name="Send my answers").click()
        page.wait_for_load_state()
        assert page.get_by_text("Thank you: your answers are saved.").is_visible()
        screenshot(page, "grid-phone-saved")
    finally:
        context.close()
    assert problems == []

    db.session.rollback()
    stored = db.session.execute(
        select(SurveyAnswer.choice, SurveyAnswer.number).order_by(SurveyAnswer.id)
    ).all()
    assert [tuple(row) for row in stored] == [
        ("opening-panel-on-labour-migration", 5),
        ("recruitment-fees", 3),
        ("closing-remarks", 4),
        ("closing-remarks", 4),
    ]
