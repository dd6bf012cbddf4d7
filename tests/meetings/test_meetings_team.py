"""The organiser team of a meeting."""

from __future__ import annotations

from sqlalchemy import select

from meetapp.models import meeting_organisers
from tests.conftest import UNICODE_EMAIL, UNICODE_EMAIL_TYPED


def _team(db, meeting):
    db.session.rollback()
    return sorted(
        db.session.scalars(
            select(meeting_organisers.c.user_id).where(
                meeting_organisers.c.meeting_id == meeting.id
            )
        )
    )


def test_add_an_organiser_by_email(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    colleague = make_user("organiser", email="colleague@example.org", name="Dara Colleague")
    meeting = make_meeting(slug="t", organisers=[organiser])
    client = login_as(organiser)
    response = client.post("/meetings/t/team", data={"email": " Colleague@Example.org "})
    assert response.status_code == 302
    assert _team(db, meeting) == sorted([organiser.id, colleague.id])
    page = client.get("/meetings/t/team").get_data(as_text=True)
    assert "Dara Colleague" in page
    assert "colleague@example.org" in page
    # The colleague now sees and edits the meeting.
    other = login_as(colleague)
    assert other.get("/meetings/t/edit").status_code == 200


def test_add_an_organiser_by_a_unicode_address_typed_otherwise(
    db, make_user, make_meeting, login_as
):
    organiser = make_user("organiser")
    colleague = make_user("organiser", email=UNICODE_EMAIL)
    meeting = make_meeting(slug="t", organisers=[organiser])
    client = login_as(organiser)
    response = client.post("/meetings/t/team", data={"email": UNICODE_EMAIL_TYPED})
    assert response.status_code == 302
    assert _team(db, meeting) == sorted([organiser.id, colleague.id])


def test_add_team_member_refuses_bad_input(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    make_user("staff", email="staff@example.org")
    make_user("admin", email="admin@example.org")
    make_user("organiser", email="gone@example.org", active=False)
    meeting = make_meeting(slug="t", organisers=[organiser])
    client = login_as(organiser)
    for email, message in (
        ("", "Enter the organiser&#39;s e-mail address."),
        ("x" * 10_000, "Field cannot be longer than 254 characters."),
        ("nobody@example.org", "There is no user with this e-mail address."),
        ("staff@example.org", "Only organisers join a team"),
        ("admin@example.org", "Only organisers join a team"),
        ("gone@example.org", "This account is deactivated."),
        (organiser.email, "is already on the team."),
        ("<script>@x", "There is no user with this e-mail address."),
    ):
        response = client.post("/meetings/t/team", data={"email": email})
        assert response.status_code == 200, email
        page = response.get_data(as_text=True)
        assert message in page, email
        assert "<script>@x" not in page
    assert _team(db, meeting) == [organiser.id]


def test_remove_a_member_but_not_the_last(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    colleague = make_user("organiser")
    meeting = make_meeting(slug="t", organisers=[organiser, colleague])
    client = login_as(organiser)
    response = client.post(f"/meetings/t/team/{colleague.id}/remove")
    assert response.status_code == 302
    assert _team(db, meeting) == [organiser.id]
    response = client.post(f"/meetings/t/team/{organiser.id}/remove", follow_redirects=True)
    assert "The last member of the team cannot be removed" in response.get_data(as_text=True)
    assert _team(db, meeting) == [organiser.id]


def test_organiser_leaving_the_team_loses_access(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    colleague = make_user("organiser")
    meeting = make_meeting(slug="t", organisers=[organiser, colleague])
    client = login_as(organiser)
    response = client.post(f"/meetings/t/team/{organiser.id}/remove")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
    assert _team(db, meeting) == [colleague.id]
    assert client.get("/meetings/t").status_code == 404


def test_admin_may_remove_the_last_member(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="t", organisers=[organiser])
    client = login_as(make_user("admin"))
    assert client.post(f"/meetings/t/team/{organiser.id}/remove").status_code == 302
    assert _team(db, meeting) == []


def test_removing_someone_not_on_the_team_is_404(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    outsider = make_user("organiser")
    other = make_meeting(slug="other", organisers=[outsider])
    meeting = make_meeting(slug="t", organisers=[organiser])
    client = login_as(organiser)
    assert client.post(f"/meetings/t/team/{outsider.id}/remove").status_code == 404
    assert client.post("/meetings/t/team/999999/remove").status_code == 404
    assert _team(db, other) == [outsider.id]
    assert _team(db, meeting) == [organiser.id]


def test_staff_see_the_team_but_change_nothing(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser", name="Team Member")
    colleague = make_user("organiser", email="c@example.org")
    meeting = make_meeting(slug="t", organisers=[organiser])
    client = login_as(make_user("staff"))
    page = client.get("/meetings/t/team").get_data(as_text=True)
    assert "Team Member" in page
    assert "Add to team" not in page
    assert client.post("/meetings/t/team", data={"email": colleague.email}).status_code == 403
    assert client.post(f"/meetings/t/team/{organiser.id}/remove").status_code == 403
    assert _team(db, meeting) == [organiser.id]
