"""In a real browser: an organiser builds a registration form with three kinds of question,
one asked of one stakeholder group only; a participant answers it (the group's question
appears as the group is chosen), then changes an answer through their personal link; the
answers reach the meetapp/1 export."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.e2e.conftest import log_in, screenshot, watch_errors


def _add_question(page: Any, live_server: str, slug: str, **fields: Any) -> None:
    page.goto(f"{live_server}/meetings/{slug}/questions/new")
    page.get_by_label("Kind of answer").select_option(fields["kind"])
    page.get_by_label("Question", exact=True).fill(fields["label"])
    if "options" in fields:
        page.get_by_label("Options").fill(fields["options"])
    for group in fields.get("groups", ()):
        page.get_by_label(group, exact=True).check()
    if fields.get("required"):
        page.get_by_label("An answer is required").check()
    page.get_by_role("button", name="Save the question").click()
    page.get_by_text(f"The question “{fields['label']}” is saved.").wait_for()


def test_an_organiser_builds_the_form_and_a_participant_answers_and_changes_it(
    browser: Any, live_server: str, make_user: Any, make_meeting: Any
) -> None:
    organiser = make_user("organiser", email="organiser@example.org")
    make_meeting(slug="form-day", organisers=[organiser], capacity=None)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = watch_errors(page)
    log_in(page, live_server, organiser.email)
    _add_question(
        page,
        live_server,
        "form-day",
        kind="single_choice",
        label="Field visit",
        options="Port | 20\nFarm",
        required=True,
    )
    _add_question(page, live_server, "form-day", kind="yes_no", label="Do you need a visa letter?")
    _add_question(
        page,
        live_server,
        "form-day",
        kind="short_text",
        label="Ministry file number",
        groups=["Government"],
    )
    page.get_by_text("Port: 0 of 20 places").wait_for()
    screenshot(page, "registration-questions-organiser")

    visitor = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    problems += watch_errors(visitor)
    visitor.goto(f"{live_server}/m/form-day/register")
    file_number = visitor.get_by_label("Ministry file number")
    assert not file_number.is_visible()  # asked of the Government group only
    visitor.get_by_label("Name", exact=True).fill("Sokha Chan")
    visitor.get_by_label("E-mail").fill("sokha@example.org")
    visitor.get_by_label("Stakeholder group").select_option(label="Government")
    file_number.wait_for()
    file_number.fill("MOLVT-42")
    visitor.get_by_label("Port (20 places left)").check()
    visitor.get_by_label("Yes").check()
    visitor.get_by_label("I agree").check()
    screenshot(visitor, "registration-questions-answered-phone")
    visitor.get_by_role("button", name="Register").click()
    visitor.wait_for_url(re.compile(r"/r/"))
    visitor.get_by_text("Your answers").wait_for()
    assert visitor.get_by_text("MOLVT-42").first.is_visible()

    # Changed through the personal link.
    visitor.get_by_label("Farm").check()
    visitor.get_by_role("button", name="Save changes").click()
    visitor.get_by_text("Your changes are saved.").wait_for()
    answers = visitor.locator("#your-answers").inner_text()
    assert "Farm" in answers
    assert "Port" not in answers
    screenshot(visitor, "registration-questions-changed-phone")

    # The organiser's export carries the answers.
    export = page.request.get(f"{live_server}/meetings/form-day/export.json")
    assert export.ok, export.status
    document = json.loads(export.body())
    assert [q["key"] for q in document["meeting"]["registration_questions"]] == [
        "field-visit",
        "do-you-need-a-visa-letter",
        "ministry-file-number",
    ]
    assert document["participants"][0]["answers"] == {
        "field-visit": "farm",
        "do-you-need-a-visa-letter": "yes",
        "ministry-file-number": "MOLVT-42",
    }
    assert problems == []
    context.close()
