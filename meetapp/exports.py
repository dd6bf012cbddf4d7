"""Files that grow with a meeting (participant lists, survey responses, whole meetings), built
piece by piece so that a file of 100,000 rows takes no more memory than one of ten.

An `Export` is written once and used two ways: streamed to the browser (`downloads.
export_download`) or written onto a file (`Export.write`), as a background job does. Text files
(CSV, JSON) are produced in order, a piece at a time; a workbook needs a file it can seek in,
so it is written onto a temporary file first and streamed from there.

Rows come from the database through a server-side cursor (`streamed`): the rows of a query are
fetched `YIELD_PER` at a time, never all at once.
"""

from __future__ import annotations

import heapq
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import IO, Any, TypeVar

import xlsxwriter
from defusedcsv import csv as safe_csv
from sqlalchemy import Executable

from meetapp.extensions import db

# Rows fetched from the database at a time.
YIELD_PER = 1000
# The size of the pieces handed to the server (small pieces are joined up to it).
PIECE_SIZE = 64 * 1024
# Items sorted in memory at a time by `sorted_externally`; more go to temporary files.
SORT_RUN = 10_000

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = "application/json"

T = TypeVar("T")


@dataclass(frozen=True)
class Export:
    """A file to hand out: its name, its type, and how to make it. Made with `text` (pieces
    of text, in order) or `binary` (a function that writes the file onto a seekable binary
    file)."""

    filename: str
    content_type: str
    _pieces: Callable[[], Iterable[str]] | None = None
    _writer: Callable[[IO[bytes]], None] | None = None

    @classmethod
    def text(cls, filename: str, content_type: str, pieces: Callable[[], Iterable[str]]) -> Export:
        """A text file (UTF-8) made of `pieces()` in order."""
        return cls(filename, content_type, _pieces=pieces)

    @classmethod
    def binary(
        cls, filename: str, content_type: str, writer: Callable[[IO[bytes]], None]
    ) -> Export:
        """A file that `writer(out)` writes onto a seekable binary file."""
        return cls(filename, content_type, _writer=writer)

    def write(self, out: IO[bytes]) -> None:
        """Write the whole file onto `out`."""
        if self._writer is not None:
            self._writer(out)
            return
        for chunk in self.chunks():
            out.write(chunk)

    def chunks(self) -> Iterator[bytes]:
        """The file's bytes in order, in pieces of about `PIECE_SIZE`."""
        if self._pieces is not None:
            yield from _joined(self._pieces())
            return
        with tempfile.TemporaryFile() as spool:
            self.write(spool)
            spool.seek(0)
            while chunk := spool.read(PIECE_SIZE):
                yield chunk


def _joined(pieces: Iterable[str]) -> Iterator[bytes]:
    """`pieces` encoded as UTF-8, small ones joined up to about `PIECE_SIZE`."""
    waiting: list[str] = []
    size = 0
    for piece in pieces:
        waiting.append(piece)
        size += len(piece)
        if size >= PIECE_SIZE:
            yield "".join(waiting).encode("utf-8")
            waiting.clear()
            size = 0
    if waiting:
        yield "".join(waiting).encode("utf-8")


def streamed(statement: Executable) -> Iterator[Any]:
    """The rows of `statement` (named tuples), fetched from a server-side cursor `YIELD_PER`
    at a time."""
    yield from db.session.execute(statement.execution_options(yield_per=YIELD_PER))


# --- CSV and XLSX ---------------------------------------------------------------------------


def csv_pieces(rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """`rows` as CSV text: a byte-order mark first (so that Excel reads UTF-8), and cells that a
    spreadsheet would run as formulas neutralised by defusedcsv."""
    yield "\ufeff"
    buffer = io.StringIO(newline="")
    writer = safe_csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= PIECE_SIZE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def open_workbook(out: IO[bytes]) -> xlsxwriter.Workbook:
    """A workbook written onto `out` row by row (XlsxWriter's constant-memory mode: each row
    goes to a temporary file as it is written). Every string stays text: nothing that looks
    like a formula, a number or a link is turned into one."""
    return xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )


def write_sheet(workbook: xlsxwriter.Workbook, name: str, rows: Iterable[Sequence[str]]) -> None:
    """A sheet of text cells, the first row (the header) in bold and frozen."""
    sheet = workbook.add_worksheet(name)
    bold = workbook.add_format({"bold": True})
    sheet.freeze_panes(1, 0)
    for row_number, row in enumerate(rows):
        style = bold if row_number == 0 else None
        for column, value in enumerate(row):
            sheet.write_string(row_number, column, value, style)


# --- JSON -----------------------------------------------------------------------------------


class JsonArray:
    """A list for `json_pieces` to write item by item as it iterates `items`, which it reads
    once (a query's rows, say), each item on a line of its own."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items


_PRETTY = json.JSONEncoder(ensure_ascii=False, indent=2)
# Without an indent, json uses its C encoder (with one, its pure-Python encoder).
_LINE = json.JSONEncoder(ensure_ascii=False)


def json_pieces(value: Any, level: int = 0) -> Iterator[str]:
    """`value` as JSON text, indented by two spaces like `json.dumps(value, indent=2)` (which
    is what is written for anything holding no `JsonArray`), except that each `JsonArray`'s
    items are written on one line each, with the fast encoder."""
    pad = "\n" + "  " * level
    if isinstance(value, JsonArray):
        opening = "["
        for item in value.items:
            yield opening + pad + "  " + _LINE.encode(item)
            opening = ","
        yield "[]" if opening == "[" else pad + "]"
    elif isinstance(value, dict) and _holds_array(value):
        opening = "{"
        for key, item in value.items():
            yield opening + pad + "  " + _LINE.encode(str(key)) + ": "
            yield from json_pieces(item, level + 1)
            opening = ","
        yield pad + "}"
    elif isinstance(value, list) and _holds_array(value):
        opening = "["
        for item in value:
            yield opening + pad + "  "
            yield from json_pieces(item, level + 1)
            opening = ","
        yield pad + "]"
    else:
        # Strings are written with their line breaks escaped: every "\n" here is indentation.
        yield _PRETTY.encode(value).replace("\n", pad)


def _holds_array(value: Any) -> bool:
    if isinstance(value, JsonArray):
        return True
    if isinstance(value, dict):
        return any(_holds_array(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_array(item) for item in value)
    return False


# --- sorting --------------------------------------------------------------------------------


def sorted_externally(items: Iterable[T], key: Callable[[T], Any]) -> Iterator[T]:
    """`sorted(items, key=key)` for items that round-trip through JSON (lists of strings, dicts
    of JSON values), holding at most `SORT_RUN` of them in memory: sorted runs go to
    temporary files, which are then merged."""
    run: list[T] = []
    with ExitStack() as stack:
        files: list[IO[str]] = []
        for item in items:
            run.append(item)
            if len(run) >= SORT_RUN:
                files.append(_spill(sorted(run, key=key), stack))
                run = []
        run.sort(key=key)
        if not files:
            yield from run
            return
        files.append(_spill(run, stack))
        del run
        yield from heapq.merge(*(_read_back(file) for file in files), key=key)


def _spill(run: list[Any], stack: ExitStack) -> IO[str]:
    # Closed (and so removed) by the stack, once the merge is done.
    file = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))  # noqa: SIM115
    file.writelines(_LINE.encode(item) + "\n" for item in run)
    file.seek(0)
    return file


def _read_back(file: IO[str]) -> Iterator[Any]:
    for line in file:
        yield json.loads(line)
