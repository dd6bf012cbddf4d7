"""Speakers, sessions and statements in the meetapp/1 document: checked by JSON path, written,
and exported back the same."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from meetapp.interchange.export import export_meeting
from meetapp.interchange.services import InterchangeError, import_meeting
from meetapp.models import AgendaSession
from meetapp.models.agenda import MAX_SESSION_SPEAKERS
from tests.interchange.test_interchange_round_trip import empty_database


def problems_of(document) -> list[str]:
    with pytest.raises(InterchangeError) as caught:
        import_meeting(document)
    return caught.value.problems


def with_agenda(document):
    document["speakers"] = [
        {"key": "ana", "name": "Ana Lima", "stakeholder_group": "gov", "bio": "Line one.\nTwo."},
        {"key": "bo", "honorific": "Dr", "name": "Bo Chen", "position": "Professor"},
    ]
    document["sessions"] = [
        {
            "key": "opening",
            "title": "Opening",
            "kind": "keynote",
            "starts_at": "2024-05-02T09:00:00+02:00",
            "ends_at": "2024-05-02T09:30:00+02:00",
            "location": "Hall",
            "description": "Welcome.",
            "speakers": [{"speaker": "ana", "role": "keynote"}],
        },
        {
            "title": "Panel without a key",
            "starts_at": "2024-05-02T10:00:00+02:00",
            "speakers": [{"speaker": "bo"}, {"speaker": "ana", "role": "chair"}],
        },
        {"key": "tbd", "title": "To be announced"},
    ]
    document["statements"] = [
        {
            "speaker": "ana",
            "session": "opening",
            "kind": "quote",
            "text": "We meet.",
            "highlight": True,
        },
        {"speaker": None, "session": "opening", "text": "asked for more time"},
        {"speaker": "bo", "text": "said something outside any session"},
    ]
    return document


def test_an_agenda_is_imported_and_exported_the_same(db, small_document):
    report = import_meeting(with_agenda(small_document()))
    db.session.commit()
    assert report.summary() == (
        "3 participants, 2 stakeholder groups, 1 contact, 2 speakers, 3 sessions, 3 statements"
    )
    exported = export_meeting(report.meeting)

    assert exported["speakers"][0] == {
        "key": "ana",
        "honorific": None,
        "name": "Ana Lima",
        "family_name": None,
        "name_order": None,
        "position": None,
        "organisation": None,
        "stakeholder_group": "gov",
        "bio": "Line one.\nTwo.",
    }
    opening, panel, tbd = exported["sessions"]
    assert opening["starts_at"] == "2024-05-02T09:00:00+02:00"
    assert panel["key"] == "panel-without-a-key"
    assert panel["kind"] == "other"
    assert panel["speakers"] == [
        {"speaker": "bo", "role": "speaker"},
        {"speaker": "ana", "role": "chair"},
    ]
    assert (tbd["key"], tbd["starts_at"]) == ("tbd", None)
    assert exported["statements"] == [
        {
            "speaker": "ana",
            "session": "opening",
            "kind": "quote",
            "text": "We meet.",
            "highlight": True,
        },
        {
            "speaker": None,
            "session": "opening",
            "kind": "point",
            "text": "asked for more time",
            "highlight": False,
        },
        {
            "speaker": "bo",
            "session": None,
            "kind": "point",
            "text": "said something outside any session",
            "highlight": False,
        },
    ]

    empty_database()
    again = export_meeting(import_meeting(json.loads(json.dumps(exported))).meeting)
    assert again == exported


def test_every_agenda_problem_is_listed_by_path_and_nothing_is_written(
    db, small_document, row_counts
):
    before = row_counts()
    document = with_agenda(small_document())
    document["speakers"].append({"key": "ana", "name": "Ana again", "stakeholder_group": "x"})
    document["speakers"].append({"key": "cy", "name": "", "colour": "red"})
    document["sessions"][0]["ends_at"] = "2024-05-02T08:00:00+02:00"
    document["sessions"][0]["speakers"].append({"speaker": "nobody", "role": "chair"})
    document["sessions"][0]["speakers"].append({"speaker": "ana", "role": "host"})
    document["sessions"][1]["key"] = "has space"
    document["sessions"][2]["kind"] = "party"
    document["sessions"].append({"key": "opening", "title": "Twice"})
    document["statements"][0]["text"] = "x" * 5001
    document["statements"][1]["session"] = "nowhere"
    document["statements"][2]["speaker"] = "ghost"
    document["statements"].append({"speaker": "bo", "kind": "rumour", "text": ""})

    problems = problems_of(document)

    for expected in (
        'speakers[2].key: "ana" is also the key of speakers[0]',
        'speakers[2].stakeholder_group: no stakeholder group with the key "x" in '
        "meeting.stakeholder_groups",
        "speakers[3].name: must not be empty",
        "speakers[3].colour: unknown key",
        "sessions[0].ends_at: is before starts_at",
        'sessions[0].speakers[1].speaker: no speaker with the key "nobody" in speakers',
        'sessions[0].speakers[2].speaker: "ana" is listed twice in this session',
        "sessions[0].speakers[2].role: must be one of",
        "sessions[1].key: only letters, digits, hyphens and underscores",
        "sessions[2].kind: must be one of",
        'sessions[3].key: "opening" is also the key of sessions[0]',
        "statements[0].text: longer than 5000 characters",
        'statements[1].session: no session with the key "nowhere" in sessions',
        'statements[2].speaker: no speaker with the key "ghost" in speakers',
        "statements[3].kind: must be one of 'quote' or 'point'",
        "statements[3].text: must not be empty",
    ):
        assert any(problem.startswith(expected) for problem in problems), expected
    db.session.rollback()
    assert row_counts() == before


def test_html_in_agenda_text_is_kept_as_text(db, small_document, client):
    document = with_agenda(small_document())
    document["sessions"][0]["title"] = "<b>Opening</b>"
    report = import_meeting(document)
    db.session.commit()
    page = client.get(f"/m/{report.meeting.slug}/agenda").get_data(as_text=True)
    assert "<b>Opening</b>" not in page
    assert "&lt;b&gt;Opening&lt;/b&gt;" in page
    assert db.session.scalar(select(AgendaSession.title).where(AgendaSession.key == "opening")) == (
        "<b>Opening</b>"
    )


def test_a_session_lists_at_most_as_many_speakers_as_its_form_can_edit(
    db, small_document, row_counts, make_user, login_as
):
    """The session form has one row per speaker, up to MAX_SESSION_SPEAKERS: an import may not
    list more, or the session could be stored but never edited."""
    document = with_agenda(small_document())
    many = [{"key": f"s{n}", "name": f"Speaker {n}"} for n in range(MAX_SESSION_SPEAKERS + 1)]
    document["speakers"] = many
    document["statements"] = []
    document["sessions"][0]["speakers"] = [{"speaker": s["key"]} for s in many]
    document["sessions"][1]["speakers"] = []
    before = row_counts()

    problems = problems_of(document)

    assert any(
        p.startswith("sessions[0].speakers:") and str(MAX_SESSION_SPEAKERS) in p for p in problems
    ), problems
    db.session.rollback()
    assert row_counts() == before

    # As many as the form holds are imported, and the session's edit page opens with them all.
    document["sessions"][0]["speakers"].pop()
    meeting = import_meeting(document).meeting
    db.session.commit()
    organiser = make_user("admin")
    session = db.session.scalar(
        select(AgendaSession).where(
            AgendaSession.meeting_id == meeting.id, AgendaSession.key == "opening"
        )
    )
    page = login_as(organiser).get(f"/meetings/{meeting.slug}/agenda/{session.id}/edit")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('name="speakers-') >= 2 * MAX_SESSION_SPEAKERS
