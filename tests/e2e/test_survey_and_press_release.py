"""Two more paths in a real browser: a participant answers the post-meeting survey through
the personal link, and staff edit a press-release section and download the PDF."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from meetapp.interchange.services import import_meeting, parse_document
from meetapp.models import SurveyAnswer, SurveyResponse
from meetapp.surveys.invitations import invite
from meetapp.surveys.services import QuestionData, SurveyData, add_question, create_survey
from tests.e2e.conftest import log_in, screenshot
from tests.reports.pdftext import pdf_text

DEMO_FILE = (
    Path(__file__).resolve().parents[2] / "meetapp" / "demo" / "mmn-2019-cambodia-japan.json"
)
GENERATED_HEADLINE = (
    "MMN Convenes Multi-stakeholder Meeting to Discuss Labour Migration from Cambodia to Japan"
)
OWN_HEADLINE = "Cambodian Workers in Japan: Network Calls for Fair Recruitment"
OWN_BACKGROUND = "Japan opens its labour market to more foreign workers in April."


def test_participant_answers_the_survey_and_the_organiser_sees_the_result(
    page: Any,
    live_server: str,
    db: Any,
    make_user: Any,
    make_meeting: Any,
    make_participant: Any,
) -> None:
    organiser = make_user("organiser", email="org@example.org")
    meeting = make_meeting(organisers=[organiser], title="Labour migration to Japan")
    participant = make_participant(meeting, name="Sokha Chan", group_key="cso")
    survey = create_survey(meeting, SurveyData(title="Post-meeting survey"))
    likert = add_question(
        survey, QuestionData(text="The meeting met my expectations.", kind="likert", required=True)
    )
    rating = add_question(
        survey, QuestionData(text="How would you rate the venue?", kind="rating", required=True)
    )
    text = add_question(survey, QuestionData(text="What should we do next time?", kind="text"))
    (link,) = invite(survey, "registered")
    db.session.commit()
    survey_id, slug, key = survey.id, meeting.slug, survey.key
    ids = {"likert": likert.id, "rating": rating.id, "text": text.id}

    # The participant answers two questions of three, leaving out a required one.
    page.goto(f"{live_server}/s/{link.token}")
    page.get_by_role("heading", name="Post-meeting survey").wait_for()
    assert page.get_by_text("For Sokha Chan.").count()
    page.get_by_label("Agree", exact=True).check()
    page.locator(f"#q{ids['text']}-text").fill("More time for questions, please.")
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("Some answers need your attention").wait_for()
    rating_box = page.locator("fieldset", has_text="How would you rate the venue?")
    assert rating_box.get_by_text("This question needs an answer.").count() == 1
    assert page.get_by_text("This question needs an answer.").count() == 1
    assert page.get_by_label("Agree", exact=True).is_checked()
    assert page.locator(f"#q{ids['text']}-text").input_value() == "More time for questions, please."
    db.session.rollback()
    assert (
        db.session.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == survey_id))
        is None
    )

    # She completes the form and sends it.
    rating_box.locator(f"label[for=q{ids['rating']}-4]").click()
    assert page.locator(f"#q{ids['rating']}-4").is_checked()
    screenshot(page, "survey-answer")
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("Thank you: your answers are saved.").wait_for()
    assert page.get_by_text("You have answered this survey.").count()
    assert page.get_by_role("button", name="Save my changes").count()

    db.session.rollback()  # end the test's read snapshot: see what the server committed
    responses = list(
        db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey_id))
    )
    assert len(responses) == 1
    assert responses[0].participant_id == participant.id
    stored = {
        answer.question_id: (answer.choice, answer.number, answer.text)
        for answer in db.session.scalars(
            select(SurveyAnswer).where(SurveyAnswer.response_id == responses[0].id)
        )
    }
    assert stored == {
        ids["likert"]: ("agree", None, None),
        ids["rating"]: (None, 4, None),
        ids["text"]: (None, None, "More time for questions, please."),
    }

    # The organiser sees the response in the results.
    organiser_context = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    staff_page = organiser_context.new_page()
    try:
        log_in(staff_page, live_server, organiser.email)
        staff_page.goto(f"{live_server}/meetings/{slug}/surveys/{key}/results")
        stat = staff_page.locator(".stat").first
        assert stat.inner_text().strip() == "1"
        assert staff_page.get_by_text("1 of 1 answered").count() == 3
        assert staff_page.get_by_text("More time for questions, please.").count() == 1
        assert staff_page.get_by_text("Everyone asked has answered.").count() == 1
        screenshot(staff_page, "survey-results")
    finally:
        organiser_context.close()


def test_staff_edit_a_press_release_section_and_download_the_pdf(
    page: Any, live_server: str, db: Any, make_user: Any
) -> None:
    report = import_meeting(parse_document(DEMO_FILE.read_bytes()))
    staff = make_user("staff", email="press@example.org", name="Sreymom Keo")
    db.session.commit()
    slug = report.meeting.slug
    editor = f"{live_server}/meetings/{slug}/press-release"

    log_in(page, live_server, staff.email)
    page.goto(editor)
    page.get_by_role("heading", name="Press-release draft").wait_for()
    headline = page.locator("#section-headline")
    generated = headline.locator("textarea").input_value().strip()
    assert generated.startswith("MMN ")
    unsaved = page.locator("[data-unsaved-note]")
    assert not unsaved.is_visible()

    # Staff rewrite two sections; each preview follows the text as it is typed.
    headline.locator("textarea").click()
    headline.locator("textarea").fill(OWN_HEADLINE)
    assert page.locator("#preview-headline").inner_text().strip() == OWN_HEADLINE
    background = page.locator("#section-background")
    background.locator("textarea").fill(OWN_BACKGROUND)
    assert OWN_BACKGROUND in page.locator("#preview-background").inner_text()
    unsaved.wait_for(state="visible")

    # Leaving now asks first; staying keeps what was typed.
    dialogs: list[str] = []

    def stay(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("link", name="Preview").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.startswith(editor)
    assert page.locator("#section-headline textarea").input_value() == OWN_HEADLINE

    # One save keeps both; the page says what was saved and where.
    page.get_by_role("button", name="Save the draft").first.click()
    page.get_by_text("Saved: Headline, Background.").wait_for()
    assert page.url.endswith("#section-headline")
    headline = page.locator("#section-headline")
    background = page.locator("#section-background")
    for section in (headline, background):
        assert section.locator("[data-saved]").count() == 1
        assert section.get_by_text("Rewritten by Sreymom Keo").count() == 1
    assert headline.locator("textarea").input_value().strip() == OWN_HEADLINE
    assert background.locator("textarea").input_value().strip() == OWN_BACKGROUND
    assert page.locator("#section-lead [data-saved]").count() == 0
    # The records behind a section are beside it, with links to edit them.
    assert page.locator("#section-speakers .release-sources a").count() > 0
    screenshot(page, "press-release-editor")

    # Nothing unsaved: leaving does not ask.
    page.get_by_role("link", name="Preview").click()
    page.wait_for_url(re.compile(r"/press-release/preview$"))
    assert page.locator(".press-release h1").inner_text().strip() == OWN_HEADLINE
    assert page.get_by_text("21 February 2019").count() >= 1

    # They download the PDF from the editor: it prints their headline.
    page.get_by_role("link", name="← Back to the editor").click()
    page.get_by_role("heading", name="Press-release draft").wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert OWN_HEADLINE in text
    assert generated not in text
    assert "21 February 2019" in text

    # They reset the headline (confirming the question): the generated one is back, the
    # background keeps their words.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#section-headline").get_by_role(
        "button", name="Reset to the generated text"
    ).click()
    page.get_by_text("Headline is the generated text again.").wait_for()
    headline = page.locator("#section-headline")
    assert headline.get_by_text("Generated", exact=True).count() == 1
    assert headline.locator("textarea").input_value().strip() == generated
    assert page.locator("#section-background textarea").input_value().strip() == OWN_BACKGROUND
    page.goto(f"{editor}/preview")
    assert page.locator(".press-release h1").inner_text().strip() == generated
