"""Fixtures of the mail tests: a running SMTP server and an app configured to use it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.outbox.smtp import Inbox, free_port, start_smtp


@pytest.fixture
def smtp_server() -> Iterator[Inbox]:
    controller, inbox = start_smtp(free_port())
    yield inbox
    controller.stop()


@pytest.fixture
def mail_to(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`mail_to(port)`: configure the app to send through 127.0.0.1:port."""

    def configure(port: int) -> None:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
        monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "meetings@example.org")

    return configure
