"""How the drafts word things: counts as a journalist writes them, lists as prose, dates in
full, typographic quotation marks, headline capitals. Pure functions on plain values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache

import inflect
from babel import Locale
from babel.dates import format_date

from meetapp.formatting import to_zone

_NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "nor",
        "for",
        "on",
        "at",
        "to",
        "from",
        "by",
        "of",
        "in",
        "into",
        "with",
        "as",
        "per",
        "via",
        "vs",
    ]
)
_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = ",;:"
# Final punctuation, of Latin and of CJK scripts: a quotation ending in "。" gets no second stop.
_TERMINAL = (".", "!", "?", "…", "。", "．", "！", "？", "｡")
_CLOSING_QUOTES = ("”", "’", '"', "'")
_DETERMINERS = frozenset(
    ["The", "A", "An", "All", "Both", "Each", "Every", "Other", "Our", "Their", "These", "Those"]
)
# Endings of words for a nationality or a people: Japanese, Cambodian, Thai, British.
_NATIONALITY_ENDINGS = ("an", "ese", "ish", "i")
_OPENING_DOUBLE = '"“„«'
_CLOSING_DOUBLE = '"”“»'
_DOUBLE_QUOTES = '"“”„«»'
# An apostrophe before two digits stands for a century: the '90s, the '19 elections.
_ELISION = re.compile(r"\d\d(?!\d)")


def number_word(n: int) -> str:
    """'twelve' below 20, '1,234' above."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else f"{n:,}"


def _round_step(n: int) -> int:
    if n < 100:
        return 10
    if n < 1000:
        return 50
    if n < 10_000:
        return 100
    return 1000


def approximate_count(n: int, *, start: bool = False) -> str:
    """'Twelve' (exact below 20), '50' (round), 'Over 50' (52), 'over 1,200' (1,234)."""
    if n < 20:
        word = number_word(n)
        return word[:1].upper() + word[1:] if start else word
    step = _round_step(n)
    if n % step == 0:
        return f"{n:,}"
    floor = n - n % step
    return f"{'Over' if start else 'over'} {floor:,}"


def join_and(items: Sequence[str], conjunction: str = "and") -> str:
    """'A', 'A and B', 'A, B and C' (no serial comma); empty items are left out."""
    kept = [item for item in items if item]
    if not kept:
        return ""
    if len(kept) == 1:
        return kept[0]
    return f"{', '.join(kept[:-1])} {conjunction} {kept[-1]}"


def join_or(items: Sequence[str]) -> str:
    return join_and(items, "or")


def fragment(text: str | None) -> str:
    """User text as a piece of a sentence: one line, no stray commas or colons at its ends."""
    if not text:
        return ""
    return _SPACES.sub(" ", text).strip().strip(_EDGE_PUNCTUATION).strip()


def unstopped(text: str | None) -> str:
    """A fragment without its final full stop (an ellipsis stays)."""
    value = fragment(text)
    while value.endswith(".") and not value.endswith("..."):
        value = value[:-1].rstrip().rstrip(_EDGE_PUNCTUATION).rstrip()
    return value


def clause(text: str | None) -> str:
    """A fragment that completes a sentence: no final full stop, lower-case first letter
    (unless it begins an acronym or a name written in capitals)."""
    return lower_first(unstopped(text))


def is_sentence(text: str | None) -> bool:
    """Whether `text` is written as a whole sentence: a capital first letter and final
    punctuation ('The government should act.')."""
    value = fragment(text)
    return value[:1].isupper() and ends_sentence(value)


def lower_first(value: str) -> str:
    if len(value) >= 2 and value[0].isupper() and value[1].islower():
        return value[0].lower() + value[1:]
    return value


