"""The Alembic revisions build exactly the schema of the models, and take it down again.

Runs on a fresh SQLite file always, and on a fresh PostgreSQL database (created beside the
suite's own and dropped afterwards) when MEETAPP_TEST_DATABASE_URL names a PostgreSQL server.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from pprint import pformat
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import JSON, column, inspect, select, table, text
from sqlalchemy.exc import IntegrityError

from config import TestingConfig
from meetapp import create_app
from meetapp.extensions import db
from tests.conftest import postgres_database

VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


@pytest.fixture
def keep_logging() -> Iterator[None]:
    """Put logging back as it was: Alembic's env.py reconfigures it from alembic.ini,
    which disables every logger that already exists and replaces the root handlers."""
    manager = logging.Logger.manager
    before = {
        name: (logger.disabled, logger.level, list(logger.handlers), logger.propagate)
        for name, logger in manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    root = logging.getLogger()
    root_handlers, root_level = list(root.handlers), root.level
    yield
    root.handlers[:] = root_handlers
    root.setLevel(root_level)
    for name, logger in manager.loggerDict.items():
        if isinstance(logger, logging.Logger) and name in before:
            logger.disabled, level, handlers, logger.propagate = before[name]
            logger.setLevel(level)
            logger.handlers[:] = handlers


@contextmanager
def _migrating(app: Flask) -> Iterator[None]:
    """The app's context for migrating its database; its connections are closed after."""
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()
            db.engine.dispose()


def _app_for(url: str, instance: Path) -> Flask:
    config = type(
        "MigrationTestConfig",
        (TestingConfig,),
        {"SQLALCHEMY_DATABASE_URI": url},
    )
    app = create_app(config)
    app.instance_path = str(instance)
    return app


def _schema_differences(app: Flask) -> list[Any]:
    options = dict(app.extensions["migrate"].configure_args)
    options.setdefault("compare_type", True)
    options.pop("process_revision_directives", None)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=options)
        return list(compare_metadata(context, db.metadata))


def _table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _upgrade_compare_downgrade(app: Flask) -> None:
    with _migrating(app):
        upgrade()
        with db.engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
        assert revision is not None, "the upgrade recorded no revision"

        differences = _schema_differences(app)
        assert differences == [], (
            "the migrations do not build the schema of the models; "
            "generate a revision with `flask --app meetapp db migrate`:\n" + pformat(differences)
        )
        assert set(db.metadata.tables) <= _table_names()

        downgrade(revision="base")
        assert _table_names() - {"alembic_version"} == set()


_OUTBOX_ROWS = (
    "INSERT INTO organisations (id, name) VALUES (1, 'Network')",
    "INSERT INTO meetings (id, organisation_id, slug, title, starts_at, timezone, languages,"
    " created_at) VALUES (1, 1, 'm', 'Meeting', :at, 'UTC', '[\"en\"]', :at)",
    "INSERT INTO participants (id, meeting_id, name, email, email_normalized, languages, status,"
    " attended, registered_at, updated_at) VALUES (1, 1, 'Ana', 'ana@example.org',"
    " 'ana@example.org', '[]', 'registered', :no, :at, :at)",
    "INSERT INTO surveys (id, meeting_id, key, title, anonymous, created_at)"
    " VALUES (1, 1, 's', 'Survey', :no, :at)",
    "INSERT INTO outbox_messages (id, meeting_id, recipient, subject, body, kind, status,"
    " attempts, created_at) VALUES (1, 1, 'ana@example.org', 'S', 'B', 'k', 'queued', 0, :at)",
    "INSERT INTO survey_invitations (id, survey_id, participant_id, created_at,"
    " last_message_id, reminders) VALUES (1, 1, 1, :at, 1, 0)",
)


def _outbox_claims_keep_the_data(app: Flask) -> None:
    """The revision that adds the 'sending' status rebuilds outbox_messages on SQLite: the
    survey invitations that point at a message must keep pointing at it, both ways."""
    values = {"at": "2026-01-01 00:00:00+00:00", "no": False}
    link = text("SELECT last_message_id FROM survey_invitations")
    with _migrating(app):
        upgrade(revision="3e1517257739")
        with db.engine.begin() as connection:
            for statement in _OUTBOX_ROWS:
                connection.execute(text(statement), values)
        upgrade()
        with db.engine.begin() as connection:
            assert connection.scalar(link) == 1
            connection.execute(
                text("UPDATE outbox_messages SET status = 'sending', claimed_at = :at"),
                values,
            )
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE outbox_messages SET claimed_at = NULL"))
        downgrade(revision="3e1517257739")
        with db.engine.begin() as connection:
            assert connection.scalar(link) == 1
            status = text("SELECT status FROM outbox_messages")
            assert connection.scalar(status) == "queued"
        downgrade(revision="base")


