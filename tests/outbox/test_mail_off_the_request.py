"""No request waits on the mail server: e-mail leaves in a job that runs after the response.

The app is served by a real HTTP server, and the mail server accepts connections but never
answers (a mail host that hangs). The registrant's response has arrived whole while the
e-mail is still being sent; when the mail server finally gives up, the message is kept as
failed for a retry, and the registration was never in doubt.
"""

from __future__ import annotations

import socket
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from meetapp.models import OutboxMessage, Participant


class HungMailServer:
    """Accepts SMTP connections and never sends the greeting, until released."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connected = threading.Event()
        self.released = threading.Event()
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self.released.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            self.connections.append(connection)
            self.connected.set()

    def release(self) -> None:
        self.released.set()
        for connection in self.connections:
            connection.close()
        self.thread.join(timeout=5)
        self.listener.close()


@pytest.fixture
def hung_mail_server() -> Iterator[HungMailServer]:
    server = HungMailServer()
    yield server
    server.release()


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def _post(url: str, data: dict[str, Any]) -> tuple[int, bytes]:
    body = urllib.parse.urlencode(data, doseq=True).encode()
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 (local server)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:  # the 302 after a registration
        return error.code, error.read()


@pytest.mark.slow
def test_a_hung_mail_server_does_not_hold_the_registration(
    app, db, make_meeting, served, hung_mail_server, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", hung_mail_server.port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 30)
    meeting = make_meeting()
    status, _body = _post(
        f"{served}/m/{meeting.slug}/register",
        {"name": "Sokha Chan", "email": "sokha@example.org", "country": "KH", "consent": "y"},
    )
    # The whole response is in, and the registration stored ...
    assert status == 302
    db.session.rollback()
    [participant] = db.session.scalars(select(Participant)).all()
    assert participant.email == "sokha@example.org"
    # ... while its e-mail is still with the mail server, which has not said a word yet.
    assert hung_mail_server.connected.wait(timeout=30)
    db.session.rollback()
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert (message.kind, message.status) == ("registration_confirmation", "sending")

    hung_mail_server.release()  # the mail server hangs up: the message waits for a retry
    for _ in range(300):
        db.session.rollback()
        message = db.session.scalars(select(OutboxMessage)).one()
        if message.status != "sending":
            break
        threading.Event().wait(0.1)
    assert message.status == "failed"
    assert message.last_error
