"""A survey's open link for the room, in Chromium: the organiser turns it on with a code and
opens the projector page, which shows a large QR code and the short address; a phone-sized
browser opens the address, gives the code (a wrong one first) and answers, once; axe-core finds
no serious or critical problem on the projector page or the open answer pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from meetapp.models import Survey, SurveyResponse
from meetapp.surveys.services import QuestionData, SurveyData, add_question, create_survey
from tests.e2e.conftest import log_in, screenshot, watch_errors
from tests.e2e.test_phone_pages import PHONE, overflow, serious_violations


def test_the_room_answers_through_the_open_link_on_the_projector(
    browser: Any,
    page: Any,
    live_server: str,
    db: Any,
    make_user: Any,
    make_meeting: Any,
) -> None:
    organiser = make_user("organiser", email="org@example.org")
    meeting = make_meeting(organisers=[organiser], title="Labour migration to Japan")
    survey = create_survey(meeting, SurveyData(title="Post-meeting survey"))
    add_question(
        survey, QuestionData(text="The meeting met my expectations.", kind="likert", required=True)
    )
    text = add_question(survey, QuestionData(text="What should we do next time?", kind="text"))
    db.session.commit()
    survey_id, slug, key, text_id = survey.id, meeting.slug, survey.key, text.id

    # The organiser turns the open link on, with a code to say in the room.
    problems = watch_errors(page)
    log_in(page, live_server, organiser.email)
    page.goto(f"{live_server}/meetings/{slug}/surveys/{key}")
    page.get_by_role("link", name="Open link").click()
    page.get_by_label("Take answers through the open link").check()
    page.get_by_label("Code (optional)").fill("ROOM7")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The open link takes answers.").wait_for()
    db.session.rollback()
    open_key = db.session.get_one(Survey, survey_id).open_key
    assert open_key

    # The projector page: the QR code, large, and the short address; no navigation.
    page.get_by_role("link", name="Show on the projector").click()
    page.get_by_role("heading", name="Post-meeting survey").wait_for()
    qr = page.locator("svg.qr-code")
    assert qr.count() == 1
    assert qr.get_attribute("role") == "img"
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] >= 400  # most of a 900 px high window
    short = f"{live_server.split('://', 1)[1]}/o/{open_key}"
    assert page.get_by_text(short, exact=True).is_visible()
    assert page.locator("nav").count() == 0
    assert page.get_by_text("ROOM7").count() == 0
    assert serious_violations(page) == []
    screenshot(page, "survey-open-link-projector")
    assert problems == []

    # A phone in the room opens the address.
    phone_context = browser.new_context(viewport=PHONE)
    phone = phone_context.new_page()
    phone_problems = watch_errors(phone)
    phone.goto(f"http://{short}")
    phone.get_by_text("Enter the code given in the room to answer this survey.").wait_for()
    assert serious_violations(phone) == []
    phone.get_by_label("Code").fill("room8")
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_text("This is not the code.").wait_for()
    assert serious_violations(phone) == []
    phone.get_by_label("Code").fill("room7")
    phone.get_by_role("button", name="Continue").click()

    phone.get_by_text("Your answers are stored without your name.").wait_for()
    assert overflow(phone) <= 0
    assert serious_violations(phone) == []
    screenshot(phone, "survey-open-link-answer-phone")
    phone.get_by_label("Agree", exact=True).check()
    phone.locator(f"#q{text_id}-text").fill("More time for questions, please.")
    phone.get_by_role("button", name="Send my answers").click()
    phone.get_by_text("Thank you: your answers are saved.").wait_for()
    assert phone.get_by_text("Your answers were received from this browser.").count()
    assert phone.get_by_role("button", name="Send my answers").count() == 0
    assert serious_violations(phone) == []
    phone.reload()
    phone.get_by_text("Your answers were received from this browser.").wait_for()
    # The wrong code was answered 422, as meant; nothing else went wrong.
    assert [p for p in phone_problems if "status of 422" not in p] == []
    phone_context.close()

    db.session.rollback()
    [response] = db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.survey_id == survey_id)
    ).all()
    assert response.via_open_link
    assert response.participant_id is None
