"""How dates, times, languages and countries are shown and chosen: in the meeting's time zone,
in words; the reference lists (languages, countries, time zones) are built once per process."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import cache
from typing import Any
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


def zone_label(timezone: str | None, at: datetime | None = None) -> str:
    """The time zone as readers know it, its city and UTC offset at `at` (now by default):
    'Phnom Penh (UTC+7)', 'Kolkata (UTC+5:30)', 'London (UTC+0)'; plain 'UTC' for UTC."""
    local = to_zone(at or datetime.now(ZoneInfo("UTC")), timezone)
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    utc = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    name = str(local.tzinfo)
    if "/" not in name or name.startswith("Etc/"):
        return utc if minutes else "UTC"
    city = name.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} ({utc})"


def zoned_datetime(value: datetime | None, timezone: str | None) -> str:
    """'18 February 2019, 09:00, Phnom Penh (UTC+7)': for documents read away from the app."""
    if value is None:
        return ""
    return f"{local_datetime(value, timezone, with_zone=False)}, {zone_label(timezone, value)}"


def capitalised(text: str | None) -> str:
    """`text` with its first letter in capitals, for a list item or sentence printed on its own
    ("develop training" -> "Develop training"). The stored text stays as typed. A first word
    that is not plain lower case ("iPhone", "eVisa", "www.ilo.org") is left alone."""
    if not text:
        return ""
    start = len(text) - len(text.lstrip(" \t\"'“‘(¡¿"))
    word = text[start:].split(maxsplit=1)[0] if text[start:].strip() else ""
    if not word or not word[0].islower():
        return text
    if any(char.isupper() or char.isdigit() or char in ".@/" for char in word[1:]):
        return text
    return text[:start] + text[start].upper() + text[start + 1 :]


# Width of the running header of a PDF page (8.5 pt, 174 mm) in narrow characters, counted
# generously (a wide character, such as Japanese, counts two), and of the organisation's name in
# it before its short name is used instead.
HEADER_WIDTH = 104
HEADER_ORGANISATION_WIDTH = 48


def text_width(text: str) -> int:
    """`text`'s width in narrow characters: a wide one (Chinese, Japanese, Korean) counts two."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def running_header(name: str | None, short_name: str | None, title: str) -> tuple[str, str]:
    """The (left, right) texts of a PDF's running header: the organisation, never cut nor
    wrapped (its short name when the whole name is long), and the document's title, cut at a
    word with "…" to fit the rest of the line."""
    organisation = " ".join((name or "").split())
    if text_width(organisation) > HEADER_ORGANISATION_WIDTH and short_name:
        organisation = " ".join(short_name.split())
    room = max(24, HEADER_WIDTH - text_width(organisation) - 6)
    title = " ".join(title.split())
    if text_width(title) <= room:
        return organisation, title
    cut = ""
    for char in title:
        if text_width(cut + char) > room - 1:
            break
        cut += char
    word_end = cut.rsplit(" ", 1)[0]
    if not title[len(cut)].isspace() and text_width(word_end) > room * 2 // 3:
        cut = word_end  # at a word, unless that leaves out much (a script without spaces)
    return organisation, cut.rstrip(" ,;:·-–") + "…"


def collapsed(texts: list[str]) -> list[tuple[str, int]]:
    """Identical texts once each, with how many times they were given, the most given first
    (then in their order): ["Yes", "No.", "yes"] -> [("Yes", 2), ("No.", 1)]. Texts that differ
    only in case or spacing count as identical; the first one given is shown."""
    counts: dict[str, list[Any]] = {}
    for text in texts:
        key = " ".join(text.split()).casefold()
        if key in counts:
            counts[key][1] += 1
        else:
            counts[key] = [text, 1]
    ordered = sorted(enumerate(counts.values()), key=lambda item: (-item[1][1], item[0]))
    return [(text, count) for _index, (text, count) in ordered]


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
    app.add_template_filter(zoned_datetime, "zoned_datetime")
    app.add_template_filter(capitalised, "capitalised")
    app.add_template_filter(collapsed, "collapsed")
    app.add_template_global(running_header, "running_header")
    app.add_template_global(zone_label, "zone_label")
    app.add_template_filter(language_name, "language_name")
    app.add_template_filter(country_name, "country_name")
    # Single-line text on one line where a line break would mislead (e-mail bodies).
    app.add_template_filter(one_line, "one_line")
    # `value is web_url`: only an http(s) address is shown as a link.
    app.add_template_test(is_web_url, "web_url")
