"""Bad input into every field of every form, deterministically (the generated counterpart is
tests/test_fuzz_forms.py; single cases with their messages are in tests/test_bad_input.py).

The forms are those the pages really show (tests.form_world): every page of the URL map is
requested in a world where every form appears, each form is read with html.parser, and each
POST rule must have one. A form is sent as a browser sends it, typed into with known-good
values (which it must take), then with one field at a time replaced by: an empty value
(required fields), 10,000 characters, a NUL byte, HTML and script (text fields), line breaks
and tabs (one-line text fields), an invalid e-mail (e-mail fields), an unknown stakeholder
group and another meeting's group (group fields), and forged ids (another meeting's record,
"abc", "²", "-1", a number beyond any id column) in hidden and choice fields. Each form is
also sent with 1,500 fields more than it has, which is refused.

Never a 5xx. A refusal (a form error or another 4xx) leaves every row of every table as it
was. Bad input is refused, but for HTML in text, which is taken and shown escaped, and the
few cases of MAY_TAKE, reviewed one by one. The page a form redirects to, and afterwards
every page of every world built, hold no raw HTML that was sent (and do hold it escaped).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from meetapp.models import PRESS_RELEASE_SECTIONS
from tests.form_world import Worlds, filled, make_worlds
from tests.html_forms import Field, Form
from tests.url_map import post_rules, table_rows

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HUGE_ID = "99999999999999999999"
TEXTS = {"10,000 characters": "x" * 10_000, "script": SCRIPT, "img": IMG, "NUL": "a\x00b"}
# Refused in a one-line field (an <input>), taken in a <textarea>.
LINE_BREAKS = {"CR LF": "two\r\nlines", "LF": "two\nlines", "tab": "a\tb"}
# More fields than any form has (the largest, the outcomes, has about 1,000): refused before
# anything reads them.
EXTRA_FIELDS = 1_500
INVALID_EMAILS = ["not-an-e-mail", "two@@example.org"]
FORGED = ["abc", "²", "-1", HUGE_ID]
UNKNOWN_GROUP = "999999"

# Posting to it only ends the session.
NOT_FORMS = {"accounts.logout"}
# Which record a hidden or choice field names, to forge the id of meeting A's record of that
# kind (see `values_a`). A field whose value or options are numbers must be listed here or in
# NOT_IDS, so that a new field of ids cannot escape the forged ids.
RECORD_FIELDS = [
    (re.compile(r"group"), "group_id"),
    (re.compile(r"(^|-)speaker$"), "speaker_id"),
    (re.compile(r"^session$"), "session_id"),
    (re.compile(r"^organisation$"), "org_id"),
    (re.compile(r"^rows-\d+-id$"), "outcome_id"),
    (re.compile(r"^survey$"), "survey_id"),
    (re.compile(r"^participant$"), "participant_id"),
    # The free-text answers listed for the published results.
    (re.compile(r"^(shown|chosen)$"), "answer_id"),
]
# `expected`: the number of people the message compose page showed, not a record.
NOT_IDS = {"attended", "expected"}


# --- the cases ------------------------------------------------------------------------------

Case = tuple[str, str, Any]  # field, what is wrong with it, value (None: left out)
ROW = re.compile(r"^(.+)-(\d+)-(.+)$")


def _record_of(f: Field) -> str | None:
    for pattern, kind in RECORD_FIELDS:
        if pattern.search(f.name):
            return kind
    numeric = [f.value, *(value for value, _ in f.options)]
    assert f.name in NOT_IDS or not any(value.isdigit() for value in numeric), (
        f"the matrix does not know which record the field {f.name} names: add it to "
        "RECORD_FIELDS (or to NOT_IDS)"
    )
    return None


def _first_row_only(form: Form, f: Field) -> bool:
    """A field of the second or later row of a list of rows (`speakers-1-role`) repeats the
    field of the first (`speakers-0-role`): the first stands for all."""
    row = ROW.match(f.name)
    return row is None or row[2] == "0" or form.field(f"{row[1]}-0-{row[3]}") is None


def cases(form: Form, foreign: dict[str, Any]) -> Iterator[Case]:
    for f in form.fields:
        if f.kind in ("submit", "image", "button", "reset") or f.name == "csrf_token":
            continue
        if not _first_row_only(form, f):
            continue
        if f.kind == "checkbox":
            if f.required:
                yield f.name, "unticked", None
            continue
        if f.kind == "file":
            for what, text in {"empty file": "", **TEXTS}.items():
                yield f.name, what, text.encode()
            continue
        if f.required:
            yield f.name, "empty", ""
        if f.is_text:
            for what, text in TEXTS.items():
                yield f.name, what, text
        if f.is_text and f.kind not in ("textarea", "hidden"):
            for what, text in LINE_BREAKS.items():
                yield f.name, what, text
        if f.kind == "email" or "email" in f.name:
            for text in INVALID_EMAILS:
                yield f.name, "invalid e-mail", text
        if f.is_choice:
            for text in FORGED:
                yield f.name, "forged id", text
            record = _record_of(f)
            if record is not None:
                yield f.name, "another meeting's record", str(foreign[record])
            if record == "group_id":
                yield f.name, "unknown group", UNKNOWN_GROUP


def corrupted(pairs: list[tuple[str, Any]], name: str, value: Any) -> MultiDict[str, Any]:
    data: MultiDict[str, Any] = MultiDict([(k, v) for k, v in pairs if k != name])
    if isinstance(value, bytes):
        data.add(name, (io.BytesIO(value), "bad.csv"))
    elif value is not None:
        data.add(name, value)
    return data


# --- the test -------------------------------------------------------------------------------


def _accepted(response: Any) -> bool:
    return 300 <= response.status_code < 400 or "attachment" in response.headers.get(
        "Content-Disposition", ""
    )


def _no_raw_markup(page: str, where: str) -> None:
    assert SCRIPT not in page, where
    assert IMG not in page, where


@pytest.fixture
def worlds(app: Flask, db: Any, make_user: Any, make_meeting: Any, make_participant: Any) -> Worlds:
    return make_worlds(app, make_user, make_meeting, make_participant)


def test_every_post_rule_has_a_form_in_the_world(app: Flask, worlds: Worlds) -> None:
    expected = {rule.endpoint for rule in post_rules(app)} - NOT_FORMS
    assert set(worlds.form_pages()) - NOT_FORMS == expected


class Sender:
    """Posts to one rule's form, checks the answer, and finds the form again after an
    accepted request (in a new world if that request took the form away)."""

    def __init__(self, app: Flask, worlds: Worlds, rule: Any, page_rule: Any) -> None:
        self.app, self.worlds, self.rule, self.page_rule = app, worlds, rule, page_rule
        self.action, self.form = worlds.find(rule.endpoint, page_rule)
        self.before = table_rows(app)

    def send(self, data: MultiDict[str, Any], what: tuple[Any, ...]) -> bool:
        """Whether the request was accepted."""
        client = self.worlds.world.client_for(self.rule.endpoint)
        response = client.post(self.action, data=data, content_type="multipart/form-data")
        where = (self.rule.endpoint, *what, response.status_code)
        assert response.status_code < 500, where
        if not _accepted(response):
            assert table_rows(self.app) == self.before, where
            return False
        if response.status_code in (302, 303):
            shown = client.get(response.headers["Location"]).get_data(as_text=True)
            _no_raw_markup(shown, str(where))
        self.action, self.form = self.worlds.find(self.rule.endpoint, self.page_rule)
        self.before = table_rows(self.app)
        return True


# Bad input that a form takes, each reviewed: anything else but HTML must get a form error
# (HTML in text is taken and shown escaped).
MAY_TAKE = {
    # The search to show again after a check-in: any text is a search.
    ("participants.checkin_mark", "q", "forged id"),
    ("participants.checkin_seat", "q", "forged id"),
    ("participants.walk_in", "q", "forged id"),
    # The keys of the option lines the question editor showed: a key that is not one of the
    # question's options is ignored (`surveys.services.match_option_lines`).
    *(
        (endpoint, "option_keys", case)
        for endpoint in ("surveys.question_add", "surveys.question_edit")
        for case in ("forged id", "10,000 characters")
    ),
    # Where to go back to: what is not a page of the app is replaced by the list.
    ("participants.cancel", "next", "forged id"),
    ("participants.promote", "next", "forged id"),
    # A section of the press release may be 20,000 characters long.
    *(
        ("reports.press_release_save", f"{section}-text", "10,000 characters")
        for section in PRESS_RELEASE_SECTIONS
    ),
    # Options are read for choice questions only, and the filled form is a Likert question.
    ("surveys.question_add", "options", "10,000 characters"),
    ("surveys.question_edit", "options", "10,000 characters"),
    # Likewise for registration questions: the filled form of a new one is a short text, and
    # the world's question is a yes/no.
    ("questions.new", "options", "10,000 characters"),
    ("questions.edit", "options", "10,000 characters"),
    # The group is read only when the audience is a group, and the filled form invites
    # everyone registered (a group of another meeting is refused: tests/surveys).
    ("surveys.invitations", "group", "forged id"),
    ("surveys.invitations", "group", "another meeting's record"),
    ("surveys.invitations", "group", "unknown group"),
}
HTML = {"script", "img"}

# Forms that refuse even the values the page fills in, with the reason: the matrix could
# not tell their refusal of bad input from their refusal of everything.
REFUSE_THE_FILLED_FORM = {
    # No file is chosen (a bad file is a case of its own).
    "interchange.import_meeting",
    "participants.import_csv",
    # The e-mail given is nobody's account.
    "accounts.login",
    "meetings.team",
    # The world has no mail server, so a message cannot be sent (Preview answers with the
    # page itself); tests/messages send through a real SMTP server.
    "messages.compose",
    # A body typed over loses its {link}: an automatic e-mail without the personal link it
    # brings is refused (tests/meetings/test_mail_templates.py).
    "meetings.emails_template",
    # The code typed is not the one the organiser set (the right one and wrong ones are in
    # tests/surveys/test_surveys_open_link.py).
    "surveys.open_code",
}


def test_bad_input_in_every_field_of_every_form(app: Flask, worlds: Worlds) -> None:
    pages = worlds.form_pages()
    posted = refused_filled = 0
    took: set[tuple[str, str, str]] = set()
    for rule in post_rules(app):
        if rule.endpoint in NOT_FORMS:
            continue
        sender = Sender(app, worlds, rule, pages[rule.endpoint])
        todo = list(cases(sender.form, worlds.world.records["values_a"]))
        if not todo:
            continue  # a button: nothing to type into (its CSRF token is another test's)
        # The form as the page fills it is taken, so that a refusal below is the bad input's.
        taken = sender.send(MultiDict(filled(sender.form)), ("as filled",))
        assert taken == (rule.endpoint not in REFUSE_THE_FILLED_FORM), rule.endpoint
        refused_filled += not taken
        flooded = MultiDict([*filled(sender.form), *[("extra", "")] * EXTRA_FIELDS])
        assert not sender.send(flooded, (f"{EXTRA_FIELDS} extra fields",)), rule.endpoint
        for name, what, value in todo:
            data = corrupted(filled(sender.form), name, value)
            if sender.send(data, (name, what)) and what not in HTML:
                took.add((rule.endpoint, name, what))
            posted += 1
    assert refused_filled == len(REFUSE_THE_FILLED_FORM)
    assert took == MAY_TAKE
    assert posted > 500

    # Whatever HTML was accepted is shown escaped on every page of every world built.
    escaped = False
    for world in worlds.built:
        for page_rule in worlds.html_pages():
            url, response = worlds.page(page_rule, world)
            assert response.status_code < 500, url
            page = response.get_data(as_text=True)
            _no_raw_markup(page, url)
            escaped = escaped or "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert escaped, "no page shows the script that was stored"
