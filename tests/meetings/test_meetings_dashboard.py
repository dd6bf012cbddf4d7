"""The dashboard: the meetings a user may read, with registration counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime


def _row(page: str, slug: str) -> str:
    match = re.search(
        rf'<tr>\s*<td[^>]*>[^<]*</td>\s*<td>\s*<a href="/meetings/{slug}".*?</tr>', page, re.S
    )
    assert match, slug
    return match.group(0)


def _numbers(row: str) -> list[str]:
    return re.findall(r'<td class="text-end">([^<]*)</td>', row)


def test_dashboard_counts_per_meeting(make_user, make_meeting, make_participant, login_as):
    admin = make_user("admin")
    # 23:30 UTC on 17 February is 06:30 on 18 February in Phnom Penh.
    full = make_meeting(
        slug="full",
        capacity=3,
        title="Full meeting",
        starts_at=datetime(2019, 2, 17, 23, 30, tzinfo=UTC),
    )
    for _ in range(3):
        make_participant(full)
    make_participant(full, status="registered", attended=True)
    make_participant(full, status="waitlisted")
    make_participant(full, status="waitlisted")
    make_participant(full, status="cancelled")
    make_meeting(slug="empty", capacity=None, title="Empty meeting")
    page = login_as(admin).get("/").get_data(as_text=True)
    assert "New meeting" in page
    full_row = _row(page, "full")
    assert "18 February 2019" in full_row
    assert _numbers(full_row) == ["4", "2", "1", "1", "3"]
    assert _numbers(_row(page, "empty")) == ["0", "0", "0", "0", "∞"]


def test_organiser_sees_only_their_team_meetings(make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    make_meeting(slug="mine", organisers=[organiser], title="My meeting")
    make_meeting(slug="not-mine", title="Someone else's meeting")
    page = login_as(organiser).get("/").get_data(as_text=True)
    assert "My meeting" in page
    assert "not-mine" not in page
    assert "New meeting" in page


def test_dashboard_uses_a_fixed_number_of_queries(
    make_user, make_meeting, make_participant, login_as, count_queries
):
    admin = make_user("admin")
    client = login_as(admin)

    def queries_for_dashboard() -> int:
        with count_queries() as counter:
            response = client.get("/")
        assert response.status_code == 200
        return counter.count

    first = make_meeting()
    make_participant(first)
    few = queries_for_dashboard()
    for _ in range(8):
        meeting = make_meeting()
        make_participant(meeting)
        make_participant(meeting, status="waitlisted")
    many = queries_for_dashboard()
    assert many == few
    assert many <= 3


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_dashboard_links_to_creating_and_importing_meetings(make_user, login_as):
    page = login_as(make_user("organiser")).get("/").get_data(as_text=True)
    assert 'href="/meetings/new"' in page
    assert 'href="/meetings/import"' in page
    assert "No meetings yet." in page


def test_staff_are_not_offered_to_create_or_import(make_user, login_as):
    page = login_as(make_user("staff")).get("/").get_data(as_text=True)
    assert 'href="/meetings/import"' not in page
    assert 'href="/meetings/new"' not in page
