"""The organiser's participant pages of a meeting with registration questions, at phone size in
Chromium: the list filtered by an answer, the participant's page, the check-in desk and the
import page fit the screen and pass axe-core; on the participant's page a question asked of one
stakeholder group shows when that group is chosen."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from meetapp.models.questions import RegistrationAnswer
from meetapp.registration.questions import (
    OptionLine,
    QuestionData,
    remove_question,
    save_question,
)
from tests.e2e.conftest import log_in, screenshot, watch_errors
from tests.e2e.test_phone_pages import PHONE, overflow, serious_violations


def test_participant_pages_with_answers_fit_a_phone_and_pass_axe(
    browser: Any,
    live_server: str,
    make_user: Any,
    make_meeting: Any,
    make_participant: Any,
    db: Any,
) -> None:
    organiser = make_user("organiser", email="organiser@example.org", name="Dara Organiser")
    meeting = make_meeting(organisers=[organiser], slug="answers-phone")
    government = next(g for g in meeting.stakeholder_groups if g.key == "government")
    visit = save_question(
        meeting,
        QuestionData(
            kind="single_choice",
            label="Which field visit would you like to join on the second afternoon?",
            options=[OptionLine("Port of Sihanoukville", 20), OptionLine("Rice farm")],
            group_ids=[government.id],
        ),
    )
    hotel = save_question(
        meeting, QuestionData(kind="yes_no", label="Hotel needed", show_at_desk=True)
    )
    old = save_question(meeting, QuestionData(kind="short_text", label="Old question"))
    db.session.commit()
    person = make_participant(meeting, name="Sokha Chan", group_key="government")
    db.session.execute(
        insert(RegistrationAnswer),
        [
            {
                "participant_id": person.id,
                "question_id": visit.id,
                "option_key": "port-of-sihanoukville",
            },
            {"participant_id": person.id, "question_id": hotel.id, "option_key": "yes"},
            {"participant_id": person.id, "question_id": old.id, "option_key": "", "value": "Kept"},
        ],
    )
    remove_question(old)
    db.session.commit()

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    problems = watch_errors(page)
    log_in(page, live_server, organiser.email)
    base = f"/meetings/{meeting.slug}"
    paths = {
        "answers-list": f"{base}/participants?answer={visit.id}:port-of-sihanoukville",
        "answers-participant": f"{base}/participants/{person.id}/edit",
        "answers-checkin": f"{base}/checkin?q=sokha",
        "answers-import": f"{base}/participants/import",
    }
    found: dict[str, list[str]] = {}
    for name, path in paths.items():
        response = page.goto(live_server + path)
        assert response is not None
        assert response.status == 200, (name, path)
        screenshot(page, f"phone-{name}")
        wide = overflow(page)
        if wide > 0:
            found.setdefault(name, []).append(f"{wide} px wider than the screen")
        found.setdefault(name, []).extend(serious_violations(page))
    found = {name: issues for name, issues in found.items() if issues}
    assert not found, found

    page.goto(f"{live_server}{base}/participants/{person.id}/edit")
    question = page.locator(f"[data-groups='{government.id}']")
    assert question.is_visible()
    page.select_option("#stakeholder_group", "")
    assert not question.is_visible()
    assert "Kept" in page.locator("#archived-answers").inner_text()
    page.goto(f"{live_server}{base}/checkin?q=sokha")
    assert "Hotel needed: Yes" in page.locator(".checkin-answer").inner_text()
    assert not problems
    context.close()
