"""CSRF on every POST rule of the URL map, so that no route escapes it.

With CSRF on, each POST rule is sent the form its page shows, filled in as a browser would
send it (tests.form_world) but without a valid CSRF token: none, a made-up one, and the
genuine token of another browser. It is sent by a logged-in administrator, and for the
public routes also by a visitor without a session and by a participant who opened their
personal page and survey link. Each request gets the 400 of the CSRF check, and no table
changes.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from tests.conftest import csrf_token_from
from tests.form_world import Worlds, filled, make_worlds
from tests.test_access_matrix import PUBLIC
from tests.url_map import post_rules, table_rows

CSRF_REFUSAL = "The form has expired or was not sent from this site."


@pytest.fixture
def worlds(
    app: Flask,
    db: Any,
    make_user: Any,
    make_meeting: Any,
    make_participant: Any,
    csrf_enabled: None,
) -> Worlds:
    return make_worlds(app, make_user, make_meeting, make_participant)


def _browsers(app: Flask, worlds: Worlds) -> tuple[FlaskClient, FlaskClient, FlaskClient]:
    world = worlds.world
    admin = world.admin
    visitor = app.test_client()
    participant = app.test_client()
    assert participant.get(f"/r/{world.records['values']['token']}").status_code == 200
    assert participant.get(f"/s/{world.records['survey_token']}").status_code == 200
    return admin, visitor, participant


def test_every_post_without_a_valid_csrf_token_is_refused(app: Flask, worlds: Worlds) -> None:
    admin, visitor, participant = _browsers(app, worlds)
    another_browsers_token = csrf_token_from(app.test_client().get("/login").get_data(as_text=True))
    pages = worlds.form_pages()
    before = table_rows(app)
    checked = set()
    for rule in post_rules(app):
        # The form the page shows, filled in; a rule without a form gets an empty body (the
        # bad-input matrix requires a form for each).
        if rule.endpoint in pages:
            url, form = worlds.find(rule.endpoint, pages[rule.endpoint])
            data = filled(form)
        else:
            url, data = worlds.world.url(rule), []
        browsers = [("admin", admin)]
        if rule.endpoint in PUBLIC:
            browsers += [("visitor", visitor), ("participant", participant)]
        for who, client in browsers:
            for token in (None, "made-up", another_browsers_token):
                sent = data if token is None else [*data, ("csrf_token", token)]
                response = client.post(url, data=MultiDict(sent))
                where = (rule.endpoint, who, token, response.status_code)
                assert response.status_code == 400, where
                assert CSRF_REFUSAL in response.get_data(as_text=True), where
                assert table_rows(app) == before, where
        checked.add(rule.endpoint)
    assert checked == {rule.endpoint for rule in post_rules(app)}
    # Logging out was refused too.
    assert admin.get("/").status_code == 200
