"""The press-release draft as a Word document (.docx), for press offices that edit in Word."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt

from meetapp.reports.press_release import PressReleaseDraft


def press_release_docx(draft: PressReleaseDraft) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    top = document.add_paragraph()
    top.add_run(draft.organisation).bold = True
    top.add_run(" · Press Release")
    document.add_heading(draft.headline, level=1)
    document.add_paragraph().add_run(draft.release_date_text).italic = True
    for section in draft.body:
        if section.heading:
            document.add_heading(section.heading, level=2)
        for paragraph in section.paragraphs:
            document.add_paragraph(paragraph)
    document.core_properties.title = draft.headline[:255]
    document.core_properties.author = draft.organisation[:255]
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
