"""The fields of a `meetapp/1` document follow the rules of the forms' fields
(meetapp.validation): single-line text refuses line breaks and tabs, the organisation's website
is an http(s) address, and multi-line text keeps its line breaks. Every text field of the
schema is one or the other, so that a new field cannot be added without deciding.
"""

from __future__ import annotations

import html
import io
import json
import types
import typing
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from sqlalchemy import update

from meetapp.interchange.export import export_meeting
from meetapp.interchange.schema import MeetingDocument
from meetapp.interchange.services import InterchangeError, import_meeting
from meetapp.models import PRESS_RELEASE_SECTIONS, AgendaSession, Meeting, Speaker
from meetapp.validation import SINGLE_LINE_CHECK, WEB_URL_CHECK

SINGLE_LINE = "keep this on one line: remove the line breaks and tabs"
NOT_A_WEB_URL = "enter a web address starting with http:// or https://"
BREAKS = {"LF": "\n", "CR": "\r", "CRLF": "\r\n", "tab": "\t", "line separator": "\u2028"}

# Every single-line text field of the format, at a place the demo document has it.
SINGLE_LINE_PATHS = [
    ("organisation", "name"),
    ("organisation", "short_name"),
    ("meeting", "title"),
    ("meeting", "kind"),
    ("meeting", "topic"),
    ("meeting", "venue"),
    ("meeting", "city"),
    ("meeting", "stakeholder_groups", 0, "key"),
    ("meeting", "stakeholder_groups", 0, "label"),
    ("meeting", "partners", 0, "name"),
    ("meeting", "partners", 0, "short_name"),
    ("meeting", "registration_questions", 0, "key"),
    ("meeting", "registration_questions", 0, "label"),
    ("meeting", "registration_questions", 0, "options", 0, "key"),
    ("meeting", "registration_questions", 0, "options", 0, "label"),
    ("meeting", "registration_questions", 0, "groups", 0),
    ("speakers", 0, "key"),
    ("speakers", 0, "honorific"),
    ("speakers", 0, "name"),
    ("speakers", 0, "family_name"),
    ("speakers", 0, "position"),
    ("speakers", 0, "organisation"),
    ("speakers", 0, "stakeholder_group"),
    ("sessions", 0, "title"),
    ("sessions", 0, "location"),
    ("sessions", 0, "speakers", 0, "speaker"),
    ("statements", 0, "speaker"),
    ("outcomes", 0, "addressed_to"),
    ("contacts", 0, "honorific"),
    ("contacts", 0, "name"),
    ("contacts", 0, "role"),
    ("contacts", 0, "organisation"),
    ("contacts", 0, "phone"),
    ("participants", 0, "name"),
    ("participants", 0, "honorific"),
    ("participants", 0, "organisation"),
    ("participants", 0, "position"),
    ("participants", 0, "stakeholder_group"),
    ("surveys", 0, "title"),
    ("surveys", 0, "questions", 0, "key"),
    ("surveys", 0, "questions", 3, "options", 0),
]
# Text that may run over several lines: it keeps its line breaks.
MULTI_LINE_FIELDS = {
    "format",  # must be "meetapp/1"
    "organisation.about",
    "meeting.background",
    "speakers[].bio",
    "sessions[].description",
    "statements[].text",
    "outcomes[].text",
    "surveys[].intro",
    "surveys[].questions[].text",
    "meeting.registration_questions[].help",
    *(f"press_release.{section}" for section in PRESS_RELEASE_SECTIONS),
}


def _path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _set(document: dict[str, Any], loc: tuple[Any, ...], value: Any) -> None:
    target: Any = document
    for part in loc[:-1]:
        target = target[part]
    target[loc[-1]] = value


def _get(document: dict[str, Any], loc: tuple[Any, ...]) -> Any:
    target: Any = document
    for part in loc[:-1]:
        target = target[part]
    return target.get(loc[-1]) if isinstance(target, dict) else target[loc[-1]]


