"""Markup, stylesheet imports and template syntax typed into any field are printed as text:
no PDF loads a file or calls a server, and none carries an embedded file."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert

from meetapp.models import (
    AgendaSession,
    Contact,
    Outcome,
    Participant,
    PressReleaseOverride,
    SessionSpeaker,
    Speaker,
    Statement,
)
from tests.reports.pdftext import has_embedded_files, pdf_text


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    _Recorder.hits = []
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    # A port without "49" in it: the test looks for {{ 7*7 }} evaluated to 49 anywhere in the
    # printed text, and the port is printed too (wrapped or cut, it is not always found whole).
    while "49" in str(httpd.server_port):
        httpd.server_close()
        httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def _payloads(port: int) -> list[str]:
    return [
        '<img src="file:///etc/passwd">',
        '<link rel=attachment href="file:///etc/passwd">',
        f"@import url(http://127.0.0.1:{port}/);",
        "{{ 7*7 }}",
    ]


def _plain(text: str) -> str:
    """Typographic quotation marks back to straight ones, for comparison."""
    return text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")


def test_every_field_is_printed_as_text(
    db: Any, make_meeting: Any, make_user: Any, login_as: Any, server: int
) -> None:
    payloads = _payloads(server)
    text = " ".join(payloads)
    meeting = make_meeting(
        title=f"Title {text}",
        kind=f"kind {payloads[3]}",
        topic=f"topic {text}",
        background=text,
        city=payloads[2],
        groups=(("g1", f"Group {payloads[0]}"), ("g2", f"Group {payloads[3]}")),
        # A fixed time: a clock reading such as 03:49 would look like {{ 7*7 }} evaluated.
        starts_at=datetime(2030, 3, 5, 2, 0, tzinfo=UTC),
    )
    meeting.organisation.name = f"Org {payloads[1]}"
    meeting.organisation.about = text
    meeting.organisation.website = payloads[2]
    group_id = meeting.stakeholder_groups[0].id
    db.session.add_all(
        [
            Outcome(meeting_id=meeting.id, kind="finding", text=text, position=0),
            Outcome(
                meeting_id=meeting.id,
                kind="recommendation",
                text=f"act on {payloads[3]}",
                addressed_to=payloads[0],
                position=1,
            ),
            Contact(
                meeting_id=meeting.id,
                name=payloads[1],
                role=payloads[0],
                email="press@example.org",
                phone="012",
                languages=["en"],
                position=0,
            ),
        ]
    )
    speaker = Speaker(
        meeting_id=meeting.id,
        key="s",
        name=f"Speaker {payloads[3]}",
        honorific="Dr",
        position=payloads[0],
        organisation=payloads[2],
    )
    session = AgendaSession(meeting_id=meeting.id, key="k", title=f"Session {text}", kind="keynote")
    db.session.add_all([speaker, session])
    db.session.flush()
    db.session.add_all(
        [
            SessionSpeaker(session_id=session.id, speaker_id=speaker.id, role="keynote"),
            Statement(
                meeting_id=meeting.id,
                session_id=session.id,
                speaker_id=speaker.id,
                kind="quote",
                text=text,
                highlight=True,
            ),
            Statement(
                meeting_id=meeting.id,
                session_id=session.id,
                speaker_id=speaker.id,
                kind="point",
                text=f"said {payloads[1]}",
                highlight=True,
            ),
        ]
    )
    db.session.execute(
        insert(Participant),
        [
            {
                "meeting_id": meeting.id,
                "name": payload,
                "email": f"p{n}@example.org",
                "email_normalized": f"p{n}@example.org",
                "organisation": payload,
                "status": "registered",
                "attended": True,
                "stakeholder_group_id": group_id,
            }
            for n, payload in enumerate(payloads)
        ],
    )
    db.session.add(PressReleaseOverride(meeting_id=meeting.id, section="survey", text=text))
    db.session.commit()

    client = login_as(make_user("staff"))
    for name in ("press-release.pdf", "summary.pdf", "sign-in-sheet.pdf"):
        response = client.get(f"/meetings/{meeting.slug}/{name}")
        assert response.status_code == 200, name
        pdf = response.data
        printed = _plain(pdf_text(pdf)).replace(" ", "")
        for payload in payloads:
            assert payload.replace(" ", "") in printed, (name, payload)
        # {{ 7*7 }} must not have become 49: look for it outside the payloads themselves (the
        # server's port, in one of them, may hold the digits).
        outside = printed
        for payload in payloads:
            outside = outside.replace(payload.replace(" ", ""), "")
        assert "49" not in outside, (name, outside[max(0, outside.find("49") - 80) :][:120])
        assert not has_embedded_files(pdf), name
        assert b"root:x:0:0" not in pdf, name

    for name in ("press-release.html", "press-release.md", "press-release.docx"):
        assert client.get(f"/meetings/{meeting.slug}/{name}").status_code == 200
    page = client.get(f"/meetings/{meeting.slug}/press-release.html").get_data(as_text=True)
    assert "<img src" not in page
    assert "&lt;img src=" in page
    assert _Recorder.hits == []
