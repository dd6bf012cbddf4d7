"""Export -> import -> export gives the same meeting, starting with the demo example."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from meetapp.extensions import db as _db
from meetapp.interchange.export import export_meeting
from meetapp.interchange.services import InterchangeError, import_meeting
from meetapp.models import Meeting, Organisation, Participant, SurveyResponse

MEETING_KEYS = [
    "slug",
    "title",
    "kind",
    "topic",
    "starts_at",
    "ends_at",
    "timezone",
    "venue",
    "city",
    "country",
    "languages",
    "background",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "stakeholder_groups",
]
PARTICIPANT_KEYS = [
    "name",
    "honorific",
    "email",
    "organisation",
    "position",
    "stakeholder_group",
    "country",
    "languages",
    "status",
    "attended",
    "registered_at",
]
SURVEY_KEYS = [
    "key",
    "title",
    "intro",
    "anonymous",
    "opens_at",
    "closes_at",
    "questions",
    "responses",
]
CONTACT_KEYS = ["honorific", "name", "role", "organisation", "email", "phone", "languages"]
SPEAKER_KEYS = [
    "key",
    "honorific",
    "name",
    "family_name",
    "name_order",
    "position",
    "organisation",
    "stakeholder_group",
    "bio",
]
SESSION_KEYS = [
    "key",
    "title",
    "kind",
    "starts_at",
    "ends_at",
    "location",
    "description",
    "speakers",
]
STATEMENT_KEYS = ["speaker", "session", "kind", "text", "highlight"]
DEMO_SUMMARY = (
    "52 participants, 5 stakeholder groups, 2 contacts, 4 speakers, 7 sessions, 9 statements, "
    "1 survey with 38 responses"
)


def assert_same_fields(original: dict[str, Any], exported: dict[str, Any], where: str) -> None:
    """Every field equal; a field absent from the original must be null in the export."""
    for key in set(original) | set(exported):
        assert exported.get(key) == original.get(key), f"{where}.{key}"


def empty_database() -> None:
    _db.session.commit()
    with _db.engine.begin() as conn:
        for table in reversed(_db.metadata.sorted_tables):
            conn.execute(table.delete())
    _db.session.expire_all()


def test_demo_exports_what_it_imported(db, owned_demo):
    report = import_meeting(owned_demo)
    db.session.commit()
    assert report.summary() == DEMO_SUMMARY

    exported = export_meeting(report.meeting)

    assert list(exported) == [
        "format",
        "organisation",
        "meeting",
        "speakers",
        "sessions",
        "statements",
        "outcomes",
        "contacts",
        "participants",
        "surveys",
        "press_release",
    ]
    assert exported["outcomes"] == [
        {"addressed_to": None, **outcome} if "addressed_to" not in outcome else outcome
        for outcome in owned_demo["outcomes"]
    ]
    assert exported["press_release"] == {"release_date": "2019-02-21"}
    assert exported["format"] == "meetapp/1"
    assert list(exported["organisation"]) == [
        "name",
        "short_name",
        "about",
        "website",
        "privacy_url",
    ]
    assert_same_fields(owned_demo["organisation"], exported["organisation"], "organisation")
    assert list(exported["meeting"]) == MEETING_KEYS
    assert_same_fields(owned_demo["meeting"], exported["meeting"], "meeting")
    assert exported["meeting"]["starts_at"] == "2019-02-18T09:00:00+07:00"

    assert len(exported["speakers"]) == len(owned_demo["speakers"]) == 4
    for index, (original, speaker) in enumerate(
        zip(owned_demo["speakers"], exported["speakers"], strict=True)
    ):
        assert list(speaker) == SPEAKER_KEYS
        assert_same_fields(original, speaker, f"speakers[{index}]")

    assert len(exported["sessions"]) == len(owned_demo["sessions"]) == 7
    for index, (original, session) in enumerate(
        zip(owned_demo["sessions"], exported["sessions"], strict=True)
    ):
        assert list(session) == SESSION_KEYS
        assert_same_fields(original, session, f"sessions[{index}]")
    assert exported["sessions"][3]["speakers"] == [
        {"speaker": "molvt", "role": "panelist"},
        {"speaker": "asato-wako", "role": "panelist"},
        {"speaker": "reiko-harima", "role": "moderator"},
    ]

    assert len(exported["statements"]) == len(owned_demo["statements"]) == 9
    for index, (original, statement) in enumerate(
        zip(owned_demo["statements"], exported["statements"], strict=True)
    ):
        assert list(statement) == STATEMENT_KEYS
        assert_same_fields(original, statement, f"statements[{index}]")

    assert len(exported["contacts"]) == len(owned_demo["contacts"]) == 2
    for index, (original, contact) in enumerate(
        zip(owned_demo["contacts"], exported["contacts"], strict=True)
    ):
        assert list(contact) == CONTACT_KEYS
        assert_same_fields(original, contact, f"contacts[{index}]")

    assert len(exported["participants"]) == len(owned_demo["participants"]) == 52
    for index, (original, participant) in enumerate(
        zip(owned_demo["participants"], exported["participants"], strict=True)
    ):
        assert list(participant) == PARTICIPANT_KEYS
        # The demo gives no registration times; the import records when it happened.
        assert participant["registered_at"].endswith("+07:00")
        participant = {k: v for k, v in participant.items() if k != "registered_at"}
        assert_same_fields(original, participant, f"participants[{index}]")

    [original_survey] = owned_demo["surveys"]
    [survey] = exported["surveys"]
    assert list(survey) == SURVEY_KEYS
    assert_same_fields(
        {k: v for k, v in original_survey.items() if k not in ("questions", "responses")},
        {k: v for k, v in survey.items() if k not in ("questions", "responses")},
        "surveys[0]",
    )
    assert len(survey["questions"]) == 6
    for index, (original, question) in enumerate(
        zip(original_survey["questions"], survey["questions"], strict=True)
    ):
        assert list(question) == [
            "key",
            "text",
            "kind",
            "options",
            "required",
            "quotable_in_release",
        ]
        assert_same_fields(original, question, f"surveys[0].questions[{index}]")
    assert len(survey["responses"]) == 38
    for index, (original, response) in enumerate(
        zip(original_survey["responses"], survey["responses"], strict=True)
    ):
        assert list(response) == ["participant", "submitted_at", "answers"]
        assert_same_fields(original, response, f"surveys[0].responses[{index}]")


def test_export_imported_into_an_empty_database_exports_the_same(db, owned_demo):
    first = export_meeting(import_meeting(owned_demo).meeting)
    text = json.dumps(first, ensure_ascii=False, indent=2)

    empty_database()
    assert db.session.scalars(select(Meeting)).all() == []
    report = import_meeting(json.loads(text))
    db.session.commit()
    db.session.expire_all()
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == "cambodia-japan-2019"))
    second = export_meeting(meeting)

    assert second == first
    assert json.dumps(second, ensure_ascii=False, indent=2) == text
    assert report.summary() == DEMO_SUMMARY


def test_every_field_survives_a_round_trip(db, small_document):
    document = small_document()
    document["organisation"].update(about="About us.", website="https://example.org")
    document["meeting"].update(
        kind="workshop",
        topic="safe migration",
        ends_at="2024-05-02T17:30:00+02:00",
        venue="Town hall",
        city="Berlin",
        country="DE",
        languages=["de", "en"],
        background="Why we meet.",
        registration_opens_at="2024-04-01T00:00:00Z",
        registration_closes_at="2024-04-30T23:59:00+02:00",
    )
    document["contacts"].append(
        {
            "honorific": "Dr",
            "name": "Eva Roth",
            "role": "Spokesperson",
            "organisation": "Small Network",
            "email": "eva@example.org",
            "phone": "+49 30 123",
            "languages": ["de"],
        }
    )
    document["participants"][0].update(
        honorific="H.E. Ms",
        organisation="Ministry",
        position="Director",
        country="DE",
        languages=["de", "en"],
        status="registered",
        attended=True,
        registered_at="2024-04-02T10:15:30.250000+02:00",
    )
    document["participants"][1].update(status="waitlisted", registered_at="2024-04-03T08:00:00Z")
    document["participants"][2].update(status="cancelled", attended=None, languages=None)

    exported = export_meeting(import_meeting(document).meeting)

    meeting = exported["meeting"]
    # Times come back in the meeting's own time zone.
    assert meeting["registration_opens_at"] == "2024-04-01T02:00:00+02:00"
    assert meeting["country"] == "DE"
    first, second, third = exported["participants"]
    assert first["honorific"] == "H.E. Ms"
    assert first["attended"] is True
    assert first["registered_at"] == "2024-04-02T10:15:30.250000+02:00"
    assert second["status"] == "waitlisted"
    assert second["registered_at"] == "2024-04-03T10:00:00+02:00"
    assert (third["status"], third["attended"], third["languages"]) == ("cancelled", False, [])
    assert third["stakeholder_group"] is None
    assert exported["contacts"][0]["languages"] == []
    assert exported["contacts"][1]["phone"] == "+49 30 123"

    empty_database()
    again = export_meeting(import_meeting(json.loads(json.dumps(exported))).meeting)
    assert again == exported


def test_imported_participants_get_a_personal_link_and_keep_their_status(db, small_document):
    document = small_document()
    document["meeting"]["capacity"] = 1  # the document is the record: not re-checked
    report = import_meeting(document)
    db.session.commit()

    participants = db.session.scalars(
        select(Participant).where(Participant.meeting_id == report.meeting.id)
    ).all()
    assert [p.status for p in participants] == ["registered"] * 3
    assert all(p.token_hash for p in participants)
    assert len({p.token_hash for p in participants}) == 3
    assert [p.email_normalized for p in participants] == [
        "ana@example.org",
        "bo@example.org",
        "cy@example.org",
    ]


def test_an_identical_organisation_is_reused(db, small_document):
    import_meeting(small_document("first"))
    import_meeting(small_document("second"))
    other = small_document("third")
    other["organisation"]["about"] = "Different words."
    import_meeting(other)
    db.session.commit()

    organisations = db.session.scalars(select(Organisation).order_by(Organisation.id)).all()
    assert [o.about for o in organisations] == [None, "Different words."]
    meetings = db.session.scalars(select(Meeting).order_by(Meeting.slug)).all()
    assert [m.organisation_id for m in meetings] == [organisations[0].id] * 2 + [
        organisations[1].id
    ]


def test_empty_sections_are_accepted(db, small_document):
    document = small_document()
    document.update(speakers=[], sessions=None, surveys=[], press_release=None)
    report = import_meeting(document)
    assert report.summary() == "3 participants, 2 stakeholder groups, 1 contact"


def test_demo_stores_every_section(db, demo_document):
    report = import_meeting(demo_document)
    assert report.meeting.slug == "cambodia-japan-2019"


def test_five_thousand_participants_import_and_export(db, small_document, count_queries):
    document = small_document()
    document["participants"] = [
        {
            "name": f"Person {n}",
            "email": f"person{n}@example.org",
            "stakeholder_group": "gov" if n % 2 else "cso",
            "languages": ["en"],
            "registered_at": "2024-04-02T10:00:00+02:00",
        }
        for n in range(5000)
    ]
    with count_queries() as imported:
        report = import_meeting(document)
        db.session.commit()
    with count_queries() as exporting:
        exported = export_meeting(report.meeting)

    assert len(exported["participants"]) == 5000
    assert exported["participants"][4999]["email"] == "person4999@example.org"
    # The participants go in as one bulk insert and come out in one query, each searchable.
    assert imported.count < 20, imported.statements
    assert exporting.count < 20, exporting.statements
    person = db.session.scalar(
        select(Participant).where(Participant.email_normalized == "person4999@example.org")
    )
    assert person.search_text == "person 4999\n"


def test_outcomes_and_rewritten_sections_round_trip(db, small_document):
    document = small_document()
    document["outcomes"] = [
        {"kind": "finding", "text": "Fees are high.", "addressed_to": None},
        {"kind": "recommendation", "text": "regulate fees", "addressed_to": "the government"},
        {"kind": "next_step", "text": "Meet again in 2025.", "addressed_to": None},
    ]
    document["press_release"] = {
        "release_date": "2024-05-06",
        "headline": "Our headline",
        "contacts": "Call us.\n\nOr write.",
    }
    first = export_meeting(import_meeting(document).meeting)
    assert first["outcomes"] == document["outcomes"]
    assert first["press_release"] == document["press_release"]

    empty_database()
    second = export_meeting(import_meeting(json.loads(json.dumps(first))).meeting)
    assert second == first


def test_anonymous_responses_travel_with_their_day_only_in_the_order_of_their_answers(
    db, small_document
):
    document = small_document()
    document["surveys"] = [
        {
            "key": "feedback",
            "title": "Feedback",
            "anonymous": True,
            "questions": [
                {"key": "say", "text": "Say", "kind": "text"},
                {"key": "rate", "text": "Rate", "kind": "rating"},
            ],
            "responses": [
                {"submitted_at": "2024-05-03T17:45:12+02:00", "answers": {"say": "Zulu"}},
                {"submitted_at": "2024-05-02T23:30:00-05:00", "answers": {"say": "Alpha"}},
                {"submitted_at": "2024-05-01", "answers": {"rate": 4}},
            ],
        }
    ]
    meeting = import_meeting(document).meeting
    db.session.commit()
    stored = db.session.scalars(select(SurveyResponse.submitted_at).order_by(SurveyResponse.id))
    assert list(stored) == [
        datetime(2024, 5, 3, tzinfo=UTC),
        datetime(2024, 5, 3, tzinfo=UTC),
        datetime(2024, 5, 1, tzinfo=UTC),
    ]

    first = export_meeting(meeting)
    assert first["surveys"][0]["responses"] == [
        {"participant": None, "submitted_at": "2024-05-01", "answers": {"rate": 4}},
        {"participant": None, "submitted_at": "2024-05-03", "answers": {"say": "Alpha"}},
        {"participant": None, "submitted_at": "2024-05-03", "answers": {"say": "Zulu"}},
    ]
    empty_database()
    meeting = import_meeting(json.loads(json.dumps(first))).meeting
    db.session.commit()
    assert export_meeting(meeting) == first


def test_the_press_release_keys_round_trip(db, owned_demo):
    """The optional keys of the press release (partners, online, the news, family names,
    how releases end) import and export again unchanged."""
    document = copy.deepcopy(owned_demo)
    document["organisation"]["release_end"] = "###"
    document["meeting"]["slug"] = "with-partners"
    document["meeting"]["online"] = True
    document["meeting"]["partners"] = [
        {
            "role": "co_organiser",
            "name": "Legal Support for Children and Women",
            "short_name": "LSCW",
        },
        {"role": "host", "name": "Royal University of Phnom Penh", "short_name": None},
        {"role": "funder", "name": "Government of Japan", "short_name": None},
    ]
    document["speakers"][2]["name_order"] = "family_first"
    document["statements"][0]["news"] = True
    exported = export_meeting(import_meeting(document).meeting)
    assert exported["organisation"]["release_end"] == "###"
    assert exported["meeting"]["online"] is True
    assert exported["meeting"]["partners"] == document["meeting"]["partners"]
    assert [s["family_name"] for s in exported["speakers"]] == ["Chou", None, "Asato", None]
    assert exported["speakers"][2]["name_order"] == "family_first"
    assert [s.get("news", False) for s in exported["statements"]][:2] == [True, False]
    assert not any(o.get("news") for o in exported["outcomes"])
    exported["meeting"]["slug"] = "again"
    again = export_meeting(import_meeting(exported).meeting)
    again["meeting"]["slug"] = "with-partners"
    exported["meeting"]["slug"] = "with-partners"
    assert {k: v for k, v in again.items() if k != "participants"} == {
        k: v for k, v in exported.items() if k != "participants"
    }


def test_one_statement_or_outcome_at_most_is_the_news(db, owned_demo):
    document = copy.deepcopy(owned_demo)
    document["statements"][0]["news"] = True
    document["outcomes"][1]["news"] = True
    with pytest.raises(InterchangeError) as caught:
        import_meeting(document)
    assert "outcomes[1].news: statements[0] is already the news of the meeting" in (
        caught.value.problems
    )


def test_texts_in_other_languages_round_trip(db, small_document):
    document = small_document()
    document["meeting"].update(
        languages=["en", "km", "ja"],
        venue="Town hall",
        background="Why we meet.",
        translations={
            "km": {"title": "កិច្ចប្រជុំតូច", "background": "ហេតុអ្វី\nយើងជួបគ្នា"},
            "ja": {"venue": "市庁舎"},
        },
    )
    document["meeting"]["stakeholder_groups"][0]["translations"] = {"km": {"label": "រដ្ឋាភិបាល"}}
    document["sessions"] = [
        {
            "key": "opening",
            "title": "Opening",
            "location": "Hall A",
            "description": "Welcome.",
            "translations": {"km": {"title": "ពិធីបើក", "location": "សាល A"}},
        },
        {"key": "lunch", "title": "Lunch"},
    ]
    document["surveys"] = [
        {
            "key": "feedback",
            "title": "Feedback",
            "intro": "Tell us.",
            "translations": {"ja": {"title": "ご意見", "intro": "教えてください。"}},
            "questions": [
                {
                    "key": "topic",
                    "text": "Which topic?",
                    "kind": "single",
                    "options": ["Visa", "Wages"],
                    "translations": {"km": {"text": "ប្រធានបទណា?", "option:Visa": "ទិដ្ឋាការ"}},
                },
                {"key": "why", "text": "Why?", "kind": "text"},
            ],
        }
    ]
    expected = copy.deepcopy(document)

    report = import_meeting(document)
    db.session.commit()
    meeting = report.meeting
    assert meeting.text_in("km", "title") == "កិច្ចប្រជុំតូច"
    assert meeting.text_in("th", "title") == "A small meeting"
    exported = export_meeting(meeting)

    assert exported["meeting"]["translations"] == expected["meeting"]["translations"]
    groups = exported["meeting"]["stakeholder_groups"]
    assert groups[0]["translations"] == {"km": {"label": "រដ្ឋាភិបាល"}}
    assert "translations" not in groups[1]  # written only when there are some
    opening, lunch = exported["sessions"]
    assert opening["translations"] == expected["sessions"][0]["translations"]
    assert "translations" not in lunch
    survey = exported["surveys"][0]
    assert survey["translations"] == expected["surveys"][0]["translations"]
    assert survey["questions"][0]["translations"] == {
        "km": {"text": "ប្រធានបទណា?", "option:Visa": "ទិដ្ឋាការ"}
    }
    assert "translations" not in survey["questions"][1]

    text = json.dumps(exported, ensure_ascii=False)
    empty_database()
    again = export_meeting(import_meeting(json.loads(text)).meeting)
    assert again == exported
