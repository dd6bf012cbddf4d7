"""Media contacts: added, edited, ordered and removed by the meeting's organisers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from meetapp.models import Contact


def _contacts(db: Any, meeting: Any) -> list[Contact]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(Contact).where(Contact.meeting_id == meeting.id).order_by(Contact.position)
        )
    )


FULL = {
    "honorific": "Ms",
    "name": "Reiko Harima",
    "role": "Regional Coordinator",
    "organisation": "Mekong Migration Network",
    "email": "coordinator@example.org",
    "phone": "+855 12 943 767",
    "languages": ["en", "ja"],
}


def test_add_edit_move_and_remove(db: Any, setting: dict[str, Any], login_as: Any) -> None:
    meeting = setting["meeting"]
    client = login_as(setting["organiser"])
    base = f"/meetings/{meeting.slug}/contacts"
    assert client.post(f"{base}/new", data=FULL).status_code == 302
    assert client.post(f"{base}/new", data={"name": "Sokchar Mom"}).status_code == 302
    first, second = _contacts(db, meeting)
    assert (first.name, first.languages, first.phone) == (
        "Reiko Harima",
        ["en", "ja"],
        FULL["phone"],
    )
    assert second.email is None
    assert second.languages == []
    page = client.get(base).get_data(as_text=True)
    assert "English, Japanese" in page
    assert "Regional Coordinator, Mekong Migration Network" in page

    response = client.post(
        f"{base}/{second.id}/edit", data={"name": "Sokchar Mom", "languages": ["km"]}
    )
    assert response.status_code == 302
    assert client.post(f"{base}/{second.id}/move", data={"direction": "up"}).status_code == 302
    assert [(c.name, c.languages) for c in _contacts(db, meeting)] == [
        ("Sokchar Mom", ["km"]),
        ("Reiko Harima", ["en", "ja"]),
    ]
    assert client.post(f"{base}/{first.id}/delete").status_code == 302
    assert [c.name for c in _contacts(db, meeting)] == ["Sokchar Mom"]


def test_bad_input_is_refused(db: Any, setting: dict[str, Any], login_as: Any) -> None:
    meeting = setting["meeting"]
    client = login_as(setting["organiser"])
    url = f"/meetings/{meeting.slug}/contacts/new"
    cases = [
        ({"name": ""}, "Enter the name."),
        ({"name": "x" * 10_000}, "Field cannot be longer than 200 characters"),
        ({"name": "A\x00B"}, "Remove the invisible control characters."),
        ({"name": "A", "email": "not-an-address"}, "e-mail"),
        ({"name": "A", "phone": "<script>"}, "Use digits"),
        ({"name": "A", "languages": ["xx"]}, "valid choice"),
    ]
    for data, message in cases:
        response = client.post(url, data=data)
        assert response.status_code == 200, data
        assert message.lower() in response.get_data(as_text=True).lower(), data
    assert _contacts(db, meeting) == []


def test_contacts_of_another_meeting_are_not_found(
    db: Any, setting: dict[str, Any], login_as: Any, make_meeting: Any
) -> None:
    other = make_meeting()
    foreign = Contact(meeting_id=other.id, name="Theirs", position=0, languages=[])
    db.session.add(foreign)
    db.session.commit()
    client = login_as(setting["organiser"])
    base = f"/meetings/{setting['meeting'].slug}/contacts"
    assert client.get(f"{base}/{foreign.id}/edit").status_code == 404
    assert client.post(f"{base}/{foreign.id}/delete").status_code == 404
    assert client.post(f"{base}/{foreign.id}/move", data={"direction": "up"}).status_code == 404
    assert client.get(f"{base}/99999999999/edit").status_code == 404
    db.session.rollback()
    assert db.session.get(Contact, foreign.id) is not None


def test_staff_see_contacts_but_cannot_change_them(
    db: Any, setting: dict[str, Any], login_as: Any
) -> None:
    meeting = setting["meeting"]
    db.session.add(Contact(meeting_id=meeting.id, name="Press Office", position=0, languages=[]))
    db.session.commit()
    client = login_as(setting["staff"])
    page = client.get(f"/meetings/{meeting.slug}/contacts").get_data(as_text=True)
    assert "Press Office" in page
    assert "Add a contact" not in page
    assert (
        client.post(f"/meetings/{meeting.slug}/contacts/new", data={"name": "X"}).status_code == 403
    )
