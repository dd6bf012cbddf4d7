"""A participant's whole journey in their own language, in a real browser, once in Khmer and
once in Japanese: the browser's language alone picks the registration page's language; the
confirmation e-mail comes through a real SMTP server in that language with the personal link;
the personal page changes a detail; the survey invitation (sent by the organiser from the
invitations screen) comes in that language too, and the survey is answered through its link;
the organiser sees that answer counted together with answers given in English.

Every text the participant reads is checked against the shipped catalogue of the language,
so a text left untranslated (or a page in the wrong language) fails here.
"""

from __future__ import annotations

import html
import re
import time
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from meetapp.models import Participant, SurveyAnswer, SurveyResponse
from meetapp.surveys.invitations import invite
from meetapp.surveys.services import QuestionData, SurveyData, add_question, create_survey
from tests.e2e.conftest import log_in, screenshot, watch_errors
from tests.i18n.catalogues import read_catalogue
from tests.outbox.smtp import Inbox

TITLE = "Labour migration dialogue"
SURVEY = "After the meeting"
LIKERT = "The meeting met my expectations."
CHOICE = "Which part was most useful to you?"
COMMENT = "What should we do next time?"
PARTS = ("Opening panel", "Field visit", "Closing plenary")

PERSONAL_LINK = re.compile(r"https?://\S+/r/[A-Za-z0-9_-]{40,}")
SURVEY_LINK = re.compile(r"https?://\S+/s/[A-Za-z0-9_-]{40,}")

# Per language: the participant, as they type themselves in, and what they write back.
PEOPLE = {
    "km": {
        "name": "សុខា ចាន់",
        "email": "sokha.journey@example.org",
        "organisation": "សមាគមពលករចំណាកស្រុក",
        "position": "អ្នកសម្របសម្រួល",
        "comment": "សូមទុកពេលសម្រាប់សំណួរបន្ថែម។",
    },
    "ja": {
        "name": "山田 花子",
        "email": "hanako.journey@example.org",
        "organisation": "移住労働者支援ネットワーク",
        "position": "コーディネーター",
        "comment": "質疑応答の時間をもっと長くしてください。",
    },
}
# What the participants who answered in English chose (the likert value, then the part).
ENGLISH_ANSWERS = (("Agree", "Field visit"), ("Strongly agree", "Opening panel"))


def translator(language: str) -> Any:
    catalogue = read_catalogue(language)

    def translate(text: str, **values: str) -> str:
        message = catalogue.get(text)
        assert message is not None, f"{text!r} is not in the catalogue"
        assert message.string, f"{text!r} is not translated"
        translated = str(message.string)
        for name, value in values.items():
            translated = translated.replace(f"%({name})s", value)
        return translated

    return translate


