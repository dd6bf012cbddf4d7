"""Route x role matrix, generated from the app's URL map so that no route escapes it.

Every rule is requested with the ids of meeting B (and its participants, groups, organisers,
organisation) as: an anonymous visitor, staff, and an organiser of meeting A only. Public
routes (participant pages) are listed explicitly; everything else must refuse.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from meetapp.models import (
    AgendaSession,
    Contact,
    Outcome,
    SessionSpeaker,
    Speaker,
    StakeholderGroup,
    Statement,
)
from meetapp.registration.services import new_token
from meetapp.surveys.services import QuestionData, SurveyData, add_question, create_survey

# Routes a visitor without an account may use.
PUBLIC = {
    "static",
    "bootstrap.static",
    "accounts.login",
    "registration.register",
    "registration.manage",
    "registration.cancel",
    # The agenda is what participants read before the meeting.
    "agenda.public_agenda",
    "agenda.public_agenda_pdf",
    "agenda.meeting_ics",
    "agenda.session_ics",
    "surveys.answer",
    # Load balancers and monitoring ask whether the process can serve.
    "health.healthz",
}
# Routes any logged-in user may use whatever the meeting.
ANY_USER = {"accounts.logout", "meetings.dashboard"}
# Routes that create something new (no existing record of meeting B is involved).
ORGANISER_MAY = ANY_USER | {
    "meetings.organisations",
    "meetings.organisation_new",
    "meetings.meeting_new",
    "interchange.import_meeting",
}
SKIP_PREFIXES = ("static", "bootstrap.")


def _rules(app: Flask) -> list[Any]:
    return [
        rule for rule in app.url_map.iter_rules() if not rule.endpoint.startswith(SKIP_PREFIXES)
    ]


@pytest.fixture
def world(db: Any, make_user: Any, make_meeting: Any, make_participant: Any) -> dict[str, Any]:
    organiser_a = make_user("organiser")
    organiser_b = make_user("organiser")
    staff = make_user("staff")
    meeting_a = make_meeting(organisers=[organiser_a])
    meeting_b = make_meeting(organisers=[organiser_b])
    participant_b = make_participant(meeting_b)
    token, participant_b.token_hash = new_token()
    contact_b = Contact(meeting_id=meeting_b.id, name="Press Office", position=0, languages=[])
    outcome_b = Outcome(meeting_id=meeting_b.id, kind="finding", text="A finding", position=0)
    db.session.add_all([contact_b, outcome_b])
    db.session.commit()
    group_b = db.session.scalar(
        select(StakeholderGroup).where(StakeholderGroup.meeting_id == meeting_b.id)
    )
    survey_b = create_survey(meeting_b, SurveyData(title="Survey B"))
    question_b = add_question(survey_b, QuestionData("Useful?", "likert"))
    speaker_b = Speaker(meeting_id=meeting_b.id, key="speaker-b", name="Speaker B")
    session_b = AgendaSession(
        meeting_id=meeting_b.id,
        key=survey_b.key,
        title="Session B",
        kind="panel",
        starts_at=meeting_b.starts_at,
    )
    db.session.add_all([speaker_b, session_b])
    db.session.flush()
    db.session.add(SessionSpeaker(session_id=session_b.id, speaker_id=speaker_b.id))
    statement_b = Statement(
        meeting_id=meeting_b.id,
        session_id=session_b.id,
        speaker_id=speaker_b.id,
        kind="point",
        text="said something",
    )
    db.session.add(statement_b)
    db.session.commit()
    return {
        "organiser_a": organiser_a,
        "staff": staff,
        "meeting_a": meeting_a,
        "values": {
            "slug": meeting_b.slug,
            "participant_id": participant_b.id,
            "group_id": group_b.id,
            "user_id": organiser_b.id,
            "org_id": meeting_b.organisation_id,
            "token": token,
            "speaker_id": speaker_b.id,
            "session_id": session_b.id,
            "statement_id": statement_b.id,
            "key": survey_b.key,  # the agenda session of meeting B has the same key
            "question_id": question_b.id,
            "contact_id": contact_b.id,
            "outcome_id": outcome_b.id,
            "section": "headline",
        },
    }


def _url(rule: Any, values: dict[str, Any]) -> str:
    url = rule.rule
    for argument in rule.arguments:
        if argument not in values:
            raise AssertionError(f"the matrix does not know how to fill <{argument}> in {rule}")
        url = url.replace(f"<{argument}>", str(values[argument]))
        for converter in ("int", "string", "path"):
            url = url.replace(f"<{converter}:{argument}>", str(values[argument]))
    return url


def _methods(rule: Any) -> list[str]:
    return sorted(m for m in rule.methods if m in {"GET", "POST"})


def test_every_rule_is_known(app: Flask, world: dict[str, Any]) -> None:
    for rule in _rules(app):
        _url(rule, world["values"])


def test_anonymous_reaches_only_public_pages(app: Flask, world: dict[str, Any]) -> None:
    client = app.test_client()
    for rule in _rules(app):
        if rule.endpoint in PUBLIC:
            continue
        url = _url(rule, world["values"])
        for method in _methods(rule):
            response = client.open(url, method=method)
            assert response.status_code in (302, 401, 403, 404), (method, url, response.status_code)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"], (method, url)


def test_organiser_of_another_meeting_is_refused(
    app: Flask, world: dict[str, Any], login_as: Any
) -> None:
    client = login_as(world["organiser_a"])
    for rule in _rules(app):
        if rule.endpoint in PUBLIC | ORGANISER_MAY:
            continue
        url = _url(rule, world["values"])
        for method in _methods(rule):
            response = client.open(url, method=method)
            assert response.status_code in (403, 404), (method, url, response.status_code)


def test_staff_get_403_on_every_post(app: Flask, world: dict[str, Any], login_as: Any) -> None:
    client = login_as(world["staff"])
    for rule in _rules(app):
        if rule.endpoint in PUBLIC | ANY_USER or "POST" not in rule.methods:
            continue
        url = _url(rule, world["values"])
        response = client.post(url)
        assert response.status_code == 403, (url, response.status_code)


def test_staff_can_read_meeting_b(app: Flask, world: dict[str, Any], login_as: Any) -> None:
    client = login_as(world["staff"])
    slug = world["values"]["slug"]
    for url in (f"/meetings/{slug}", f"/meetings/{slug}/participants"):
        assert client.get(url).status_code == 200, url
