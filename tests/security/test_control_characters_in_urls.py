"""A NUL byte or another control character in a URL gets a 4xx, or in a search box no more than
the search without it: never a server error, on PostgreSQL (which cannot compare text holding
NUL) as on SQLite.

Generated from the URL map: every string argument of every rule, and every query parameter that
the view of each page reads (found by requesting the page and recording what it asks of
`request.args`), so that no route escapes.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import ImmutableMultiDict

from meetapp.database import RowIdConverter
from tests.meeting_records import every_form_world
from tests.test_access_matrix import PUBLIC
from tests.url_map import fill_url

# How a control character in a URL is sent.
BAD = ("%00", "a%00b", "%01", "a%7Fb")
STATIC = {"static": "css/app.css", "bootstrap.static": "css/bootstrap.min.css"}


@pytest.fixture(autouse=True)
def _server_errors_answer(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server error answers 500 (as in production) instead of failing the first request."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


@pytest.fixture
def world(
    db: Any, make_user: Any, make_meeting: Any, make_participant: Any, new_client: Any
) -> dict[str, Any]:
    world = every_form_world(db, make_user, make_meeting, make_participant)
    world["visitor"], world["admin_client"] = new_client(), new_client(world["admin"])
    return world


def _status(world: dict[str, Any], endpoint: str, url: str, method: str = "GET") -> int:
    """The status of a request by the browser that uses the page (an administrator, a visitor
    for the public pages)."""
    client = world["visitor"] if endpoint in PUBLIC else world["admin_client"]
    response = client.open(url, method=method)
    response.close()  # static files are streamed from an open file
    return int(response.status_code)


def _url(rule: Any, world: dict[str, Any], **changes: str) -> str:
    values = {**world["values"], "filename": STATIC.get(rule.endpoint, ""), **changes}
    if rule.endpoint == "surveys.answer" and "token" not in changes:
        values["token"] = world["survey_token"]
    return fill_url(rule, values)


def _text_arguments(rule: Any) -> list[str]:
    return [
        name
        for name, converter in rule._converters.items()
        if not isinstance(converter, RowIdConverter)
    ]


def _pages(app: Flask) -> list[Any]:
    return [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]


def test_control_characters_in_path_arguments_are_not_found(
    app: Flask, world: dict[str, Any]
) -> None:
    answers = {}
    for rule in app.url_map.iter_rules():
        for argument in _text_arguments(rule):
            for bad in BAD:
                url = _url(rule, world, **{argument: bad})
                for method in sorted(rule.methods & {"GET", "POST"}):
                    answers[method, url] = _status(world, rule.endpoint, url, method)
    assert answers
    assert {key: status for key, status in answers.items() if status != 404} == {}


class RecordingArgs(ImmutableMultiDict):  # type: ignore[type-arg]
    """Query parameters that note the name of each one a view asks for."""

    asked: set[str] = set()

    def __getitem__(self, key: Any) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: Any) -> bool:
        self.asked.add(key)
        return super().__contains__(key)

    def getlist(self, key: Any, type: Any = None) -> Any:
        self.asked.add(key)
        return super().getlist(key, type)


def _parameters_read(app: Flask, world: dict[str, Any]) -> dict[str, set[str]]:
    """For each page, the query parameters its view reads."""
    read: dict[str, set[str]] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app.request_class, "parameter_storage_class", RecordingArgs)
        for rule in _pages(app):
            RecordingArgs.asked = set()
            url = _url(rule, world)
            assert _status(world, rule.endpoint, url) < 500, url
            read[rule.endpoint] = set(RecordingArgs.asked)
    return read


@pytest.mark.slow
def test_control_characters_in_query_parameters_get_no_server_error(
    app: Flask, world: dict[str, Any]
) -> None:
    read = _parameters_read(app, world)
    # The walk does find the parameters: the search boxes, the filters, the page number.
    assert {"q", "status", "group", "page", "speaker", "kind"} <= set().union(*read.values())
    failures = []
    for rule in _pages(app):
        url = _url(rule, world)
        for name in sorted(read[rule.endpoint]):
            for bad in BAD:
                status = _status(world, rule.endpoint, f"{url}?{name}={bad}")
                if status >= 500:
                    failures.append((url, name, bad, status))
    assert failures == []


def test_a_speaker_search_ignores_control_characters(
    app: Flask, world: dict[str, Any], new_client: Any
) -> None:
    client = new_client(world["organiser_b"])
    url = f"/meetings/{world['values']['slug']}/speakers/copy"
    for query in ("Speaker%00 C", "%00", "%01Speaker C"):
        response = client.get(f"{url}?q={query}")
        assert response.status_code == 200
        assert "Speaker C" in response.get_data(as_text=True)
