"""User text in the Markdown press release, written so that it reads as the text it is.

The Markdown download is pasted into e-mails and into tools that render it, often with a
CommonMark renderer that lets raw HTML through. Whatever users typed (titles, names, quotes,
the "About" text, rewritten sections) must come out as that text: no HTML tag, no link or
image, no heading, list, quote or code it did not ask for. Characters that Markdown reads
are escaped with a backslash, which every CommonMark renderer shows as the character alone
(and which stays readable as plain text): `\\ ` * _ [ ] < > # | ~` wherever they stand, `&`
where it would start a character reference ("&lt;"), and at the start of a line the `-`,
`+`, `=` and "1." or "1)" that would start a list or a heading.
"""

from __future__ import annotations

import re

from meetapp.validation import one_line

_INLINE = re.compile(r"([\\`*_\[\]<>#|~])")
_REFERENCE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_ORDERED = re.compile(r"^(\d+)([.)])")


def markdown_text(text: str) -> str:
    r"""`text` as one line of Markdown that renders as exactly that text.

    markdown_text("<svg onload=alert(1)>") -> "\<svg onload=alert(1)\>";
    markdown_text("[x](javascript:alert(1))") -> "\[x\](javascript:alert(1))";
    markdown_text("- not a list") -> "\- not a list";
    markdown_text("2019. A year") -> "2019\. A year";
    markdown_text("AT&T &amp; co") -> "AT&T \&amp; co".
    """
    line = one_line(text).strip()
    line = _INLINE.sub(r"\\\1", line)
    line = _REFERENCE.sub(r"\\&", line)
    line = _ORDERED.sub(r"\1\\\2", line)
    if line[:1] in ("-", "+", "="):
        line = "\\" + line
    return line
