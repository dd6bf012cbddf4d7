"""Who reaches which meetings URL: organisers of another meeting, staff, anonymous visitors."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from meetapp.models import Meeting, Organisation, StakeholderGroup, meeting_organisers
from tests.conftest import PASSWORD, csrf_token_from


@pytest.fixture
def world(db: Any, make_user: Any, make_meeting: Any, make_participant: Any) -> dict[str, Any]:
    organiser_a = make_user("organiser")
    organiser_b = make_user("organiser")
    meeting_a = make_meeting(slug="meeting-a", organisers=[organiser_a])
    meeting_b = make_meeting(slug="meeting-b", organisers=[organiser_b])
    make_participant(meeting_b, group_key="cso")
    group_b = db.session.scalar(
        select(StakeholderGroup).where(StakeholderGroup.meeting_id == meeting_b.id)
    )
    return {
        "organiser_a": organiser_a,
        "organiser_b": organiser_b,
        "meeting_a": meeting_a,
        "meeting_b": meeting_b,
        "values": {
            "slug": meeting_b.slug,
            "group_id": group_b.id,
            "user_id": organiser_b.id,
            "org_id": meeting_b.organisation_id,
        },
    }


def _meeting_b_urls(app: Flask, values: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every meetings route that names meeting B or its parts."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("meetings.") or not rule.arguments:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(values[name])).replace(
                f"<{name}>", str(values[name])
            )
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            urls.append((rule.endpoint, method, path))
    return urls


POST_DATA = {
    "label": "Hijacked",
    "direction": "up",
    "email": "x@example.org",
    "name": "Hijacked",
    "title": "Hijacked",
}


def _snapshot(db: Any) -> tuple[Any, ...]:
    db.session.rollback()
    return (
        db.session.scalars(select(Meeting.title).order_by(Meeting.id)).all(),
        db.session.scalars(select(Organisation.name).order_by(Organisation.id)).all(),
        db.session.scalars(select(StakeholderGroup.label).order_by(StakeholderGroup.id)).all(),
        db.session.scalar(select(func.count()).select_from(meeting_organisers)),
    )


def test_every_meeting_b_url_is_covered(app, world):
    endpoints = {endpoint for endpoint, _, _ in _meeting_b_urls(app, world["values"])}
    assert endpoints == {
        "meetings.organisation_edit",
        "meetings.meeting_show",
        "meetings.meeting_edit",
        "meetings.meeting_delete",
        "meetings.groups",
        "meetings.group_rename",
        "meetings.group_move",
        "meetings.group_delete",
        "meetings.team",
        "meetings.team_remove",
        "meetings.team_notifications",
        "meetings.translations_page",
        "meetings.emails",
        "meetings.emails_reset",
        "meetings.emails_template",
        "meetings.emails_template_reset",
    }


def test_organiser_of_a_cannot_reach_meeting_b(app, db, world, login_as):
    client = login_as(world["organiser_a"])
    before = _snapshot(db)
    for endpoint, method, url in _meeting_b_urls(app, world["values"]):
        response = client.open(url, method=method, data=POST_DATA if method == "POST" else None)
        assert response.status_code in (403, 404), (endpoint, method, url)
    assert _snapshot(db) == before
    # Meeting B is not on A's dashboard either.
    page = client.get("/").get_data(as_text=True)
    assert "meeting-a" in page
    assert "meeting-b" not in page


def test_staff_read_but_every_post_is_403(app, db, world, make_user, login_as):
    client = login_as(make_user("staff"))
    before = _snapshot(db)
    for endpoint, method, url in _meeting_b_urls(app, world["values"]):
        response = client.open(url, method=method, data=POST_DATA if method == "POST" else None)
        if method == "POST" or endpoint in (
            "meetings.meeting_edit",
            "meetings.organisation_edit",
            "meetings.translations_page",
            "meetings.emails",
        ):
            assert response.status_code == 403, (endpoint, url)
        else:
            assert response.status_code == 200, (endpoint, url)
    for url in ("/meetings/new", "/organisations", "/organisations/new"):
        assert client.get(url).status_code == 403
    for url in ("/meetings/new", "/organisations/new"):
        assert client.post(url, data=POST_DATA).status_code == 403
    assert _snapshot(db) == before
    page = client.get("/").get_data(as_text=True)
    assert "meeting-a" in page
    assert "meeting-b" in page
    assert "New meeting" not in page


def test_anonymous_visitors_are_redirected_to_login(app, db, world, client):
    before = _snapshot(db)
    urls = _meeting_b_urls(app, world["values"]) + [
        ("meetings.dashboard", "GET", "/"),
        ("meetings.meeting_new", "GET", "/meetings/new"),
        ("meetings.meeting_new", "POST", "/meetings/new"),
        ("meetings.organisations", "GET", "/organisations"),
    ]
    for endpoint, method, url in urls:
        response = client.open(url, method=method, data=POST_DATA if method == "POST" else None)
        assert response.status_code == 302, (endpoint, method, url)
        assert "/login" in response.headers["Location"]
    assert _snapshot(db) == before


def test_organiser_of_b_reaches_every_page(app, world, login_as):
    client = login_as(world["organiser_b"])
    for endpoint, method, url in _meeting_b_urls(app, world["values"]):
        if method == "GET":
            assert client.get(url).status_code == 200, endpoint


def test_admin_reaches_every_page(app, world, make_user, login_as):
    client = login_as(make_user("admin"))
    for endpoint, method, url in _meeting_b_urls(app, world["values"]):
        if method == "GET":
            assert client.get(url).status_code == 200, endpoint


def test_unknown_meeting_is_404(make_user, login_as):
    client = login_as(make_user("admin"))
    assert client.get("/meetings/nothing-here").status_code == 404
    assert client.post("/meetings/nothing-here/delete").status_code == 404


def test_csrf_is_enforced_on_meeting_forms(db, make_user, make_meeting, client, csrf_enabled):
    organiser = make_user("organiser")
    make_meeting(slug="guarded", organisers=[organiser])
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": organiser.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    for url, data in (
        ("/meetings/guarded/delete", {}),
        ("/meetings/guarded/groups", {"label": "New"}),
        ("/meetings/guarded/team", {"email": "a@example.org"}),
    ):
        assert client.post(url, data=data).status_code == 400, url
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 1
    assert db.session.scalar(select(func.count()).select_from(StakeholderGroup)) == 2
    # With the page's token, the form goes through.
    token = csrf_token_from(client.get("/meetings/guarded/groups").get_data(as_text=True))
    response = client.post("/meetings/guarded/groups", data={"label": "New", "csrf_token": token})
    assert response.status_code == 302
