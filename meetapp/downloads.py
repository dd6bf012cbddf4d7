"""What every file the app hands out shares: its Content-Type as given (a charset named once),
its name in Content-Disposition, and, for the files that carry a meeting's personal data (every
download but the public agenda), a Cache-Control that keeps it out of every cache."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response, stream_with_context

from meetapp.exports import Export


def file_download(
    body: bytes | Iterable[bytes],
    content_type: str,
    filename: str,
    *,
    inline: bool = False,
    personal: bool = True,
) -> Response:
    """The response that hands out `body` as the file `filename`: saved by the browser, or
    shown in it when `inline`. A `body` given as an iterable of bytes (a file read in chunks) is
    streamed as it is read. `content_type` is sent as it is: a MIME type given with its
    charset ("text/csv; charset=utf-8") does not get a second one."""
    return _as_file(Response(body, content_type=content_type), filename, inline, personal)


def export_download(export: Export) -> Response:
    """The response that streams `export` to the browser as it is made, with the request's
    context (and database session) kept until its last piece is sent. Exports carry personal
    data: no cache keeps them."""
    chunks: Iterable[bytes] = stream_with_context(export.chunks())
    response = Response(chunks, content_type=export.content_type)
    return _as_file(response, export.filename, inline=False, personal=True)


def _as_file(response: Response, filename: str, inline: bool, personal: bool) -> Response:
    response.headers.set(
        "Content-Disposition", "inline" if inline else "attachment", filename=filename
    )
    if personal:
        response.headers["Cache-Control"] = "private, no-store"
    return response