def label_in_prose(label: str) -> str:
    """A label written to stand alone (a stakeholder group's) as words of a sentence: its
    first letter lower-cased, 'Civil society organisations' -> 'civil society organisations'.

    The label is kept as written when it reads as a name: its first word has capitals after
    its first letter ('ILO', 'UN agencies', 'NGOs'); another of its words is capitalised
    ('Ministry of Labour'; an acronym such as '(CSOs)' does not count); or its first word is
    a country or reads as a nationality ('Myanmar migrants', 'Japanese government', 'Thai
    employers'). The rule reads the words, not their meaning: a paragraph it gets wrong is
    rewritten in the editor. A first word such as 'The' or 'All' is always lower-cased: 'the
    Cambodian government'.
    """
    words = label.split()
    if not words or lower_first(label) == label:
        return label
    if words[0] in _DETERMINERS:
        return lower_first(label)
    first = words[0].split("-")[0]
    if any(_capitalised(word) for word in words[1:]):
        return label
    if first in _country_names() or first.endswith(_NATIONALITY_ENDINGS):
        return label
    return lower_first(label)


def _capitalised(word: str) -> bool:
    """'Labour', not 'labour' nor 'CSOs'."""
    bare = word.strip("()[]{}\"'“”‘’,;:.!?")
    return len(bare) >= 2 and bare[0].isupper() and bare[1:].islower()


@cache
def _country_names() -> frozenset[str]:
    """Country and region names of one word, in English: 'Japan', 'Myanmar', 'Asia'."""
    names = (name.split(" (")[0] for name in Locale("en").territories.values())
    return frozenset(name for name in names if name.isalpha() and name.istitle())


def upper_first(value: str) -> str:
    return value[:1].upper() + value[1:] if value else value


def sentence(text: str | None) -> str:
    """A fragment as a whole sentence: capital first letter, final punctuation."""
    value = upper_first(fragment(text))
    if not value:
        return ""
    return value if ends_sentence(value) else value + "."


def ends_sentence(value: str) -> bool:
    stripped = value.rstrip("".join(_CLOSING_QUOTES) + ")")
    return value.endswith(_TERMINAL) or (
        stripped != value and stripped.endswith(_TERMINAL) and not value.endswith(")")
    )


def paragraphs(text: str | None) -> list[str]:
    """Text typed in a box as paragraphs: split at line breaks, each on one line."""
    if not text:
        return []
    return [line for line in (fragment(part) for part in text.splitlines()) if line]


@cache
def _inflect() -> inflect.engine:
    return inflect.engine()


def a_or_an(phrase: str) -> str:
    """'a workshop', 'an expert consultation', 'a university forum', 'an NGO', 'an SDG',
    'an 8th', 'an 11-day course': the article follows the sound of the next word (the
    `inflect` library reads words and acronyms; numbers are read here)."""
    value = phrase.strip()
    if not value:
        return phrase
    digits = re.match(r"[\d,]+", value)
    if digits:
        number = digits.group(0).replace(",", "")
        an = number.startswith("8") or (number[:2] in ("11", "18") and len(number) % 3 == 2)
        return f"{'an' if an else 'a'} {phrase}"
    article = _inflect().a(value.split()[0]).split(" ", 1)[0]
    return f"{article} {phrase}"


def headline_case(text: str) -> str:
    """Capitalise the first letter of each word but the small ones; never lower a capital."""
    words = text.split(" ")
    result = []
    for index, word in enumerate(words):
        if index > 0 and word.lower() in _SMALL_WORDS:
            result.append(word)
        else:
            result.append(
                "-".join(
                    upper_first(part) if i == 0 else part for i, part in enumerate(word.split("-"))
                )
            )
    return " ".join(result)


def _opens(text: str, index: int) -> bool:
    """Whether a quotation mark at `index` opens a quotation (it follows a space or a bracket)."""
    before = text[index - 1] if index > 0 else " "
    return before.isspace() or before in "([{—–-/“‘"


def _elision(text: str, index: int) -> bool:
    """Whether the apostrophe at `index` stands for the century of a year: '90s, '19."""
    return _ELISION.match(text, index + 1) is not None


