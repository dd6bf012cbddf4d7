"""The access log and the error log of deploy/gunicorn.conf.py record no personal-link token."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from gunicorn.app.base import Application
from gunicorn.config import Config

CONF = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"
TOKEN = "fsah_B3Iznxc2gs45DW9t3KQofmBa9RsBxGUnFDsvGc"


def gunicorn_config(**overrides: Any) -> Config:
    """The settings gunicorn builds from the file (read as `gunicorn -c` reads it)."""
    settings = Application.get_config_from_filename(None, str(CONF))  # type: ignore[arg-type]
    config = Config()
    for key, value in {**settings, **overrides}.items():
        if key in config.settings and value is not None:
            config.set(key, value)
    return config


class Response:
    status = "200 OK"
    sent = 1234
    headers = [("Content-Type", "text/html; charset=utf-8")]


def environ(method: str, raw_uri: str, path: str, referer: str = "-") -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "RAW_URI": raw_uri,
        "PATH_INFO": path,
        "QUERY_STRING": raw_uri.partition("?")[2],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }


def _close_logs() -> None:
    for name in ("gunicorn.access", "gunicorn.error"):
        for handler in list(logging.getLogger(name).handlers):
            handler.close()
            logging.getLogger(name).removeHandler(handler)


@pytest.fixture
def access_logger(tmp_path: Path) -> Any:
    log = tmp_path / "access.log"
    config = gunicorn_config(accesslog=str(log))
    logger = config.logger_class(config)
    yield logger, log
    _close_logs()


@pytest.fixture
def error_logger(tmp_path: Path) -> Any:
    log = tmp_path / "error.log"
    config = gunicorn_config(errorlog=str(log))
    yield config.logger_class(config), log
    _close_logs()


@pytest.mark.parametrize(
    ("method", "raw_uri", "path", "shown"),
    [
        ("GET", f"/s/{TOKEN}", f"/s/{TOKEN}", "/s/…"),
        ("POST", f"/s/{TOKEN}", f"/s/{TOKEN}", "/s/…"),
        ("GET", f"/r/{TOKEN}", f"/r/{TOKEN}", "/r/…"),
        ("POST", f"/r/{TOKEN}/cancel", f"/r/{TOKEN}/cancel", "/r/…/cancel"),
        ("GET", f"/s/{TOKEN}?lang=en", f"/s/{TOKEN}", "/s/…?lang=en"),
        ("GET", f"/%73/{TOKEN}", f"/s/{TOKEN}", "/%73/…"),
    ],
)
def test_personal_link_tokens_are_left_out_of_the_atoms(
    access_logger, method, raw_uri, path, shown
):
    logger, _log = access_logger
    env = environ(method, raw_uri, path, referer=f"https://meet.example.org/s/{TOKEN}")
    request = [("REFERER", f"https://meet.example.org/s/{TOKEN}"), ("USER-AGENT", "Mozilla/5.0")]
    atoms = logger.atoms(Response(), request, env, timedelta(milliseconds=12))
    assert not [key for key, value in atoms.items() if TOKEN in str(value)]
    assert atoms["r"] == f"{method} {shown} HTTP/1.1"
    assert atoms["U"].startswith(("/s/…", "/r/…"))
    assert atoms["f"] == atoms["{referer}i"] == "https://meet.example.org/s/…"
    # The rest is kept as gunicorn writes it.
    assert (atoms["h"], atoms["s"], atoms["b"], atoms["a"]) == (
        "203.0.113.7",
        "200",
        "1234",
        "Mozilla/5.0",
    )


@pytest.mark.parametrize(
    "path",
    ["/meetings/cambodia-2019/surveys/post-meeting/results", "/static/css/app.css", "/login"],
)
def test_other_paths_are_logged_as_they_are(access_logger, path):
    logger, _log = access_logger
    atoms = logger.atoms(Response(), [], environ("GET", path, path), timedelta(milliseconds=3))
    assert atoms["r"] == f"GET {path} HTTP/1.1"
    assert atoms["U"] == path


def test_the_access_log_line_has_no_token(access_logger):
    logger, log = access_logger
    env = environ("POST", f"/s/{TOKEN}", f"/s/{TOKEN}")
    logger.access(Response(), [], env, timedelta(milliseconds=40))
    line = log.read_text(encoding="utf-8")
    assert TOKEN not in line
    assert '"POST /s/… HTTP/1.1" 200 1234' in line


def test_the_error_log_has_no_token(error_logger):
    logger, log = error_logger
    try:
        raise RuntimeError(f"while reading /s/{TOKEN}")
    except RuntimeError:
        logger.exception("Error handling request %s %s", "GET", f"/r/{TOKEN}/cancel")
    text = log.read_text(encoding="utf-8")
    assert TOKEN not in text
    assert "Error handling request GET /r/…/cancel" in text
    assert "RuntimeError: while reading /s/…" in text
