"""Stakeholder groups: add, rename, reorder, remove only when unused."""

from __future__ import annotations

from sqlalchemy import select

from meetapp.models import StakeholderGroup


def _groups(db, meeting):
    db.session.rollback()
    return [
        (group.key, group.label)
        for group in db.session.scalars(
            select(StakeholderGroup)
            .where(StakeholderGroup.meeting_id == meeting.id)
            .order_by(StakeholderGroup.position, StakeholderGroup.id)
        )
    ]


def _group_id(db, meeting, key):
    db.session.rollback()
    return db.session.scalar(
        select(StakeholderGroup.id).where(
            StakeholderGroup.meeting_id == meeting.id, StakeholderGroup.key == key
        )
    )


def test_groups_page_lists_groups_with_counts(make_user, make_meeting, make_participant, login_as):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="g", organisers=[organiser])
    make_participant(meeting, group_key="cso")
    make_participant(meeting, group_key="cso", status="waitlisted")
    page = login_as(organiser).get("/meetings/g/groups").get_data(as_text=True)
    assert "Government" in page
    assert "Civil society" in page
    assert 'name="label"' in page


def test_add_group_derives_a_unique_key(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="g", organisers=[organiser])
    client = login_as(organiser)
    response = client.post("/meetings/g/groups", data={"label": "  Private   sector (SMEs) "})
    assert response.status_code == 302
    response = client.post("/meetings/g/groups", data={"label": "Government!"})
    assert response.status_code == 302
    response = client.post("/meetings/g/groups", data={"label": "日本"})
    assert response.status_code == 302
    assert _groups(db, meeting) == [
        ("government", "Government"),
        ("cso", "Civil society"),
        ("private-sector-smes", "Private sector (SMEs)"),
        ("government-2", "Government!"),
        ("group", "日本"),
    ]


def test_add_group_refuses_bad_input(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="g", organisers=[organiser])
    client = login_as(organiser)
    for label, message in (
        ("", "Enter the group&#39;s name."),
        ("   ", "Enter the group&#39;s name."),
        ("x" * 10_000, "Field cannot be longer than 200 characters."),
        ("government", "There is already a group called “government”."),
    ):
        response = client.post("/meetings/g/groups", data={"label": label})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert len(_groups(db, meeting)) == 2


def test_html_in_a_group_label_is_escaped(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    make_meeting(slug="g", organisers=[organiser])
    client = login_as(organiser)
    client.post("/meetings/g/groups", data={"label": "<script>alert(1)</script>"})
    for url in ("/meetings/g/groups", "/meetings/g"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_rename_group_keeps_its_key(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="g", organisers=[organiser])
    group_id = _group_id(db, meeting, "cso")
    client = login_as(organiser)
    response = client.post(f"/meetings/g/groups/{group_id}/rename", data={"label": "NGOs"})
    assert response.status_code == 302
    assert _groups(db, meeting) == [("government", "Government"), ("cso", "NGOs")]


def test_rename_group_refuses_bad_input_beside_the_field(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="g", organisers=[organiser])
    group_id = _group_id(db, meeting, "cso")
    client = login_as(organiser)
    for label, message in (
        ("", "Enter the group&#39;s name."),
        ("x" * 10_000, "Field cannot be longer than 200 characters."),
        ("GOVERNMENT", "There is already a group called “GOVERNMENT”."),
    ):
        response = client.post(f"/meetings/g/groups/{group_id}/rename", data={"label": label})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert message in page
        assert "is-invalid" in page
    assert _groups(db, meeting) == [("government", "Government"), ("cso", "Civil society")]


def test_move_groups_up_and_down(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    meeting = make_meeting(
        slug="g",
        organisers=[organiser],
        groups=(("a", "A"), ("b", "B"), ("c", "C")),
    )
    client = login_as(organiser)
    c_id = _group_id(db, meeting, "c")
    a_id = _group_id(db, meeting, "a")
    assert (
        client.post(f"/meetings/g/groups/{c_id}/move", data={"direction": "up"}).status_code == 302
    )
    assert [key for key, _ in _groups(db, meeting)] == ["a", "c", "b"]
    client.post(f"/meetings/g/groups/{a_id}/move", data={"direction": "down"})
    assert [key for key, _ in _groups(db, meeting)] == ["c", "a", "b"]
    # Moving the first up or the last down changes nothing.
    client.post(f"/meetings/g/groups/{c_id}/move", data={"direction": "up"})
    b_id = _group_id(db, meeting, "b")
    client.post(f"/meetings/g/groups/{b_id}/move", data={"direction": "down"})
    assert [key for key, _ in _groups(db, meeting)] == ["c", "a", "b"]
    response = client.post(f"/meetings/g/groups/{b_id}/move", data={"direction": "sideways"})
    assert response.status_code == 400
    assert [key for key, _ in _groups(db, meeting)] == ["c", "a", "b"]


def test_remove_group_only_when_unused(db, make_user, make_meeting, make_participant, login_as):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="g", organisers=[organiser])
    make_participant(meeting, group_key="cso", status="cancelled")
    client = login_as(organiser)
    cso_id = _group_id(db, meeting, "cso")
    government_id = _group_id(db, meeting, "government")

    response = client.post(f"/meetings/g/groups/{cso_id}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert "cannot be removed: 1 participant belongs to it" in response.get_data(as_text=True)
    assert _groups(db, meeting) == [("government", "Government"), ("cso", "Civil society")]

    response = client.post(f"/meetings/g/groups/{government_id}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert "was removed" in response.get_data(as_text=True)
    assert _groups(db, meeting) == [("cso", "Civil society")]


def test_group_of_another_meeting_is_404(db, make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    mine = make_meeting(slug="mine", organisers=[organiser])
    theirs = make_meeting(slug="theirs", organisers=[organiser])
    foreign_id = _group_id(db, theirs, "cso")
    client = login_as(organiser)
    for action, data in (
        ("rename", {"label": "Hijacked"}),
        ("move", {"direction": "up"}),
        ("delete", {}),
    ):
        response = client.post(f"/meetings/mine/groups/{foreign_id}/{action}", data=data)
        assert response.status_code == 404, action
    response = client.post("/meetings/mine/groups/999999/rename", data={"label": "X"})
    assert response.status_code == 404
    assert _groups(db, theirs) == [("government", "Government"), ("cso", "Civil society")]
    assert len(_groups(db, mine)) == 2


def test_staff_read_groups_but_change_nothing(db, make_user, make_meeting, login_as):
    meeting = make_meeting(slug="g")
    group_id = _group_id(db, meeting, "cso")
    client = login_as(make_user("staff"))
    page = client.get("/meetings/g/groups").get_data(as_text=True)
    assert "Civil society" in page
    assert "Rename" not in page
    assert client.post("/meetings/g/groups", data={"label": "X"}).status_code == 403
    for action in ("rename", "move", "delete"):
        response = client.post(
            f"/meetings/g/groups/{group_id}/{action}", data={"label": "X", "direction": "up"}
        )
        assert response.status_code == 403
    assert _groups(db, meeting) == [("government", "Government"), ("cso", "Civil society")]