def smart_quotes(text: str) -> str:
    """Straight quotation marks and apostrophes made typographic (the apostrophe of '90s
    included)."""
    out: list[str] = []
    for index, char in enumerate(text):
        opening = _opens(text, index)
        if char == '"':
            out.append("“" if opening else "”")
        elif char == "'":
            after = text[index + 1] if index + 1 < len(text) else " "
            quote = opening and not after.isspace() and not _elision(text, index)
            out.append("‘" if quote else "’")
        else:
            out.append(char)
    return "".join(out)


def _unwrapped(value: str) -> str:
    """`value` without the quotation marks it brings around itself: double ones around the
    whole text, or a lone one at either end; single ones only as a pair around the whole text
    (an apostrophe at an end, as in '90s or workers', stays)."""
    while value:
        inner = value
        marks = sum(value.count(mark) for mark in _DOUBLE_QUOTES)
        if len(value) >= 2 and value[0] in _OPENING_DOUBLE and value[-1] in _CLOSING_DOUBLE:
            inner = value[1:-1]
        elif marks % 2 and value[0] in _OPENING_DOUBLE:
            inner = value[1:]
        elif marks % 2 and value[-1] in _CLOSING_DOUBLE:
            inner = value[:-1]
        elif len(value) >= 2 and value[0] in "'‘" and value[-1] in "'’" and not _elision(value, 0):
            inner = value[1:-1]
        inner = fragment(inner)
        if inner == value:
            break
        value = inner
    return value


def quoted(text: str | None, *, continues: bool = False) -> str:
    """Verbatim words in typographic quotation marks.

    The marks the text brings around itself are removed (see `_unwrapped`); double quotation
    marks inside become single ones, a quotation within the quotation:
    'They call them "runaways"' -> '“They call them ‘runaways’”'. When the sentence goes on
    after the quotation (`continues`), the quotation's own final full stop is dropped:
    'agreed with the statement “The meeting was useful for my work” and ...'.
    """
    value = _unwrapped(fragment(text))
    if continues:
        while value.endswith(".") and not value.endswith("..."):
            value = _unwrapped(fragment(value[:-1]))
    if not value:
        return ""
    nested = "".join(
        ("‘" if char == "“" or (char == '"' and _opens(value, index)) else "’")
        if char in '"“”'
        else char
        for index, char in enumerate(value)
    )
    return f"“{nested}”"


def long_date(value: date) -> str:
    """'18 February 2019'."""
    return format_date(value, "d MMMM y", locale="en")


def date_span(starts_at: datetime, ends_at: datetime | None, timezone: str | None) -> str:
    """'18 February 2019', or 'From 18 to 20 February 2019' for a meeting of several days
    (the words after 'On' or 'From' included: 'On 18 February 2019')."""
    start = to_zone(starts_at, timezone).date()
    end = to_zone(ends_at, timezone).date() if ends_at is not None else start
    if end <= start:
        return f"On {long_date(start)}"
    if (start.year, start.month) == (end.year, end.month):
        return f"From {start.day} to {long_date(end)}"
    if start.year == end.year:
        return f"From {format_date(start, 'd MMMM', locale='en')} to {long_date(end)}"
    return f"From {long_date(start)} to {long_date(end)}"


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


# --- names as the press writes them -----------------------------------------------------------

