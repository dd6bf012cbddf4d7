"""Route x role matrix, generated from the app's URL map so that no route escapes it.

Every rule is requested with the ids of meeting B (and its participants, groups, organisers,
organisation) as: an anonymous visitor, staff, and an organiser of meeting A only. Public
routes (participant pages) are listed explicitly; everything else must refuse.

The positive side, one GET per rule: the organiser of meeting B and an administrator reach every
page; staff reach every page but the listed forms of change; the holder of a registration link
reaches its page and nothing under /meetings/. Staff POST to the listed changes of theirs
(check-in, the press-release draft) and to nothing else.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.meeting_records import two_meetings
from tests.url_map import fill_url, url_rules

# Routes a visitor without an account may use.
PUBLIC = {
    "static",
    "bootstrap.static",
    "accounts.login",
    "registration.register",
    "registration.submit_registration",
    "registration.manage",
    "registration.cancel",
    "registration.resend_link",
    # The agenda is what participants read before the meeting.
    "agenda.public_agenda",
    "agenda.public_agenda_pdf",
    "agenda.meeting_ics",
    "agenda.session_ics",
    "surveys.answer",
    # A survey's results, once the organisers publish them (404 until then).
    "surveys.public_results",
    # A survey's open link for the room, and the code it may ask for.
    "surveys.open_answer",
    "surveys.open_code",
    # Load balancers and monitoring ask whether the process can serve.
    "health.healthz",
    # The language switch of the participant pages (a cookie, then back to the page).
    "i18n.choose_language",
}
# Routes any logged-in user may use whatever the meeting: their own account among them.
ANY_USER = {
    "accounts.logout",
    "accounts.account",
    "accounts.change_password",
    "accounts.log_out_other_sessions",
    "meetings.dashboard",
}
# Routes that create something new (no existing record of meeting B is involved).
ORGANISER_MAY = ANY_USER | {
    "meetings.organisations",
    "meetings.organisation_new",
    "meetings.meeting_new",
    "interchange.import_meeting",
}


@pytest.fixture
def world(db: Any, make_user: Any, make_meeting: Any, make_participant: Any) -> dict[str, Any]:
    return two_meetings(db, make_user, make_meeting, make_participant)


def _methods(rule: Any) -> list[str]:
    return sorted(m for m in rule.methods if m in {"GET", "POST"})


def test_every_rule_is_known(app: Flask, world: dict[str, Any]) -> None:
    for rule in url_rules(app):
        fill_url(rule, world["values"])


def test_anonymous_reaches_only_public_pages(app: Flask, world: dict[str, Any]) -> None:
    client = app.test_client()
    for rule in url_rules(app):
        if rule.endpoint in PUBLIC:
            continue
        url = fill_url(rule, world["values"])
        for method in _methods(rule):
            response = client.open(url, method=method)
            assert response.status_code in (302, 401, 403, 404), (method, url, response.status_code)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"], (method, url)


def test_organiser_of_another_meeting_is_refused(
    app: Flask, world: dict[str, Any], login_as: Any
) -> None:
    client = login_as(world["organiser_a"])
    for rule in url_rules(app):
        if rule.endpoint in PUBLIC | ORGANISER_MAY:
            continue
        url = fill_url(rule, world["values"])
        for method in _methods(rule):
            response = client.open(url, method=method)
            assert response.status_code in (403, 404), (method, url, response.status_code)


# The changes staff make on every meeting, the product's work of theirs (README, "Roles and
# permissions"): checking people in on the day and writing the press release; and the big
# documents they download, prepared by jobs. Reviewed one by one: a new route that lets staff
# POST fails the test until it is added here.
STAFF_MAY_POST = {
    "participants.checkin_mark",
    "reports.press_release_save",
    # The desk: a walk-in added and checked in, a seat for someone on the waiting list.
    "participants.walk_in",
    "participants.checkin_seat",
    # Staff download the meeting's documents: they have the big ones prepared, and remove them.
    "documents.prepare",
    "documents.prepare_survey_results",
    "documents.remove",
}


def test_staff_get_403_on_every_post_but_their_changes(
    app: Flask, world: dict[str, Any], login_as: Any
) -> None:
    client = login_as(world["staff"])
    let_through = set()
    for rule in url_rules(app):
        if rule.endpoint in PUBLIC | ANY_USER or "POST" not in rule.methods:
            continue
        url = fill_url(rule, world["values"])
        response = client.post(url)
        if rule.endpoint in STAFF_MAY_POST:
            # An empty form: refused as invalid (400, 422) or taken (302), never forbidden.
            assert response.status_code in (302, 400, 422), (url, response.status_code)
            let_through.add(rule.endpoint)
        else:
            assert response.status_code == 403, (url, response.status_code)
    assert let_through == STAFF_MAY_POST


def test_staff_can_read_meeting_b(app: Flask, world: dict[str, Any], login_as: Any) -> None:
    client = login_as(world["staff"])
    slug = world["values"]["slug"]
    for url in (f"/meetings/{slug}", f"/meetings/{slug}/participants"):
        assert client.get(url).status_code == 200, url


# What a GET that is let through may answer: a page, a redirect (to a canonical URL or
# after a one-click action), a download; 405 where the rule has no GET is never requested.
ALLOWED = {200, 302, 303}
# Pages of the administrators only (user accounts, jobs): an organiser of meeting B gets a 403.
ADMIN_ONLY = {"accounts.users", "accounts.user_new", "accounts.user_edit", "jobs.jobs"}
# The path of the survey answer page holds a survey link, not the registration token the
# matrix fills in: it answers 404 to everybody here, and is covered by the survey tests.
OTHER_TOKEN = {"surveys.answer"}
# Public pages that exist only once the organisers publish them: meeting B's survey results are
# not published, so they answer 404 to everybody here; the survey tests cover them.
NOT_PUBLISHED = {"surveys.public_results"}
# Staff read everything of every meeting and change only what STAFF_MAY_POST lists, so the
# pages whose purpose is another change (a form to create or edit, an import, the organisations
# an organiser manages and starts meetings from) refuse them with a 403 even on GET. Reviewed
# one by one: a new page that refuses staff on GET fails the test until it is added here (or
# opened to staff).
STAFF_REFUSED_ON_GET = {
    "jobs.jobs",
    "accounts.users",
    "accounts.user_new",
    "accounts.user_edit",
    "meetings.organisations",
    "meetings.organisation_new",
    "meetings.organisation_edit",
    "meetings.meeting_new",
    "meetings.meeting_edit",
    # The meeting's texts in its other languages: the organisers' to write.
    "meetings.translations_page",
    # The introductions of the automatic e-mails: the organisers' to write.
    "meetings.emails",
    "participants.new",
    "participants.edit",
    "participants.import_csv",
    "interchange.import_meeting",
    "interchange.import_status",
    "agenda.speaker_new",
    "agenda.speaker_edit",
    "agenda.speaker_copy",
    "agenda.session_new",
    "agenda.session_edit",
    "agenda.statement_edit",
    "surveys.new",
    "surveys.new_from",
    "surveys.question_edit",
    # Writing to participants is the organisers' (README, "Roles and permissions").
    "messages.compose",
    "outcomes.contact_new",
    "outcomes.contact_edit",
}


def _get_all(app: Flask, world: dict[str, Any], client: Any) -> dict[str, tuple[str, int]]:
    """One GET per rule that has one (logging out would end the session: left to its tests)."""
    seen = {}
    for rule in url_rules(app):
        if rule.endpoint == "accounts.logout" or "GET" not in rule.methods:
            continue
        if rule.endpoint in OTHER_TOKEN | NOT_PUBLISHED:
            continue
        url = fill_url(rule, world["values"])
        seen[rule.endpoint] = (url, client.get(url).status_code)
    return seen


def test_organiser_of_meeting_b_reaches_every_page(
    app: Flask, world: dict[str, Any], new_client: Any
) -> None:
    seen = _get_all(app, world, new_client(world["organiser_b"]))
    for endpoint, (url, status) in seen.items():
        expected = {403} if endpoint in ADMIN_ONLY else ALLOWED
        assert status in expected, (url, status)


def test_admin_reaches_every_page(
    app: Flask, world: dict[str, Any], new_client: Any, make_user: Any
) -> None:
    seen = _get_all(app, world, new_client(make_user("admin")))
    for url, status in seen.values():
        assert status in ALLOWED, (url, status)


def test_staff_read_every_page_but_the_forms_of_change(
    app: Flask, world: dict[str, Any], new_client: Any
) -> None:
    seen = _get_all(app, world, new_client(world["staff"]))
    refused = {endpoint for endpoint, (_, status) in seen.items() if status == 403}
    assert refused == STAFF_REFUSED_ON_GET
    for endpoint, (url, status) in seen.items():
        if endpoint not in refused:
            assert status in ALLOWED, (url, status)


def test_participant_token_opens_its_page_and_nothing_under_meetings(
    app: Flask, world: dict[str, Any], new_client: Any
) -> None:
    client = new_client()
    response = client.get(f"/r/{world['values']['token']}")
    assert response.status_code == 200
    assert world["participant_b_email"] in response.get_data(as_text=True)
    for rule in url_rules(app):
        if not rule.rule.startswith("/meetings") or "GET" not in rule.methods:
            continue
        url = fill_url(rule, world["values"])
        response = client.get(url)
        assert response.status_code == 302, (url, response.status_code)
        assert "/login" in response.headers["Location"], url
