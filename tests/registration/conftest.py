"""Helpers for the registration tests: a filled-in form and registering through the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from meetapp.models import Meeting, StakeholderGroup
from meetapp.models.questions import RegistrationQuestion
from meetapp.registration.questions import OptionLine, QuestionData, save_question


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Sokha Chan",
        "honorific": "Ms",
        "email": "sokha@example.org",
        "organisation": "Mekong Migration Network",
        "position": "Coordinator",
        "stakeholder_group": "",
        "country": "KH",
        "languages": ["en", "km"],
        "needs": "Vegetarian meals",
        "consent": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def token_from(location: str) -> str:
    assert "/r/" in location, location
    return location.rsplit("/r/", 1)[1]


@pytest.fixture
def form() -> Callable[..., dict[str, Any]]:
    """`form(**changes)`: the registration form filled in, with changes (None drops a field)."""
    return form_data


@pytest.fixture
def token_of() -> Callable[[str], str]:
    """The token in a redirect to the personal page."""
    return token_from


@pytest.fixture
def register(client: FlaskClient) -> Callable[..., str]:
    """Register through the public page; returns the personal-link token."""

    def do(slug: str, **overrides: Any) -> str:
        response = client.post(f"/m/{slug}/register", data=form_data(**overrides))
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return token_from(response.headers["Location"])

    return do


@pytest.fixture
def add_question(db: Any) -> Callable[..., RegistrationQuestion]:
    """`add_question(meeting, kind, label, options=[("Field visit", 20), "Lunch"],
    groups=["government"], required=True)`: a registration question, stored and committed."""

    def add(
        meeting: Meeting,
        kind: str,
        label: str,
        options: tuple[Any, ...] | list[Any] = (),
        groups: tuple[str, ...] | list[str] = (),
        **fields: Any,
    ) -> RegistrationQuestion:
        group_ids = list(
            db.session.scalars(
                select(StakeholderGroup.id).where(
                    StakeholderGroup.meeting_id == meeting.id,
                    StakeholderGroup.key.in_(list(groups)),
                )
            )
        )
        lines = [
            OptionLine(*option) if isinstance(option, tuple) else OptionLine(option)
            for option in options
        ]
        data = QuestionData(kind=kind, label=label, options=lines, group_ids=group_ids, **fields)
        question = save_question(meeting, data)
        db.session.commit()
        return question

    return add
