"""Keys derived from what people type: the stable, URL-safe names that stakeholder groups,
speakers, sessions and surveys carry in addresses and in the interchange format.

A key is lower-case ASCII letters, digits and hyphens. It is derived once, when the record is
created, and unique within its meeting (`-2`, `-3` ... are appended); renaming the record
later keeps the key, since documents and links refer to it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_NOT_KEY = re.compile(r"[^a-z0-9]+")
# Room left under a column's length for the "-N" that `unique_key` may append.
_SUFFIX_ROOM = 4


def key_from_text(text: str, max_length: int, fallback: str) -> str:
    """ "Japan's new law" -> 'japans-new-law'; "Société civile" -> 'societe-civile'.

    Accents are dropped, apostrophes vanish rather than split a word, and the key is cut to
    leave room for a suffix under `max_length`. Text with no Latin letter or digit at all
    (Khmer, Japanese) gives `fallback`.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = ascii_text.lower().replace("'", "")
    key = _NOT_KEY.sub("-", ascii_text).strip("-")[: max_length - _SUFFIX_ROOM].strip("-")
    return key or fallback


def unique_key(base: str, taken: Iterable[str]) -> str:
    """`base`, or `base-2`, `base-3` ... whichever is not taken."""
    used = set(taken)
    key, number = base, 2
    while key in used:
        key, number = f"{base}-{number}", number + 1
    return key
