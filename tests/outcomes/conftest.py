"""A meeting with its organiser, another organiser and a staff member."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def setting(make_user: Any, make_meeting: Any) -> dict[str, Any]:
    organiser = make_user("organiser")
    return {
        "organiser": organiser,
        "other": make_user("organiser"),
        "staff": make_user("staff"),
        "meeting": make_meeting(organisers=[organiser]),
    }