def _problems(document: dict[str, Any]) -> list[str]:
    with pytest.raises(InterchangeError) as caught:
        import_meeting(document)
    return caught.value.problems


def QUESTION(document: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
    """A registration question with every single-line field, asked of the first group."""
    return {
        "key": "visit",
        "label": "Field visit",
        "kind": "single_choice",
        "options": [{"key": "port", "label": "Port", "capacity": 20}],
        "groups": [document["meeting"]["stakeholder_groups"][0]["key"]],
    }


@pytest.mark.parametrize("loc", SINGLE_LINE_PATHS, ids=_path)
def test_line_breaks_and_tabs_are_refused_in_every_single_line_field(
    db, owned_demo, row_counts, loc
):
    before = row_counts()
    for what, mark in BREAKS.items():
        document = json.loads(json.dumps(owned_demo))
        document["meeting"].setdefault("partners", [{"role": "host", "name": "Host Org"}])
        document["meeting"].setdefault("registration_questions", [QUESTION(document)])
        original = _get(document, loc) or "Some text"
        _set(document, loc, f"{original[:20]}{mark}Bcc: someone@example.org")
        assert f"{_path(loc)}: {SINGLE_LINE}" in _problems(document), what
        db.session.rollback()
        assert row_counts() == before, what


def test_multi_line_fields_keep_their_line_breaks(db, small_document):
    document = small_document()
    document["organisation"]["about"] = "First paragraph.\n\nSecond\tparagraph."
    document["meeting"]["background"] = "Why:\r\n- one\n- two"
    document["outcomes"] = [{"kind": "finding", "text": "Line one.\nLine two."}]
    document["participants"][0]["name"] = "  Ana Lima\n"  # white space around is trimmed

    exported = export_meeting(import_meeting(document).meeting)

    assert exported["organisation"]["about"] == "First paragraph.\n\nSecond\tparagraph."
    assert exported["meeting"]["background"] == "Why:\r\n- one\n- two"
    assert exported["outcomes"][0]["text"] == "Line one.\nLine two."
    assert exported["participants"][0]["name"] == "Ana Lima"


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "www.example.org",
        "https:no-host",
        "https://exa mple.org",
        "http://[::1",
    ],
)
def test_the_website_must_be_a_web_address(db, small_document, row_counts, website):
    document = small_document()
    document["organisation"]["website"] = website
    before = row_counts()
    assert f"organisation.website: {NOT_A_WEB_URL}" in _problems(document)
    db.session.rollback()
    assert row_counts() == before


def test_a_web_address_is_taken(db, small_document):
    document = small_document()
    document["organisation"]["website"] = "https://www.mekongmigration.org/"
    meeting = import_meeting(document).meeting
    assert meeting.organisation.website == "https://www.mekongmigration.org/"


