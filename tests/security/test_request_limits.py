"""Request bodies are limited before anything parses them: in bytes and in form fields, fitted
to the form of each address. An anonymous visitor cannot make a worker parse a huge form; the
largest real forms still go through."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.formparser import FormDataParser

from meetapp.formatting import language_choices
from meetapp.models import Outcome, Participant
from meetapp.outcomes.services import MAX_OUTCOMES
from meetapp.request_limits import PUBLIC_FORMS, USER_FORMS
from tests.html_forms import page_forms
from tests.registration.conftest import form_data
from tests.test_access_matrix import PUBLIC

URLENCODED = "application/x-www-form-urlencoded"
# A body of empty fields: each costs the parser as much as a real one.
MANY_FIELDS = b"a=&" * 200_000
KHMER = "ស"  # 3 bytes in UTF-8, 9 once percent-encoded


def refuse_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, form parsing fails the request (and the test) if anything reaches it."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(FormDataParser, "parse", refuse)


@pytest.fixture
def parser_must_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_parsing(monkeypatch)


def _refused(response: Any) -> None:
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "too large" in response.get_data(as_text=True)


@pytest.mark.slow
@pytest.mark.usefixtures("parser_must_not_run", "csrf_enabled")
@pytest.mark.parametrize("url", ["/login", "/healthz", "/no/such/page"])
def test_many_fields_are_refused_before_any_parsing(client: Any, url: str) -> None:
    """The 413 comes before the CSRF check (which would parse the form and answer 400), before
    the routing's 404 or 405, and before the view."""
    _refused(client.post(url, data=MANY_FIELDS, content_type=URLENCODED))


@pytest.mark.slow
def test_many_fields_from_a_logged_in_user_are_refused_before_any_parsing(
    client: Any, db: Any, make_user: Any, make_meeting: Any, login_as: Any, monkeypatch: Any
) -> None:
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser], title="Kept")
    login_as(organiser)
    refuse_parsing(monkeypatch)
    for url in (f"/meetings/{meeting.slug}/edit", "/logout"):
        _refused(client.post(url, data=b"title=New&" + MANY_FIELDS, content_type=URLENCODED))
    db.session.refresh(meeting)
    assert meeting.title == "Kept"
    monkeypatch.undo()
    assert client.get("/").status_code == 200  # still logged in


@pytest.mark.usefixtures("parser_must_not_run")
def test_a_public_form_takes_a_small_body(client: Any, make_meeting: Any) -> None:
    meeting = make_meeting()
    for url in ("/login", f"/m/{meeting.slug}/register"):
        body = b"name=" + b"x" * (70 * 1024)
        _refused(client.post(url, data=body, content_type=URLENCODED))


@pytest.mark.usefixtures("parser_must_not_run")
def test_the_body_of_a_request_that_only_reads_is_left_unread(
    client: Any, make_meeting: Any
) -> None:
    meeting = make_meeting()
    for url in (f"/m/{meeting.slug}/register", "/login"):
        response = client.get(url, data=MANY_FIELDS, content_type=URLENCODED)
        assert response.status_code == 200


def test_too_many_multipart_parts_are_refused(client: Any, db: Any, make_meeting: Any) -> None:
    meeting = make_meeting()
    parts = [f'--b\r\nContent-Disposition: form-data; name="f{n}"\r\n\r\nx\r\n' for n in range(400)]
    body = ("".join(parts) + "--b--\r\n").encode()
    response = client.post(
        f"/m/{meeting.slug}/register", data=body, content_type="multipart/form-data; boundary=b"
    )
    _refused(response)
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


def test_anonymous_post_to_a_staff_form_is_sent_to_log_in_unread(
    client: Any, make_meeting: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Such a visitor is sent to log in whatever the body: a large one is not read."""
    meeting = make_meeting()
    url = f"/meetings/{meeting.slug}/edit"
    small = client.post(url, data={"title": "x"})
    assert small.status_code == 302
    refuse_parsing(monkeypatch)
    for body in (b"title=" + b"x" * (100 * 1024), MANY_FIELDS):
        large = client.post(url, data=body, content_type=URLENCODED)
        assert large.status_code == 302
        assert large.headers["Location"] == small.headers["Location"]
        assert "/login" in large.headers["Location"]


def test_logged_in_users_send_large_forms(
    client: Any, db: Any, make_user: Any, make_meeting: Any, login_as: Any
) -> None:
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser])
    login_as(organiser)
    background = "x" * (100 * 1024)
    response = client.post(
        f"/meetings/{meeting.slug}/edit",
        data={"title": "Renamed", "background": background},
    )
    # Read and checked by the form: refused for its length, not for the size of the body.
    assert response.status_code == 200
    assert "Field cannot be longer than 5000 characters." in response.get_data(as_text=True)
    db.session.refresh(meeting)
    assert meeting.title != "Renamed"


def test_largest_registration_form_goes_through(client: Any, db: Any, make_meeting: Any) -> None:
    """Every text at its longest in a script that takes 9 bytes a character once encoded, and
    every language chosen."""
    meeting = make_meeting()
    data = form_data(
        name=KHMER * 200,
        honorific=KHMER * 50,
        email=f"{'a' * 64}@{'b' * 60}.example.org",
        organisation=KHMER * 300,
        position=KHMER * 200,
        needs=KHMER * 2000,
        languages=[code for code, _name in language_choices()],
    )
    response = client.post(f"/m/{meeting.slug}/register", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    participant = db.session.scalar(select(Participant))
    assert participant.needs == KHMER * 2000
    assert len(participant.languages) == len(language_choices())


def test_login_at_its_longest_is_read(client: Any, make_user: Any) -> None:
    user = make_user("organiser")
    response = client.post(
        "/login", data={"email": user.email, "password": KHMER * 500, "remember": "y"}
    )
    assert response.status_code == 200
    assert "Wrong e-mail or password." in response.get_data(as_text=True)


@pytest.mark.slow
def test_outcomes_form_with_every_outcome_goes_through(
    client: Any, db: Any, make_user: Any, make_meeting: Any, login_as: Any
) -> None:
    """The largest form of the site: every outcome a meeting may have, each row with its five
    fields (all marked for removal here), is read whole."""
    organiser = make_user("organiser")
    meeting = make_meeting(organisers=[organiser])
    db.session.add_all(
        Outcome(meeting_id=meeting.id, kind="finding", text=f"Finding {n}", position=n)
        for n in range(MAX_OUTCOMES)
    )
    db.session.commit()
    login_as(organiser)
    page = client.get(f"/meetings/{meeting.slug}/outcomes").get_data(as_text=True)
    [form] = [form for form in page_forms(page) if form.method == "post" and not form.action]
    pairs = form.submitted()
    pairs += [(f.name, "y") for f in form.fields if f.name.endswith("-remove")]
    assert len(pairs) > 1000
    response = client.post(f"/meetings/{meeting.slug}/outcomes", data=MultiDict(pairs))
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Outcome)) == 0


def test_json_bodies_are_refused_unread(client: Any, make_meeting: Any) -> None:
    meeting = make_meeting()
    for body in ("[" * 10_000, '{"name": "Sokha"}'):
        response = client.post(
            f"/m/{meeting.slug}/register", data=body, content_type="application/json"
        )
        assert response.status_code == 400


def test_every_public_form_has_its_limit(app: Flask) -> None:
    """A public address that takes a POST without a limit of its own would take only the
    small body of an anonymous visitor; a limit for an address that does not exist is a typo."""
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert set(PUBLIC_FORMS) == posts & PUBLIC
    assert set(USER_FORMS) <= posts - PUBLIC
