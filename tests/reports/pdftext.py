"""Reading PDFs back in tests."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The text of every page, white space made single (lines of a paragraph joined)."""
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def has_embedded_files(pdf: bytes) -> bool:
    reader = PdfReader(io.BytesIO(pdf))
    names = reader.trailer["/Root"].get("/Names")
    names = names.get_object() if names is not None else {}
    return "/EmbeddedFiles" in names or b"/EmbeddedFile" in pdf or b"/FileAttachment" in pdf
