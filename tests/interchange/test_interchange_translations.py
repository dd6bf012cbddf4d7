"""The optional `translations` of meetapp/1 objects: refused clearly when wrong, and the
whole document with them (nothing is half-imported)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from meetapp.interchange.services import InterchangeError, import_meeting


def _document(small_document: Any) -> dict[str, Any]:
    document = small_document()
    document["meeting"]["languages"] = ["en", "km"]
    document["sessions"] = [{"key": "opening", "title": "Opening"}]
    document["surveys"] = [
        {
            "key": "feedback",
            "title": "Feedback",
            "questions": [
                {"key": "topic", "text": "Which topic?", "kind": "single", "options": ["A", "B"]}
            ],
        }
    ]
    return document


@pytest.mark.parametrize(
    ("where", "translations", "expected"),
    [
        (
            ("meeting",),
            {"kmx": {"title": "x"}},
            'meeting.translations: not an ISO 639-1 language code: "kmx"',
        ),
        (
            ("meeting",),
            {"km": {"slug": "x"}},
            'meeting.translations: km: "slug" is not a translatable text here',
        ),
        (
            ("meeting",),
            {"km": {"title": "x" * 301}},
            "meeting.translations: km.title: Keep this to 300 characters",
        ),
        (
            ("meeting",),
            {"km": {"venue": "one\ntwo"}},
            "meeting.translations: km.venue: Keep this on one line",
        ),
        (("meeting",), {"km": {"title": 5}}, "meeting.translations.km.title: expected a string"),
        (("meeting",), {"km": "x"}, "meeting.translations.km: expected an object"),
        (
            ("group",),
            {"km": {"title": "x"}},
            "meeting.stakeholder_groups[0].translations: km:"
            ' "title" is not a translatable text here',
        ),
        (
            ("session",),
            {"km": {"label": "x"}},
            'sessions[0].translations: km: "label" is not a translatable text here',
        ),
        (
            ("survey",),
            {"km": {"text": "x"}},
            'surveys[0].translations: km: "text" is not a translatable text here',
        ),
        (
            ("question",),
            {"km": {"option:C": "x"}},
            'surveys[0].questions[0].translations.km["option:C"]:'
            " the question has no option with this key (its options: A, B)",
        ),
        (
            ("question",),
            {"km": {"option:A": "x" * 201}},
            "km.option:A: Keep this to 200 characters",
        ),
    ],
)
def test_wrong_translations_are_refused_and_nothing_is_imported(
    db: Any,
    small_document: Any,
    row_counts: Any,
    where: tuple[str],
    translations: Any,
    expected: str,
) -> None:
    document = _document(small_document)
    target = {
        "meeting": document["meeting"],
        "group": document["meeting"]["stakeholder_groups"][0],
        "session": document["sessions"][0],
        "survey": document["surveys"][0],
        "question": document["surveys"][0]["questions"][0],
    }[where[0]]
    target["translations"] = translations
    before = row_counts()
    with pytest.raises(InterchangeError) as caught:
        import_meeting(json.loads(json.dumps(document)))
    db.session.rollback()
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems
    assert row_counts() == before


def test_empty_translations_are_missing_ones(db: Any, small_document: Any) -> None:
    document = _document(small_document)
    document["meeting"]["translations"] = {"km": {"title": "  ", "venue": ""}, "ja": {}}
    report = import_meeting(document)
    assert report.meeting.translations == {}


def test_the_web_import_refuses_a_wrong_translation_with_its_path(
    small_document: Any, make_user: Any, login_as: Any
) -> None:
    document = _document(small_document)
    document["sessions"][0]["translations"] = {"km": {"colour": "x"}}
    client = login_as(make_user("organiser"))
    response = client.post(
        "/meetings/import",
        data={"file": (io.BytesIO(json.dumps(document).encode()), "m.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "sessions[0].translations" in page
    assert "colour" in page


def test_the_command_line_refuses_a_wrong_translation(
    db: Any, runner: Any, small_document: Any, tmp_path: Any, row_counts: Any
) -> None:
    document = _document(small_document)
    document["meeting"]["translations"] = {"km": {"colour": "x"}}
    path = tmp_path / "meeting.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = runner.invoke(args=["import-meeting", str(path)])
    assert result.exit_code == 1
    assert "was not imported; nothing was written" in result.output
    assert 'meeting.translations: km: "colour" is not a translatable text here' in result.output
    assert row_counts()["Meeting"] == 0
