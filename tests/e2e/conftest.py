"""A live server and a headless Chromium (Debian's package) driven by Playwright.

Screenshots of the pages visited are kept in test-artifacts/screenshots/ for review.
Without /usr/bin/chromium these tests are skipped, except on CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("MEETAPP_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


class _ResetIsEnd:
    """A request's input on which a connection reset by the browser reads as its end."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def read(self, *args: Any) -> bytes:
        try:
            return bytes(self._stream.read(*args))
        except ConnectionResetError:
            return b""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler, quiet. After a response it reads what the browser sent more; when
    the browser has reset the connection by then, that read raises and the response is never
    closed, so the jobs that run once it is (`meetapp.jobs`, in-process) would be lost: a
    reset reads as the end of the input instead."""

    def setup(self) -> None:
        super().setup()
        self.rfile = _ResetIsEnd(self.rfile)

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests start a server and Chromium: they are `slow`, left out of `make check`."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _served_at_live_server(app: Flask, live_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The site's public address is where the browser reaches it: links it shows point there."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", live_server)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def watch_errors(page: Any) -> list[str]:
    """The list to which the page's console errors (with the address that made them) and
    uncaught script errors are added from now on; the missing favicon is not one."""
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{message.text} {message.location.get('url')}")
            if message.type == "error"
            and not message.location.get("url", "").endswith("favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page: Any, live_server: str, email: str) -> None:
    """Log in through the form as the user with this address (and the suite's password)."""
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))
