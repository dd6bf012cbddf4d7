"""PDF rendering with WeasyPrint, fetching nothing but `data:` URLs and the app's static files.

Every PDF of the app goes through `render_pdf`: one print stylesheet (static/css/print.css),
A4 pages with the organisation's name in the header and page numbers in the footer. User text
reaches the HTML escaped by Jinja; the restricted fetcher is a second wall, so that not even
markup that slipped through could read local files or call a server.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from pypdf import PdfReader, PdfWriter
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PRINT_STYLESHEET = "css/print.css"


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
    pdf: bytes = document.write_pdf(stylesheets=stylesheets)
    return pdf


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
    once, from where it stands)."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(part if part.seekable() else io.BytesIO(part.read())))
    writer.write(output)


def render_pdf_template(
    template: str, *, page_numbers: tuple[int, int] | None = None, **context: Any
) -> bytes:
    return render_pdf(render_template(template, **context), page_numbers=page_numbers)
