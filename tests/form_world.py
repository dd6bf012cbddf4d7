"""Every form of the app, as its pages show it, for tests that post to every POST rule.

A world (tests.meeting_records.every_form_world) is built where every form appears on some
page; each page of the URL map is requested by the browser that uses it (the organiser of
meeting B, an administrator for the user accounts, a visitor without an account for the public
pages) and its forms are read with html.parser. A form that posts to no POST rule fails.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

from meetapp.extensions import db as _db
from meetapp.extensions import limiter
from tests.conftest import PASSWORD, login
from tests.html_forms import Field, Form, page_forms
from tests.meeting_records import every_form_world
from tests.test_access_matrix import PUBLIC
from tests.url_map import fill_url, url_rules

# Pages whose form posts nowhere: the survey preview shows the answer form with its button
# disabled.
INERT_FORMS = {"surveys.preview"}
# Downloads: no form, no HTML (and the PDFs are slow to make); "/download" hands out a
# prepared document's file.
DOWNLOADS = (".pdf", ".docx", ".xlsx", ".csv", ".ics", ".json", ".md", "/download")
# Pages that show some of their forms only for a query: the check-in buttons are search
# results.
PAGE_QUERIES = {"participants.checkin": "q=Person"}


# The administrators' pages (user accounts, jobs), posted to by the administrator.
ADMIN_ENDPOINTS = ("accounts.", "jobs.")


@dataclass
class World:
    """One build of the world, with its browsers."""

    records: dict[str, Any]
    organiser: FlaskClient
    admin: FlaskClient
    visitor: FlaskClient

    def url(self, rule: Any) -> str:
        """The rule's URL in meeting B; the survey answer page with the survey link."""
        values = dict(self.records["values"])
        if rule.endpoint == "surveys.answer":
            values["token"] = self.records["survey_token"]
        if rule.endpoint == "surveys.open_code":
            values["open_key"] = self.records["coded_open_key"]
        return fill_url(rule, values)

    def client_for(self, endpoint: str) -> FlaskClient:
        if endpoint in PUBLIC:
            return self.visitor
        return self.admin if endpoint.startswith(ADMIN_ENDPOINTS) else self.organiser


@dataclass
class Worlds:
    """The worlds built so far: the newest is the one in use."""

    app: Flask
    fixtures: dict[str, Any]
    built: list[World] = field(default_factory=list)

    @property
    def world(self) -> World:
        return self.built[-1]

    def build(self) -> World:
        """A new world beside the old ones (which stay, for a look at their pages)."""
        limiter.reset()
        with self.app.test_request_context():
            world = World(
                every_form_world(_db, **self.fixtures),
                organiser=self.app.test_client(),
                admin=self.app.test_client(),
                visitor=self.app.test_client(),
            )
            login(world.organiser, world.records["organiser_b"])
            login(world.admin, world.records["admin"])
        self.built.append(world)
        return world

    def html_pages(self) -> list[Any]:
        """The rules of the pages, that is the GET rules but the downloads."""
        return [
            rule
            for rule in url_rules(self.app)
            if "GET" in rule.methods and not rule.rule.endswith(DOWNLOADS)
        ]

    def page(self, rule: Any, world: World | None = None) -> tuple[str, Any]:
        world = world or self.world
        url = world.url(rule)
        if rule.endpoint == "surveys.open_answer":
            # A new phone in the room each time: a browser answers an open link once.
            open_key = world.records["values"]["open_key"]
            world.visitor.delete_cookie(f"open_{open_key}", path=f"/o/{open_key}")
        if rule.endpoint in PAGE_QUERIES:
            url += "?" + PAGE_QUERIES[rule.endpoint]
        return url, world.client_for(rule.endpoint).get(url)

    def forms_of(self, page_rule: Any) -> Iterator[tuple[str, str, Form]]:
        """(endpoint posted to, URL posted to, form) for each form of the page that posts."""
        url, response = self.page(page_rule)
        if response.status_code != 200 or response.mimetype != "text/html":
            return
        adapter = self.app.url_map.bind("localhost")
        for form in page_forms(response.get_data(as_text=True)):
            if form.method != "post":
                continue
            action = form.action or url
            try:
                endpoint, _ = adapter.match(action.split("?", 1)[0], method="POST")
            except HTTPException:
                assert page_rule.endpoint in INERT_FORMS, (page_rule.endpoint, action)
                continue
            yield endpoint, action, form

    def form_pages(self) -> dict[str, Any]:
        """For each POST rule, the rule of the first page (in the URL map's order) that shows
        a form posting to it."""
        found: dict[str, Any] = {}
        for page_rule in self.html_pages():
            for endpoint, _, _ in self.forms_of(page_rule):
                found.setdefault(endpoint, page_rule)
        return found

    def find(self, endpoint: str, page_rule: Any) -> tuple[str, Form]:
        """The first form of the page that posts to `endpoint`, with its URL; in a new world
        if what was posted before took it away (deleted or cancelled its record)."""
        for attempt in range(2):
            for posted_to, action, form in self.forms_of(page_rule):
                if posted_to == endpoint:
                    return action, form
            if attempt == 0:
                self.build()
        raise AssertionError(f"no form for {endpoint} on {page_rule.endpoint}, even in a new world")


def make_worlds(app: Flask, make_user: Any, make_meeting: Any, make_participant: Any) -> Worlds:
    worlds = Worlds(
        app,
        {
            "make_user": make_user,
            "make_meeting": make_meeting,
            "make_participant": make_participant,
        },
    )
    worlds.build()
    return worlds


# --- filling a form in ------------------------------------------------------------------------

_serial = itertools.count()


def good_value(f: Field) -> str:
    """A value the field takes, new for each call (e-mails and addresses are unique)."""
    n = next(_serial)
    if f.kind == "email" or "email" in f.name:
        return f"filled{n}@example.org"
    if f.name == "slug":
        return f"filled-{n}"
    if f.name == "phone":
        return f"+855 12 {n:06d}"
    return {
        "datetime-local": "2030-01-15T09:00",
        "date": "2030-01-15",
        "number": "10",
        "url": "https://example.org",
        # The world's users' own password: right as a current password, and good as a new
        # one (a change keeps it, so the next form filled in is taken too).
        "password": PASSWORD,
    }.get(f.kind, f"Valid value {n}")


# Text the page fills in is typed over with a new value, so that a refused request that stored
# part of the form would show; but the address of a meeting stays (the world's URLs use it).
KEEP_AS_SHOWN = {"slug"}


def filled(form: Form) -> list[tuple[str, str]]:
    """The form as a browser sends it, typed into: each empty required field, and each text
    field the page fills in, gets a new known-good value (a required box is ticked, a radio
    group without a choice gets its first option); other fields stay as the page shows them.
    The CSRF token is left out: a test that wants it adds it."""
    pairs = form.submitted()
    sent = {name for name, _ in pairs}
    for choice in form.fields:
        if choice.kind == "checkbox" and choice.required and choice.name not in sent:
            pairs.append((choice.name, choice.value or "on"))
        elif choice.kind == "radio" and choice.name not in sent and choice.options:
            pairs.append((choice.name, choice.options[0][0]))
    result = []
    for name, value in pairs:
        f = form.field(name)
        if name == "csrf_token":
            continue
        if f is not None:
            typed_over = value != "" and f.kind in ("text", "textarea")
            if (typed_over and name not in KEEP_AS_SHOWN) or (value == "" and f.required):
                value = good_value(f)
        result.append((name, value))
    return result
