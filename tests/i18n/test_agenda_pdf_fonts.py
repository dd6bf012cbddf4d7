"""The agenda PDF in each shipped language: its texts extract as written, and every one of
their characters is drawn with an embedded font that has it (no empty boxes)."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime
from typing import Any

import pytest
from pypdf import PdfReader

from meetapp.i18n import LOCALES
from meetapp.models import AgendaSession
from tests.i18n.catalogues import read_catalogue

# The font family each script is drawn with (see static/css/print.css).
SCRIPT_FONTS = {
    "en": "Noto Sans",
    "vi": "Noto Sans",
    "km": "Khmer",
    "ja": "CJK",
    "th": "Thai",
    "lo": "Lao",
    "my": "Myanmar",
}


def _bare(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object().get("/BaseFont")))
    return names


@pytest.mark.slow
@pytest.mark.parametrize("code", LOCALES)
def test_the_agenda_pdf_shows_its_language(
    client: Any, db: Any, make_meeting: Any, code: str
) -> None:
    meeting = make_meeting(languages=[code], starts_at=datetime(2031, 3, 10, 2, 0, tzinfo=UTC))
    db.session.add(
        AgendaSession(
            meeting_id=meeting.id,
            key="opening",
            title="Opening",
            kind="keynote",
            starts_at=datetime(2031, 3, 10, 2, 30, tzinfo=UTC),
            ends_at=datetime(2031, 3, 10, 3, 0, tzinfo=UTC),
        )
    )
    db.session.commit()
    response = client.get(f"/m/{meeting.slug}/agenda.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = _bare(" ".join(page.extract_text() or "" for page in reader.pages))
    catalogue = read_catalogue(code) if code != "en" else None
    for wanted in ("Session", "Keynote"):
        shown = wanted if catalogue is None else str(catalogue.get(wanted).string)
        assert _bare(shown) in text, (code, shown, text)
    assert "\ufffd" not in text
    fonts = _fonts(reader)
    assert any(SCRIPT_FONTS[code] in name.replace("-", " ") for name in fonts), fonts
    assert not any("notdef" in name.lower() for name in fonts)
