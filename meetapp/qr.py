"""QR codes of links, as inline SVG (segno): a phone's camera opens the link from the screen.

segno writes the SVG itself from the link's bits and escapes the title it is given, so no text
of a visitor's reaches the markup unescaped; the SVG carries no script and no style attribute
(the Content-Security-Policy allows neither).
"""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(text: str, title: str, *, scale: int = 4, sized: bool = True) -> Markup:
    """The QR code of `text` as an <svg> element to put in a page, named by `title`.

    `sized=False` leaves out its width and height (it keeps its viewBox), so that the page's
    stylesheet sizes it, as large as a projected screen allows."""
    code = segno.make(text, error="m", micro=False)
    svg = code.svg_inline(
        scale=scale,
        border=2,
        dark="#000",
        light="#fff",
        title=title,
        svgclass="qr-code",
        lineclass=None,
        omitsize=not sized,
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704 - made by segno
