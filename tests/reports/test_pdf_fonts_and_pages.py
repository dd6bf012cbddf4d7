"""What every PDF of the app is printed on and with: A4 pages, and fonts that draw Khmer and
Japanese names (not empty boxes)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import insert, select

from meetapp.models import Contact, Participant, Survey
from meetapp.reports.fonts import missing_fonts
from tests.reports.pdftext import pdf_text

KHMER_NAME = "ចាន់ សុភា"
JAPANESE_NAME = "佐藤 花子"
# /BaseFont names (subset prefix, spaces and hyphens aside) of fonts that draw each script.
KHMER_FONTS = ("NotoSansKhmer", "NotoSerifKhmer", "KhmerOS")
CJK_FONTS = ("NotoSansCJK", "NotoSerifCJK")
# A4 in PostScript points.
A4 = (595.28, 841.89)


def embedded_fonts(pdf: bytes) -> set[str]:
    """The /BaseFont of every font the pages use, without spaces or hyphens:
    'ABCDEF+NotoSansKhmer'."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font")
        for font in (fonts.get_object() if fonts is not None else {}).values():
            name = str(font.get_object()["/BaseFont"])
            names.add(name.lstrip("/").replace("-", "").replace(" ", ""))
    return names


def _sign_in_sheet(db: Any, meeting: Any) -> str:
    db.session.execute(
        insert(Participant),
        [
            {
                "meeting_id": meeting.id,
                "name": name,
                "email": f"p{n}@example.org",
                "email_normalized": f"p{n}@example.org",
                "status": "registered",
            }
            for n, name in enumerate((KHMER_NAME, JAPANESE_NAME))
        ],
    )
    return f"/meetings/{meeting.slug}/sign-in-sheet.pdf"


def _press_release(db: Any, meeting: Any) -> str:
    for position, name in enumerate((KHMER_NAME, JAPANESE_NAME)):
        db.session.add(
            Contact(meeting_id=meeting.id, position=position, name=name, email="p@example.org")
        )
    return f"/meetings/{meeting.slug}/press-release.pdf"


@pytest.mark.parametrize("document", [_sign_in_sheet, _press_release])
def test_khmer_and_japanese_names_are_printed_in_fonts_that_draw_them(
    db: Any, make_meeting: Any, make_user: Any, login_as: Any, document: Any
) -> None:
    missing = missing_fonts()
    if missing:
        pytest.skip("fonts for Khmer or Japanese are not installed: " + " ".join(missing))
    meeting = make_meeting()
    url = document(db, meeting)
    db.session.commit()
    response = login_as(make_user("staff")).get(url)
    assert response.status_code == 200
    fonts = embedded_fonts(response.data)
    assert any(family in font for font in fonts for family in KHMER_FONTS), fonts
    assert any(family in font for font in fonts for family in CJK_FONTS), fonts
    text = pdf_text(response.data)
    assert KHMER_NAME in text
    assert JAPANESE_NAME in text


def test_every_pdf_of_a_meeting_is_a4(
    db: Any, load_demo: Any, make_user: Any, login_as: Any
) -> None:
    meeting = load_demo()
    keys = db.session.scalars(select(Survey.key).where(Survey.meeting_id == meeting.id)).all()
    assert keys
    urls = [
        f"/meetings/{meeting.slug}/press-release.pdf",
        f"/meetings/{meeting.slug}/summary.pdf",
        f"/meetings/{meeting.slug}/sign-in-sheet.pdf",
        f"/m/{meeting.slug}/agenda.pdf",
        *(f"/meetings/{meeting.slug}/surveys/{key}/results.pdf" for key in keys),
    ]
    client = login_as(make_user("staff"))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "application/pdf", url
        for number, page in enumerate(PdfReader(io.BytesIO(response.data)).pages, 1):
            size = (float(page.mediabox.width), float(page.mediabox.height))
            assert size == pytest.approx(A4, abs=1), (url, number, size)
