"""How dates, times, languages and countries are shown: in the meeting's time zone, in words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_datetime
from flask import Flask

_EN = Locale("en")


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


def language_choices() -> list[tuple[str, str]]:
    """ISO 639-1 languages (two-letter codes) by English name."""
    pairs = [(code, name) for code, name in _EN.languages.items() if len(code) == 2]
    return sorted(pairs, key=lambda pair: pair[1])


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166-1 alpha-2 countries by English name."""
    pairs = [
        (code, name)
        for code, name in _EN.territories.items()
        if len(code) == 2 and code.isalpha() and code not in {"EU", "EZ", "UN", "QO", "ZZ"}
    ]
    return sorted(pairs, key=lambda pair: pair[1])


def register_template_filters(app: Flask) -> None:
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(language_name, "language_name")
    app.add_template_filter(country_name, "country_name")
