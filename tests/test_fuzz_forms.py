"""Generated input against every form and the JSON importer: never a 500, nothing half stored.

Every POST rule of the URL map is posted to, as an organiser of the meeting (as an admin for
the user administration), with its URL arguments filled with records of that meeting. The form
data is generated: the page's own field names (missing, repeated) and stray ones, with text
holding control characters, any unicode, huge strings, numbers where text is expected and
forged ids (of another meeting, out of range), line breaks in one-line fields, and now and
then more fields than any form has. A response that is not a redirect is a refusal
(form errors, 4xx): then no table may have gained or lost a row. After a redirect or a
download (the request was accepted) a new meeting is built, so that a deletion does not leave
the next examples with nothing to act on.
"""

from __future__ import annotations

import copy
import io
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from meetapp.cli import DEMO_FILE
from meetapp.extensions import db as _db
from meetapp.extensions import limiter
from tests.conftest import login
from tests.form_world import ADMIN_ENDPOINTS
from tests.meeting_records import add_one_of_each, survey_token
from tests.url_map import fill_url, post_rules, row_counts

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Posting to these only ends the session: nothing to fuzz.
NOT_FORMS = {"accounts.logout"}
_FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"[^>]*>', re.S)
_FILE_FIELD = re.compile(
    r'<input\b[^>]*type="file"[^>]*name="([^"]+)"|'
    r'<input\b[^>]*name="([^"]+)"[^>]*type="file"'
)

# --- the world ------------------------------------------------------------------------------


class World:
    """The meeting the fuzzed client organises, with one record of each kind, and a second
    meeting whose ids serve as forged ids."""

    def __init__(self, app: Flask, fixtures: dict[str, Any]) -> None:
        self.app = app
        self.fixtures = fixtures
        self.values: dict[str, Any] = {}
        self.foreign_ids: list[int] = []
        self.client: FlaskClient = app.test_client()
        self.admin_client: FlaskClient = app.test_client()
        with app.app_context():
            self.organiser = fixtures["make_user"]("organiser")
            admin = fixtures["make_user"]("admin")
            login(self.client, self.organiser)
            login(self.admin_client, admin)
        self.build()

    def build(self) -> None:
        make_user = self.fixtures["make_user"]
        make_meeting = self.fixtures["make_meeting"]
        make_participant = self.fixtures["make_participant"]
        with self.app.test_request_context():
            organiser = _db.session.merge(self.organiser)
            colleague = make_user("organiser")
            other = make_meeting()
            meeting = make_meeting(organisers=[organiser, colleague])
            other_person = make_participant(other)
            person = make_participant(meeting, group_key="cso")
            values, survey = add_one_of_each(_db, meeting, person, colleague)
            self.values = values
            self.survey_token = survey_token(_db, survey, person)
            self.foreign_ids = [other_person.id, other.id, other.organisation_id]

    def rebuild(self) -> None:
        """A new meeting with its records beside the old ones (cheaper than emptying every
        table); the two accounts stay logged in."""
        limiter.reset()
        self.build()

    def url(self, rule: Any) -> str:
        values = dict(self.values)
        if rule.endpoint.startswith("surveys."):
            values["token"] = self.survey_token
        return fill_url(rule, values)

    def client_for(self, endpoint: str) -> FlaskClient:
        return self.admin_client if endpoint.startswith(ADMIN_ENDPOINTS) else self.client


# --- generated values -----------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil",
    "two\r\nlines",
    "a\nb",
    "a\tb",
    "\r",
    "line\u2028separator",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "x" * 10_000,
    "é" * 30_000,
    "-1",
    "0",
    str(2**31),
    str(2**63),
    "1e309",
    "NaN",
    "2026-13-45T25:61",
    "9999-12-31T23:59",
    "y",
    "on",
    "../../etc/passwd",
]


def values(foreign_ids: list[int]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=40),
        st.text(alphabet=st.characters(max_codepoint=0x20), max_size=8),
        st.sampled_from(NASTY),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(foreign_ids or [0]).map(str),
    )


