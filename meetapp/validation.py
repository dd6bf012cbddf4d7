"""Rules on what people may type or upload, shared by the forms, the CSV import and the JSON
import, so that each kind of input is refused the same way wherever it comes in.

- Control characters (tab, carriage return and line feed excepted) are refused: PostgreSQL
  cannot store NUL at all, and nobody means to type the others.
- Single-line text (names, titles, labels, honorifics, positions, places, phone numbers...)
  holds no line break and no tab (`single_line`): printed in an e-mail a line break would
  start a line that looks like one of the message's own, and a calendar file cannot hold one
  in its name. Multi-line text (about, background, descriptions, quotes, needs...) may.
- A web address is an absolute http or https URL (`web_url`): shown as a link, anything else
  (`javascript:`, `data:`) could run or carry code.
- Dates lie between EARLIEST_YEAR and LATEST_YEAR, which keeps time-zone arithmetic away from
  the ends of the calendar (year 1 or 9999 overflow when moved to UTC).

Each rule is a function of the text with one message, and comes in the two forms its callers
use: a WTForms validator (`SingleLine()`, `WebUrl()`) and a pydantic check to put in an
`Annotated` type (`SINGLE_LINE_CHECK`, `WEB_URL_CHECK`), whose message the importers list
after the field's path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError
from wtforms.validators import ValidationError

from meetapp.i18n import N_

CONTROL_CHARACTERS_MESSAGE = N_("Remove the invisible control characters.")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

SINGLE_LINE_MESSAGE = N_("Keep this on one line: remove the line breaks and tabs.")
# Tab, and every character that str.splitlines() takes for the end of a line.
_LINE_BREAKS = re.compile("[\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")

WEB_URL_MESSAGE = N_("Enter a web address starting with http:// or https://.")

EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
YEAR_MESSAGE = f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}."


_ID_TEXT = re.compile(r"[0-9]{1,10}")


class FieldRuleError(ValueError):
    """A text that breaks a field's rule; `message` says how to put it right."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


# --- the rules of text fields -------------------------------------------------------------


def single_line(text: str) -> str:
    """`text` when it is one line; FieldRuleError otherwise.

    single_line("H.E. Ms") -> "H.E. Ms"; "Title\\nBcc: x", "Dr\\tMs", "A\\u2028B" are refused.
    """
    if _LINE_BREAKS.search(text):
        raise FieldRuleError(gettext(SINGLE_LINE_MESSAGE))
    return text


def web_url(text: str) -> str:
    """`text` when it is an absolute http or https address with a host and no white space;
    FieldRuleError otherwise.

    web_url("https://www.mekongmigration.org/") is kept; "javascript:alert(1)",
    " JaVaScRiPt:alert(1)", "data:text/html,...", "vbscript:...", "www.example.org",
    "https:evil", "http://[::1" (not a URL) are refused.
    """
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        raise FieldRuleError(gettext(WEB_URL_MESSAGE)) from None
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in text):
        raise FieldRuleError(gettext(WEB_URL_MESSAGE))
    return text


def is_web_url(text: str | None) -> bool:
    """Whether `text` passes `web_url`: for links to stored addresses, which may predate it."""
    try:
        web_url(text or "")
    except FieldRuleError:
        return False
    return True


def one_line(text: str) -> str:
    """`text` with each run of line breaks and tabs made one space: for writing out, where one
    line is required, text stored before the single-line rule held.

    one_line("Opening\\r\\nsession") -> "Opening session".
    """
    return _LINE_BREAKS.sub(" ", text)


Rule = Callable[[str], str]


class _FormRule:
    """A rule as a WTForms validator; an empty field is left to Optional or DataRequired."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    def __call__(self, form: Any, field: Any) -> None:
        if isinstance(field.data, str) and field.data:
            try:
                self.rule(field.data)
            except FieldRuleError as error:
                raise ValidationError(error.message) from None


class SingleLine(_FormRule):
    """WTForms validator: `single_line`."""

    def __init__(self) -> None:
        super().__init__(single_line)


class WebUrl(_FormRule):
    """WTForms validator: `web_url`."""

    def __init__(self) -> None:
        super().__init__(web_url)


def problem(message: str) -> str:
    """A rule's message as the importers list it after a path or column: "keep this on one
    line: remove the line breaks and tabs"."""
    return message[:1].lower() + message[1:].removesuffix(".")


def _schema_check(rule: Rule, kind: str) -> AfterValidator:
    def check(value: Any) -> Any:
        if isinstance(value, str) and value:
            try:
                rule(value)
            except FieldRuleError as error:
                raise PydanticCustomError(kind, problem(error.message)) from None
        return value

    return AfterValidator(check)


# For pydantic models: `Annotated[str, SINGLE_LINE_CHECK]`; None and "" pass.
SINGLE_LINE_CHECK = _schema_check(single_line, "single_line")
WEB_URL_CHECK = _schema_check(web_url, "web_url")