def test_the_web_import_lists_the_problems_by_path(db, login_as, make_user, owned_demo, row_counts):
    owned_demo["meeting"]["title"] = "Title\nBcc: x@example.org"
    owned_demo["organisation"]["website"] = "javascript:alert(1)"
    client = login_as(make_user("organiser"))
    before = row_counts()
    response = client.post(
        "/meetings/import",
        data={"file": (io.BytesIO(json.dumps(owned_demo).encode()), "meeting.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert f"organisation.website: {NOT_A_WEB_URL}" in page
    assert f"meeting.title: {SINGLE_LINE}" in page
    assert row_counts() == before


def test_the_command_line_import_lists_the_problems_by_path(
    runner, tmp_path, owned_demo, row_counts
):
    owned_demo["sessions"][0]["title"] = "Opening\r\nsession"
    path = tmp_path / "meeting.json"
    path.write_text(json.dumps(owned_demo), encoding="utf-8")
    before = row_counts()
    result = runner.invoke(args=["import-meeting", str(path)])
    assert result.exit_code == 1
    assert "nothing was written" in result.output
    assert f"sessions[0].title: {SINGLE_LINE}" in result.output
    assert row_counts() == before


# --- every text field is single-line or multi-line --------------------------------------------

_CHECKED_ELSEWHERE = {"_check_email", "_check_language", "_check_country", "_check_timezone"}


def _text_fields(annotation: Any, metadata: list[Any], path: str) -> typing.Iterator[tuple]:
    """(path, metadata) of every text field under `annotation`, lists written `[]`."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        yield from _text_fields(base, [*metadata, *extra], path)
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                yield from _text_fields(arg, metadata, path)
    elif origin is list:
        yield from _text_fields(typing.get_args(annotation)[0], [], f"{path}[]")
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            where = f"{path}.{name}" if path else name
            yield from _text_fields(info.annotation, list(info.metadata), where)
    elif annotation is str:
        yield path, metadata


def _one_line_by_rule(metadata: list[Any]) -> bool:
    """Whether the field's rules refuse a line break: the single-line or web-address check, a
    pattern, or a check against a list of codes."""
    for item in metadata:
        if isinstance(item, FieldInfo) and _one_line_by_rule(item.metadata):
            return True
        if item is SINGLE_LINE_CHECK or item is WEB_URL_CHECK:
            return True
        if getattr(item, "pattern", None):
            return True
        if getattr(getattr(item, "func", None), "__name__", "") in _CHECKED_ELSEWHERE:
            return True
    return False


def test_every_text_field_of_the_format_is_single_line_or_multi_line():
    fields = dict(_text_fields(MeetingDocument, [], ""))
    undecided = {
        path
        for path, metadata in fields.items()
        if not _one_line_by_rule(metadata) and path not in MULTI_LINE_FIELDS
    }
    assert undecided == set(), "decide whether these hold one line or several"
    assert set(fields) >= MULTI_LINE_FIELDS
    assert not any(_one_line_by_rule(fields[path]) for path in MULTI_LINE_FIELDS)
    # The table above tries every field that the single-line check guards.
    single = {path for path, metadata in fields.items() if SINGLE_LINE_CHECK in metadata}
    tried = {_path(loc).replace("[0]", "[]").replace("[3]", "[]") for loc in SINGLE_LINE_PATHS}
    assert single == tried


def test_rows_stored_with_line_breaks_are_exported_on_one_line_and_import_again(db, owned_demo):
    """Rows imported before line breaks were refused in single-line fields may hold them:
    the export writes those fields on one line (keys and the references to them alike), so
    that the file imports again."""
    meeting = import_meeting(owned_demo).meeting
    db.session.flush()
    db.session.execute(
        update(Meeting).where(Meeting.id == meeting.id).values(title="Labour\r\nmigration")
    )
    db.session.execute(
        update(Speaker)
        .where(Speaker.meeting_id == meeting.id, Speaker.key == "chou-bun-eng")
        .values(key="chou\tbun-eng", name="Chou\nBun Eng")
    )
    db.session.execute(
        update(AgendaSession)
        .where(AgendaSession.meeting_id == meeting.id, AgendaSession.key == "welcome")
        .values(title="Welcome\u2028and introduction")
    )
    db.session.commit()
    db.session.expire_all()

    exported = export_meeting(db.session.get(Meeting, meeting.id))

    assert exported["meeting"]["title"] == "Labour migration"
    assert exported["speakers"][0]["key"] == "chou bun-eng"
    assert exported["speakers"][0]["name"] == "Chou Bun Eng"
    assert exported["sessions"][0]["title"] == "Welcome and introduction"
    assert "chou bun-eng" in [s["speaker"] for s in exported["statements"]]
    assert exported["organisation"]["about"] == owned_demo["organisation"]["about"]
    exported["meeting"]["slug"] = "imported-again"
    again = import_meeting(exported).meeting
    assert again.title == "Labour migration"
