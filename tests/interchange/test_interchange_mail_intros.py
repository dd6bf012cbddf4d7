"""The optional `mail_intros` of a meetapp/1 meeting: the introductions of the automatic
e-mails, exported only when there are some, imported all or nothing, and round-tripped."""

from __future__ import annotations

import json
from typing import Any

import pytest

from meetapp.interchange.export import export_meeting
from meetapp.interchange.services import InterchangeError, import_meeting
from meetapp.meetings import mail_intros

INTROS = {
    "registration_confirmation": {
        "en": "Welcome, {name}!\nSee you on {dates}.",
        "km": "សួស្តី {name}",
    },
    "survey_reminder": {"en": "Still time to answer about {meeting}."},
}


def test_intros_round_trip_and_are_exported_only_when_written(db: Any, small_document: Any) -> None:
    document = small_document()
    document["meeting"]["languages"] = ["en", "km"]
    first = import_meeting(json.loads(json.dumps(document))).meeting
    assert "mail_intros" not in export_meeting(first)["meeting"]

    document = small_document(slug="with-intros")
    document["meeting"]["languages"] = ["en", "km"]
    document["meeting"]["mail_intros"] = {
        **INTROS,
        "survey_invitation": {"en": "   "},  # empty: no introduction
    }
    meeting = import_meeting(json.loads(json.dumps(document))).meeting
    db.session.commit()
    assert mail_intros.stored(meeting) == INTROS
    exported = export_meeting(meeting)
    assert exported["meeting"]["mail_intros"] == INTROS

    # Exported, then imported again under another address: the same introductions.
    exported["meeting"]["slug"] = "again"
    again = import_meeting(json.loads(json.dumps(exported))).meeting
    assert mail_intros.stored(again) == INTROS


@pytest.mark.parametrize(
    ("intros", "expected"),
    [
        (
            {"welcome_mail": {"en": "x"}},
            'meeting.mail_intros: "welcome_mail" is not an automatic e-mail',
        ),
        (
            {"survey_reminder": {"eng": "x"}},
            'survey_reminder: not an ISO 639-1 language code: "eng"',
        ),
        (
            {"survey_reminder": {"en": "x" * 2_001}},
            "survey_reminder.en: Keep this to 2,000 characters",
        ),
        (
            {"survey_reminder": {"en": "Go to {link}"}},
            "survey_reminder.en: Unknown placeholder: {link}.",
        ),
        (
            {"survey_reminder": {"en": 5}},
            "meeting.mail_intros.survey_reminder.en: expected a string",
        ),
    ],
)
def test_wrong_intros_are_refused_and_nothing_is_imported(
    db: Any, small_document: Any, row_counts: Any, intros: Any, expected: str
) -> None:
    document = small_document()
    document["meeting"]["mail_intros"] = intros
    before = row_counts()
    with pytest.raises(InterchangeError) as caught:
        import_meeting(json.loads(json.dumps(document)))
    db.session.rollback()
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems
    assert row_counts() == before
