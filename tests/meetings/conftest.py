"""Helpers for the meetings tests: organisations and a full meeting form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from meetapp.models import Organisation, User


@pytest.fixture
def make_organisation(db: Any) -> Callable[..., Organisation]:
    """`make_organisation(name, created_by=None, **fields)`: an organisation convening no
    meeting, which only an administrator and its creator may use."""

    def make(
        name: str = "Mekong Migration Network", created_by: User | None = None, **fields: Any
    ) -> Organisation:
        organisation = Organisation(
            name=name, created_by_id=created_by.id if created_by else None, **fields
        )
        db.session.add(organisation)
        db.session.commit()
        return organisation

    return make


def meeting_form(organisation_id: int, **overrides: Any) -> dict[str, Any]:
    """Every field of the new-meeting form, filled in as a browser sends it."""
    data: dict[str, Any] = {
        "title": "Multi-stakeholder meeting on labour migration",
        "slug": "mmn-2019",
        "organisation": str(organisation_id),
        "kind": "multi-stakeholder meeting",
        "topic": "labour migration from Cambodia to Japan",
        "timezone": "Asia/Phnom_Penh",
        "starts_at": "2019-02-18T09:00",
        "ends_at": "2019-02-18T17:30",
        "venue": "Sunway Hotel",
        "city": "Phnom Penh",
        "country": "KH",
        "languages": ["en", "km", "ja"],
        "background": "Convened because many workers go to Japan.\nSecond paragraph.",
        "capacity": "80",
        "registration_opens_at": "2019-01-10T08:00",
        "registration_closes_at": "2019-02-15T23:59",
        "groups": "Government\nCivil society\n\nPrivate sector\nGovernment",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def meeting_form_data() -> Callable[..., dict[str, Any]]:
    return meeting_form
