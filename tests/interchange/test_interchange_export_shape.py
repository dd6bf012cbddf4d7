"""The exported text itself, byte for byte: the demo meeting as it has always been written, and
a document using every key of the format (each optional key once set and once not) that
exports exactly as it was written, so that import -> export gives the file back."""

from __future__ import annotations

import copy
import json
import typing
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import update

from meetapp.interchange import writing
from meetapp.interchange.export import meeting_json
from meetapp.interchange.schema import MeetingDocument
from meetapp.interchange.services import import_meeting
from meetapp.models import Meeting, Participant, StakeholderGroup
from tests.interchange.conftest import DEMO

EXPORTS = Path(__file__).parent / "exports"


def _text(meeting):
    return b"".join(meeting_json(meeting).chunks()).decode("utf-8")


def test_the_demo_meeting_exports_as_it_always_has(db, monkeypatch):
    # The demo's participants have no `registered_at`: they get the time of the import.
    imported = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    monkeypatch.setattr(writing, "utcnow", lambda: imported)
    meeting = import_meeting(copy.deepcopy(DEMO)).meeting
    db.session.commit()

    assert _text(meeting) == (EXPORTS / "demo.json").read_text(encoding="utf-8")


def test_a_document_with_every_key_exports_as_it_was_written(db):
    """Keys of the format's first version are written even when null or empty; the optional
    keys added since (translations, mail_intros, partners, online, release_end, news,
    option_keys, a question's show_if, a response's language, the rewritten sections of the
    press release) only when they hold something; anonymous responses with their days, in the
    order of their answers; times with the meeting's offset, to the microsecond when stored
    so."""
    written = (EXPORTS / "every-key.json").read_text(encoding="utf-8")
    meeting = import_meeting(json.loads(written)).meeting
    db.session.commit()

    assert _text(meeting) == written


def test_times_in_utc_are_written_with_their_offset(db, small_document):
    document = small_document()
    document["meeting"]["timezone"] = "UTC"
    document["participants"][0]["registered_at"] = "2024-04-02T10:00:00+02:00"
    meeting = import_meeting(document).meeting
    db.session.commit()

    text = _text(meeting)

    assert '"starts_at": "2024-05-02T07:00:00+00:00"' in text
    assert '"registered_at": "2024-04-02T08:00:00+00:00"' in text


def test_single_line_texts_stored_with_line_breaks_are_written_on_one_line(db):
    """Rows stored before line breaks were refused in single-line fields: participants (each
    written on a line of its own), group keys and the references to them, and single-line
    translations."""
    document = json.loads((EXPORTS / "every-key.json").read_text(encoding="utf-8"))
    meeting = import_meeting(document).meeting
    db.session.flush()
    db.session.execute(
        update(Participant)
        .where(Participant.meeting_id == meeting.id, Participant.email == "ana@example.org")
        .values(name="Ana\nLima", organisation="The\r\nMinistry")
    )
    db.session.execute(
        update(StakeholderGroup)
        .where(StakeholderGroup.meeting_id == meeting.id, StakeholderGroup.key == "gov")
        .values(key="g\tov", translations={"km": {"label": "រដ្ឋា\nភិបាល"}})
    )
    db.session.commit()
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)

    text = _text(meeting)
    exported = json.loads(text)

    assert exported["participants"][0]["name"] == "Ana Lima"
    assert exported["participants"][0]["organisation"] == "The Ministry"
    assert exported["participants"][0]["stakeholder_group"] == "g ov"
    assert exported["meeting"]["stakeholder_groups"][0] == {
        "key": "g ov",
        "label": "Government",
        "translations": {"km": {"label": "រដ្ឋា ភិបាល"}},
    }
    assert exported["speakers"][0]["stakeholder_group"] == "g ov"
    # Multi-line texts keep their line breaks.
    assert exported["surveys"][0]["responses"][0]["answers"]["say"] == "Good.\nThanks."
    assert exported["sessions"][0]["description"] == "The opening.\nWith a keynote."


def _unused_fields(model, values, path):
    """The fields of `model` (and of the models in it) that no object of `values` holds."""
    unused = []
    for name, info in model.model_fields.items():
        held = [value[name] for value in values if value.get(name) not in (None, [], {})]
        if not held:
            unused.append(f"{path}.{name}")
            continue
        objects = [item for value in held for item in _objects(value, info.annotation)]
        if objects:
            inner = objects[0][1]
            unused += _unused_fields(inner, [item for item, _model in objects], f"{path}.{name}")
    return unused


def _objects(value, annotation):
    """(object, its model) for each object of a model in `value`, found by `annotation`
    (through unions, lists and the values of dicts)."""
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield value, annotation
    elif origin is list and isinstance(value, list):
        for item in value:
            yield from _objects(item, typing.get_args(annotation)[0])
    elif origin is dict and isinstance(value, dict):
        for item in value.values():
            yield from _objects(item, typing.get_args(annotation)[1])
    else:
        for arg in typing.get_args(annotation):
            yield from _objects(value, arg)


def test_the_document_with_every_key_holds_every_field_of_the_schema():
    """So that a key added to the schema is added to that document, and so exported."""
    document = json.loads((EXPORTS / "every-key.json").read_text(encoding="utf-8"))

    # The news is one statement or one outcome: the outcome's is exported below. An open link
    # that had a code is imported turned off and without it (the code is never written), so
    # it cannot come back the same: tests/interchange/test_interchange_open_link.py has one.
    assert _unused_fields(MeetingDocument, [document], "$") == [
        "$.outcomes.news",
        "$.surveys.open_link.code_required",
    ]


def test_an_outcome_that_is_the_news_is_exported_with_it(db, small_document):
    document = small_document()
    document["outcomes"] = [
        {"kind": "finding", "text": "Fees are high.", "news": True},
        {"kind": "concern", "text": "Debts."},
    ]
    meeting = import_meeting(document).meeting
    db.session.commit()

    assert json.loads(_text(meeting))["outcomes"] == [
        {"kind": "finding", "text": "Fees are high.", "addressed_to": None, "news": True},
        {"kind": "concern", "text": "Debts.", "addressed_to": None},
    ]