def _check_ins_keep_the_data(app: Flask) -> None:
    """The revision that records who checked a participant in rebuilds participants on SQLite:
    the participants and the survey invitations that point at them stay, both ways; after it,
    deleting the user who checked someone in keeps the check-in."""
    values = {"at": "2026-01-01 00:00:00+00:00", "no": False}
    link = text("SELECT participant_id FROM survey_invitations")
    check_in = text("SELECT attended, checked_in_at IS NOT NULL FROM participants WHERE id = 1")
    with _migrating(app):
        upgrade(revision="0106469ea666")
        with db.engine.begin() as connection:
            for statement in _OUTBOX_ROWS:
                connection.execute(text(statement), values)
            connection.execute(
                text("UPDATE participants SET attended = :yes, checked_in_at = :at"),
                {**values, "yes": True},
            )
            connection.execute(
                text(
                    "INSERT INTO users (id, email, name, password_hash, role, active,"
                    " created_at) VALUES (7, 'desk@example.org', 'Desk', 'x', 'staff',"
                    " :yes, :at)"
                ),
                {**values, "yes": True},
            )
        upgrade()
        with db.engine.begin() as connection:
            assert connection.scalar(link) == 1
            assert tuple(connection.execute(check_in).one()) == (True, True)
            connection.execute(text("UPDATE participants SET checked_in_by_id = 7"))
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM users WHERE id = 7"))
        with db.engine.begin() as connection:
            assert tuple(connection.execute(check_in).one()) == (True, True)
            by = text("SELECT checked_in_by_id FROM participants WHERE id = 1")
            assert connection.scalar(by) is None
        downgrade(revision="0106469ea666")
        with db.engine.begin() as connection:
            assert connection.scalar(link) == 1
            assert tuple(connection.execute(check_in).one()) == (True, True)
        downgrade(revision="base")


def _search_text_is_filled_in(app: Flask) -> None:
    """The revision that adds participants' search text fills it in for the people already
    registered, so that they are found as those who register later are; it clears the
    check-in that cancelled registrations kept, and from then on refuses one."""
    values = {"at": "2026-01-01 00:00:00+00:00", "no": False}
    with _migrating(app):
        upgrade(revision="e3a47707c816")
        with db.engine.begin() as connection:
            for statement in _OUTBOX_ROWS[:3]:
                connection.execute(text(statement), values)
            connection.execute(
                text(
                    "INSERT INTO participants (id, meeting_id, name, organisation, email,"
                    " email_normalized, languages, status, attended, registered_at,"
                    " updated_at) VALUES (2, 1, 'E\u0301LISE Nguyễn', 'Ministère', 'e@x.org',"
                    " 'e@x.org', '[]', 'registered', :no, :at, :at)"
                ),
                values,
            )
            connection.execute(
                text(
                    "INSERT INTO participants (id, meeting_id, name, email, email_normalized,"
                    " languages, status, attended, checked_in_at, registered_at, updated_at)"
                    " VALUES (3, 1, 'Gone', 'g@x.org', 'g@x.org', '[]', 'cancelled', :yes,"
                    " :at, :at, :at)"
                ),
                {**values, "yes": True},
            )
        upgrade()
        with db.engine.begin() as connection:
            rows = connection.execute(
                text("SELECT id, search_text FROM participants ORDER BY id")
            ).all()
            gone = connection.execute(
                text("SELECT attended, checked_in_at FROM participants WHERE id = 3")
            ).one()
        assert [tuple(row) for row in rows] == [
            (1, "ana\n"),
            (2, "elise nguyen\nministere"),
            (3, "gone\n"),
        ]
        assert (bool(gone[0]), gone[1]) == (False, None)
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(
                text("UPDATE participants SET attended = :yes WHERE id = 3"), {"yes": True}
            )
        downgrade(revision="base")


