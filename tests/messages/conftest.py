"""Fixtures of the message tests: a meeting in English and Khmer with its organiser, and the
compose form's data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from meetapp.extensions import db as _db
from meetapp.models import Meeting, Survey, User


@dataclass
class Setup:
    organiser: User
    meeting: Meeting
    client: FlaskClient

    @property
    def compose_url(self) -> str:
        return f"/meetings/{self.meeting.slug}/messages/new"

    @property
    def history_url(self) -> str:
        return f"/meetings/{self.meeting.slug}/messages"


@pytest.fixture
def setup(make_user: Any, make_meeting: Any, login_as: Any) -> Setup:
    organiser = make_user("organiser", name="Dara Organiser")
    meeting = make_meeting(
        organisers=[organiser],
        languages=["en", "km"],
        title="Labour Migration Meeting",
        venue="Sokha Hotel",
        city="Phnom Penh",
        country="KH",
        capacity=None,
    )
    return Setup(organiser, meeting, login_as(organiser))


EXPECTED = re.compile(r'name="expected" type="hidden" value="(\d*)"')


def shown_count(page: str) -> str:
    """The number of people the compose page showed, which Send sends back."""
    match = EXPECTED.search(page)
    assert match, "no count on the page"
    return match.group(1)


def send(client: FlaskClient, url: str, **changes: Any) -> Any:
    """Preview the message, then send it to as many people as the preview showed."""
    page = client.post(url, data=compose_data(**changes)).get_data(as_text=True)
    return client.post(url, data=compose_data(send="Send", expected=shown_count(page), **changes))


@pytest.fixture
def make_message_survey(db: Any) -> Any:
    def make(meeting: Meeting, key: str = "after", title: str = "After the meeting") -> Survey:
        survey = Survey(meeting_id=meeting.id, key=key, title=title)
        _db.session.add(survey)
        _db.session.commit()
        return survey

    return make


def compose_data(**changes: Any) -> dict[str, Any]:
    """What the compose form sends: registered people, no other filter, an English version
    and an empty Khmer one, previewed."""
    data: dict[str, Any] = {
        "statuses": ["registered"],
        "group": "",
        "attended": "",
        "language": "",
        "survey": "",
        "answered": "",
        "subject_0": "News about {meeting}",
        "body_0": "Dear {name},\n\nSee you in {venue} on {dates}.\nAgenda: {agenda_link}\n",
        "subject_1": "",
        "body_1": "",
        "preview": "Preview",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