# Scripts whose names are written family name first: Han, kana, Hangul, Khmer.
_FAMILY_FIRST_SCRIPT = re.compile(r"[\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Words of an honorific dropped at a second mention: "H.E. Ms Chou Bun Eng" -> "Ms Chou".
_FIRST_MENTION_ONLY = frozenset(
    ["h.e.", "h.e", "he", "his", "her", "excellency", "hon.", "hon", "honourable", "the", "rt."]
)
_RANKS = {"associate professor": "Professor", "assistant professor": "Professor"}


def family_name(name: str, family: str | None = None, order: str | None = None) -> str:
    """The family name of `name`: `family` when recorded; else the first word of a name
    written family name first (`order` "family_first", or a name in Khmer, Chinese, Japanese
    or Korean script), else the last word."""
    recorded = fragment(family)
    if recorded:
        return recorded
    words = fragment(name).split()
    if not words:
        return ""
    if order == "family_first" or (order is None and _FAMILY_FIRST_SCRIPT.search(name)):
        return words[0]
    return words[-1]


def name_order(name: str, family: str | None = None, order: str | None = None) -> str:
    """'family_first' or 'given_first': `order` when recorded, else what the name says (a
    recorded family name that begins it, or a Khmer, Chinese, Japanese or Korean script)."""
    if order in ("family_first", "given_first"):
        return order
    recorded = fragment(family)
    words = fragment(name).split()
    if recorded and len(words) > 1:
        first = fragment(name).casefold().startswith(recorded.casefold() + " ")
        return "family_first" if first else "given_first"
    return "family_first" if _FAMILY_FIRST_SCRIPT.search(name) else "given_first"


def second_mention(honorific: str | None, family: str) -> str:
    """How the press names someone again: title or honorific and family name ('Professor
    Asato', 'Ms Harima', 'Dr Jones'); 'H.E.' and 'Hon.' are said once; an associate or
    assistant professor is 'Professor' again. The family name alone without an honorific."""
    title = fragment(honorific)
    for rank, short in _RANKS.items():
        title = re.sub(rf"(?i)\b{rank}\b", short, title)
    words = [w for w in title.split() if w.casefold() not in _FIRST_MENTION_ONLY]
    return " ".join([*words, family]) if family else " ".join(words)


# --- acronyms ---------------------------------------------------------------------------------

_ACRONYM = re.compile(r"\(([A-Z][A-Za-z&]*[A-Z]s?)\)")
_NAME_WORD = re.compile(r"^[A-Z0-9][\w’'&.-]*$")
_CONNECTORS = frozenset(["of", "and", "for", "on", "in", "the", "de", "du", "des", "&", "to"])


def _spelled_out(text: str, end: int, acronym: str) -> int | None:
    """Where the long form that "(ACRONYM)" at `end` stands for begins: the capitalised words
    (and connectors) just before it whose initials hold the acronym's first letter."""
    head = text[:end].rstrip()
    words = list(re.finditer(r"\S+", head))
    start = None
    taken = 0
    for match in reversed(words):
        word = match.group(0)
        if _NAME_WORD.match(word):
            start = match.start()
            taken += 1
        elif word in _CONNECTORS and taken:
            continue
        else:
            break
        if taken >= 12:
            break
    if start is None or taken < 2:
        return None
    if text[start].upper() != acronym[0].upper():
        # The long form begins with the acronym's first letter: 'the International Labour
        # Organization (ILO)', not 'at the ... (ILO)'; move forward to that word.
        found = re.search(rf"\b{re.escape(acronym[0])}", text[start:end])
        if found is None:
            return None
        start += found.start()
    return start


def spell_out_once(sections: Sequence[Sequence[str]]) -> tuple[list[list[str]], dict[str, str]]:
    """Acronyms spelled out at their first mention only: a later 'Mekong Migration Network
    (MMN)' becomes 'MMN'. Returns the paragraphs so changed and the acronyms met with their
    long forms, in order of first mention."""
    seen: dict[str, str] = {}
    result: list[list[str]] = []
    for paragraphs_ in sections:
        out = []
        for paragraph in paragraphs_:
            pieces: list[str] = []
            cursor = 0
            for match in _ACRONYM.finditer(paragraph):
                acronym = match.group(1)
                start = _spelled_out(paragraph, match.start(), acronym)
                if start is None or start < cursor:
                    continue
                long_form = paragraph[start : match.start()].strip()
                if acronym not in seen:
                    seen[acronym] = long_form
                    continue
                pieces.append(paragraph[cursor:start])
                pieces.append(acronym)
                cursor = match.end()
            pieces.append(paragraph[cursor:])
            out.append("".join(pieces))
        result.append(out)
    return result, seen
