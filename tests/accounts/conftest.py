"""Test clients whose requests each run in an application context of their own.

The suite's `db` fixture keeps an application context open for the whole test; a request made
inside it would share that context's `g` (where Flask-Login caches the current user) and its
database session with the test and with every other client. Each request here gets a fresh
context, as it does in production, so that two clients are two independent browsers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient


class IsolatedClient(FlaskClient):
    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def new_client(app: Flask) -> Callable[[], FlaskClient]:
    def make() -> FlaskClient:
        return IsolatedClient(app, app.response_class, use_cookies=True)

    return make


@pytest.fixture
def client(new_client: Callable[[], FlaskClient]) -> FlaskClient:
    return new_client()
