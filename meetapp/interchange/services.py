"""Import of whole meetings in the `meetapp/1` JSON format (the export is in `export`).

An import is all or nothing: the document is checked completely (its shape by the pydantic
models in `schema`, then the rules that span fields or need the database, in `checks`) and
every problem is reported by its JSON path before a single row is added (`writing`).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from meetapp.interchange.checks import CrossChecks, InterchangeError
from meetapp.interchange.schema import (
    EMAILS,
    FORMAT,
    SECTIONS,
    EmailCache,
    Loc,
    MeetingDocument,
    control_character_problems,
    json_path,
    validation_problems,
)
from meetapp.interchange.writing import ImportReport, write_meeting
from meetapp.models import User


def parse_document(data: bytes) -> Any:
    """The JSON value in `data` (UTF-8, a byte-order mark allowed)."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InterchangeError([f"$: not valid JSON: not UTF-8 text ({exc.reason})"]) from exc
    except json.JSONDecodeError as exc:
        raise InterchangeError(
            [f"$: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        ) from exc
    except RecursionError as exc:
        raise InterchangeError(["$: not valid JSON: nested too deeply"]) from exc


# --- import -------------------------------------------------------------------------------


def import_meeting(document: Any, *, importer: User | None = None) -> ImportReport:
    """Create the meeting described by `document`; InterchangeError lists every problem.

    `importer`: the user importing through the web. The document's organisation is then one
    they may already use (`usable_organisations_filter`) with exactly its details, or a new
    one they created: matching the public details of another team's organisation gives no
    rights over it. Without an importer (the command line, run by the operator) any
    organisation with exactly these details is used.

    All or nothing: every check runs before anything is added. Flushes, never commits.
    """
    if not isinstance(document, dict):
        raise InterchangeError(["$: expected a JSON object (a meetapp/1 document)"])

    problems: list[tuple[Loc, str]] = []
    if isinstance(document.get("format"), str) and document["format"] != FORMAT:
        problems.append((("format",), f'must be "{FORMAT}"'))

    problems.extend(control_character_problems(document))
    emails = EmailCache()
    parsed: MeetingDocument | None = None
    try:
        parsed = MeetingDocument.model_validate(document, context={EMAILS: emails})
    except ValidationError as exc:
        problems.extend(validation_problems(exc))
    cross = CrossChecks(document, emails)
    problems.extend(cross.problems)
    if problems or parsed is None:
        raise InterchangeError(_ordered(problems))
    # The checked models hold all that is written: the parsed JSON can go before the writes
    # (when the caller keeps no reference to it, as `import_meeting(parse_document(...))`).
    del document
    return write_meeting(parsed, cross.normalised_emails, importer, emails)


def _ordered(problems: list[tuple[Loc, str]]) -> list[str]:
    """Problems in the order of the document: by section, then by list item; no repeats."""

    def key(problem: tuple[Loc, str]) -> tuple[int, int]:
        loc = problem[0]
        section = SECTIONS.index(loc[0]) if loc and loc[0] in SECTIONS else len(SECTIONS)
        item = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else -1
        return (section, item)

    lines: list[str] = []
    for loc, message in sorted(problems, key=key):
        line = f"{json_path(loc)}: {message}"
        if line not in lines:
            lines.append(line)
    return lines
