"""Rules on what people may type or upload, shared by the forms, the CSV import and the JSON
import, so that each kind of input is refused the same way wherever it comes in.

- Control characters (tab, carriage return and line feed excepted) are refused: PostgreSQL
  cannot store NUL at all, and nobody means to type the others.
- Dates lie between EARLIEST_YEAR and LATEST_YEAR, which keeps time-zone arithmetic away from
  the ends of the calendar (year 1 or 9999 overflow when moved to UTC).
"""

from __future__ import annotations

import re
from datetime import datetime

CONTROL_CHARACTERS_MESSAGE = "Remove the invisible control characters."
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
YEAR_MESSAGE = f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}."


_ID_TEXT = re.compile(r"[0-9]{1,10}")


def is_id_text(text: str) -> bool:
    """Whether `text` can name a record: ASCII digits only ("²" and "١" are digits to Python
    but not to `int`'s callers here), and few enough of them to fit the id columns."""
    return _ID_TEXT.fullmatch(text) is not None and int(text) < 2**31


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def without_control_characters(text: str) -> str:
    """`text` with its control characters removed (for search boxes, which refuse nothing)."""
    return _CONTROL.sub("", text)


def plausible_date(value: datetime) -> bool:
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR
