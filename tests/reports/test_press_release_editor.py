"""The press-release editor: override a section, keep it, reset it; the release date."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from meetapp.formatting import local_datetime
from meetapp.models import PressRelease, PressReleaseOverride
from tests.conftest import csrf_token_from


def _overrides(db: Any) -> dict[str, PressReleaseOverride]:
    db.session.rollback()
    return {o.section: o for o in db.session.scalars(select(PressReleaseOverride))}


def test_override_survives_and_resets(
    db: Any, make_user: Any, make_meeting: Any, login_as: Any
) -> None:
    organiser = make_user("organiser", name="Dara Sok")
    meeting = make_meeting(organisers=[organiser], topic="safe migration", kind="workshop")
    client = login_as(organiser)
    editor = f"/meetings/{meeting.slug}/press-release"
    page = client.get(editor).get_data(as_text=True)
    assert "Convenes Workshop to Discuss Safe Migration" in page
    assert "Nothing recorded for this section" in page

    response = client.post(
        f"{editor}/sections/headline", data={"headline-text": "Our own headline"}
    )
    assert response.status_code == 302
    override = _overrides(db)["headline"]
    assert override.text == "Our own headline"
    assert override.updated_by_id == organiser.id
    assert override.updated_at is not None
    page = client.get(editor).get_data(as_text=True)
    saved_at = local_datetime(override.updated_at, meeting.timezone)
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d \(Phnom Penh, UTC\+7\)", saved_at)
    assert f"Rewritten by Dara Sok · {saved_at}" in page
    assert "Convenes Workshop to Discuss Safe Migration" in page  # the generated text, beside

    # The data changes: the overridden section keeps its words, the others follow.
    meeting.topic = "fair recruitment"
    db.session.commit()
    text = client.get(f"{editor}.md").get_data(as_text=True)
    assert "# Our own headline" in text
    assert "on fair recruitment" in text
    preview = client.get(f"{editor}/preview").get_data(as_text=True)
    assert "Our own headline" in preview

    assert client.post(f"{editor}/sections/headline/reset").status_code == 302
    assert _overrides(db) == {}
    assert "Convenes Workshop to Discuss Fair Recruitment" in client.get(f"{editor}.md").get_data(
        as_text=True
    )

    # Saving the generated words unchanged is not an override.
    lead = client.get(f"{editor}.md").get_data(as_text=True).split("\n")[6]
    assert lead.startswith("On ")
    client.post(f"{editor}/sections/lead", data={"lead-text": lead})
    assert _overrides(db) == {}


def test_bad_input_and_unknown_sections(
    db: Any, make_user: Any, make_meeting: Any, login_as: Any
) -> None:
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser])
    client = login_as(organiser)
    editor = f"/meetings/{meeting.slug}/press-release"
    for data, message in (
        ({"lead-text": ""}, "Enter the text of the section"),
        ({"lead-text": "x" * 20_001}, "Field cannot be longer than 20000 characters"),
        ({"lead-text": "a\x00b"}, "Remove the invisible control characters."),
    ):
        response = client.post(f"{editor}/sections/lead", data=data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert _overrides(db) == {}
    assert (
        client.post(f"{editor}/sections/nonsense", data={"nonsense-text": "x"}).status_code == 404
    )
    assert client.post(f"{editor}/sections/nonsense/reset").status_code == 404

    response = client.post(f"{editor}/date", data={"release_date": "21/02/2019"})
    assert response.status_code == 422
    assert "Not a valid date value." in response.get_data(as_text=True)
    assert client.post(f"{editor}/date", data={"release_date": "2019-02-21"}).status_code == 302
    db.session.rollback()
    assert db.session.get(PressRelease, meeting.id).release_date.isoformat() == "2019-02-21"
    assert "21 February 2019" in client.get(f"{editor}.md").get_data(as_text=True)

    client.post(f"{editor}/sections/lead", data={"lead-text": "<script>alert(1)</script>"})
    page = client.get(f"{editor}/preview").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_staff_rewrite_a_section_set_the_date_and_reset(
    db: Any, make_user: Any, make_meeting: Any, login_as: Any
) -> None:
    """Staff write the press release of every meeting, on no team."""
    meeting = make_meeting(organisers=[make_user("organiser")], topic="safe migration")
    staff = make_user("staff", name="Sreymom Keo")
    client = login_as(staff)
    editor = f"/meetings/{meeting.slug}/press-release"
    page = client.get(editor).get_data(as_text=True)
    assert "Save this section" in page
    assert "Save the date" in page

    response = client.post(f"{editor}/sections/headline", data={"headline-text": "Staff words"})
    assert response.status_code == 302
    override = _overrides(db)["headline"]
    assert override.text == "Staff words"
    assert override.updated_by_id == staff.id
    page = client.get(editor).get_data(as_text=True)
    saved_at = local_datetime(override.updated_at, meeting.timezone)
    assert f"Rewritten by Sreymom Keo · {saved_at}" in page
    assert "Reset to the generated text" in page
    assert "Staff words" in client.get(f"{editor}/preview").get_data(as_text=True)

    assert client.post(f"{editor}/date", data={"release_date": "2019-02-21"}).status_code == 302
    db.session.rollback()
    record = db.session.get(PressRelease, meeting.id)
    assert (record.release_date.isoformat(), record.updated_by_id) == ("2019-02-21", staff.id)

    assert client.post(f"{editor}/sections/headline/reset").status_code == 302
    assert _overrides(db) == {}
    assert "Convenes Meeting to Discuss Safe Migration" in client.get(f"{editor}.md").get_data(
        as_text=True
    )


def test_organiser_of_another_meeting_cannot_change_the_draft(
    db: Any, make_user: Any, make_meeting: Any, login_as: Any
) -> None:
    meeting = make_meeting(organisers=[make_user("organiser")])
    outsider = make_user("organiser")
    make_meeting(organisers=[outsider])
    client = login_as(outsider)
    editor = f"/meetings/{meeting.slug}/press-release"
    assert client.get(editor).status_code == 404
    assert client.post(f"{editor}/sections/lead", data={"lead-text": "x"}).status_code == 404
    assert client.post(f"{editor}/sections/lead/reset").status_code == 404
    assert client.post(f"{editor}/date", data={"release_date": "2019-02-21"}).status_code == 404
    assert _overrides(db) == {}
    db.session.rollback()
    assert db.session.get(PressRelease, meeting.id) is None


@pytest.mark.usefixtures("csrf_enabled")
def test_csrf_is_enforced_on_the_changes_of_staff(
    db: Any, make_user: Any, make_meeting: Any, login_as: Any
) -> None:
    meeting = make_meeting()
    client = login_as(make_user("staff"))
    editor = f"/meetings/{meeting.slug}/press-release"
    assert client.post(f"{editor}/sections/lead", data={"lead-text": "x"}).status_code == 400
    assert client.post(f"{editor}/date", data={"release_date": "2019-02-21"}).status_code == 400
    assert _overrides(db) == {}
    db.session.rollback()
    assert db.session.get(PressRelease, meeting.id) is None

    token = csrf_token_from(client.get(editor).get_data(as_text=True))
    response = client.post(
        f"{editor}/sections/lead", data={"lead-text": "Our lead", "lead-csrf_token": token}
    )
    assert response.status_code == 302
    assert _overrides(db)["lead"].text == "Our lead"
    assert client.post(f"{editor}/sections/lead/reset").status_code == 400
    assert set(_overrides(db)) == {"lead"}
    response = client.post(f"{editor}/sections/lead/reset", data={"csrf_token": token})
    assert response.status_code == 302
    assert _overrides(db) == {}
