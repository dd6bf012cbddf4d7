"""The checklist of the press-release editor: what the draft lacks or should be checked before
it goes out. Advice only: the downloads stay possible."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select

from meetapp.extensions import db as _db
from meetapp.models import PressRelease, PressReleaseOverride, Speaker, Statement
from meetapp.reports import checklist as checklist_module
from meetapp.reports.checklist import draft_checklist
from meetapp.reports.press_release import compose_press_release
from tests.reports.conftest import DEMO


def _checks(meeting: Any) -> dict[str, str]:
    draft = compose_press_release(meeting)
    with current_app.test_request_context():
        items = draft_checklist(meeting, draft)
    return {item.key: item.message for item in items}


def _with_family_names(meeting: Any) -> Any:
    """The demo's speakers with their family names, where the model records them."""
    if hasattr(Speaker, checklist_module.FAMILY_NAME_ATTRIBUTE):
        family = {"Chou Bun Eng": "Chou", "Asato Wako": "Asato", "Reiko Harima": "Harima"}
        for speaker in _db.session.scalars(select(Speaker)):
            if speaker.name in family:
                setattr(speaker, checklist_module.FAMILY_NAME_ATTRIBUTE, family[speaker.name])
        _db.session.commit()
    return meeting


def test_the_demo_is_ready(load_demo: Any) -> None:
    assert _checks(_with_family_names(load_demo())) == {}


def test_a_bare_meeting_lacks_contacts_about_and_quotes(
    db: Any, make_user: Any, make_meeting: Any, login_as: Any
) -> None:
    meeting = make_meeting(topic="safe migration")
    db.session.commit()
    checks = _checks(meeting)
    assert {"no-contacts", "no-about", "no-quotes"} <= set(checks)
    # Dated the day after the meeting by default: nothing to say of the date.
    assert "late" not in checks
    assert "early" not in checks
    record = PressRelease(meeting_id=meeting.id, release_date=date(2020, 1, 1))
    db.session.add(record)
    db.session.commit()
    assert "before the meeting began" in _checks(meeting)["early"]
    db.session.delete(record)
    db.session.commit()

    client = login_as(make_user("staff"))
    page = client.get(f"/meetings/{meeting.slug}/press-release").get_data(as_text=True)
    assert "Before it goes out" in page
    assert "No media contacts" in page
    assert "the downloads stay possible" in page
    for fmt in ("pdf", "md", "html", "docx"):
        assert client.get(f"/meetings/{meeting.slug}/press-release.{fmt}").status_code == 200


def test_a_late_release_date_suggests_the_day_after(load_demo: Any) -> None:
    meeting = load_demo()
    record = _db.session.get(PressRelease, meeting.id)
    record.release_date = date(2019, 3, 15)
    _db.session.commit()
    message = _checks(meeting)["late"]
    assert "15 March 2019" in message
    assert "25 days after the meeting ended" in message
    assert "19 February 2019" in message  # the meeting was on 18 February 2019

    record.release_date = date(2019, 3, 4)  # 14 days after: still in time
    _db.session.commit()
    assert "late" not in _checks(meeting)


def test_a_speaker_without_a_role(load_demo: Any) -> None:
    document = json.loads(json.dumps(DEMO))
    document["speakers"][2]["position"] = None  # Asato Wako
    meeting = _with_family_names(load_demo(document))
    checks = _checks(meeting)
    speaker = _db.session.scalar(select(Speaker).where(Speaker.name == "Asato Wako"))
    assert checks == {
        f"speaker-{speaker.id}": "Asato Wako speaks in the draft, but no role is recorded."
    }
    # A group of speakers ("Representatives of the Ministry ...") has no role of its own.
    assert not any("Representatives" in message for message in checks.values())

    # A speaker without a family name is listed too.
    speaker.family_name = None
    _db.session.commit()
    checks = _checks(meeting)
    assert checks[f"speaker-{speaker.id}"] == (
        "Asato Wako speaks in the draft, but no family name or role is recorded."
    )


def test_no_quote_and_figures_without_a_source(load_demo: Any) -> None:
    meeting = _with_family_names(load_demo())
    for statement in _db.session.scalars(select(Statement)):
        if statement.kind == "quote":
            statement.highlight = False
    _db.session.add(
        PressReleaseOverride(
            meeting_id=meeting.id,
            section="participation",
            text="Over 50 participants, 300 of them online, and 1,200 watching.",
        )
    )
    _db.session.commit()
    checks = _checks(meeting)
    assert "no-quotes" in checks
    assert checks["figures-participation"] == (
        "Participation: 300, 1200 are in your text but in no record the draft is written "
        "from. Check the figure, or record its source."
    )
