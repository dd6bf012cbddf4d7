"""What every file the app hands out shares: its Content-Type as given (a charset named once),
its name in Content-Disposition, and, for the files that carry a meeting's personal data (every
download but the public agenda), a Cache-Control that keeps it out of every cache."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response


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
    response = Response(body, content_type=content_type)
    response.headers.set(
        "Content-Disposition", "inline" if inline else "attachment", filename=filename
    )
    if personal:
        response.headers["Cache-Control"] = "private, no-store"
    return response
