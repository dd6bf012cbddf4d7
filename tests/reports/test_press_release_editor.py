"""The press-release editor: one form for every section and the release date; a section
rewritten, kept, reset; what was saved shown; a concurrent change refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from meetapp.formatting import local_datetime
from meetapp.models import PressRelease, PressReleaseOverride
from tests.html_forms import page_forms


def editor_form(client: Any, editor: str) -> dict[str, str]:
    """What the browser sends for the editor's form as the page shows it."""
    page = client.get(editor).get_data(as_text=True)
    (form,) = [f for f in page_forms(page) if (f.action or "").endswith("/press-release")]
    return sent(form)


def sent(form: Any) -> dict[str, str]:
    """What the editor's form sends when saved with its "Save the draft" button (not with a
    section's reset button)."""
    return {name: value for name, value in form.submitted() if name and name != "reset"}


def save(client: Any, editor: str, **changes: str) -> Any:
    """Change some fields of the editor's form (``lead="..."`` is the lead's text) and save."""
    data = editor_form(client, editor)
    for name, value in changes.items():
        key = name if name in data and name != "reset" else f"{name}-text"
        data["reset" if name == "reset" else key] = value
    return client.post(editor, data=data)


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
    assert page.count("<form") == 1 + page.count('action="/logout"')  # one form for the draft

    response = save(client, editor, headline="Our own headline")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("?saved=headline#section-headline")
    override = _overrides(db)["headline"]
    assert override.text == "Our own headline"
    assert override.updated_by_id == organiser.id
    assert override.updated_at is not None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved: Headline." in page
    assert "data-saved" in page.split('id="section-headline"')[1].split("</section>")[0]
    saved_at = local_datetime(override.updated_at, meeting.timezone)
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d \(Phnom Penh, UTC\+7\)", saved_at)
    assert f"Rewritten by Dara Sok · {saved_at}" in page
    assert "Convenes Workshop to Discuss Safe Migration" in page  # the generated text, beside

    # The data changes: the overridden section keeps its words, the others follow.
    meeting.background = "Recruitment fees keep rising"
    db.session.commit()
    text = client.get(f"{editor}.md").get_data(as_text=True)
    assert "# Our own headline" in text
    assert "Recruitment fees keep rising." in text
    preview = client.get(f"{editor}/preview").get_data(as_text=True)
    assert "Our own headline" in preview

    # Reset is a button of the same form: the other changes are saved with it.
    response = save(client, editor, reset="headline", background="Why we met.")
    assert response.status_code == 302
    assert set(_overrides(db)) == {"background"}
    text = client.get(f"{editor}.md").get_data(as_text=True)
    assert "Our own headline" not in text
    assert "Why we met." in text

    # Saving the generated words unchanged is not an override; a section sent back as the
    # page showed it is left alone.
    response = save(client, editor)
    assert response.status_code == 302
    assert "Nothing was changed" in client.get(editor).get_data(as_text=True)
    assert set(_overrides(db)) == {"background"}


def test_two_sections_and_the_date_are_saved_together(
    db: Any, make_user: Any, make_meeting: Any, login_as: Any
) -> None:
    """Regression: editing one section and saving another discarded the first edit."""
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser], topic="safe migration")
    client = login_as(organiser)
    editor = f"/meetings/{meeting.slug}/press-release"
    response = save(
        client,
        editor,
        lead="Our lead.",
        about="About us.",
        release_date="2019-02-21",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        "?saved=lead,about,release-date#section-release-date"
    )
    overrides = _overrides(db)
    assert (overrides["lead"].text, overrides["about"].text) == ("Our lead.", "About us.")
    assert db.session.get(PressRelease, meeting.id).release_date.isoformat() == "2019-02-21"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved: Lead, About the organisation, Release date." in page