def wait_for_mail(inbox: Inbox, recipient: str, count: int, timeout: float = 15) -> EmailMessage:
    """The `count`-th message to `recipient`, once the server has it (mail goes out after the
    response, in the server's thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        received = [
            message
            for message, rcpts in zip(inbox.messages, inbox.recipients, strict=True)
            if recipient in rcpts
        ]
        if len(received) >= count:
            return received[count - 1]
        time.sleep(0.1)
    raise AssertionError(f"no message {count} to {recipient}; received: {inbox.recipients}")


def _choice_value(page: str, label: str) -> str:
    """The value of the radio button that `label` names on an answer page."""
    label = html.escape(label)
    match = re.search(rf'<label[^>]*\sfor="([^"]+)"[^>]*>\s*{re.escape(label)}\s*</label>', page)
    assert match, f"no option labelled {label!r}"
    control = re.search(rf'<input[^>]*\sid="{re.escape(match.group(1))}"[^>]*>', page)
    assert control, f"no input for {label!r}"
    value = re.search(r'\svalue="([^"]*)"', control.group(0))
    assert value, f"no value for {label!r}"
    return html.unescape(value.group(1))


def _answer_in_english(
    app: Flask, token: str, likert: Any, choice: Any, answers: tuple[str, str]
) -> None:
    """An English-speaking participant answers through their link with the test client,
    choosing the options by the labels the English page shows."""
    client = app.test_client()
    page = client.get(f"/s/{token}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<html lang="en"' in text
    response = client.post(
        f"/s/{token}",
        data={
            f"q-{likert.key}": _choice_value(text, answers[0]),
            f"q-{choice.key}": _choice_value(text, answers[1]),
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _text(locator: Any) -> str:
    return " ".join(locator.inner_text().split())


@pytest.mark.parametrize("language", ["km", "ja"])
def test_the_whole_journey_in_the_participants_language(
    language: str,
    app: Flask,
    browser: Any,
    live_server: str,
    db: Any,
    make_user: Any,
    make_meeting: Any,
    make_participant: Any,
    smtp_server: Inbox,
    mail_to: Any,
) -> None:
    t = translator(language)
    person = PEOPLE[language]
    mail_to(smtp_server.port)

    # Setup: the meeting in three languages, English first (so only the browser's language can
    # make its pages Khmer or Japanese), its survey, and two participants who answered it in
    # English before ours even registered.
    organiser = make_user("organiser", email="org@example.org")
    meeting = make_meeting(organisers=[organiser], title=TITLE, languages=["en", "km", "ja"])
    survey = create_survey(meeting, SurveyData(title=SURVEY))
    likert = add_question(survey, QuestionData(text=LIKERT, kind="likert", required=True))
    choice = add_question(
        survey, QuestionData(text=CHOICE, kind="single", required=True, options=list(PARTS))
    )
    add_question(survey, QuestionData(text=COMMENT, kind="text"))
    for number in (1, 2):
        make_participant(meeting, name=f"English speaker {number}", languages=["en"])
    english_links = invite(survey, "registered")
    db.session.commit()
    slug, key = meeting.slug, survey.key
    for link, answers in zip(english_links, ENGLISH_ANSWERS, strict=True):
        _answer_in_english(app, link.token, likert, choice, answers)

    context = browser.new_context(
        locale=language,
        extra_http_headers={"Accept-Language": language},
        viewport={"width": 1280, "height": 900},
    )
    try:
        page = context.new_page()
        problems = watch_errors(page)

        # 1. The browser's language alone gives the registration page in it.
        page.goto(f"{live_server}/m/{slug}/register")
        assert page.locator("html").get_attribute("lang") == language
        assert page.get_by_role("heading", name=t("Register")).count() == 1
        assert page.get_by_role("button", name=t("Register")).count() == 1
        assert page.title().startswith(t("Register"))

        # 2. Registering, with the participant's own language ticked.
        page.get_by_label(t("Name"), exact=True).fill(person["name"])
        page.get_by_label(t("E-mail")).fill(person["email"])
        page.get_by_label(t("Organisation")).fill("Network")
        page.get_by_role("group", name=t("Languages")).get_by_label(
            {"km": "ខ្មែរ", "ja": "日本語"}[language], exact=True
        ).check()
        page.get_by_label(
            t("I agree that the organisers store and use these details to run this meeting.")
        ).check()
        screenshot(page, f"journey-{language}-register")
        page.get_by_role("button", name=t("Register")).click()
        page.wait_for_url(re.compile(r"/r/"))
        assert page.locator("html").get_attribute("lang") == language
        body = page.locator("body").inner_text()
        assert t("You are registered for %(meeting)s.", meeting=TITLE) in body
        assert t("We have also sent it to you by e-mail.") in body

        # 3. The confirmation, in the language, through the SMTP server, with the link.
        confirmation = wait_for_mail(smtp_server, person["email"], 1)
        assert confirmation["Subject"] == t("Registration confirmed: %(meeting)s", meeting=TITLE)
        text = confirmation.get_content()
        assert t("Dear %(name)s,", name=person["name"]) in text
        assert t("You are registered for %(meeting)s.", meeting=TITLE) in text
        assert t("Your personal link, to see, change or cancel your registration:") in text
        [personal_link] = PERSONAL_LINK.findall(text)
        assert personal_link == page.url

        # 4. The link from the e-mail opens the personal page; a detail is changed and saved.
        page.goto("about:blank")
        page.goto(personal_link)
        assert page.locator("html").get_attribute("lang") == language
        page.get_by_role("heading", name=t("Change your details")).wait_for()
        page.get_by_label(t("Organisation")).fill(person["organisation"])
        page.get_by_label(t("Position")).fill(person["position"])
        page.get_by_role("button", name=t("Save changes")).click()
        page.get_by_text(t("Your changes are saved.")).wait_for()
        assert page.locator("html").get_attribute("lang") == language
        assert person["organisation"] in _text(
            page.locator("section", has=page.get_by_role("heading", name=t("Your registration")))
        )
        assert page.get_by_label(t("Organisation")).input_value() == person["organisation"]
        assert page.get_by_label(t("Position")).input_value() == person["position"]
        screenshot(page, f"journey-{language}-personal-page")

        # The organiser invites everyone registered (the English speakers are invited already).
        staff = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            staff_page = staff.new_page()
            log_in(staff_page, live_server, organiser.email)
            staff_page.goto(f"{live_server}/meetings/{slug}/surveys/{key}/invitations")
            staff_page.get_by_label("Who").select_option(label="Everyone registered")
            staff_page.get_by_role("button", name="Invite by e-mail").click()
            staff_page.get_by_text("1 person invited").wait_for()
        finally:
            staff.close()

        # 5. The invitation in the language, and the survey answered through its link.
        invitation = wait_for_mail(smtp_server, person["email"], 2)
        text = invitation.get_content()
        assert t("Dear %(name)s,", name=person["name"]) in text
        assert (
            t(
                "Thank you for taking part in %(meeting)s. Please tell us what you thought of it.",
                meeting=TITLE,
            )
            in text
        )
        assert t("Your personal link:") in text
        [survey_link] = SURVEY_LINK.findall(text)
        page.goto(survey_link)
        assert page.locator("html").get_attribute("lang") == language
        page.get_by_role("heading", name=SURVEY).wait_for()
        assert page.get_by_text(t("For %(name)s.", name=person["name"])).count() == 1
        page.get_by_role("group", name=LIKERT).get_by_label(t("Agree"), exact=True).check()
        page.get_by_role("group", name=CHOICE).get_by_label("Field visit", exact=True).check()
        page.get_by_role("group", name=COMMENT).get_by_role("textbox").fill(person["comment"])
        screenshot(page, f"journey-{language}-survey")
        page.get_by_role("button", name=t("Send my answers")).click()
        page.get_by_text(t("Thank you: your answers are saved.")).wait_for()
        assert page.locator("html").get_attribute("lang") == language
        assert page.get_by_role("button", name=t("Save my changes")).count() == 1
        assert problems == []
    finally:
        context.close()

    db.session.rollback()  # what the server committed
    participant = db.session.scalars(
        select(Participant).where(Participant.email == person["email"])
    ).one()
    assert participant.languages == [language]
    assert (participant.organisation, participant.position) == (
        person["organisation"],
        person["position"],
    )
    response = db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.participant_id == participant.id)
    ).one()
    assert {
        answer.question_id: (answer.choice, answer.text)
        for answer in db.session.scalars(
            select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)
        )
    }[likert.id][0] == "agree"

    # 6. The organiser sees the answer counted with the English ones.
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        staff_page = staff.new_page()
        log_in(staff_page, live_server, organiser.email)
        staff_page.goto(f"{live_server}/meetings/{slug}/surveys/{key}/results")
        assert _text(staff_page.locator(".stat").first) == "3"
        assert staff_page.get_by_text("Everyone asked has answered.").count() == 1
        likert_section = staff_page.locator("section:not(#publish)", has_text=LIKERT)
        assert "3 of 3 answered" in _text(likert_section)
        assert "100% agree or strongly agree" in _text(likert_section)
        figures = likert_section.locator("svg desc").text_content() or ""
        assert "Agree: 2 (67%)" in figures
        assert "Strongly agree: 1 (33%)" in figures
        choice_figures = (
            staff_page.locator("section:not(#publish)", has_text=CHOICE)
            .locator("svg desc")
            .text_content()
            or ""
        )
        assert "Field visit: 2 (67%)" in choice_figures
        assert "Opening panel: 1 (33%)" in choice_figures
        assert "Closing plenary: 0 (0%)" in choice_figures
        comment_section = staff_page.locator("section:not(#publish)", has_text=COMMENT)
        assert person["comment"] in _text(comment_section)
        screenshot(staff_page, f"journey-{language}-results")
    finally:
        staff.close()
