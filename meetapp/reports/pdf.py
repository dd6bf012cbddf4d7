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
from typing import IO, Any, BinaryIO, cast
from urllib.parse import unquote, urlsplit

import pikepdf
from flask import current_app, render_template
from pikepdf import Array, Dictionary, Name
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
    from where it stands). Tagged parts make a tagged PDF: one structure tree, with the
    language, title and metadata of the first part. qpdf (pikepdf) does the copying: it is
    several times faster and leaner than pure Python on trees of thousands of elements, and
    writes them in compressed object streams, as WeasyPrint does."""
    sources = [
        pikepdf.Pdf.open(cast(BinaryIO, part if part.seekable() else io.BytesIO(part.read())))
        for part in parts
    ]
    try:
        merged = pikepdf.Pdf.new()
        offsets = []
        for source in sources:
            offsets.append(len(merged.pages))
            merged.pages.extend(source.pages)
        if sources and all(Name.StructTreeRoot in source.Root for source in sources):
            _merge_structure(merged, sources, offsets)
        merged.save(cast(BinaryIO, output), object_stream_mode=pikepdf.ObjectStreamMode.generate)
    finally:
        for source in sources:
            source.close()


def _merge_structure(merged: pikepdf.Pdf, sources: list[pikepdf.Pdf], offsets: list[int]) -> None:
    """Give `merged`, which holds the pages of `sources` in order (the first page of each at
    `offsets`), one structure tree made of theirs: their top elements' children under one
    Document element, and their parent trees (which map marked content on a page to its
    element) numbered on from one another."""
    tree = merged.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = merged.make_indirect(
        Dictionary(Type=Name.StructElem, S=Name.Document, P=tree, K=Array())
    )
    numbers = Array()
    next_key = 0
    for source, first_page in zip(sources, offsets, strict=True):
        # Pages already copied are reused: the elements point at the merged pages.
        part_tree = merged.copy_foreign(source.Root.StructTreeRoot)
        keys = []
        for key, value in _number_tree(part_tree.get(Name.ParentTree)):
            keys.append(key)
            numbers.append(key + next_key)
            numbers.append(value)
        for index, page in enumerate(source.pages):
            target = merged.pages[first_page + index].obj
            if Name.StructParents in page.obj:  # not carried over by the page copy
                target.StructParents = int(page.obj.StructParents) + next_key
            for annotation in target.get(Name.Annots, Array()):
                if Name.StructParent in annotation:
                    annotation.StructParent = int(annotation.StructParent) + next_key
        for top in _listed(part_tree.get(Name.K)):
            is_document = isinstance(top, Dictionary) and top.get(Name.S) == Name.Document
            for child in _listed(top.get(Name.K)) if is_document else [top]:
                if isinstance(child, Dictionary) and child.is_indirect:
                    child.P = document
                document.K.append(child)
        next_key += max(keys, default=-1) + 1
    tree.K = document
    tree.ParentTree = merged.make_indirect(Dictionary(Nums=numbers))
    tree.ParentTreeNextKey = next_key
    first = sources[0]
    merged.Root.StructTreeRoot = tree
    merged.Root.MarkInfo = Dictionary(Marked=True)
    merged.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    if Name.Lang in first.Root:
        merged.Root.Lang = first.Root.Lang
    if Name.Metadata in first.Root:
        merged.Root.Metadata = merged.copy_foreign(first.Root.Metadata)
    if Name.Title in first.docinfo:
        merged.docinfo.Title = first.docinfo.Title


def _listed(value: Any) -> list[Any]:
    """The items of a /K entry: an array, one item, or none."""
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]


def _number_tree(node: Any) -> list[tuple[int, Any]]:
    """The (key, value) pairs of a number tree, from its /Nums and its /Kids."""
    if not isinstance(node, Dictionary):
        return []
    numbers = node.get(Name.Nums, Array())
    pairs = [(int(numbers[i]), numbers[i + 1]) for i in range(0, len(numbers) - 1, 2)]
    for kid in node.get(Name.Kids, Array()):
        pairs.extend(_number_tree(kid))
    return pairs


def render_pdf_template(
    template: str, *, page_numbers: tuple[int, int] | None = None, **context: Any
) -> bytes:
    return render_pdf(render_template(template, **context), page_numbers=page_numbers)
