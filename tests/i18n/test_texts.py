"""Texts the organiser wrote in several languages fall back to the meeting's first language."""

from flask_babel import force_locale

from meetapp.i18n import in_language
from meetapp.models import Meeting


def test_a_translated_text_is_read_in_its_language_and_falls_back_to_the_column(app):
    meeting = Meeting(title="Labour migration", venue="Phnom Penh Hotel")
    meeting.translations = {"km": {"title": "ការធ្វើចំណាកស្រុកពលកម្ម"}, "ja": {"title": ""}}
    with app.test_request_context("/"):
        with force_locale("km"):
            assert in_language(meeting, "title") == "ការធ្វើចំណាកស្រុកពលកម្ម"
            assert in_language(meeting, "venue") == "Phnom Penh Hotel"
        with force_locale("ja"):
            # An empty translation is a missing one.
            assert in_language(meeting, "title") == "Labour migration"
    assert meeting.translation("km", "venue") is None
    assert meeting.translation(None, "title") is None
    assert in_language(None, "title") is None
