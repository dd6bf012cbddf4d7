"""The import-meeting, export-meeting and demo commands."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from meetapp.interchange.export import export_meeting
from meetapp.models import Meeting, User, meeting_organisers


def write_json(path, document) -> str:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_import_meeting_command(db, runner, owned_demo, tmp_path):
    result = runner.invoke(args=["import-meeting", write_json(tmp_path / "m.json", owned_demo)])

    assert result.exit_code == 0, result.output
    assert result.output == (
        "Imported meeting 'cambodia-japan-2019' "
        "(52 participants, 5 stakeholder groups, 2 contacts, 4 speakers, 7 sessions, "
        "9 statements, 1 survey with 38 responses).\n"
    )
    db.session.rollback()
    assert db.session.scalar(select(Meeting.title)) == owned_demo["meeting"]["title"]


def test_import_meeting_command_refuses_a_bad_file_and_writes_nothing(
    db, runner, demo_document, tmp_path, row_counts
):
    demo_document["participants"][2]["email"] = "nobody"
    before = row_counts()

    result = runner.invoke(args=["import-meeting", write_json(tmp_path / "m.json", demo_document)])

    assert result.exit_code == 1
    assert "was not imported; nothing was written" in result.output
    assert "  participants[2].email: not an email address" in result.output
    assert row_counts() == before


def test_import_meeting_command_refuses_malformed_json(db, runner, tmp_path, row_counts):
    path = tmp_path / "broken.json"
    path.write_bytes(b'{"format": "meetapp/1", ')
    result = runner.invoke(args=["import-meeting", str(path)])
    assert result.exit_code == 1
    assert "$: not valid JSON" in result.output
    assert row_counts()["Meeting"] == 0


def test_export_meeting_command_to_stdout_and_to_a_file(db, runner, owned_demo, tmp_path):
    runner.invoke(args=["import-meeting", write_json(tmp_path / "in.json", owned_demo)])
    db.session.rollback()
    meeting = db.session.scalar(select(Meeting))
    expected = export_meeting(meeting)

    result = runner.invoke(args=["export-meeting", "cambodia-japan-2019"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == expected
    assert "Mekong Migration Network" in result.stdout  # UTF-8 text, not \u escapes
    assert "“Safe from Start" in result.stdout

    out = tmp_path / "out.json"
    result = runner.invoke(args=["export-meeting", "cambodia-japan-2019", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"Wrote {out}." in result.stderr
    assert json.loads(out.read_text(encoding="utf-8")) == expected


def test_export_meeting_command_with_an_unknown_slug(db, runner):
    result = runner.invoke(args=["export-meeting", "no-such-meeting"])
    assert result.exit_code == 1
    assert "No meeting with the slug 'no-such-meeting'." in result.output


def test_demo_loads_the_example_and_prints_a_password_that_logs_in(db, runner, client):
    result = runner.invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert "Loaded the demo meeting 'cambodia-japan-2019' (52 participants" in result.output
    assert "Left out" not in result.output
    match = re.search(r"Log in as organiser@example\.org with the password (\S+)", result.output)
    assert match, result.output

    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "organiser@example.org"))
    meeting = db.session.scalar(select(Meeting))
    assert user.role == "organiser"
    assert db.session.execute(
        select(meeting_organisers).where(
            meeting_organisers.c.user_id == user.id, meeting_organisers.c.meeting_id == meeting.id
        )
    ).one()

    response = client.post(
        "/login", data={"email": "organiser@example.org", "password": match.group(1)}
    )
    assert response.status_code == 302
    response = client.get("/meetings/cambodia-japan-2019/export.json")
    assert response.status_code == 200
    assert response.get_json()["meeting"]["slug"] == "cambodia-japan-2019"


def test_demo_twice_gives_a_clear_error(db, runner, row_counts):
    assert runner.invoke(args=["demo"]).exit_code == 0
    before = row_counts()

    result = runner.invoke(args=["demo"])

    assert result.exit_code == 1
    assert "The demo meeting 'cambodia-japan-2019' is already loaded" in result.output
    assert row_counts() == before
