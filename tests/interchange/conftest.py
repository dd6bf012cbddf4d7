"""Documents and clients for the interchange tests."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from meetapp.cli import DEMO_FILE
from meetapp.models import (
    AgendaSession,
    Contact,
    Meeting,
    Organisation,
    Participant,
    SessionSpeaker,
    Speaker,
    StakeholderGroup,
    Statement,
    User,
)

DEMO: dict[str, Any] = json.loads(Path(DEMO_FILE).read_text(encoding="utf-8"))


@pytest.fixture
def demo_document() -> dict[str, Any]:
    """The whole demo document, sections this version does not store included."""
    return copy.deepcopy(DEMO)


@pytest.fixture
def owned_demo() -> dict[str, Any]:
    """The whole demo document (every section is stored)."""
    return copy.deepcopy(DEMO)


@pytest.fixture
def small_document() -> Callable[..., dict[str, Any]]:
    """A valid document with two groups, a contact and three participants."""

    def make(slug: str = "small-meeting") -> dict[str, Any]:
        return {
            "format": "meetapp/1",
            "organisation": {"name": "Small Network", "short_name": "SN"},
            "meeting": {
                "slug": slug,
                "title": "A small meeting",
                "starts_at": "2024-05-02T09:00:00+02:00",
                "timezone": "Europe/Berlin",
                "capacity": 2,
                "stakeholder_groups": [
                    {"key": "gov", "label": "Government"},
                    {"key": "cso", "label": "Civil society"},
                ],
            },
            "contacts": [{"name": "Press Office", "email": "press@example.org"}],
            "participants": [
                {"name": "Ana Lima", "email": "ana@example.org", "stakeholder_group": "gov"},
                {"name": "Bo Chen", "email": "bo@example.org", "stakeholder_group": "cso"},
                {"name": "Cy Diaz", "email": "cy@example.org"},
            ],
        }

    return make


@pytest.fixture
def row_counts(db: Any) -> Callable[[], dict[str, int]]:
    """Rows per table, as committed (the test's own transaction is ended first)."""

    def count() -> dict[str, int]:
        db.session.rollback()
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (
                Organisation,
                Meeting,
                StakeholderGroup,
                Contact,
                Participant,
                User,
                Speaker,
                AgendaSession,
                SessionSpeaker,
                Statement,
            )
        }

    return count
