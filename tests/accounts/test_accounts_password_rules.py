"""New passwords must be hard to guess, wherever they are set: the admin's new-user and
edit-user forms, the account page, and `flask create-user`. A refusal says why beside the field
(or on the command line) and changes nothing."""

from __future__ import annotations

import secrets
import time

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from meetapp.accounts.passwords import (
    JUDGED_LENGTH,
    MAX_PASSWORD_LENGTH,
    PERSONAL,
    password_problem,
    personal_words,
)
from meetapp.models import User
from tests.conftest import PASSWORD

EMAIL = "sokha.chan@example.org"
NAME = "Sokha Chan"
# Long enough, and each too easy to guess, with (part of) what the refusal says.
WEAK = [
    ("password12", "This is a very common password."),
    ("0123456789", 'Sequences like "abc" or "6543" are easy to guess.'),
    ("qwertyuiop", "This is a top-100 common password."),
    ("aaaaaaaaaaaaaaa", 'Repeats like "aaa" are easy to guess.'),
    (EMAIL, "It contains the account's name or e-mail address."),
    ("Sokha.Chan+2019", "It contains the account's name or e-mail address."),
    ("meetapp2024!", "It contains the name of this app, meetapp."),
]
STRONG = [PASSWORD, "a brand new passphrase", "Tonle Sap floods every June"]


def _count(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize(("password", "reason"), WEAK)
def test_a_weak_password_is_refused_with_its_reason(password, reason):
    problem = password_problem(password, EMAIL, NAME)
    assert problem is not None
    assert problem.startswith("This password is too easy to guess.")
    assert reason in problem


@pytest.mark.parametrize("password", STRONG)
def test_a_strong_password_will_do(password):
    assert password_problem(password, EMAIL, NAME) is None


def test_the_demo_passwords_will_do():
    # `flask demo` makes its organiser's password with secrets.token_urlsafe(12).
    for _ in range(200):
        assert password_problem(secrets.token_urlsafe(12), "organiser@example.org", "Demo") is None


def test_personal_words():
    assert personal_words(EMAIL, NAME) == [
        EMAIL,
        "sokha chan",
        "sokha.chan",
        "meetapp",
        "sokha",
        "chan",
        "example",
        "org",
    ]


def test_a_long_password_is_judged_quickly_and_a_too_long_one_refused():
    words = "mekong delta rice fields glimmer under monsoon clouds while ferries cross "
    longest = (words * 10)[:MAX_PASSWORD_LENGTH]
    started = time.perf_counter()
    assert password_problem(longest) is None
    assert password_problem("0123456789" * 50) is not None
    assert time.perf_counter() - started < 2
    assert password_problem(longest + "x") == "The password may have at most 500 characters."
    # Only the first characters are judged: a weak start is not saved by what follows.
    assert password_problem("0123456789" * (JUDGED_LENGTH // 10) + longest[:100]) is not None


# --- where passwords are set --------------------------------------------------------------


@pytest.fixture
def admin_client(login_as, make_user):
    return login_as(make_user("admin", email="admin@example.org", name="Ada Admin"))


@pytest.mark.parametrize(("password", "reason"), WEAK)
def test_the_admin_cannot_give_a_new_user_a_weak_password(admin_client, db, password, reason):
    before = _count(db)
    response = admin_client.post(
        "/admin/users/new",
        data={
            "email": EMAIL,
            "name": NAME,
            "role": "organiser",
            "password": password,
            "confirm": password,
        },
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert '<div class="invalid-feedback d-block">This password is too easy to guess.' in text
    assert str(escape(reason)) in text
    assert _count(db) == before


@pytest.mark.parametrize("by", ["an admin", "the user"])
def test_a_new_password_made_of_the_name_is_refused(admin_client, db, make_user, new_client, by):
    user = make_user("staff", email=EMAIL, name=NAME)
    browser = new_client(user)
    weak = {"password": "Sokha Chan 2019", "confirm": "Sokha Chan 2019"}
    if by == "an admin":
        account = {"email": EMAIL, "name": NAME, "role": "staff", "active": "y"}
        response = admin_client.post(f"/admin/users/{user.id}/edit", data={**account, **weak})
    else:
        response = browser.post("/account/password", data={"current_password": PASSWORD, **weak})
    assert response.status_code == 200
    assert str(escape(PERSONAL)) in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(User, user.id).check_password(PASSWORD)
    assert browser.get("/").status_code == 200  # no login ended


@pytest.mark.parametrize(("password", "reason"), WEAK)
def test_create_user_refuses_a_weak_password(runner, db, password, reason):
    result = runner.invoke(
        args=["create-user", EMAIL, "--role", "admin", "--name", NAME, "--password-stdin"],
        input=password + "\n",
    )
    assert result.exit_code == 1
    assert "Error: This password is too easy to guess." in result.output
    assert reason in result.output
    assert "Traceback" not in result.output
    assert _count(db) == 0


def test_create_user_judges_the_password_against_the_address(runner, db):
    result = runner.invoke(
        args=["create-user", "root@example.org", "--role", "admin"],
        input="root@example.org\nroot@example.org\n",
    )
    assert result.exit_code == 1
    assert "It contains the account's name or e-mail address." in result.output
    assert _count(db) == 0


def test_create_user_takes_a_strong_password(runner, db):
    result = runner.invoke(
        args=["create-user", EMAIL, "--role", "staff", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert _count(db) == 1