def _sent_messages_lose_their_links(app: Flask) -> None:
    """The revision that keeps no personal links in sent messages cleans the ones already sent
    and leaves a queued message whole, for its retry."""
    values = {"at": "2026-01-01 00:00:00+00:00", "no": False}
    token = "A" * 43
    with _migrating(app):
        upgrade(revision="00ec3f07de56")
        with db.engine.begin() as connection:
            for status in ("sent", "queued"):
                connection.execute(
                    text(
                        "INSERT INTO outbox_messages (recipient, subject, body, kind, status,"
                        " attempts, created_at) VALUES ('a@x.org', 'S', :body, 'k', :status,"
                        " 0, :at)"
                    ),
                    {**values, "status": status, "body": f"Open https://x.org/s/{token}."},
                )
        upgrade()
        with db.engine.begin() as connection:
            bodies = dict(
                connection.execute(text("SELECT status, body FROM outbox_messages")).all()
            )
        assert bodies == {
            "sent": "Open https://x.org/s/(link removed from the stored copy once sent).",
            "queued": f"Open https://x.org/s/{token}.",
        }
        downgrade(revision="base")


_RESPONSE_ROWS = (
    "INSERT INTO surveys (id, meeting_id, key, title, anonymous, created_at)"
    " VALUES (2, 1, 'a', 'Anonymous', :yes, :at)",
    "INSERT INTO survey_questions (id, survey_id, key, position, kind, text, required, options)"
    " VALUES (1, 1, 'q1', 0, 'rating', 'Rate', :no, '[]')",
    "INSERT INTO survey_questions (id, survey_id, key, position, kind, text, required, options)"
    " VALUES (2, 2, 'q1', 0, 'rating', 'Rate', :no, '[]')",
    "INSERT INTO survey_responses (id, survey_id, participant_id, submitted_at)"
    " VALUES (1, 1, 1, :at)",
    "INSERT INTO survey_responses (id, survey_id, submitted_at) VALUES (2, 2, :at)",
    "INSERT INTO survey_responses (id, survey_id, submitted_at, updated_at)"
    " VALUES (3, 2, :at, :later)",
    "INSERT INTO survey_answers (id, response_id, question_id, number) VALUES (1, 1, 1, 4)",
    "INSERT INTO survey_answers (id, response_id, question_id, number) VALUES (2, 2, 2, 5)",
    "INSERT INTO survey_answers (id, response_id, question_id, number) VALUES (3, 3, 2, 1)",
)


_RESPONSE_VALUES = {
    "at": "2026-01-01 23:30:15.123456+00:00",
    "later": "2026-01-02 08:01:02.000003+00:00",
    "no": False,
    "yes": True,
}


def _insert_responses(connection: Any) -> None:
    """A meeting with a tracked and an anonymous survey, and their responses and answers."""
    for statement in (*_OUTBOX_ROWS[:4], *_RESPONSE_ROWS):
        connection.execute(text(statement), _RESPONSE_VALUES)


