"""Line breaks and tabs in single-line fields, through every form of the app.

A line break in a title or a name shows as a line of its own wherever the text is printed: a
fake header line in an e-mail body, a broken calendar file. Every field that a page shows as
an `<input>` of typed text is single-line (a browser cannot even type a line break into one,
but a forged request can send it): each of them, in every form the pages really show
(tests.form_world), refuses a carriage return, a line feed, a tab and a Unicode line separator
with the message beside the field, and nothing is written. Text areas keep their line breaks.
The JSON import's fields follow the same rules (tests/interchange/test_interchange_field_rules.py)
as does the CSV import (tests/participants/test_participants_import.py).
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from meetapp.validation import SINGLE_LINE_MESSAGE, WEB_URL_MESSAGE
from tests.form_world import Worlds, filled, make_worlds
from tests.test_bad_input_matrix import NOT_FORMS, REFUSE_THE_FILLED_FORM, Sender, corrupted
from tests.url_map import post_rules, table_rows

SINGLE_LINE_INPUTS = {"text", "email", "url", "search", "tel"}
BREAKS = {"LF": "\n", "CR": "\r", "CRLF": "\r\n", "tab": "\t", "line separator": "\u2028"}


@pytest.fixture
def worlds(app: Flask, db: Any, make_user: Any, make_meeting: Any, make_participant: Any) -> Worlds:
    return make_worlds(app, make_user, make_meeting, make_participant)


def _with_break(value: str, mark: str) -> str:
    """A good value with a line break inside (white space around a value is trimmed)."""
    if "@" in value:
        local, domain = value.split("@", 1)
        return f"{local}{mark}x@{domain}"
    if "://" in value:
        return value.replace("://", f"://a{mark}", 1)
    return f"First{mark}Second {value}"


def _marked_invalid(page: str, name: str) -> bool:
    """Whether an input named `name` on the page is marked invalid (a page may show several
    forms with a field of that name, such as a group's rename forms)."""
    tags = re.findall(rf'<input\b[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    return any("is-invalid" in tag for tag in tags)


def test_every_single_line_input_of_every_form_refuses_line_breaks_and_tabs(
    app: Flask, worlds: Worlds
) -> None:
    pages = worlds.form_pages()
    tried: set[str] = set()
    for rule in post_rules(app):
        if rule.endpoint in NOT_FORMS:
            continue
        sender = Sender(app, worlds, rule, pages[rule.endpoint])
        inputs = [f for f in sender.form.fields if f.kind in SINGLE_LINE_INPUTS]
        for name, kind in ((f.name, f.kind) for f in inputs):
            # A web address refuses any white space, with its own message.
            message = WEB_URL_MESSAGE if kind == "url" else SINGLE_LINE_MESSAGE
            for what, mark in BREAKS.items():
                pairs = filled(sender.form)
                good = next((value for key, value in pairs if key == name), "") or "Value"
                data = corrupted(pairs, name, _with_break(good, mark))
                client = worlds.world.client_for(rule.endpoint)
                response = client.post(sender.action, data=data, content_type="multipart/form-data")
                where = (rule.endpoint, name, what, response.status_code)
                assert response.status_code in (200, 422), where
                assert table_rows(app) == sender.before, where
                page = html.unescape(response.get_data(as_text=True))
                assert message in page, where
                assert _marked_invalid(response.get_data(as_text=True), name), where
            tried.add(f"{rule.endpoint}:{name}")
    # The forms of every capability were tried: titles, names, labels, places, contacts...
    for field in (
        "meetings.organisation_new:name",
        "meetings.organisation_new:short_name",
        "meetings.meeting_new:title",
        "meetings.meeting_new:venue",
        "meetings.groups:label",
        "agenda.speaker_new:honorific",
        "agenda.session_new:title",
        "agenda.session_new:location",
        "outcomes.contact_new:phone",
        "outcomes.outcomes:rows-0-addressed_to",
        "participants.new:position",
        "registration.submit_registration:name",
        "surveys.new:title",
        "accounts.user_new:name",
    ):
        assert field in tried, field


# Text areas read one item a line, in a shape of their own.
STRUCTURED_AREAS = {"partners": "Host: First line\r\nFunder: Second\tline "}


def _multi_line(key: str, value: str) -> str:
    return STRUCTURED_AREAS.get(key, "First line\r\nSecond\tline ") + value


def test_text_areas_keep_their_line_breaks(app: Flask, worlds: Worlds) -> None:
    """Multi-line fields (about, background, descriptions, quotes, needs...) take them."""
    pages = worlds.form_pages()
    taken = 0
    for rule in post_rules(app):
        if rule.endpoint in NOT_FORMS or rule.endpoint in REFUSE_THE_FILLED_FORM:
            continue
        sender = Sender(app, worlds, rule, pages[rule.endpoint])
        areas = [f.name for f in sender.form.fields if f.kind == "textarea"]
        if not areas:
            continue
        pairs = [
            (key, _multi_line(key, value) if key in areas else value)
            for key, value in filled(sender.form)
        ]
        assert sender.send(MultiDict(pairs), ("line breaks in", *areas)), (rule.endpoint, areas)
        taken += 1
    assert taken >= 8
