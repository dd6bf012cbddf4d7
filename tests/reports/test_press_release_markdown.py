"""The Markdown press release: text that users typed comes out as text.

The download is pasted into tools that render Markdown, often with raw HTML allowed. A tag, a
link or a heading typed into a title, a quote, the "About" text or a rewritten section must
not become one: the file holds no raw tag and no link, and a CommonMark renderer that lets
HTML through (markdown-it-py) makes only the draft's own headings and paragraphs of it, with
the typed text shown as typed.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from markdown_it import MarkdownIt

from meetapp.reports.markdown import markdown_text
from tests.reports.conftest import DEMO

SVG = "<svg onload=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
LINK = "[x](javascript:alert(3))"
IMAGE = "![y](javascript:alert(4))"
AUTOLINK = "<javascript:alert(5)>"
REFERENCE = "&lt;img src=x onerror=alert(6)&gt;"


@pytest.fixture
def release(load_demo: Any, login_as: Any, make_user: Any, db: Any) -> str:
    document = json.loads(json.dumps(DEMO))
    document["meeting"]["title"] = f"Meeting {SCRIPT} {LINK}"
    document["organisation"]["name"] = f"Network {SVG}"
    document["organisation"]["about"] = f"We are {SVG} a network. {REFERENCE} and {LINK}"
    quote = next(s for s in document["statements"] if s.get("speaker"))
    quote.update(kind="quote", highlight=True, text=f"Look {LINK} {IMAGE} {AUTOLINK} {SCRIPT}")
    document["press_release"]["background"] = "\n".join(
        ["# Not a heading #", "- not a list", "1. not a list", "> not a quote", SCRIPT, "---"]
    )
    meeting = load_demo(document)
    response = login_as(make_user("staff")).get(f"/meetings/{meeting.slug}/press-release.md")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _unescaped(markdown: str, character: str) -> list[int]:
    """Where `character` stands in the Markdown without a backslash before it."""
    return [m.start() for m in re.finditer(rf"(?<!\\){re.escape(character)}", markdown)]


def test_the_markdown_holds_no_raw_tag_and_no_link(release: str) -> None:
    assert SVG not in release
    assert SCRIPT not in release
    assert _unescaped(release, "<") == []
    assert _unescaped(release, "[") == []
    assert _unescaped(release, "&lt;") == []
    # The only structure is the draft's own: its title and its section headings.
    for line in release.splitlines():
        if line.startswith("#"):
            assert re.match(r"^#{1,2} \S", line), line
        assert not re.match(r"^(\s*[-+*>]\s|\d+[.)]\s|---)", line), line


def test_a_commonmark_renderer_that_allows_html_makes_only_headings_and_paragraphs(
    release: str,
) -> None:
    rendered = MarkdownIt("commonmark", {"html": True}).render(release)

    assert set(re.findall(r"<\s*([a-zA-Z0-9]+)", rendered)) == {"h1", "h2", "p"}
    assert "href" not in rendered
    assert rendered.count("<h1>") == 1
    text = html.unescape(re.sub(r"<[^>]+>", "\n", rendered))
    # What was typed is shown as typed.
    for typed in (SVG, SCRIPT, LINK, IMAGE, AUTOLINK, REFERENCE, "# Not a heading #"):
        assert typed in text, typed
    for typed in ("- not a list", "1. not a list", "> not a quote"):
        assert typed in text, typed


@pytest.mark.parametrize(
    "text",
    [
        SVG,
        LINK,
        IMAGE,
        AUTOLINK,
        REFERENCE,
        "*emphasis* and _this_ and `code` and ~~struck~~ | a | b |",
        "# heading",
        "- item",
        "+ item",
        "* item",
        "2019. A year",
        "3) third",
        "> quoted",
        "=== underline",
        "back\\slash \\<",
        "AT&T &amp; co &#60;",
    ],
)
def test_each_escaped_text_renders_as_itself(text: str) -> None:
    rendered = MarkdownIt("commonmark", {"html": True}).render(markdown_text(text))
    assert rendered == f"<p>{html.escape(text, quote=False)}</p>\n"
