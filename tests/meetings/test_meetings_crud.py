"""Creating, showing, editing and deleting meetings through their forms."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from meetapp.models import Meeting, Participant, StakeholderGroup, meeting_organisers


def _meeting(db, slug):
    db.session.rollback()
    return db.session.scalar(select(Meeting).where(Meeting.slug == slug))


def _meeting_count(db):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Meeting))


def test_new_meeting_form_lists_every_field(make_user, make_organisation, login_as):
    organiser = make_user("organiser")
    make_organisation(created_by=organiser)
    client = login_as(organiser)
    page = client.get("/meetings/new").get_data(as_text=True)
    for name in (
        "title",
        "slug",
        "organisation",
        "kind",
        "topic",
        "timezone",
        "starts_at",
        "ends_at",
        "venue",
        "city",
        "country",
        "languages",
        "background",
        "capacity",
        "registration_opens_at",
        "registration_closes_at",
        "groups",
    ):
        assert f'name="{name}"' in page, name
    assert 'type="datetime-local"' in page
    assert '<option value="Asia/Phnom_Penh">' in page
    assert "Cambodia" in page
    assert "Khmer" in page


def test_create_meeting_with_every_field(
    db, make_user, make_organisation, login_as, meeting_form_data
):
    organiser = make_user("organiser")
    organisation = make_organisation(created_by=organiser)
    client = login_as(organiser)

    response = client.post("/meetings/new", data=meeting_form_data(organisation.id))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/meetings/mmn-2019")

    meeting = _meeting(db, "mmn-2019")
    assert meeting.title == "Multi-stakeholder meeting on labour migration"
    assert meeting.organisation_id == organisation.id
    assert meeting.kind == "multi-stakeholder meeting"
    assert meeting.topic == "labour migration from Cambodia to Japan"
    assert meeting.timezone == "Asia/Phnom_Penh"
    # 09:00 in Phnom Penh (UTC+7) is 02:00 UTC.
    assert meeting.starts_at == datetime(2019, 2, 18, 2, 0, tzinfo=UTC)
    assert meeting.ends_at == datetime(2019, 2, 18, 10, 30, tzinfo=UTC)
    assert meeting.registration_opens_at == datetime(2019, 1, 10, 1, 0, tzinfo=UTC)
    assert meeting.registration_closes_at == datetime(2019, 2, 15, 16, 59, tzinfo=UTC)
    assert meeting.venue == "Sunway Hotel"
    assert meeting.city == "Phnom Penh"
    assert meeting.country == "KH"
    assert meeting.languages == ["en", "km", "ja"]
    assert meeting.background.startswith("Convened because")
    assert meeting.capacity == 80
    groups = db.session.scalars(
        select(StakeholderGroup)
        .where(StakeholderGroup.meeting_id == meeting.id)
        .order_by(StakeholderGroup.position)
    ).all()
    assert [(g.key, g.label) for g in groups] == [
        ("government", "Government"),
        ("civil-society", "Civil society"),
        ("private-sector", "Private sector"),
    ]
    # The organiser who created it is on its team.
    team = db.session.scalars(
        select(meeting_organisers.c.user_id).where(meeting_organisers.c.meeting_id == meeting.id)
    ).all()
    assert team == [organiser.id]

    page = client.get("/meetings/mmn-2019").get_data(as_text=True)
    assert "18 February 2019, 09:00 (Phnom Penh, UTC+7)" in page
    assert "18 February 2019, 17:30 (Phnom Penh, UTC+7)" in page
    assert "Cambodia" in page
    assert "English, Khmer, Japanese" in page
    assert "Civil society" in page
    assert "/m/mmn-2019/register" in page
    assert "Second paragraph." in page


def test_edit_form_shows_times_in_the_meeting_time_zone(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    make_meeting(
        slug="pp",
        organisers=[organiser],
        timezone="Asia/Phnom_Penh",
        starts_at=datetime(2019, 2, 18, 2, 0, tzinfo=UTC),
    )
    page = login_as(organiser).get("/meetings/pp/edit").get_data(as_text=True)
    assert 'value="2019-02-18T09:00"' in page
    assert '<option selected value="Asia/Phnom_Penh">' in page


def test_edit_meeting_changes_every_field(
    db, make_user, make_meeting, make_organisation, login_as, meeting_form_data
):
    admin = make_user("admin")
    meeting = make_meeting(slug="old-slug", capacity=10)
    other = make_organisation("Another network")
    client = login_as(admin)
    data = meeting_form_data(
        other.id,
        slug="new-slug",
        title="Renamed",
        timezone="Asia/Tokyo",
        starts_at="2020-03-01T10:00",
        ends_at="2020-03-02T12:00",
        country="JP",
        languages=["ja"],
        capacity="",
        registration_opens_at="",
        registration_closes_at="",
        kind="",
    )
    data.pop("groups")
    response = client.post("/meetings/old-slug/edit", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/meetings/new-slug")
    assert _meeting(db, "old-slug") is None
    changed = _meeting(db, "new-slug")
    assert changed.id == meeting.id
    assert changed.title == "Renamed"
    assert changed.organisation_id == other.id
    assert changed.timezone == "Asia/Tokyo"
    assert changed.starts_at == datetime(2020, 3, 1, 1, 0, tzinfo=UTC)
    assert changed.ends_at == datetime(2020, 3, 2, 3, 0, tzinfo=UTC)
    assert changed.country == "JP"
    assert changed.languages == ["ja"]
    assert changed.capacity is None
    assert changed.kind is None
    assert changed.registration_opens_at is None
    assert changed.registration_closes_at is None
    page = client.get("/meetings/new-slug/edit").get_data(as_text=True)
    assert 'value="2020-03-01T10:00"' in page


def test_delete_meeting_with_participants(db, make_user, make_meeting, make_participant, login_as):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="doomed", organisers=[organiser])
    make_participant(meeting, group_key="cso")
    make_participant(meeting, status="waitlisted", group_key="government")
    client = login_as(organiser)
    page = client.get("/meetings/doomed").get_data(as_text=True)
    assert 'data-confirm="Delete this meeting' in page
    response = client.post("/meetings/doomed/delete")
    assert response.status_code == 302
    assert _meeting(db, "doomed") is None
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0
    assert db.session.scalar(select(func.count()).select_from(StakeholderGroup)) == 0
    assert client.get("/meetings/doomed").status_code == 404


def test_delete_needs_post(make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    make_meeting(slug="kept", organisers=[organiser])
    assert login_as(organiser).get("/meetings/kept/delete").status_code == 405


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"title": ""}, "Enter a title."),
        ({"title": "   "}, "Enter a title."),
        ({"title": "x" * 10_000}, "Field cannot be longer than 300 characters."),
        ({"slug": ""}, "Enter the meeting&#39;s address."),
        ({"slug": "Bad Slug!"}, "Use only lower-case letters a-z, digits and hyphens."),
        ({"slug": "über"}, "Use only lower-case letters a-z, digits and hyphens."),
        ({"slug": "x" * 10_000}, "Field cannot be longer than 80 characters."),
        ({"timezone": "Mars/Olympus_Mons"}, "Choose a time zone from the list"),
        ({"timezone": "../../etc/passwd"}, "Choose a time zone from the list"),
        ({"starts_at": ""}, "Enter when the meeting starts."),
        ({"starts_at": "yesterday"}, "Enter when the meeting starts."),
        ({"ends_at": "2019-02-18T08:59"}, "The meeting cannot end before it starts."),
        (
            {"registration_closes_at": "2019-01-09T08:00"},
            "Registration cannot close before it opens.",
        ),
        ({"title": "a\x00b"}, "Remove the invisible control characters."),
        ({"venue": "a\x1bb"}, "Remove the invisible control characters."),
        ({"starts_at": "0001-01-01T00:00"}, "Enter a date between 1900 and 2200."),
        ({"registration_closes_at": "9999-12-31T23:59"}, "Enter a date between 1900 and 2200."),
        ({"capacity": "-1"}, "Enter a number of seats between 0 and 100,000."),
        ({"capacity": "99999999999999999999"}, "Enter a number of seats between 0 and 100,000."),
        ({"capacity": "lots"}, "Not a valid integer value."),
        ({"organisation": "999999"}, "Not a valid choice."),
        ({"organisation": "abc"}, "Invalid Choice: could not coerce."),
        ({"country": "XX"}, "Not a valid choice."),
        ({"languages": ["en", "zz"]}, "not a valid choice"),
        ({"background": "x" * 10_000}, "Field cannot be longer than 5000 characters."),
        ({"venue": "x" * 10_000}, "Field cannot be longer than 300 characters."),
        ({"kind": "x" * 10_000}, "Field cannot be longer than 100 characters."),
        ({"topic": "x" * 10_000}, "Field cannot be longer than 300 characters."),
        ({"city": "x" * 10_000}, "Field cannot be longer than 100 characters."),
        ({"groups": "x" * 10_000}, "Field cannot be longer than 5000 characters."),
        ({"groups": "x" * 300}, "at most 200 characters"),
    ],
)
def test_new_meeting_refuses_bad_input(
    db, make_user, make_organisation, login_as, meeting_form_data, overrides, field_error
):
    organiser = make_user("organiser")
    organisation = make_organisation(created_by=organiser)
    client = login_as(organiser)
    response = client.post("/meetings/new", data=meeting_form_data(organisation.id, **overrides))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert field_error in page
    assert "invalid-feedback" in page or "alert-danger" in page
    # What was typed is kept.
    assert "Multi-stakeholder meeting on labour migration" in page or "title" in overrides
    assert _meeting_count(db) == 0


def test_duplicate_slug_is_refused_beside_the_field(
    db, make_user, make_meeting, make_organisation, login_as, meeting_form_data
):
    make_meeting(slug="taken")
    organisation = make_organisation()
    client = login_as(make_user("admin"))
    response = client.post("/meetings/new", data=meeting_form_data(organisation.id, slug="taken"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Another meeting already uses this address." in page
    assert _meeting_count(db) == 1


def test_editing_to_a_taken_slug_is_refused(
    db, make_user, make_meeting, login_as, meeting_form_data
):
    admin = make_user("admin")
    make_meeting(slug="taken")
    mine = make_meeting(slug="mine")
    data = meeting_form_data(mine.organisation_id, slug="taken")
    response = login_as(admin).post("/meetings/mine/edit", data=data)
    assert response.status_code == 200
    assert "Another meeting already uses this address." in response.get_data(as_text=True)
    assert _meeting(db, "mine").title == mine.title


def test_html_in_the_title_is_shown_escaped(
    db, make_user, make_organisation, login_as, meeting_form_data
):
    organisation = make_organisation(name="<b>Bold</b> network")
    client = login_as(make_user("admin"))
    title = "<script>alert('x')</script> meeting"
    response = client.post(
        "/meetings/new", data=meeting_form_data(organisation.id, title=title, groups="<i>G</i>")
    )
    assert response.status_code == 302
    for url in ("/meetings/mmn-2019", "/", "/meetings/mmn-2019/edit", "/meetings/mmn-2019/groups"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page, url
        assert "<b>Bold</b>" not in page, url
        assert "<i>G</i>" not in page, url
    page = client.get("/meetings/mmn-2019").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; meeting" in page


def test_organiser_cannot_use_an_organisation_of_another_team(
    db, make_user, make_meeting, login_as, meeting_form_data
):
    organiser = make_user("organiser")
    others = make_meeting(slug="others")
    client = login_as(organiser)
    page = client.get("/meetings/new").get_data(as_text=True)
    assert others.organisation.name not in page
    response = client.post("/meetings/new", data=meeting_form_data(others.organisation_id))
    assert response.status_code == 200
    assert "Not a valid choice." in response.get_data(as_text=True)
    assert _meeting_count(db) == 1


def test_team_cannot_move_its_meeting_to_an_organisation_another_organiser_created(
    db, make_user, make_meeting, make_organisation, login_as, meeting_form_data
):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="ours", organisers=[organiser])
    theirs = make_organisation("Their fresh network", created_by=make_user("organiser"))
    client = login_as(organiser)
    assert "Their fresh network" not in client.get("/meetings/ours/edit").get_data(as_text=True)
    response = client.post("/meetings/ours/edit", data=meeting_form_data(theirs.id, slug="ours"))
    assert response.status_code == 200
    assert "Not a valid choice." in response.get_data(as_text=True)
    assert _meeting(db, "ours").organisation_id == meeting.organisation_id


def test_without_an_organisation_the_form_says_to_create_one(make_user, login_as):
    client = login_as(make_user("organiser"))
    page = client.get("/meetings/new").get_data(as_text=True)
    assert "Create the organisation first" in page


def test_organiser_creates_an_organisation_then_a_meeting(
    db, make_user, login_as, meeting_form_data
):
    client = login_as(make_user("organiser"))
    response = client.post(
        "/organisations/new?then=meeting", data={"name": "Mekong Migration Network"}
    )
    assert response.status_code == 302
    assert "/meetings/new?organisation=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mekong Migration Network</option>" in page
    organisation_id = int(response.headers["Location"].rsplit("=", 1)[1])
    response = client.post("/meetings/new", data=meeting_form_data(organisation_id))
    assert response.status_code == 302
    assert _meeting(db, "mmn-2019").organisation.name == "Mekong Migration Network"


def test_meeting_overview_links(make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    make_meeting(slug="linked", organisers=[organiser])
    page = login_as(organiser).get("/meetings/linked").get_data(as_text=True)
    for url in (
        "/m/linked/register",
        "/meetings/linked/edit",
        "/meetings/linked/groups",
        "/meetings/linked/team",
        "/meetings/linked/delete",
    ):
        assert url in page, url
    assert page.count('href="/meetings/linked/participants') >= 1


def test_staff_overview_has_no_edit_or_delete(make_user, make_meeting, login_as):
    make_meeting(slug="read-only")
    page = login_as(make_user("staff")).get("/meetings/read-only").get_data(as_text=True)
    assert "Meeting 1" in page or "read-only" in page
    assert "/meetings/read-only/edit" not in page
    assert "/meetings/read-only/delete" not in page
    assert "/meetings/read-only/groups" in page


def test_a_slug_that_cannot_exist_is_404(make_user, login_as):
    client = login_as(make_user("admin"))
    for slug in ("a%00b", "UPPER", "x" * 200):
        assert client.get(f"/meetings/{slug}").status_code == 404
        assert client.post(f"/meetings/{slug}/delete").status_code == 404
