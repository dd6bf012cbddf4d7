"""How dates, times, languages and countries are shown and chosen: in the meeting's time zone,
in words; the reference lists (languages, countries, time zones) are built once per process."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import format_date, format_time, get_datetime_format, get_timezone_location
from babel.numbers import format_decimal
from flask import Flask
from pyuca import Collator

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


def _locale(locale: Locale | str | None) -> Locale:
    """`locale`, or the language of the page or e-mail being made (English outside one)."""
    if isinstance(locale, Locale):
        return locale
    if locale:
        return Locale.parse(locale)
    from meetapp.i18n import current_locale

    return current_locale()


def utc_offset_text(value: datetime) -> str:
    """'UTC+7', 'UTC+5:30', 'UTC' for an aware datetime."""
    offset = value.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_city(timezone: str | None, locale: Locale | str | None = None) -> str:
    """'Phnom Penh' for Asia/Phnom_Penh, in the page's language."""
    if not timezone or timezone == "UTC" or not is_timezone(timezone):
        return ""
    try:
        return str(get_timezone_location(timezone, locale=_locale(locale), return_city=True))
    except (LookupError, ValueError):
        return timezone.rsplit("/", 1)[-1].replace("_", " ")


def zone_label(
    timezone: str | None, at: datetime | None = None, locale: Locale | str | None = None
) -> str:
    """'Phnom Penh (UTC+7)': the city of the zone and its offset at `at` (now by default);
    plain 'UTC' for UTC."""
    offset = utc_offset_text(to_zone(at or datetime.now(UTC), timezone))
    city = zone_city(timezone, locale)
    return f"{city} ({offset})" if city else offset


def local_datetime(
    value: datetime | None,
    timezone: str | None,
    with_zone: bool = True,
    locale: Locale | str | None = None,
) -> str:
    """'18 February 2019, 09:00 (Phnom Penh, UTC+7)' in English; in another language the
    date and time as that language writes them."""
    if value is None:
        return ""
    where = _locale(locale)
    local = to_zone(value, timezone)
    if where.language == "en":
        text = format_date(local, "d MMMM y", locale=where) + ", " + local.strftime("%H:%M")
    else:
        pattern = str(get_datetime_format("medium", locale=where))
        text = pattern.replace("{1}", format_date(local, "long", locale=where)).replace(
            "{0}", format_time(local, "short", locale=where)
        )
    if not with_zone:
        return text
    city = zone_city(timezone, where)
    zone = f"{city}, {utc_offset_text(local)}" if city else utc_offset_text(local)
    return f"{text} ({zone})"


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


def long_date(
    value: datetime | None, timezone: str | None = None, locale: Locale | str | None = None
) -> str:
    """'18 February 2019', in the meeting's time zone and the page's language."""
    if value is None:
        return ""
    where = _locale(locale)
    pattern = "d MMMM y" if where.language == "en" else "long"
    return format_date(to_zone(value, timezone).date(), pattern, locale=where)


def number(value: int | float | None, locale: Locale | str | None = None) -> str:
    """A number as the page's language writes it ('1,234')."""
    if value is None:
        return ""
    return format_decimal(value, locale=_locale(locale))


def signed(value: float | None) -> str:
    """A score that may be negative, rounded, with its sign ("+12", "-3"), and zero as "0"
    (never "+0" or "-0").

    >>> [signed(v) for v in (12.4, -3.2, 0.3, -0.4, None)]
    ['+12', '-3', '0', '0', '']
    """
    if value is None:
        return ""
    rounded = round(value)
    return f"{rounded:+d}" if rounded else "0"


def language_name(code: str, locale: Locale | str | None = None) -> str:
    return _locale(locale).languages.get(code) or _EN.languages.get(code, code)


def country_name(code: str | None, locale: Locale | str | None = None) -> str:
    if not code:
        return ""
    return _locale(locale).territories.get(code.upper()) or _EN.territories.get(code.upper(), code)


@cache
def _collator() -> Collator:
    return Collator()


def collation_key(text: str) -> tuple[int, ...]:
    """The Unicode Collation Algorithm's key of `text` (pyuca, the default table): names sort
    as people expect, "Åland Islands" beside "Albania", not after "Zimbabwe"."""
    return tuple(_collator().sort_key(text))


# Codes of CLDR's territories that are no country: groupings and pseudo-locales.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})


@cache
def language_choices(locale: str = "en") -> tuple[tuple[str, str], ...]:
    """ISO 639-1 languages (two-letter codes) by name in `locale`, in its alphabetical order."""
    names = Locale.parse(locale).languages
    pairs = [
        (code, names.get(code) or name) for code, name in _EN.languages.items() if len(code) == 2
    ]
    return tuple(sorted(pairs, key=lambda pair: collation_key(pair[1])))


@cache
def country_choices(locale: str = "en") -> tuple[tuple[str, str], ...]:
    """ISO 3166-1 alpha-2 countries by name in `locale`, in its alphabetical order."""
    names = Locale.parse(locale).territories
    pairs = [
        (code, names.get(code) or name)
        for code, name in _EN.territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    ]
    return tuple(sorted(pairs, key=lambda pair: collation_key(pair[1])))


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


# The regions of the IANA zones people live in ("Etc/GMT+5", "US/Eastern", "Factory" and the
# like are left out of the choices, still accepted when imported).
TIMEZONE_REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@cache
def timezone_choices(locale: str = "en") -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The time zones to choose from, by city, grouped by region: ((region, ((zone, city),
    ...)), ...), cities in alphabetical order; old names of a zone (Asia/Saigon) left out."""
    from babel.core import get_global

    aliases = get_global("zone_aliases")
    groups: dict[str, list[tuple[str, str]]] = {region: [] for region in TIMEZONE_REGIONS}
    for name in timezone_names():
        region = name.split("/", 1)[0]
        if region in groups and name not in aliases:
            city = zone_city(name, locale) or name.rsplit("/", 1)[-1].replace("_", " ")
            groups[region].append((name, city))
    return tuple(
        (region, tuple(sorted(zones, key=lambda pair: collation_key(pair[1]))))
        for region, zones in groups.items()
        if zones
    )


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
    app.add_template_filter(language_name, "language_name")
    app.add_template_filter(country_name, "country_name")
    app.add_template_filter(number, "number")
    app.add_template_filter(signed, "signed")
    app.add_template_filter(zone_city, "zone_city")
    app.add_template_global(zone_label, "zone_label")
    # Single-line text on one line where a line break would mislead (e-mail bodies).
    app.add_template_filter(one_line, "one_line")
    # `value is web_url`: only an http(s) address is shown as a link.
    app.add_template_test(is_web_url, "web_url")
