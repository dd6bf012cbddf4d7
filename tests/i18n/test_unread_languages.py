"""A meeting language that no participant page is written in (French here) gets no
translations or e-mail introductions to write: nobody would read them. The pages say so."""

from __future__ import annotations

from meetapp.meetings.translations import other_languages, unread_languages
from meetapp.outbox.intros import intro_languages


def test_languages_the_pages_are_not_written_in_are_left_out(make_user, make_meeting, login_as):
    organiser = make_user("organiser")
    meeting = make_meeting(slug="fr", organisers=[organiser], languages=["en", "fr", "km"])
    assert other_languages(meeting) == ["km"]
    assert unread_languages(meeting) == ["fr"]
    assert intro_languages(meeting) == ["en", "km"]
    client = login_as(organiser)
    page = client.get("/meetings/fr/translations").get_data(as_text=True)
    assert "Not listed: French." in page
    assert 'value="km"' in page
    assert 'value="fr"' not in page
    emails = client.get("/meetings/fr/emails").get_data(as_text=True)
    assert 'name="intro-km"' in emails
    assert 'name="intro-fr"' not in emails


def test_a_meeting_in_one_language_the_pages_have_and_one_they_lack(
    make_user, make_meeting, login_as
):
    organiser = make_user("organiser")
    make_meeting(slug="fr2", organisers=[organiser], languages=["en", "fr"])
    page = login_as(organiser).get("/meetings/fr2/translations").get_data(as_text=True)
    assert "Not listed: French." in page
    assert "This meeting has one language" not in page
