"""The meetapp/1 export at size: streamed piece by piece, each participant and each response on
a line of its own and everything else indented as before, in the same queries whatever the
number of rows, written alike to the browser and by `flask export-meeting`."""

from __future__ import annotations

import json

from meetapp import exports
from meetapp.interchange.export import export_meeting, meeting_json
from meetapp.interchange.services import import_meeting
from meetapp.models import Meeting, meeting_organisers


def _with_people(document, count, anonymous=False):
    document["participants"] = [
        {
            "name": f"Person {n}",
            "email": f"person{n}@example.org",
            "organisation": "=1+2" if n % 2 else "Ministry",
            "registered_at": "2024-04-02T10:00:00+02:00",
        }
        for n in range(count)
    ]
    document["surveys"] = [
        {
            "key": "feedback",
            "title": "Feedback",
            "anonymous": anonymous,
            "questions": [
                {"key": "say", "text": "Say", "kind": "text"},
                {"key": "rate", "text": "Rate", "kind": "rating"},
                {"key": "pick", "text": "Pick", "kind": "multiple", "options": ["A", "B"]},
            ],
            "responses": [
                {
                    "participant": None if anonymous else f"person{n}@example.org",
                    "submitted_at": f"2024-05-{1 + n % 3:02d}T10:00:00+02:00",
                    "answers": {"say": f"Text {n % 7}", "rate": n % 5 + 1, "pick": ["B", "A"]}
                    if n % 4
                    else {},
                }
                for n in range(count)
            ],
        }
    ]
    return document


def test_each_participant_and_response_is_a_line_and_the_rest_is_indented_as_before(
    db, small_document
):
    meeting = import_meeting(_with_people(small_document(), 30)).meeting
    db.session.commit()

    text = b"".join(meeting_json(meeting).chunks()).decode("utf-8")

    document = json.loads(text)
    lines = text.splitlines()
    people = [line for line in lines if line.startswith('    {"name": ')]
    assert [json.loads(line.rstrip(",")) for line in people] == document["participants"]
    responses = [line for line in lines if line.startswith('        {"participant": ')]
    assert [json.loads(line.rstrip(",")) for line in responses] == (
        document["surveys"][0]["responses"]
    )
    assert responses[0].endswith('"answers": {}},')
    # Without those arrays, the text is what json.dumps(indent=2) writes.
    kept = [line for line in lines if line not in people and line not in responses]
    document["participants"] = []
    document["surveys"][0]["responses"] = []
    expected = json.dumps(document, ensure_ascii=False, indent=2).splitlines()
    assert kept == _opened(expected, ('"participants": []', '"responses": []'))
    assert text.endswith("}\n")


def _opened(lines, arrays):
    """`lines` with the empty `arrays` written as "[" and "]" on lines of their own."""
    opened = []
    for line in lines:
        if line.strip().rstrip(",") in arrays:
            indent = line[: len(line) - len(line.lstrip())]
            opened += [line.rstrip(",")[:-1], indent + "]" + ("," if line.endswith(",") else "")]
        else:
            opened.append(line)
    return opened


def test_the_export_runs_the_same_queries_whatever_the_number_of_rows(
    db, small_document, count_queries
):
    counts = []
    for number, count in enumerate((3, 400)):
        meeting = import_meeting(_with_people(small_document(f"size-{number}"), count)).meeting
        db.session.commit()
        with count_queries() as counter:
            exported = export_meeting(meeting)
        assert len(exported["participants"]) == count
        assert len(exported["surveys"][0]["responses"]) == count
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_anonymous_responses_sorted_on_disk_come_in_the_same_order(db, small_document, monkeypatch):
    meeting = import_meeting(_with_people(small_document(), 40, anonymous=True)).meeting
    db.session.commit()

    in_memory = b"".join(meeting_json(meeting).chunks())
    monkeypatch.setattr(exports, "SORT_RUN", 3)
    on_disk = b"".join(meeting_json(meeting).chunks())

    assert on_disk == in_memory
    responses = json.loads(in_memory)["surveys"][0]["responses"]
    assert len(responses) == 40
    keys = [
        (json.dumps(r["answers"], sort_keys=True, ensure_ascii=False), r["submitted_at"])
        for r in responses
    ]
    assert keys == sorted(keys)


def test_the_download_streams_and_the_command_writes_the_same_bytes(
    db, small_document, make_user, login_as, runner, tmp_path
):
    meeting = import_meeting(_with_people(small_document(), 200)).meeting
    organiser = make_user("organiser")
    db.session.execute(
        meeting_organisers.insert().values(meeting_id=meeting.id, user_id=organiser.id)
    )
    db.session.commit()
    client = login_as(organiser)

    response = client.get(f"/meetings/{meeting.slug}/export.json", buffered=False)
    assert response.is_streamed
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"] == "attachment; filename=small-meeting.json"
    downloaded = b"".join(response.response)
    response.close()

    result = runner.invoke(args=["export-meeting", "small-meeting", "-o", str(tmp_path / "x")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "x").read_bytes() == downloaded
    result = runner.invoke(args=["export-meeting", "small-meeting"])
    assert result.stdout_bytes == downloaded
    db.session.rollback()
    assert json.loads(downloaded) == export_meeting(db.session.get(Meeting, meeting.id))


def test_an_import_checks_each_address_once_and_inserts_in_bulk(
    db, small_document, monkeypatch, count_queries
):
    from meetapp.interchange import schema

    checked = []
    real = schema.normalise_email

    def counting(value):
        checked.append(value)
        return real(value)

    monkeypatch.setattr(schema, "normalise_email", counting)
    document = _with_people(small_document(), 300)

    with count_queries() as counter:
        report = import_meeting(document)
        db.session.commit()

    assert report.participants == 300
    assert report.survey_responses == 300
    # Each address once (the contact's, each participant's, though each also names a response).
    emails = [c["email"] for c in document["contacts"]] + [
        p["email"] for p in document["participants"]
    ]
    assert sorted(checked) == sorted(emails)
    inserts = [s for s in counter.statements if s.lstrip().upper().startswith("INSERT INTO PART")]
    assert len(inserts) == 1
    answers = [
        s for s in counter.statements if s.lstrip().upper().startswith("INSERT INTO SURVEY_ANS")
    ]
    assert len(answers) == 1
