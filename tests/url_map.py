"""The app's URL map for tests generated from it: its rules, their URLs filled in with the
records of a world (see tests.meeting_records), and the row count of every table, to show that
a refused request stored nothing."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, literal, select, union_all

from meetapp.extensions import db as _db

SKIP_PREFIXES = ("static", "bootstrap.")


def url_rules(app: Flask) -> list[Any]:
    """Every rule of the app but the static files."""
    return [
        rule for rule in app.url_map.iter_rules() if not rule.endpoint.startswith(SKIP_PREFIXES)
    ]


def post_rules(app: Flask) -> list[Any]:
    """Every rule that takes a POST, in the order of their paths."""
    return sorted(
        (rule for rule in url_rules(app) if "POST" in rule.methods), key=lambda rule: rule.rule
    )


def fill_url(rule: Any, values: dict[str, Any]) -> str:
    """The rule's path with each `<argument>` replaced by `values[argument]`."""
    url = rule.rule
    for argument in rule.arguments:
        if argument not in values:
            raise AssertionError(f"the matrix does not know how to fill <{argument}> in {rule}")
        url = url.replace(f"<{argument}>", str(values[argument]))
        for converter in ("int", "string", "path"):
            url = url.replace(f"<{converter}:{argument}>", str(values[argument]))
    return url


def row_counts(app: Flask) -> dict[str, int]:
    """The number of rows of every table, in one statement."""
    with app.app_context():
        tables = _db.metadata.sorted_tables
        query = union_all(
            *(
                select(literal(table.name).label("name"), func.count().label("n")).select_from(
                    table
                )
                for table in tables
            )
        )
        with _db.engine.connect() as conn:
            return {name: n for name, n in conn.execute(query)}


def table_rows(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in the order of their primary keys: a refused request must
    have added, removed and changed nothing."""
    with app.app_context(), _db.engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in _db.metadata.sorted_tables
        }
