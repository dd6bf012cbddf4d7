"""The languages of the pages and e-mails participants read, with Flask-Babel.

The language of a page is, first that applies:
1. the cookie set by the language switch (`choose_language`);
2. `?lang=` in the address (links in e-mails carry it);
3. the participant's own language, on their personal page and in e-mails to them
   (`use_participant_language`; jobs use `flask_babel.force_locale`);
4. the browser's Accept-Language;
5. the meeting's first language (`use_meeting_languages`);
6. English.

Only the shipped catalogues (`LOCALES`) are ever chosen. Texts are marked in templates with
`_()` and in code with `gettext` (at the time of use) or `lazy_gettext` (module constants,
form labels).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from flask import Blueprint, Flask, g, has_request_context, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import Babel, get_locale

from meetapp import ROOT

# English first: it is the language of the texts in the code.
LOCALES = ("en", "km", "ja", "th", "vi", "my", "lo")
DEFAULT_LOCALE = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

babel = Babel()
bp = Blueprint("i18n", __name__)


def shipped(code: str | None) -> str | None:
    """`code` ("km", "km-KH", "ja_JP") as one of LOCALES, or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-", 1)[0].lower()
    return base if base in LOCALES else None


def first_shipped(codes: Iterable[str] | None) -> str | None:
    for code in codes or ():
        found = shipped(code)
        if found:
            return found
    return None


def N_(text: str) -> str:  # noqa: N802 - the name the extraction looks for
    """Marks `text` for the catalogues without translating it: for constants, translated with
    `gettext` where they are shown."""
    return text


def use_meeting_languages(languages: Sequence[str] | None) -> None:
    """Views of a meeting's public pages: its first language is the fallback (5th choice).
    Call before the first text of the page is translated."""
    g.meeting_locale = first_shipped(languages)
    g.participant_page = True


def use_participant_language(languages: Sequence[str] | None) -> None:
    """Views behind a participant's link: their first language we ship (3rd choice)."""
    g.participant_locale = first_shipped(languages)
    g.participant_page = True


def mail_locale(
    participant_languages: Sequence[str] | None, meeting_languages: Sequence[str] | None
) -> str:
    """The language of an e-mail to a participant.

    When they are the one acting (registering, cancelling on their page), the page's language
    if it is one of theirs; else their first language we ship; else, when they are acting,
    the page's language; else the meeting's first language; else English.
    """
    acting = has_request_context() and bool(g.get("participant_page"))
    theirs = [shipped(code) for code in participant_languages or ()]
    if acting and locale_code() in theirs:
        return locale_code()
    found = first_shipped(participant_languages)
    if found:
        return found
    if acting:
        return locale_code()
    return first_shipped(meeting_languages) or DEFAULT_LOCALE


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT_LOCALE
    return (
        shipped(request.cookies.get(COOKIE))
        or shipped(request.args.get("lang"))
        or g.get("participant_locale")
        or request.accept_languages.best_match(LOCALES)
        or g.get("meeting_locale")
        or DEFAULT_LOCALE
    )


def locale_code() -> str:
    """The language of the page being made, as a BCP 47 tag for `<html lang>`."""
    locale = get_locale()
    return str(locale.language) if locale is not None else DEFAULT_LOCALE


def current_locale() -> Locale:
    return get_locale() or Locale(DEFAULT_LOCALE)


@dataclass(frozen=True)
class LanguageChoice:
    code: str
    name: str  # in its own language
    url: str
    current: bool


@cache
def native_name(code: str) -> str:
    """The name of language `code` in itself ("ខ្មែរ"): looked up in Babel's data once per
    process, as every participant page's language switch shows them all."""
    locale = Locale(code)
    return locale.get_display_name(locale) or code


def language_name(code: str | None) -> str | None:
    """A language's name in its own language ("ខ្មែរ"), or the code itself when Babel does
    not know it; None for None (a language not known)."""
    if not code:
        return None
    try:
        return native_name(code)
    except (UnknownLocaleError, ValueError, TypeError):
        return code


def language_switch(back_to: str, first: Sequence[str] = ()) -> list[LanguageChoice]:
    """The language switch of a participant page: the meeting's languages (`first`) first, then
    the other shipped ones; each a link that keeps the choice and comes back to `back_to`."""
    current = locale_code()
    ordered = [c for c in dict.fromkeys(shipped(code) for code in first) if c]
    ordered += [code for code in LOCALES if code not in ordered]
    return [
        LanguageChoice(
            code,
            native_name(code),
            url_for("i18n.choose_language", to=code, next=back_to),
            code == current,
        )
        for code in ordered
    ]


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never another host (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    # Browsers drop tabs and line breaks from addresses ("/\t/host" would become "//host").
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


@bp.get("/language")
def choose_language() -> ResponseReturnValue:
    """The language switch: keeps the choice in a cookie and goes back to the page."""
    response = redirect(_safe_next(request.args.get("next")), code=303)
    code = shipped(request.args.get("to"))
    if code:
        response.set_cookie(
            COOKIE,
            code,
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "meetapp" / "translations"))
    babel.init_app(app, locale_selector=select_locale)
    app.register_blueprint(bp)
    app.add_template_filter(in_language, "tr")

    @app.context_processor
    def _language_context() -> dict[str, Any]:
        return {"locale_code": locale_code, "language_switch": language_switch}


def in_language(row: Any, field: str) -> Any:
    """Template filter ``row|tr("title")``: a text the organiser wrote, in the page's language
    when they gave it, else in the meeting's first language (`models.texts.Translatable`)."""
    if row is None:
        return None
    return row.text_in(locale_code(), field)