@st.composite
def form_data(
    draw: Any, names: list[str], files: set[str], foreign_ids: list[int]
) -> list[tuple[str, Any]]:
    pairs: list[tuple[str, Any]] = []
    value = values(foreign_ids)
    for name in names:
        times = draw(st.sampled_from([0, 1, 1, 2]))  # missing, once, repeated
        for _ in range(times):
            if name in files:
                content = draw(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
                pairs.append(
                    (name, (io.BytesIO(content), draw(st.sampled_from(["a.csv", "a.json", "x"]))))
                )
            else:
                pairs.append((name, draw(value)))
    stray = draw(st.lists(st.tuples(st.text(min_size=1, max_size=12), value), max_size=3))
    # Now and then a flood of fields, more than any form has (refused before it is read).
    flood = draw(st.sampled_from([0] * 9 + [1_500]))
    return pairs + stray + [("flood", "")] * flood


def _field_names(client: FlaskClient, url: str, methods: set[str]) -> tuple[list[str], set[str]]:
    if "GET" not in methods:
        return [], set()
    page = client.get(url).get_data(as_text=True)
    names = sorted({name for name in _FIELD.findall(page) if name != "csrf_token"})
    files = {a or b for a, b in _FILE_FIELD.findall(page)}
    return names, files


# --- the tests ------------------------------------------------------------------------------


def _post_rules(app: Flask) -> list[Any]:
    return [rule for rule in post_rules(app) if rule.endpoint not in NOT_FORMS]


COMMON_NAMES = ["id", "meeting_id", "participant_id", "status", "role", "offset", "direction", "q"]


def _fuzz_rule(
    app: Flask, world: World, rule: Any, names: list[str], files: set[str], examples: int
) -> None:
    @settings(FUZZ, max_examples=examples)
    @given(data=form_data(names, files, world.foreign_ids))
    def post(data: list[tuple[str, Any]]) -> None:
        url = world.url(rule)
        before = row_counts(app)
        response = world.client_for(rule.endpoint).post(
            url, data=MultiDict(data), content_type="multipart/form-data"
        )
        assert response.status_code < 500, (url, response.status_code)
        accepted = 300 <= response.status_code < 400 or "attachment" in response.headers.get(
            "Content-Disposition", ""
        )
        if accepted:
            world.rebuild()
        else:
            assert row_counts(app) == before, (url, response.status_code)

    post()


def test_every_form_survives_generated_input(
    app: Flask, db: Any, make_user: Any, make_meeting: Any, make_participant: Any
) -> None:
    world = World(
        app,
        {
            "make_user": make_user,
            "make_meeting": make_meeting,
            "make_participant": make_participant,
        },
    )
    rules = _post_rules(app)
    assert len(rules) > 20
    for rule in rules:
        client = world.client_for(rule.endpoint)
        names, files = _field_names(client, world.url(rule), set(rule.methods))

        # Forms get 25 examples; buttons without a form page of their own (delete, cancel,
        # move) get 10, with common field names and stray ones.
        _fuzz_rule(app, world, rule, names or COMMON_NAMES, files, examples=25 if names else 10)


# --- the JSON importer ----------------------------------------------------------------------

DEMO: dict[str, Any] = json.loads(DEMO_FILE.read_text(encoding="utf-8"))

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(NASTY),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node[:3]):
            found += _paths(child, (*prefix, index))
    return found


@st.composite
def mutated_demo(draw: Any) -> bytes:
    document = copy.deepcopy(DEMO)
    document["meeting"]["slug"] = "fuzzed-" + draw(st.sampled_from(["a", "b", "c"]))
    paths = _paths(document)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(paths[1:]))
        parent = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            operation = draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
            last = path[-1]
            if operation == "replace":
                parent[last] = draw(JSON_VALUES)
            elif operation == "delete":
                del parent[last]
            elif operation == "add" and isinstance(parent, dict):
                parent[draw(st.text(max_size=10))] = draw(JSON_VALUES)
            elif operation == "duplicate" and isinstance(parent, list):
                parent.append(copy.deepcopy(parent[last]))
        except (KeyError, IndexError, TypeError):
            continue
    text = json.dumps(document, ensure_ascii=draw(st.booleans()))
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        text = text[: draw(st.integers(min_value=0, max_value=len(text)))]
    return text.encode()


def test_the_json_importer_survives_mutated_documents(app: Flask, db: Any, make_user: Any) -> None:
    organiser = make_user("organiser")
    client = app.test_client()
    login(client, organiser)

    @FUZZ
    @given(document=mutated_demo())
    def post(document: bytes) -> None:
        before = row_counts(app)
        response = client.post(
            "/meetings/import",
            data={"file": (io.BytesIO(document), "meeting.json")},
            content_type="multipart/form-data",
        )
        assert response.status_code < 500, response.status_code
        if 300 <= response.status_code < 400:
            with app.app_context():
                _db.session.remove()
                with _db.engine.begin() as conn:
                    for table in reversed(_db.metadata.sorted_tables):
                        if table.name not in ("users",):
                            conn.execute(table.delete())
        else:
            assert row_counts(app) == before, response.status_code

    post()
