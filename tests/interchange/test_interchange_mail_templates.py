"""The optional `mail_templates` of a meetapp/1 meeting: the automatic e-mails written whole,
exported only when there are some, checked as on the "E-mails" page (a template without the
link its kind brings is refused), imported all or nothing, and round-tripped."""

from __future__ import annotations

import json
from typing import Any

import pytest

from meetapp.interchange.export import export_meeting
from meetapp.interchange.services import InterchangeError, import_meeting
from meetapp.meetings import mail_templates
from meetapp.outbox.mail_templates import Written

TEMPLATES = {
    "registration_confirmation": {
        "en": {"subject": "Welcome to {meeting}", "body": "Dear {name},\n\nYour link: {link}"},
        "km": {"subject": "សូមស្វាគមន៍ {meeting}", "body": "{name}\n{link}"},
    },
    "survey_reminder": {"en": {"subject": "{survey}", "body": "Still time: {survey_link}"}},
}


def test_templates_round_trip_and_are_exported_only_when_written(
    db: Any, small_document: Any
) -> None:
    document = small_document()
    document["meeting"]["languages"] = ["en", "km"]
    first = import_meeting(json.loads(json.dumps(document))).meeting
    assert "mail_templates" not in export_meeting(first)["meeting"]

    document = small_document(slug="with-templates")
    document["meeting"]["languages"] = ["en", "km"]
    document["meeting"]["mail_templates"] = json.loads(json.dumps(TEMPLATES))
    # Line breaks as Windows writes them are stored as plain line feeds.
    document["meeting"]["mail_templates"]["survey_reminder"]["en"]["body"] = (
        "Still time:\r\n{survey_link}"
    )
    meeting = import_meeting(json.loads(json.dumps(document))).meeting
    db.session.commit()
    stored = mail_templates.stored(meeting)
    assert stored["registration_confirmation"]["km"] == Written(
        "សូមស្វាគមន៍ {meeting}", "{name}\n{link}"
    )
    assert stored["survey_reminder"]["en"] == Written("{survey}", "Still time:\n{survey_link}")
    exported = export_meeting(meeting)
    expected = json.loads(json.dumps(TEMPLATES))
    expected["survey_reminder"]["en"]["body"] = "Still time:\n{survey_link}"
    assert exported["meeting"]["mail_templates"] == expected

    # Exported, then imported again under another address: the same templates.
    exported["meeting"]["slug"] = "again"
    again = import_meeting(json.loads(json.dumps(exported))).meeting
    assert mail_templates.stored(again) == stored


@pytest.mark.parametrize(
    ("templates", "expected"),
    [
        (
            {"welcome_mail": {"en": {"subject": "x", "body": "{link}"}}},
            'meeting.mail_templates: "welcome_mail" is not an automatic e-mail',
        ),
        (
            {"survey_reminder": {"eng": {"subject": "x", "body": "{survey_link}"}}},
            'survey_reminder: not an ISO 639-1 language code: "eng"',
        ),
        (
            {"registration_new_link": {"en": {"subject": "New", "body": "No link here"}}},
            "registration_new_link.en.body: This e-mail exists to bring the participant",
        ),
        (
            {"survey_invitation": {"en": {"subject": "x", "body": "{survey_link} {venu}"}}},
            "survey_invitation.en.body: Unknown placeholder: {venu}.",
        ),
        (
            {"registration_confirmation": {"en": {"subject": "{link}", "body": "{link}"}}},
            "registration_confirmation.en.subject: No link in the subject",
        ),
        (
            {"registration_confirmation": {"en": {"subject": "x"}}},
            "meeting.mail_templates.registration_confirmation.en.body: required",
        ),
    ],
)
def test_wrong_templates_are_refused_and_nothing_is_imported(
    db: Any, small_document: Any, row_counts: Any, templates: Any, expected: str
) -> None:
    document = small_document()
    document["meeting"]["mail_templates"] = templates
    before = row_counts()
    with pytest.raises(InterchangeError) as caught:
        import_meeting(json.loads(json.dumps(document)))
    db.session.rollback()
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems
    assert row_counts() == before
