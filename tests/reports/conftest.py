"""The demo meeting, whole, for the report tests.

The demo document is imported; its speakers, agenda sessions and statements are then stored
with the models directly, unless the import already stored them (once the agenda is part of
the interchange, the loader has nothing left to do).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from meetapp.cli import DEMO_FILE
from meetapp.interchange.services import import_meeting
from meetapp.models import (
    Meeting,
)

DEMO: dict[str, Any] = json.loads(Path(DEMO_FILE).read_text(encoding="utf-8"))


@pytest.fixture
def load_demo(db: Any) -> Callable[..., Meeting]:
    """Import the demo (or a changed copy of it); returns the meeting."""

    def load(document: dict[str, Any] | None = None) -> Meeting:
        document = document or json.loads(json.dumps(DEMO))
        report = import_meeting(document)
        db.session.commit()
        return report.meeting

    return load
