"""How dates, times, languages and countries are shown and chosen: in the meeting's time zone,
in words; the reference lists (languages, countries, time zones) are built once per process."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import format_date, format_datetime
from flask import Flask

from meetapp.validation import is_web_url, one_line

_EN = Locale("en")


# The accents of Latin, Greek and Cyrillic letters once decomposed: U+0300-U+036F and their
# extensions. Marks of other scripts (Khmer vowel signs, Japanese voicing marks) are letters'
# own parts and stay.
_ACCENTS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def folded(text: str) -> str:
    """`text` as searches and alphabetical order compare it: case folded, accents dropped,
    compatibility forms unified ("Élise" and "ELISE" -> "elise", "Nguyễn" -> "nguyen",
    "ﬁ" -> "fi"), whichever way the accents were typed (composed or not)."""
    bare = _ACCENTS.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return unicodedata.normalize("NFC", bare)


def to_zone(value: datetime, timezone: str | None) -> datetime:
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return value.astimezone(zone)


def local_datetime(value: datetime | None, timezone: str | None, with_zone: bool = True) -> str:
    """'18 February 2019, 09:00 (Asia/Phnom_Penh)'."""
    if value is None:
        return ""
    local = to_zone(value, timezone)
    text = format_datetime(local, "d MMMM y, HH:mm", locale=_EN)
    return f"{text} ({timezone or 'UTC'})" if with_zone else text


def long_date(value: datetime | None, timezone: str | None = None) -> str:
    """'18 February 2019', in the meeting's time zone."""
    if value is None:
        return ""
    return format_date(to_zone(value, timezone).date(), "d MMMM y", locale=_EN)


def language_name(code: str) -> str:
    return _EN.languages.get(code, code)


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return _EN.territories.get(code.upper(), code)


@cache
def language_choices() -> tuple[tuple[str, str], ...]:
    """ISO 639-1 languages (two-letter codes) by English name."""
    pairs = [(code, name) for code, name in _EN.languages.items() if len(code) == 2]
    return tuple(sorted(pairs, key=lambda pair: pair[1]))


@cache
def country_choices() -> tuple[tuple[str, str], ...]:
    """ISO 3166-1 alpha-2 countries by English name."""
    pairs = [
        (code, name)
        for code, name in _EN.territories.items()
        if len(code) == 2 and code.isalpha() and code not in {"EU", "EZ", "UN", "QO", "ZZ"}
    ]
    return tuple(sorted(pairs, key=lambda pair: pair[1]))


@cache
def language_codes() -> frozenset[str]:
    return frozenset(code for code, _name in language_choices())


@cache
def country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in country_choices())


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA time zone name known to zoneinfo, sorted."""
    return tuple(sorted(available_timezones()))


@cache
def _timezone_set() -> frozenset[str]:
    return frozenset(timezone_names())


def is_timezone(name: str | None) -> bool:
    return bool(name) and name in _timezone_set()


def from_local(value: datetime | None, timezone: str) -> datetime | None:
    """A wall-clock time in `timezone` (naive, as typed into a form) as an aware UTC datetime."""
    if value is None:
        return None
    if value.tzinfo is not None:
        return value
    return value.replace(tzinfo=ZoneInfo(timezone)).astimezone(ZoneInfo("UTC"))


def to_local(value: datetime | None, timezone: str) -> datetime | None:
    """An aware datetime as the naive wall-clock time in `timezone` (to fill a form)."""
    if value is None:
        return None
    zone = ZoneInfo(timezone) if is_timezone(timezone) else ZoneInfo("UTC")
    return value.astimezone(zone).replace(tzinfo=None)


def register_template_filters(app: Flask) -> None:
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(language_name, "language_name")
    app.add_template_filter(country_name, "country_name")
    # Single-line text on one line where a line break would mislead (e-mail bodies).
    app.add_template_filter(one_line, "one_line")
    # `value is web_url`: only an http(s) address is shown as a link.
    app.add_template_test(is_web_url, "web_url")
