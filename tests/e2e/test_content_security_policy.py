"""The main pages under the Content-Security-Policy in a real browser: no violation reported
(no inline script, no style attribute, no <style> block), and the check-in type-ahead, which
runs from a static script, still works."""

from __future__ import annotations

import re
from typing import Any

from meetapp.registration.services import new_token
from tests.e2e.conftest import log_in, screenshot, watch_errors
from tests.surveys.conftest import invite_people, make_survey  # noqa: F401


def test_main_pages_have_no_csp_violation(
    page: Any,
    live_server: str,
    db: Any,
    make_user: Any,
    make_meeting: Any,
    make_participant: Any,
    make_survey: Any,  # noqa: F811
    invite_people: Any,  # noqa: F811
) -> None:
    organiser = make_user("organiser", email="csp-org@example.org")
    meeting = make_meeting(organisers=[organiser], slug="csp-meeting", title="CSP meeting")
    person = make_participant(meeting, name="Sokha Chan", group_key="cso")
    token, person.token_hash = new_token()
    db.session.commit()
    survey = make_survey(meeting)
    [survey_token] = invite_people(survey, [person])
    slug = meeting.slug

    problems = watch_errors(page)
    log_in(page, live_server, organiser.email)
    staff_pages = [
        "/",
        f"/meetings/{slug}",
        f"/meetings/{slug}/participants",
        f"/meetings/{slug}/participants/new",
        f"/meetings/{slug}/agenda",
        f"/meetings/{slug}/agenda/new",
        f"/meetings/{slug}/speakers",
        f"/meetings/{slug}/statements",
        f"/meetings/{slug}/surveys",
        f"/meetings/{slug}/surveys/{survey.key}",
        f"/meetings/{slug}/surveys/{survey.key}/results",
        f"/meetings/{slug}/surveys/{survey.key}/preview",
        f"/meetings/{slug}/messages",
        f"/meetings/{slug}/messages/new",
        f"/meetings/{slug}/outcomes",
        f"/meetings/{slug}/contacts",
        f"/meetings/{slug}/press-release",
        f"/meetings/{slug}/press-release/preview",
        f"/meetings/{slug}/documents",
    ]
    for url in staff_pages:
        response = page.goto(f"{live_server}{url}")
        assert response.status == 200, url
    screenshot(page, "csp-survey-preview")

    # A message previewed: the count, the chosen person's text, the language versions.
    page.goto(f"{live_server}/meetings/{slug}/messages/new")
    page.get_by_label("Body (English)").fill("Dear {name}, see you in {venue}.")
    page.get_by_label("Subject (English)").fill("About {meeting}")
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("Dear Sokha Chan, see you in").wait_for()
    screenshot(page, "csp-message-preview")

    page.goto(f"{live_server}/meetings/{slug}/checkin")
    page.get_by_role("searchbox").first.fill("Sokh")
    page.get_by_text("Sokha Chan").first.wait_for()
    screenshot(page, "csp-checkin")

    public = page.context.browser.new_context()
    visitor = public.new_page()
    public_problems = watch_errors(visitor)
    for url in (
        f"/m/{slug}/register",
        f"/r/{token}",
        f"/m/{slug}/agenda",
        f"/s/{survey_token}",
    ):
        response = visitor.goto(f"{live_server}{url}")
        assert response.status == 200, url
    screenshot(visitor, "csp-survey-answer")
    public.close()

    assert problems == [], problems
    assert public_problems == [], public_problems
    assert re.search(r"script-src 'self'", response.headers["content-security-policy"])