def _utc_text(value: Any) -> str | None:
    """A stored time as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC, from either backend."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return str(value)[:26]


def _edit_keys_keep_the_data(app: Flask) -> None:
    """The revision that gives anonymous responses an edit key keeps every response and answer
    (the downgrade rebuilds survey_responses on SQLite): the answers still belong to their
    responses and go with them; after it, two responses cannot share an edit key. It keeps
    only the day of an anonymous response's times, and a tracked one's whole."""
    answers = text("SELECT response_id, number FROM survey_answers ORDER BY id")
    times = text("SELECT id, submitted_at, updated_at FROM survey_responses ORDER BY id")
    with _migrating(app):
        upgrade(revision="7408dcef8cfb")
        with db.engine.begin() as connection:
            _insert_responses(connection)
        upgrade()
        with db.engine.begin() as connection:
            assert [tuple(r) for r in connection.execute(answers)] == [(1, 4), (2, 5), (3, 1)]
            assert [
                (row.id, _utc_text(row.submitted_at), _utc_text(row.updated_at))
                for row in connection.execute(times)
            ] == [
                (1, "2026-01-01 23:30:15.123456", None),
                (2, "2026-01-01 00:00:00.000000", None),
                (3, "2026-01-01 00:00:00.000000", "2026-01-02 00:00:00.000000"),
            ]
            keys = text("SELECT edit_key FROM survey_responses ORDER BY id")
            assert connection.scalars(keys).all() == [None, None, None]
            connection.execute(text("UPDATE survey_responses SET edit_key = 'k' WHERE id = 2"))
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE survey_responses SET edit_key = 'k' WHERE id = 3"))
        downgrade(revision="7408dcef8cfb")
        with db.engine.begin() as connection:
            assert [tuple(r) for r in connection.execute(answers)] == [(1, 4), (2, 5), (3, 1)]
            connection.execute(text("DELETE FROM survey_responses WHERE id = 2"))
            assert [tuple(r) for r in connection.execute(answers)] == [(1, 4), (3, 1)]
        downgrade(revision="base")


def _logins_start_from_the_first_session_version(app: Flask) -> None:
    """The revision that gives users a session version gives the users already there the
    first one, and no login: the cookies made before open nothing. A user's logins go with
    the user; the downgrade keeps the users and the meeting teams they are on."""
    values = {"at": "2026-01-01 00:00:00+00:00", "yes": True}
    user = (
        "INSERT INTO users (id, email, name, password_hash, role, active, created_at)"
        " VALUES (7, 'olga@example.org', 'Olga', 'x', 'organiser', :yes, :at)"
    )
    team = "INSERT INTO meeting_organisers (meeting_id, user_id) VALUES (1, 7)"
    login = (
        "INSERT INTO user_logins (user_id, secret_hash, session_version, remember, created_at,"
        " expires_at) VALUES (7, 'h', 1, :yes, :at, :at)"
    )
    with _migrating(app):
        upgrade(revision="56f0fcd24473")
        with db.engine.begin() as connection:
            for statement in (*_OUTBOX_ROWS[:2], user, team):
                connection.execute(text(statement), values)
        upgrade()
        with db.engine.begin() as connection:
            assert connection.scalar(text("SELECT session_version FROM users")) == 1
            assert connection.scalar(text("SELECT count(*) FROM user_logins")) == 0
            connection.execute(text(login), values)
        downgrade(revision="56f0fcd24473")
        with db.engine.begin() as connection:
            assert connection.scalar(text("SELECT email FROM users")) == "olga@example.org"
            assert connection.scalar(text("SELECT user_id FROM meeting_organisers")) == 7
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(text(login), values)
            connection.execute(text("DELETE FROM users WHERE id = 7"))
            assert connection.scalar(text("SELECT count(*) FROM user_logins")) == 0
        downgrade(revision="base")


def _batches_keep_the_data(app: Flask) -> None:
    """The revision that publishes anonymous results in batches keeps every response and answer
    (both tables are rebuilt on SQLite), counts the responses already stored as published and
    gives every survey batches of 5, never fewer than 3. Taken down again, it moves the answers
    still waiting for their batch to the answers, where the older schema keeps them all."""
    answers = text("SELECT response_id, number FROM survey_answers ORDER BY response_id, number")
    with _migrating(app):
        upgrade(revision="56f0fcd24473")
        with db.engine.begin() as connection:
            _insert_responses(connection)
            if connection.dialect.name == "postgresql":
                # The rows above name their ids: the answers' sequence goes on after them.
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence('survey_answers', 'id'), 3)")
                )
        upgrade()
        with db.engine.begin() as connection:
            assert [tuple(r) for r in connection.execute(answers)] == [(1, 4), (2, 5), (3, 1)]
            published = text("SELECT id, published, pending_answers FROM survey_responses")
            assert {tuple(r) for r in connection.execute(published)} == {
                (1, True, None),
                (2, True, None),
                (3, True, None),
            }
            sizes = text("SELECT batch_size FROM surveys")
            assert connection.scalars(sizes).all() == [5, 5]
            # A change waiting for a published response, and a new response waiting.
            connection.execute(
                text("UPDATE survey_responses SET pending_answers = :waiting WHERE id = 3"),
                {"waiting": '{"q1": 2}'},
            )
            connection.execute(
                text(
                    "INSERT INTO survey_responses (id, survey_id, submitted_at, published,"
                    " pending_answers) VALUES (4, 2, :at, :no, :waiting)"
                ),
                {**_RESPONSE_VALUES, "waiting": '{"q1": 3}'},
            )
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE surveys SET batch_size = 2"))
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text("UPDATE survey_responses SET pending_answers = NULL"))
        downgrade(revision="56f0fcd24473")
        with db.engine.begin() as connection:
            assert [tuple(r) for r in connection.execute(answers)] == [
                (1, 4),
                (2, 5),
                (3, 2),
                (4, 3),
            ]
        downgrade(revision="base")


_OPTION_ROWS = (
    "INSERT INTO surveys (id, meeting_id, key, title, anonymous, created_at)"
    " VALUES (2, 1, 'a', 'Anonymous', :yes, :at)",
    "INSERT INTO survey_questions (id, survey_id, key, position, kind, text, required, options)"
    " VALUES (1, 1, 'q1', 0, 'single', 'When?', :no, :when)",
    "INSERT INTO survey_questions (id, survey_id, key, position, kind, text, required, options)"
    " VALUES (2, 1, 'q2', 1, 'multiple', 'Which?', :no, :which)",
    "INSERT INTO survey_questions (id, survey_id, key, position, kind, text, required, options)"
    " VALUES (3, 1, 'q3', 2, 'rating', 'Rate', :no, '[]')",
    "INSERT INTO survey_questions (id, survey_id, key, position, kind, text, required, options)"
    " VALUES (4, 2, 'q1', 0, 'single', 'Language?', :no, :language)",
    "INSERT INTO survey_responses (id, survey_id, participant_id, submitted_at)"
    " VALUES (1, 1, 1, :at)",
    "INSERT INTO survey_responses (id, survey_id, submitted_at, pending_answers)"
    " VALUES (2, 2, :at, :change)",
    "INSERT INTO survey_responses (id, survey_id, submitted_at, published, pending_answers)"
    " VALUES (3, 2, :at, :no, :new)",
    "INSERT INTO survey_answers (id, response_id, question_id, choice) VALUES (1, 1, 1, 'Later')",
    "INSERT INTO survey_answers (id, response_id, question_id, choice) VALUES (2, 1, 2, 'B')",
    "INSERT INTO survey_answers (id, response_id, question_id, choice) VALUES (3, 1, 2, 'b')",
    "INSERT INTO survey_answers (id, response_id, question_id, number) VALUES (4, 1, 3, 4)",
    "INSERT INTO survey_answers (id, response_id, question_id, choice) VALUES (5, 2, 4, 'English')",
)


def _option_keys_replace_labels(app: Flask) -> None:
    """The revision that gives survey options keys: each option gets the key of its label
    (unique in its question), and the answers, and the answers waiting for an anonymous
    survey's batch, name the key instead of the label, without colliding on the way ("B"
    becomes "b" while "b" becomes "b-2"). Taken down, labels again."""
    values = {
        **_RESPONSE_VALUES,
        "when": json.dumps(["Sooner", "Later"]),
        "which": json.dumps(["B", "b", "Côte d'Ivoire"]),
        "language": json.dumps(["ខ្មែរ", "English"]),
        "change": json.dumps({"q1": "ខ្មែរ"}),
        "new": json.dumps({"q1": "English"}),
    }
    questions = table("survey_questions", column("id"), column("options", JSON))
    responses = table("survey_responses", column("id"), column("pending_answers", JSON))
    answers = text("SELECT id, response_id, question_id, choice FROM survey_answers ORDER BY id")
    with _migrating(app):
        upgrade(revision="8d2f4a6c1e37")
        with db.engine.begin() as connection:
            for statement in (*_OUTBOX_ROWS[:4], *_OPTION_ROWS):
                connection.execute(text(statement), values)
            if connection.dialect.name == "postgresql":
                # The rows above name their ids: the answers' sequence goes on after them.
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence('survey_answers', 'id'), 5)")
                )
        upgrade()
        with db.engine.begin() as connection:
            options = dict(connection.execute(select(questions.c.id, questions.c.options)).all())
            assert options == {
                1: [{"key": "sooner", "label": "Sooner"}, {"key": "later", "label": "Later"}],
                2: [
                    {"key": "b", "label": "B"},
                    {"key": "b-2", "label": "b"},
                    {"key": "cote-divoire", "label": "Côte d'Ivoire"},
                ],
                3: [],
                4: [{"key": "option", "label": "ខ្មែរ"}, {"key": "english", "label": "English"}],
            }
            assert [tuple(row) for row in connection.execute(answers)] == [
                (1, 1, 1, "later"),
                (2, 1, 2, "b"),
                (3, 1, 2, "b-2"),
                (4, 1, 3, None),
                (5, 2, 4, "english"),
            ]
            waiting = select(responses.c.id, responses.c.pending_answers).order_by(responses.c.id)
            assert [tuple(row) for row in connection.execute(waiting)] == [
                (1, None),
                (2, {"q1": "option"}),
                (3, {"q1": "english"}),
            ]
        downgrade(revision="8d2f4a6c1e37")
        with db.engine.begin() as connection:
            options = dict(connection.execute(select(questions.c.id, questions.c.options)).all())
            assert options[2] == ["B", "b", "Côte d'Ivoire"]
            assert [row.choice for row in connection.execute(answers)] == [
                "Later",
                "B",
                "b",
                None,
                "English",
            ]
            assert connection.execute(waiting).all()[1][1] == {"q1": "ខ្មែរ"}
        downgrade(revision="base")


def _grid_rows_take_a_key_and_a_point(app: Flask) -> None:
    """The revision of grid questions: a grid question has a scale (no other question one),
    and its answers are rows with both a choice (the row's key) and a number (the point),
    which no other answer may be. Taken down, grid questions go with their answers; the
    other questions and answers stay, and the older checks hold again."""
    values = {
        **_RESPONSE_VALUES,
        "rows": json.dumps([{"key": "opening", "label": "Opening"}]),
    }
    answers = text("SELECT question_id, choice, number FROM survey_answers ORDER BY id")
    grid_row = "INSERT INTO survey_answers (response_id, question_id, choice, number)"
    with _migrating(app):
        upgrade(revision="e6b2c8d4a0f1")
        with db.engine.begin() as connection:
            for statement in _OUTBOX_ROWS[:4]:
                connection.execute(text(statement), values)
            connection.execute(
                text(
                    "INSERT INTO survey_questions (id, survey_id, key, position, kind, text,"
                    " required, options) VALUES (1, 1, 'q1', 0, 'rating', 'Rate', :no, '[]')"
                ),
                values,
            )
            connection.execute(
                text(
                    "INSERT INTO survey_responses (id, survey_id, participant_id, submitted_at)"
                    " VALUES (1, 1, 1, :at)"
                ),
                values,
            )
            connection.execute(
                text(
                    "INSERT INTO survey_answers (response_id, question_id, number) VALUES (1, 1, 4)"
                )
            )
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text(f"{grid_row} VALUES (1, 1, 'opening', 3)"))
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO survey_questions (id, survey_id, key, position, kind, text,"
                    " required, options, scale)"
                    " VALUES (2, 1, 'q2', 1, 'grid', 'Each', :no, :rows, 'likert')"
                ),
                values,
            )
            connection.execute(text(f"{grid_row} VALUES (1, 2, 'opening', 3)"))
            assert [tuple(row) for row in connection.execute(answers)] == [
                (1, None, 4),
                (2, "opening", 3),
            ]
        for wrong in (
            "UPDATE survey_questions SET scale = NULL WHERE id = 2",
            "UPDATE survey_questions SET scale = 'stars' WHERE id = 2",
            "UPDATE survey_questions SET scale = 'rating' WHERE id = 1",
            "UPDATE survey_answers SET text = 'x' WHERE question_id = 2",
        ):
            with pytest.raises(IntegrityError), db.engine.begin() as connection:
                connection.execute(text(wrong))
        downgrade(revision="e6b2c8d4a0f1")
        with db.engine.begin() as connection:
            assert [tuple(row) for row in connection.execute(answers)] == [(1, None, 4)]
            kinds = connection.execute(text("SELECT kind FROM survey_questions")).scalars()
            assert kinds.all() == ["rating"]
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text(f"{grid_row} VALUES (1, 1, 'opening', 3)"))
        downgrade(revision="base")


def test_there_is_a_revision() -> None:
    revisions = sorted(path.name for path in VERSIONS.glob("*.py"))
    assert revisions, f"{VERSIONS} holds no Alembic revision"


# What each database is migrated through: the schema against the models, then every revision
# that moves data, with the data it must keep.
CHECKS = [
    _upgrade_compare_downgrade,
    _outbox_claims_keep_the_data,
    _check_ins_keep_the_data,
    _search_text_is_filled_in,
    _sent_messages_lose_their_links,
    _edit_keys_keep_the_data,
    _logins_start_from_the_first_session_version,
    _batches_keep_the_data,
    _option_keys_replace_labels,
    _grid_rows_take_a_key_and_a_point,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__.strip("_"))
def test_on_sqlite(check: Any, tmp_path: Path, keep_logging: None) -> None:
    check(_app_for(f"sqlite:///{tmp_path / 'migrated.db'}", tmp_path))


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of the suite's own, dropped after."""
    suite_url = os.environ.get("MEETAPP_TEST_DATABASE_URL", "")
    if not suite_url.startswith(("postgresql", "postgres:")):
        pytest.skip("MEETAPP_TEST_DATABASE_URL does not name a PostgreSQL database")
    with postgres_database(suite_url, f"_migrations_{secrets.token_hex(4)}") as url:
        yield url


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__.strip("_"))
def test_on_postgresql(
    check: Any, fresh_postgres_url: str, tmp_path: Path, keep_logging: None
) -> None:
    check(_app_for(fresh_postgres_url, tmp_path))
