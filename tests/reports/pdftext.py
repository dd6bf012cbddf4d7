"""Reading PDFs back in tests."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader
from pypdf.generic import IndirectObject


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


def structure_elements(pdf: bytes) -> list[dict[str, Any]]:
    """Every element of the structure tree, depth first, as {"S": role, "page": page number or
    None, "parent_ok": its /P is the element above it}."""
    reader = PdfReader(io.BytesIO(pdf))
    page_numbers = {
        page.indirect_reference.idnum: number
        for number, page in enumerate(reader.pages, 1)
        if page.indirect_reference is not None
    }
    found: list[dict[str, Any]] = []

    def walk(reference: Any, parent: Any) -> None:
        element = reference.get_object()
        own_parent = element.raw_get("/P") if "/P" in element else None
        page = element.raw_get("/Pg") if "/Pg" in element else None
        found.append(
            {
                "S": str(element.get("/S")),
                "page": page_numbers.get(page.idnum) if page is not None else None,
                "has_page": page is None or page.idnum in page_numbers,
                "parent_ok": own_parent is not None and own_parent.idnum == parent.idnum,
            }
        )
        kids = element.get("/K")
        kids = kids.get_object() if kids is not None else []
        for kid in kids if isinstance(kids, list) else [kids]:
            is_element = isinstance(kid, IndirectObject) and isinstance(kid.get_object(), dict)
            if is_element and kid.get_object().get("/Type") != "/OBJR":
                walk(kid, reference)

    root: Any = reader.trailer["/Root"]
    tree_reference = root.raw_get("/StructTreeRoot")
    tops = tree_reference.get_object().raw_get("/K")
    for top in tops.get_object() if isinstance(tops.get_object(), list) else [tops]:
        walk(top, tree_reference)
    return found


def assert_tagged(pdf: bytes, title: str | None = None) -> None:
    """The PDF is tagged for assistive technology: a structure tree whose elements hang
    together and point at its own pages, a parent-tree entry for every page's marked content,
    a language, and a title shown in place of the file name."""
    reader = PdfReader(io.BytesIO(pdf))
    root: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert str(root.get("/Lang", "")) == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    document_title = (reader.metadata or {}).get("/Title")
    assert document_title
    if title is not None:
        assert document_title == title
    tree = root["/StructTreeRoot"]
    numbers = tree["/ParentTree"]["/Nums"]
    keys = [int(numbers[i]) for i in range(0, len(numbers), 2)]
    assert len(keys) == len(set(keys))
    for page in reader.pages:
        assert int(page["/StructParents"]) in keys
    elements = structure_elements(pdf)
    assert elements
    assert all(element["parent_ok"] for element in elements)
    assert all(element["has_page"] for element in elements)
    pages_with_content = {element["page"] for element in elements if element["page"]}
    assert pages_with_content == set(range(1, len(reader.pages) + 1))
