"""meetapp/1 and the open link: a survey's open-link settings and the responses given through
it travel; the code never does."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from meetapp.interchange.export import export_meeting
from meetapp.interchange.services import InterchangeError, import_meeting
from meetapp.models import Survey, SurveyResponse
from meetapp.surveys.open_link import OpenLinkSettings, update_open_link
from tests.interchange.test_interchange_round_trip import empty_database


def survey_document(small_document, open_link=None, open_response=None):
    document = small_document()
    document["surveys"] = [
        {
            "key": "feedback",
            "title": "Feedback",
            "questions": [{"key": "rate", "text": "Rate", "kind": "rating"}],
            "responses": [
                {
                    "participant": "ana@example.org",
                    "submitted_at": "2024-05-03T10:00:00+07:00",
                    "answers": {"rate": 5},
                },
                open_response
                or {
                    "participant": None,
                    "submitted_at": "2024-05-03T10:05:00+07:00",
                    "answers": {"rate": 2},
                    "via_open_link": True,
                },
            ],
            **({"open_link": open_link} if open_link is not None else {}),
        }
    ]
    return document


def test_open_link_settings_and_open_responses_round_trip(db, small_document):
    document = survey_document(
        small_document, open_link={"enabled": True, "counts_with_invited": False}
    )
    meeting = import_meeting(document).meeting
    db.session.commit()
    survey = db.session.scalar(select(Survey))
    assert (survey.open_link, survey.open_counts_with_invited, survey.open_code) == (
        True,
        False,
        None,
    )
    assert survey.open_key is not None  # an address of this site's own
    assert [r.via_open_link for r in db.session.scalars(select(SurveyResponse))] == [False, True]

    first = export_meeting(meeting)
    exported = first["surveys"][0]
    assert exported["open_link"] == {"enabled": True, "counts_with_invited": False}
    assert "via_open_link" not in exported["responses"][0]
    assert exported["responses"][1]["via_open_link"] is True
    assert exported["responses"][1]["participant"] is None
    empty_database()
    meeting = import_meeting(json.loads(json.dumps(first))).meeting
    db.session.commit()
    assert export_meeting(meeting) == first


def test_the_code_is_never_exported_and_a_guarded_link_comes_in_turned_off(db, small_document):
    meeting = import_meeting(survey_document(small_document)).meeting
    db.session.commit()
    survey = db.session.scalar(select(Survey))
    assert "open_link" not in export_meeting(meeting)["surveys"][0]  # never set up
    update_open_link(survey, OpenLinkSettings(enabled=True, code="ROOM7"))
    db.session.commit()
    first = export_meeting(meeting)
    assert first["surveys"][0]["open_link"] == {
        "enabled": True,
        "counts_with_invited": True,
        "code_required": True,
    }
    assert "ROOM7" not in json.dumps(first)
    assert survey.open_key not in json.dumps(first)

    empty_database()
    meeting = import_meeting(json.loads(json.dumps(first))).meeting
    db.session.commit()
    survey = db.session.scalar(select(Survey))
    assert (survey.open_link, survey.open_code, survey.open_key) == (False, None, None)
    # Off, with the default setting, it is as if never set up.
    assert "open_link" not in export_meeting(meeting)["surveys"][0]


def test_an_open_response_names_no_one(db, small_document):
    document = survey_document(
        small_document,
        open_response={"participant": "bo@example.org", "answers": {}, "via_open_link": True},
    )
    with pytest.raises(InterchangeError) as caught:
        import_meeting(document)
    assert "names no one" in str(caught.value.problems)
