"""Partners (co-organisers, host, funders) and online meetings on the meeting form, and how the
organisation's press releases end."""

from __future__ import annotations

from sqlalchemy import select

from meetapp.models import Meeting, Organisation, Partner
from meetapp.reports.press_release import compose_press_release


def test_partners_and_online_are_edited_on_the_meeting_form(
    db, make_user, make_meeting, login_as, meeting_form_data
):
    admin = make_user("admin")
    meeting = make_meeting(slug="with-partners")
    client = login_as(admin)
    data = meeting_form_data(
        meeting.organisation_id,
        slug="with-partners",
        online="y",
        partners=(
            "Co-organiser: Legal Support for Children and Women (LSCW)\n\n"
            "host:  Royal University of Phnom Penh\n"
            "Funder: Government of Japan"
        ),
    )
    data.pop("groups")
    response = client.post("/meetings/with-partners/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    rows = db.session.execute(
        select(Partner.role, Partner.name, Partner.short_name).order_by(Partner.position)
    ).all()
    assert [tuple(row) for row in rows] == [
        ("co_organiser", "Legal Support for Children and Women", "LSCW"),
        ("host", "Royal University of Phnom Penh", None),
        ("funder", "Government of Japan", None),
    ]
    assert db.session.scalar(select(Meeting.online)) is True
    page = client.get("/meetings/with-partners/edit").get_data(as_text=True)
    assert "Co-organiser: Legal Support for Children and Women (LSCW)" in page
    assert "Host: Royal University of Phnom Penh" in page
    lead = compose_press_release(db.session.get(Meeting, meeting.id)).section("lead").text
    assert "in collaboration with Legal Support for Children and Women (LSCW)" in lead
    assert "hosted by the Royal University of Phnom Penh" in lead
    assert "with the support of the Government of Japan" in lead
    assert "in Phnom Penh and online" in lead

    data["partners"] = "Sponsor: Somebody"
    response = client.post("/meetings/with-partners/edit", data=data)
    assert response.status_code == 200
    assert "Line 1: begin with “Co-organiser:”, “Host:” or “Funder:”." in response.get_data(
        as_text=True
    )
    db.session.rollback()
    assert db.session.scalar(select(Partner.name).where(Partner.role == "host")) == (
        "Royal University of Phnom Penh"
    )


def test_the_organisation_chooses_how_its_releases_end(db, make_user, login_as, make_organisation):
    admin = make_user("admin")
    organisation = make_organisation("Mekong Migration Network")
    client = login_as(admin)
    url = f"/organisations/{organisation.id}/edit"
    data = {"name": "Mekong Migration Network", "release_end": "###"}
    assert client.post(url, data=data).status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(Organisation.release_end)) == "###"
    assert '<option selected value="###">' in client.get(url).get_data(as_text=True)
    assert client.post(url, data={**data, "release_end": "THE END"}).status_code == 200
