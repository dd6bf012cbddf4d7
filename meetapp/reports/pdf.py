"""PDF rendering with WeasyPrint, fetching nothing but `data:` URLs and the app's static files.

Every PDF of the app goes through `render_pdf`: one print stylesheet (static/css/print.css),
A4 pages with the organisation's name in the header and page numbers in the footer. User text
reaches the HTML escaped by Jinja; the restricted fetcher is a second wall, so that not even
markup that slipped through could read local files or call a server.

Every PDF is tagged (PDF/UA-1): a structure tree that screen readers follow, the document's
language (`<html lang>`) and its title (`<title>`), shown instead of the file name. A document
rendered in parts keeps its structure through `merge_pdf_files`, which joins the parts' trees.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
)
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

PRINT_STYLESHEET = "css/print.css"
# Tagged PDF for accessibility: structure tree, language and title (PDF/UA-1).
PDF_VARIANT = "pdf/ua-1"


class ForbiddenResource(ValueError):
    """Raised for any URL a PDF may not load; WeasyPrint skips the resource."""


class StaticOnlyFetcher(URLFetcher):
    """Allows `data:` URLs and files inside the static folder; refuses everything else."""

    def __init__(self, static_folder: str | Path) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.static_root = Path(static_folder).resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if path.is_file() and path.is_relative_to(self.static_root):
                return URLFetcherResponse(path.as_uri(), path.read_bytes())
        raise ForbiddenResource(f"PDFs may not load {url[:100]!r}")


def render_pdf(html: str, *, page_numbers: tuple[int, int] | None = None) -> bytes:
    """The PDF of `html` (a page rendered from templates/pdf/), with the print stylesheet.

    `page_numbers` = (first, total) numbers the pages of a part of a longer document (see
    `merge_pdfs`): "Page <first> of <total>" on its first page, and so on.
    """
    pdf: bytes = layout_pdf(html, page_numbers=page_numbers).write_pdf(pdf_variant=PDF_VARIANT)
    return pdf


def layout_pdf(html: str, *, page_numbers: tuple[int, int] | None = None) -> Document:
    """The laid-out pages of `html` as `render_pdf` prints them (their boxes can be measured)."""
    static_folder = Path(current_app.static_folder or "static")
    fetcher = StaticOnlyFetcher(static_folder)
    document = HTML(string=html, base_url=static_folder.as_uri() + "/", url_fetcher=fetcher)
    stylesheets = [CSS(filename=str(static_folder / PRINT_STYLESHEET), url_fetcher=fetcher)]
    if page_numbers is not None:
        first, total = (int(number) for number in page_numbers)
        stylesheets.append(
            CSS(
                string=f"@page :first {{ counter-reset: page {first} }}"
                f' @page {{ @bottom-center {{ content: "Page " counter(page) " of {total}" }} }}',
                url_fetcher=fetcher,
            )
        )
    laid_out: Document = document.render(stylesheets=stylesheets, pdf_variant=PDF_VARIANT)
    return laid_out


def merge_pdfs(parts: list[bytes]) -> bytes:
    """One PDF of the pages of `parts`, in order. Long documents are rendered in parts so that
    WeasyPrint never holds the layout of hundreds of pages at once."""
    if len(parts) == 1:
        return parts[0]
    output = io.BytesIO()
    merge_pdf_files([io.BytesIO(part) for part in parts], output)
    return output.getvalue()


def merge_pdf_files(parts: Iterable[IO[bytes]], output: IO[bytes]) -> None:
    """Write to `output` one PDF of the pages of the PDF files `parts`, in order (each is read
    once, from where it stands). Tagged parts make a tagged PDF: one structure tree, with the
    language, title and metadata of the first part."""
    writer = PdfWriter()
    readers = []
    for part in parts:
        reader = PdfReader(part if part.seekable() else io.BytesIO(part.read()))
        writer.append(reader)
        readers.append(reader)
    if readers and all("/StructTreeRoot" in reader.root_object for reader in readers):
        _merge_structure(writer, readers)
    writer.write(output)


def _merge_structure(writer: PdfWriter, readers: list[PdfReader]) -> None:
    """Give `writer`, which holds the pages of `readers` in order, one structure tree made of
    theirs: their top elements' children under one Document element, and their parent trees
    (which map marked content on a page to its element) numbered on from one another."""
    tree = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    tree_ref = writer._add_object(tree)
    document = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): tree_ref,
        }
    )
    document_ref = writer._add_object(document)
    kids = ArrayObject()
    numbers = ArrayObject()
    offset = 0
    target_pages = iter(writer.pages)
    for reader in readers:
        part_tree: Any = reader.root_object.raw_get("/StructTreeRoot").clone(writer).get_object()
        keys = []
        for key, value in _number_tree(part_tree.get("/ParentTree")):
            keys.append(key)
            numbers.extend((NumberObject(key + offset), value))
        for source in reader.pages:
            # pypdf leaves out the pages' keys into the parent tree when it copies them.
            target: Any = next(target_pages)
            if "/StructParents" in source:
                target[NameObject("/StructParents")] = NumberObject(
                    int(source["/StructParents"]) + offset  # type: ignore[call-overload]
                )
            for annotation in target.get("/Annots") or ():
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    annotation[NameObject("/StructParent")] = NumberObject(
                        int(annotation["/StructParent"]) + offset
                    )
        for top in _listed(part_tree.get("/K")):
            element: Any = top.get_object()
            is_document = isinstance(element, DictionaryObject) and element.get("/S") == "/Document"
            children = _listed(element.get("/K")) if is_document else [top]
            for child in children:
                kid: Any = child.get_object()
                if isinstance(kid, DictionaryObject) and isinstance(child, IndirectObject):
                    kid[NameObject("/P")] = document_ref
                kids.append(child)
            if is_document:
                element.clear()  # left out of the merged tree: written empty
        if "/ParentTree" in part_tree:
            part_tree["/ParentTree"].get_object().clear()
        part_tree.clear()
        offset += max(keys, default=-1) + 1
    document[NameObject("/K")] = kids
    tree[NameObject("/K")] = document_ref
    tree[NameObject("/ParentTree")] = writer._add_object(
        DictionaryObject({NameObject("/Nums"): numbers})
    )
    tree[NameObject("/ParentTreeNextKey")] = NumberObject(offset)
    first = readers[0].root_object
    root = writer.root_object
    root[NameObject("/StructTreeRoot")] = tree_ref
    root[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    for name in ("/Lang", "/ViewerPreferences", "/Metadata"):
        if name in first:
            root[NameObject(name)] = first.raw_get(name).clone(writer)
    title = readers[0].metadata.get("/Title") if readers[0].metadata else None
    if title:
        writer.add_metadata({"/Title": title})


def _listed(value: Any) -> list[Any]:
    """The items of a /K entry: an array, one item, or none."""
    if value is None:
        return []
    if isinstance(value.get_object(), ArrayObject):
        return list(value.get_object())
    return [value]


def _number_tree(node: Any) -> list[tuple[int, Any]]:
    """The (key, value) pairs of a number tree, from its /Nums and its /Kids."""
    if node is None:
        return []
    node = node.get_object()
    if not isinstance(node, DictionaryObject):
        return []
    pairs: list[tuple[int, Any]] = []
    numbers: Any = node.get("/Nums")
    if numbers is not None:
        numbers = numbers.get_object()
        pairs.extend((int(numbers[i]), numbers[i + 1]) for i in range(0, len(numbers) - 1, 2))
    for kid in node.get("/Kids") or ():
        pairs.extend(_number_tree(kid))
    return pairs


def render_pdf_template(
    template: str, *, page_numbers: tuple[int, int] | None = None, **context: Any
) -> bytes:
    return render_pdf(render_template(template, **context), page_numbers=page_numbers)
