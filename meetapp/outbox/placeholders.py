"""Placeholders in texts that organisers write for e-mails: `{name}`, `{link}` ...

A placeholder is a word in braces. `fill` replaces each known one with its value and leaves
everything else as written; it never uses `str.format`, which would read attributes and
indexes (`{name.__class__}`) out of text that organisers type. `problems` lists what a text
asks for that is not allowed, so a form can refuse it beside the field before anything is
sent. Braces that do not hold a single word (`{ }`, `{a b}`, a lone `{`) are plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def names(text: str) -> list[str]:
    """The placeholders of `text`, each once, in the order they first appear.

    >>> names("Dear {name}, see {link} or {link}; {not one} {x.y}")
    ['name', 'link']
    """
    seen: dict[str, None] = {}
    for match in PLACEHOLDER.finditer(text or ""):
        seen.setdefault(match.group(1), None)
    return list(seen)


def problems(text: str, allowed: Iterable[str]) -> list[str]:
    """The placeholders of `text` that are not in `allowed`, as written (`{...}`).

    >>> problems("Dear {name}, {nmae} and {Name}", ["name", "link"])
    ['{nmae}', '{Name}']
    """
    known = set(allowed)
    return [f"{{{name}}}" for name in names(text) if name not in known]


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with each placeholder that `values` knows replaced by its value; unknown ones
    stay as written. Values are inserted as they are, never read for placeholders again.

    >>> fill("Dear {name}, {unknown} {{name}}", {"name": "Dara {link}"})
    'Dear Dara {link}, {unknown} {Dara {link}}'
    """

    def value(match: re.Match[str]) -> str:
        return values.get(match.group(1), match.group(0))

    return PLACEHOLDER.sub(value, text or "")
