"""Organisations: the conveners of meetings."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from meetapp.models import Meeting, Organisation


def _organisations(db):
    db.session.rollback()
    return db.session.scalars(select(Organisation).order_by(Organisation.id)).all()


def test_organiser_creates_an_organisation_with_every_field(db, make_user, login_as):
    client = login_as(make_user("organiser"))
    response = client.post(
        "/organisations/new",
        data={
            "name": "  Mekong Migration Network ",
            "short_name": "MMN",
            "about": "MMN is a network of NGOs and researchers.",
            "website": "https://www.mekongmigration.org/",
        },
    )
    assert response.status_code == 302
    [organisation] = _organisations(db)
    assert organisation.name == "Mekong Migration Network"
    assert organisation.short_name == "MMN"
    assert organisation.about == "MMN is a network of NGOs and researchers."
    assert organisation.website == "https://www.mekongmigration.org/"
    page = client.get("/organisations").get_data(as_text=True)
    assert "Mekong Migration Network" in page
    assert f"/organisations/{organisation.id}/edit" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Enter the organisation&#39;s name."),
        ({"name": "   "}, "Enter the organisation&#39;s name."),
        ({"name": "x" * 10_000}, "Field cannot be longer than 200 characters."),
        ({"short_name": "x" * 10_000}, "Field cannot be longer than 50 characters."),
        ({"about": "x" * 10_000}, "Field cannot be longer than 5000 characters."),
        ({"website": "javascript:alert(1)"}, "starting with http:// or https://"),
        ({"website": " JaVaScRiPt:alert(1)"}, "starting with http:// or https://"),
        ({"website": "data:text/html,<b>x</b>"}, "starting with http:// or https://"),
        ({"website": "vbscript:msgbox(1)"}, "starting with http:// or https://"),
        ({"website": "http://[::1"}, "starting with http:// or https://"),
        ({"name": "Mekong\r\nNetwork"}, "Keep this on one line"),
        ({"short_name": "M\tM"}, "Keep this on one line"),
        ({"website": "ftp://example.org"}, "starting with http:// or https://"),
        ({"website": "www.example.org"}, "starting with http:// or https://"),
        ({"website": "https://exa mple.org"}, "starting with http:// or https://"),
        ({"website": "https://" + "x" * 10_000}, "Field cannot be longer than 500 characters."),
    ],
)
def test_bad_organisation_input_is_refused(db, make_user, login_as, overrides, message):
    client = login_as(make_user("admin"))
    data = {"name": "Network", "short_name": "N", "about": "About", "website": ""}
    data.update(overrides)
    response = client.post("/organisations/new", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _organisations(db) == []


def test_html_in_organisation_fields_is_escaped(db, make_user, make_meeting, login_as):
    client = login_as(make_user("admin"))
    client.post(
        "/organisations/new",
        data={"name": "<script>x()</script>", "about": "<img src=x onerror=y>"},
    )
    [organisation] = _organisations(db)
    for url in ("/organisations", f"/organisations/{organisation.id}/edit"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>x()" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;x()&lt;/script&gt;" in page


def test_organiser_edits_the_organisation_of_their_meeting(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser])
    client = login_as(organiser)
    url = f"/organisations/{meeting.organisation_id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert meeting.organisation.name in page
    response = client.post(
        url, data={"name": "Renamed", "short_name": "", "about": "", "website": "http://a.example"}
    )
    assert response.status_code == 302
    [organisation] = _organisations(db)
    assert organisation.name == "Renamed"
    assert organisation.short_name is None
    assert organisation.website == "http://a.example"


def test_organiser_edits_an_organisation_that_convenes_no_meeting_yet(db, make_user, login_as):
    client = login_as(make_user("organiser"))
    client.post("/organisations/new", data={"name": "Typo Netwrok"})
    [organisation] = _organisations(db)
    url = f"/organisations/{organisation.id}/edit"
    assert 'value="Typo Netwrok"' in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"name": "Typo Network"}).status_code == 302
    assert _organisations(db)[0].name == "Typo Network"


def test_organiser_cannot_edit_another_teams_organisation(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    make_meeting(organisers=[organiser])
    other = make_meeting()
    client = login_as(organiser)
    url = f"/organisations/{other.organisation_id}/edit"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"name": "Hijacked"}).status_code == 404
    assert other.organisation.name not in client.get("/organisations").get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Organisation, other.organisation_id).name != "Hijacked"


def organisation_row(organisation):
    """What an organisation says of itself, and who created it."""
    return (
        organisation.name,
        organisation.short_name,
        organisation.about,
        organisation.website,
        organisation.created_by_id,
    )


def test_organiser_cannot_use_an_organisation_another_organiser_created(
    db, make_user, login_as, new_client, meeting_form_data
):
    creator, other = make_user("organiser"), make_user("organiser")
    mine = new_client(creator)
    mine.post(
        "/organisations/new",
        data={"name": "Fresh Network", "about": "Our words.", "website": "https://f.example"},
    )
    [organisation] = _organisations(db)
    assert organisation.created_by_id == creator.id
    before = organisation_row(organisation)

    client = login_as(other)
    url = f"/organisations/{organisation.id}/edit"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"name": "Hijacked", "about": "Their words."}).status_code == 404
    assert "Fresh Network" not in client.get("/organisations").get_data(as_text=True)
    assert "Fresh Network" not in client.get("/meetings/new").get_data(as_text=True)
    response = client.post("/meetings/new", data=meeting_form_data(organisation.id))
    assert response.status_code == 200
    assert "Not a valid choice." in response.get_data(as_text=True)
    [after] = _organisations(db)
    assert organisation_row(after) == before
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0

    # Its creator, and an administrator, still may.
    assert mine.get(url).status_code == 200
    assert new_client(make_user("admin")).get(url).status_code == 200


def test_an_organisation_nobody_is_known_to_have_created_is_left_to_administrators(
    db, make_user, login_as
):
    db.session.add(Organisation(name="Older Network"))
    db.session.commit()
    [organisation] = _organisations(db)
    url = f"/organisations/{organisation.id}/edit"
    assert login_as(make_user("organiser")).get(url).status_code == 404


def test_unknown_organisation_is_404(make_user, login_as):
    client = login_as(make_user("admin"))
    assert client.get("/organisations/999999/edit").status_code == 404


def test_staff_may_not_touch_organisations(db, make_user, make_meeting, login_as):
    meeting = make_meeting()
    client = login_as(make_user("staff"))
    assert client.get("/organisations").status_code == 403
    assert client.get("/organisations/new").status_code == 403
    assert client.post("/organisations/new", data={"name": "X"}).status_code == 403
    url = f"/organisations/{meeting.organisation_id}/edit"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"name": "X"}).status_code == 403
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_anonymous_visitors_are_sent_to_login(client, make_meeting):
    meeting = make_meeting()
    for url in ("/organisations", "/organisations/new", f"/organisations/{meeting.id}/edit"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_a_website_stored_before_the_rule_is_shown_but_not_as_a_link(db, make_user, login_as):
    admin = make_user("admin")
    db.session.add(Organisation(name="Older Network", website="javascript:alert(1)"))
    db.session.add(Organisation(name="Linked Network", website="https://linked.example/"))
    db.session.commit()
    page = login_as(admin).get("/organisations").get_data(as_text=True)
    assert "javascript:alert(1)" in page
    assert 'href="javascript' not in page
    assert '<a href="https://linked.example/"' in page
