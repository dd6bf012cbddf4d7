"""The pages participants use, at phone size in Chromium, in English and in Khmer: axe-core
finds no serious or critical accessibility problem, and nothing overflows the screen. The
survey answer page carries every kind of question."""

from __future__ import annotations

from typing import Any

import pytest

from meetapp.models.questions import CHOICE_KINDS
from meetapp.registration.questions import KIND_LABELS, OptionLine, save_question
from meetapp.registration.questions import QuestionData as RegistrationQuestionData
from meetapp.surveys.invitations import invite
from meetapp.surveys.services import QuestionData, SurveyData, add_question, create_survey
from tests.e2e.test_phone_pages import PHONE, overflow, serious_violations
from tests.surveys.conftest import ALL_KINDS


@pytest.mark.parametrize("language", ["en", "km"])
def test_participant_pages_pass_axe_on_a_phone(
    browser: Any,
    live_server: str,
    db: Any,
    make_meeting: Any,
    make_participant: Any,
    language: str,
) -> None:
    meeting = make_meeting(slug="axe", languages=["en", "km"])
    participant = make_participant(meeting, name="Sokha Chan")
    survey = create_survey(meeting, SurveyData(title="Feedback", intro="Three minutes."))
    for data in ALL_KINDS:
        add_question(survey, QuestionData(data.text, data.kind, data.required, data.options))
    (link,) = invite(survey, "registered")
    # The registration form asks a question of every kind, one for a group only.
    for kind in KIND_LABELS:
        options = [OptionLine("Port", 20), OptionLine("Farm")] if kind in CHOICE_KINDS else []
        save_question(
            meeting, RegistrationQuestionData(kind=kind, label=f"Q {kind}", options=options)
        )
    save_question(
        meeting,
        RegistrationQuestionData(
            kind="short_text",
            label="For a group",
            required=True,
            group_ids=[meeting.stakeholder_groups[0].id],
        ),
    )
    db.session.commit()
    assert participant.id

    context = browser.new_context(viewport=PHONE, locale=language)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    for name, path in {
        "register": "/m/axe/register",
        "agenda": "/m/axe/agenda",
        "link": "/m/axe/link",
        "survey": f"/s/{link.token}",
    }.items():
        response = page.goto(f"{live_server}{path}?lang={language}")
        assert response is not None
        assert response.status == 200, (name, response.status)
        assert page.evaluate("document.documentElement.lang") == language
        issues = serious_violations(page)
        if overflow(page) > 0:
            issues.append(f"{overflow(page)} px wider than the screen")
        if issues:
            found[name] = issues
    # The registration page after a refused submission: messages beside the questions.
    page.goto(f"{live_server}/m/axe/register?lang={language}")
    page.locator("#submit").click()
    page.locator(".invalid-feedback").first.wait_for()
    errors = serious_violations(page)
    if errors:
        found["register with problems"] = errors
    # The survey page once more, after a submission with a required answer missing: the
    # messages beside the questions must keep it accessible too.
    page.goto(f"{live_server}/s/{link.token}?lang={language}")
    page.locator("form button[type=submit]").last.click()
    errors = serious_violations(page)
    if errors:
        found["survey with problems"] = errors
    assert not found, "\n".join(f"{name}: {i}" for name, issues in found.items() for i in issues)
    context.close()