def test_a_change_made_meanwhile_is_not_overwritten(
    db: Any, make_user: Any, make_meeting: Any, login_as: Any
) -> None:
    organiser = make_user("organiser", name="Dara Sok")
    colleague = make_user("staff", name="Sreymom Keo")
    meeting = make_meeting(organisers=[organiser], topic="safe migration")
    editor = f"/meetings/{meeting.slug}/press-release"
    client = login_as(organiser)
    mine = editor_form(client, editor)

    other = login_as(colleague)
    assert save(other, editor, lead="Her lead.").status_code == 302
    client = login_as(organiser)

    # The organiser changes the lead too, on the page loaded before: refused, nothing saved.
    mine["lead-text"] = "My lead."
    mine["about-text"] = "About us."
    response = client.post(editor, data=mine)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "The draft was changed since you opened it (Lead)" in page
    assert "My lead." in page  # what was typed is kept
    assert "Her lead." in page  # beside the draft as it is now
    assert {k: o.text for k, o in _overrides(db).items()} == {"lead": "Her lead."}

    # Saving the form shown again keeps what is in the boxes.
    (form,) = [f for f in page_forms(page) if (f.action or "").endswith("/press-release")]
    response = client.post(editor, data=sent(form))
    assert response.status_code == 302
    assert {k: o.text for k, o in _overrides(db).items()} == {
        "lead": "My lead.",
        "about": "About us.",
    }

    # A section the organiser did not touch is left as the colleague saved it.
    mine = editor_form(client, editor)
    other = login_as(colleague)
    assert save(other, editor, background="Her background.").status_code == 302
    client = login_as(organiser)
    mine["findings-text"] = "Our findings."
    assert client.post(editor, data=mine).status_code == 302
    overrides = {k: o.text for k, o in _overrides(db).items()}
    assert overrides["background"] == "Her background."
    assert overrides["findings"] == "Our findings."


def test_bad_input_and_unknown_sections(
    db: Any, make_user: Any, make_meeting: Any, login_as: Any
) -> None:
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser])
    client = login_as(organiser)
    editor = f"/meetings/{meeting.slug}/press-release"
    for text, message in (
        ("", "Enter the text of the section"),
        ("x" * 20_001, "Field cannot be longer than 20000 characters"),
        ("a\x00b", "Remove the invisible control characters."),
    ):
        response = save(client, editor, lead=text, about="Kept in the form.")
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert message in page
        assert "Kept in the form." in page
    assert _overrides(db) == {}
    assert save(client, editor, reset="nonsense").status_code == 422
    assert client.post(editor, data={"lead-text": "x"}).status_code == 422  # not the page's form
    assert _overrides(db) == {}

    response = save(client, editor, release_date="21/02/2019")
    assert response.status_code == 422
    assert "Not a valid date value." in response.get_data(as_text=True)
    assert save(client, editor, release_date="2019-02-21").status_code == 302
    db.session.rollback()
    assert db.session.get(PressRelease, meeting.id).release_date.isoformat() == "2019-02-21"
    assert "21 February 2019" in client.get(f"{editor}.md").get_data(as_text=True)

    save(client, editor, lead="<script>alert(1)</script>")
    page = client.get(f"{editor}/preview").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    page = client.get(editor).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page


def test_staff_rewrite_a_section_set_the_date_and_reset(
    db: Any, make_user: Any, make_meeting: Any, login_as: Any
) -> None:
    """Staff write the press release of every meeting, on no team."""
    meeting = make_meeting(organisers=[make_user("organiser")], topic="safe migration")
    staff = make_user("staff", name="Sreymom Keo")
    client = login_as(staff)
    editor = f"/meetings/{meeting.slug}/press-release"
    page = client.get(editor).get_data(as_text=True)
    assert "Save the draft" in page
    assert 'name="release_date"' in page

    response = save(client, editor, headline="Staff words", release_date="2019-02-21")
    assert response.status_code == 302
    override = _overrides(db)["headline"]
    assert override.text == "Staff words"
    assert override.updated_by_id == staff.id
    page = client.get(editor).get_data(as_text=True)
    saved_at = local_datetime(override.updated_at, meeting.timezone)
    assert f"Rewritten by Sreymom Keo · {saved_at}" in page
    assert "Reset to the generated text" in page
    assert "Staff words" in client.get(f"{editor}/preview").get_data(as_text=True)
    db.session.rollback()
    record = db.session.get(PressRelease, meeting.id)
    assert (record.release_date.isoformat(), record.updated_by_id) == ("2019-02-21", staff.id)

    assert save(client, editor, reset="headline").status_code == 302
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
    assert client.post(editor, data={"lead-text": "x"}).status_code == 404
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
    data = editor_form(client, editor)
    token = data.pop("csrf_token")
    data["lead-text"] = "Our lead"
    assert client.post(editor, data=data).status_code == 400
    assert _overrides(db) == {}
    response = client.post(editor, data={**data, "csrf_token": token})
    assert response.status_code == 302
    assert _overrides(db)["lead"].text == "Our lead"
