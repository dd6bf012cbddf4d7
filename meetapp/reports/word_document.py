"""The press-release draft as a Word document (.docx), for press offices that edit in Word."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from meetapp.reports.press_release import PressReleaseDraft


def press_release_docx(draft: PressReleaseDraft) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    top = document.add_paragraph()
    top.add_run(draft.organisation).bold = True
    top.add_run(" · Press Release")
    document.add_paragraph().add_run("For immediate release").italic = True
    document.add_heading(draft.headline, level=1)
    for section in draft.news:
        if section.heading:
            document.add_heading(section.heading, level=2)
        for index, paragraph in enumerate(section.paragraphs):
            if section is draft.news[0] and index == 0:
                line = document.add_paragraph()
                line.add_run(draft.dateline).bold = True
                line.add_run(f" {paragraph}")
            else:
                document.add_paragraph(paragraph)
    document.add_paragraph(draft.end_mark).alignment = WD_ALIGN_PARAGRAPH.CENTER
    if draft.notes:
        document.add_heading("Notes to editors", level=2)
    for section in draft.notes:
        if section.heading:
            document.add_heading(section.heading, level=3)
        for paragraph in section.paragraphs:
            document.add_paragraph(paragraph)
    document.core_properties.title = draft.headline[:255]
    document.core_properties.author = draft.organisation[:255]
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
