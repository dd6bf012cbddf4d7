"""`flask --app meetapp create-user`: from standard input or the interactive prompt."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from meetapp.models import User

GOOD = "a long enough password"


def _user(db, email: str) -> User | None:
    db.session.rollback()
    return db.session.scalar(select(User).where(User.email == email))


def _count(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(User))


def test_create_admin_from_stdin(runner, db, client):
    result = runner.invoke(
        args=["create-user", "Root@Example.org", "--role", "admin", "--password-stdin"],
        input=GOOD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin root@example.org." in result.output
    user = _user(db, "root@example.org")
    assert user is not None
    assert user.role == "admin"
    assert user.active
    assert user.name == "root"  # defaults to the part before @
    assert user.password_hash.startswith("scrypt:")
    assert GOOD not in user.password_hash

    response = client.post("/login", data={"email": "root@example.org", "password": GOOD})
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_create_user_with_a_name(runner, db):
    result = runner.invoke(
        args=[
            "create-user",
            "olga@example.org",
            "--role",
            "organiser",
            "--name",
            "Olga Organiser",
            "--password-stdin",
        ],
        input=GOOD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert _user(db, "olga@example.org").name == "Olga Organiser"


def test_interactive_prompt(runner, db):
    result = runner.invoke(
        args=["create-user", "staff@example.org", "--role", "staff"], input=f"{GOOD}\n{GOOD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert GOOD not in result.output  # hidden input
    user = _user(db, "staff@example.org")
    assert user is not None
    assert user.role == "staff"
    assert user.check_password(GOOD)


def test_interactive_prompt_asks_again_when_the_two_differ(runner, db):
    result = runner.invoke(
        args=["create-user", "staff@example.org", "--role", "staff"],
        input=f"{GOOD}\nsomething else!\n{GOOD}\n{GOOD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output.lower() or "don't match" in result.output.lower()
    assert _user(db, "staff@example.org").check_password(GOOD)


def test_duplicate_email_is_refused(runner, db, make_user):
    make_user("organiser", email="taken@example.org")
    before = _count(db)
    result = runner.invoke(
        args=["create-user", "TAKEN@example.org", "--role", "admin", "--password-stdin"],
        input=GOOD + "\n",
    )
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert _count(db) == before
    assert _user(db, "taken@example.org").role == "organiser"


@pytest.mark.parametrize("password", ["short", "", "123456789"])
def test_short_password_is_refused(runner, db, password):
    result = runner.invoke(
        args=["create-user", "root@example.org", "--role", "admin", "--password-stdin"],
        input=password + "\n",
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert _count(db) == 0


def test_short_password_at_the_prompt_is_refused(runner, db):
    result = runner.invoke(
        args=["create-user", "root@example.org", "--role", "admin"], input="pw\npw\n"
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert _count(db) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create-user", "not-an-address", "--role", "admin"], "Not a valid e-mail address"),
        (["create-user", "a@example.org", "--role", "root"], "Invalid value for '--role'"),
        (["create-user", "a@example.org"], "Missing option '--role'"),
        (
            ["create-user", "a@example.org", "--role", "staff", "--name", "n" * 10_000],
            "at most 200 characters",
        ),
    ],
)
def test_bad_arguments_are_refused(runner, db, args, message):
    result = runner.invoke(args=[*args, "--password-stdin"], input=GOOD + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert _count(db) == 0


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Dara\nAdmin", "Keep this on one line: remove the line breaks and tabs."),
        ("Dara\tAdmin", "Keep this on one line: remove the line breaks and tabs."),
        ("Dara\x00", "Remove the invisible control characters."),
    ],
)
def test_a_name_on_more_than_one_line_is_refused(runner, db, name, message):
    result = runner.invoke(
        args=["create-user", "dara@example.org", "--role", "staff", "--name", name],
        input=f"{GOOD}\n{GOOD}\n",
    )
    assert result.exit_code == 1
    assert message in result.output
    assert _count(db) == 0
