"""A branching survey answered on a phone (390 x 844) in Chromium: with the page's script,
questions appear and disappear as the person answers (hidden ones disabled, so nothing of them
is sent), and axe-core finds nothing serious; without a script, every question is shown with
the answer it depends on, and the server keeps only the answers of the questions shown."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from meetapp.models import SurveyAnswer, SurveyQuestion, SurveyResponse
from meetapp.surveys.invitations import invite
from meetapp.surveys.services import SurveyData, add_question, create_survey, get_survey
from tests.e2e.conftest import log_in, screenshot, watch_errors
from tests.e2e.test_phone_pages import PHONE, overflow, serious_violations
from tests.surveys.test_surveys_conditions import BRANCHING


def _answers(db: Any, participant_id: int) -> dict[str, set[Any]]:
    db.session.rollback()
    keys = dict(db.session.execute(select(SurveyQuestion.id, SurveyQuestion.key)).all())
    found: dict[str, set[Any]] = {}
    for answer in db.session.scalars(
        select(SurveyAnswer)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.participant_id == participant_id)
    ):
        value = next(v for v in (answer.choice, answer.number, answer.text) if v is not None)
        found.setdefault(keys[answer.question_id], set()).add(value)
    return found


def test_a_branching_survey_on_a_phone_with_and_without_a_script(
    browser: Any, live_server: str, db: Any, make_meeting: Any, make_participant: Any
) -> None:
    meeting = make_meeting(slug="branching", languages=["en", "km"])
    with_script = make_participant(meeting, name="Sokha Chan")
    without_script = make_participant(meeting, name="Dara Kim")
    survey = create_survey(meeting, SurveyData(title="Feedback"))
    survey = get_survey(meeting, survey.key)
    for data in BRANCHING:
        add_question(survey, data)
    links = {link.participant.id: link.token for link in invite(survey, "registered")}
    ids = {question.key: question.id for question in survey.questions}
    db.session.commit()

    def fieldset(page: Any, key: str) -> Any:
        return page.locator("fieldset.survey-question").filter(
            has=page.locator(f"#q{ids[key]}-legend")
        )

    # With the script: the follow-up questions wait for the answers they depend on.
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{live_server}/s/{links[with_script.id]}")
    for key in ("q2", "q4", "q6"):
        assert fieldset(page, key).is_hidden(), key
    assert fieldset(page, "q2").evaluate("f => f.disabled")
    page.locator("input[name='q-q1'][value='yes']").check()
    assert fieldset(page, "q2").is_visible()
    page.locator("textarea[name='q-q2'], input[name='q-q2']").fill("How the river is crossed")
    page.locator(f"label[for='q{ids['q3']}-5']").click()  # a rating of 5 shows q4
    assert fieldset(page, "q4").is_visible()
    page.locator("input[name='q-q4'][value='networking']").check()
    page.locator("input[name='q-q5'][value='hiring']").check()
    assert fieldset(page, "q6").is_visible()  # hiring, not fees
    page.locator("textarea[name='q-q6'], input[name='q-q6']").fill("Fees are set")
    page.locator("input[name='q-q5'][value='fees']").check()
    assert fieldset(page, "q6").is_hidden()  # fees chosen: what was written is not sent
    issues = serious_violations(page)
    assert not issues, issues
    assert overflow(page) <= 0
    screenshot(page, "phone-survey-conditions-script")
    # A rating of 3 hides q4 again: its choice is not sent.
    page.locator(f"label[for='q{ids['q3']}-3']").click()
    assert fieldset(page, "q4").is_hidden()
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "Thank you: your answers are saved." in page.content()
    assert not errors, errors
    context.close()
    assert _answers(db, with_script.id) == {
        "q1": {"yes"},
        "q2": {"How the river is crossed"},
        "q3": {3},
        "q5": {"fees", "hiring"},
    }

    # Without a script: every question is shown, saying when to answer it.
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/s/{links[without_script.id]}")
    for key in ("q2", "q4", "q6"):
        assert fieldset(page, key).is_visible(), key
    assert "Answer this only if your answer to “Did you attend the field visit?”" in page.content()
    assert overflow(page) <= 0
    # "No" to the visit, yet something written about it; a rating of 5 makes q4 required.
    page.locator("input[name='q-q1'][value='no']").check()
    page.locator("textarea[name='q-q2'], input[name='q-q2']").fill("Not there")
    page.locator(f"label[for='q{ids['q3']}-5']").click()
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert fieldset(page, "q4").locator(".invalid-feedback").is_visible()
    assert fieldset(page, "q2").locator(".invalid-feedback").count() == 0
    screenshot(page, "phone-survey-conditions-no-script")
    page.locator("input[name='q-q4'][value='sessions']").check()
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "Thank you: your answers are saved." in page.content()
    context.close()
    assert _answers(db, without_script.id) == {"q1": {"no"}, "q3": {5}, "q4": {"sessions"}}


def test_an_organiser_sets_a_condition_in_the_question_editor_on_a_phone(
    browser: Any, live_server: str, db: Any, make_user: Any, make_meeting: Any
) -> None:
    organiser = make_user("organiser")
    meeting = make_meeting(slug="editor", organisers=[organiser])
    survey = create_survey(meeting, SurveyData(title="Feedback"))
    for data in BRANCHING[:3]:
        add_question(survey, data)
    db.session.commit()
    email, key = organiser.email, survey.key

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch_errors(page)
    log_in(page, live_server, email)
    page.goto(f"{live_server}/meetings/editor/surveys/{key}")
    assert "Shown only when “Did you attend the field visit?” is “Yes”" in page.content()
    groups = page.locator("[data-condition-values]")
    # Only the answers of the question chosen are offered (free text is never a condition).
    assert groups.count() == 2
    assert not any(groups.nth(n).is_visible() for n in range(2))
    page.get_by_label("Question", exact=True).fill("What should change?")
    page.get_by_label("Kind").select_option("text")
    page.get_by_label("Show this question only when the answer to").select_option("q3")
    page.get_by_label("Comparison").select_option("at_most")
    assert page.locator("[data-condition-values='q3']").is_visible()
    assert page.locator("[data-condition-values='q1']").is_hidden()
    page.locator("input[name='show_if_value-q3'][value='2']").check()
    issues = serious_violations(page)
    assert not issues, issues
    assert overflow(page) <= 0
    screenshot(page, "phone-survey-condition-editor")
    page.get_by_role("button", name="Save question").click()
    page.wait_for_load_state()
    assert "Shown only when “How would you rate the meeting?” is at most “2”" in page.content()
    assert not errors, errors
    context.close()
