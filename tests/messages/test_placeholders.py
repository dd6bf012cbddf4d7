"""The placeholders of texts organisers write: filled by a regular expression, never by
str.format, and checked against the allowed names."""

from __future__ import annotations

from meetapp.outbox.placeholders import fill, names, problems


def test_known_placeholders_are_filled_and_the_rest_is_left_as_written() -> None:
    text = "Dear {name}, {greeting} {0} {name.__class__} {} { name } {{name}} {"
    assert fill(text, {"name": "Dara"}) == (
        "Dear Dara, {greeting} {0} {name.__class__} {} { name } {Dara} {"
    )


def test_values_are_not_read_for_placeholders_again() -> None:
    assert fill("{a} {b}", {"a": "{b}", "b": "B"}) == "{b} B"


def test_format_syntax_reads_nothing() -> None:
    assert fill("{name!r:>10} {name[0]}", {"name": "Dara"}) == "{name!r:>10} {name[0]}"


def test_problems_lists_unknown_names_once_in_order() -> None:
    allowed = ["name", "link"]
    assert problems("{Name} {link} {x} {Name}", allowed) == ["{Name}", "{x}"]
    assert problems("No placeholder, {not one}, {1}", allowed) == []
    assert names("{b} {a} {b}") == ["b", "a"]
