"""Logging in and out: credentials, inactive accounts, the rate limit, safe redirects."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from meetapp.accounts.routes import safe_next_url
from meetapp.accounts.services import normalise_email
from meetapp.models import User
from tests.conftest import PASSWORD, UNICODE_EMAIL, UNICODE_EMAIL_TYPED, csrf_token_from


def test_login_then_logout(client, make_user):
    user = make_user("organiser", name="Olga Organiser")
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"

    page = client.get("/admin/users")  # any page that needs a login: 403, not a redirect
    assert page.status_code == 403

    response = client.post("/logout", follow_redirects=True)
    assert response.status_code == 200
    assert "You are logged out." in response.get_data(as_text=True)
    after = client.get("/admin/users")
    assert after.status_code == 302
    assert after.headers["Location"].startswith("/login")


def test_logout_needs_post(client, login_as, make_user):
    login_as(make_user("staff"))
    assert client.get("/logout").status_code == 405


def test_wrong_password_and_unknown_email_look_the_same(client, make_user):
    user = make_user("organiser")
    wrong = client.post("/login", data={"email": user.email, "password": "not the password"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": PASSWORD})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Wrong e-mail or password." in response.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 302  # still anonymous


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"email": "", "password": ""},
        {"email": "x" * 10_000 + "@example.org", "password": "p" * 10_000},
        {"email": "<script>alert(1)</script>", "password": PASSWORD},
    ],
)
def test_bad_login_input_is_a_form_error(client, make_user, data):
    make_user("organiser")
    response = client.post("/login", data=data)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text
    assert "invalid-feedback" in text


def test_inactive_user_cannot_log_in(client, make_user):
    user = make_user("organiser", active=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 302


def test_deactivated_user_is_logged_out_on_next_request(db, make_user, new_client):
    admin = make_user("admin")
    victim = make_user("admin")
    admin_client = new_client()
    victim_client = new_client()
    admin_client.post("/login", data={"email": admin.email, "password": PASSWORD})
    victim_client.post("/login", data={"email": victim.email, "password": PASSWORD})
    assert victim_client.get("/admin/users").status_code == 200

    response = admin_client.post(
        f"/admin/users/{victim.id}/edit",
        data={"email": victim.email, "name": victim.name, "role": "admin"},  # active unticked
    )
    assert response.status_code == 302

    response = victim_client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")

    # Reactivating the account does not revive the old session.
    db.session.rollback()
    db.session.get(User, victim.id).active = True
    db.session.commit()
    assert victim_client.get("/admin/users").status_code == 302


def test_remembered_login_of_deactivated_user_is_refused(db, client, make_user):
    user = make_user("admin")
    client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None
    db.session.get(User, user.id).active = False
    db.session.commit()
    client.delete_cookie("session")  # a new browser session, the remember cookie only
    assert client.get("/admin/users").status_code == 302


def test_failed_logins_are_rate_limited(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    user = make_user("organiser")
    for _ in range(3):
        response = client.post("/login", data={"email": user.email, "password": "wrong password"})
        assert response.status_code == 200
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    # The login page itself can still be read.
    assert client.get("/login").status_code == 200
    # Nobody got logged in by the refused attempt.
    assert client.get("/admin/users").status_code == 302


def test_successful_logins_do_not_use_up_the_limit(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    user = make_user("organiser")
    for _ in range(4):
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        client.post("/logout")
    for _ in range(3):
        response = client.post("/login", data={"email": user.email, "password": "wrong password"})
        assert response.status_code == 200
    response = client.post("/login", data={"email": user.email, "password": "wrong password"})
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/meetings/m-1", "/meetings/m-1"),
        ("/admin/users?x=1", "/admin/users?x=1"),
        ("//elsewhere.example", None),
        ("//elsewhere.example/path", None),
        ("https://x", None),
        ("http://elsewhere.example/", None),
        ("javascript:alert(1)", None),
        ("/\\evil", None),
        ("\\\\evil", None),
        ("/\\/evil.example", None),
        (" //elsewhere.example", None),
        ("/\t/elsewhere.example", None),
        ("relative/path", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_next_url(target, expected):
    assert safe_next_url(target) == expected


@pytest.mark.parametrize(
    "target", ["//elsewhere.example", "https://x", "javascript:alert(1)", "/\\evil"]
)
def test_login_ignores_foreign_next(client, make_user, target):
    user = make_user("organiser")
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_local_next(client, make_user):
    user = make_user("admin")
    response = client.get("/admin/users")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert "next=" in login_url
    response = client.post(login_url, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"


def test_csrf_is_enforced_on_login_and_logout(client, make_user, csrf_enabled):
    user = make_user("organiser")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302

    assert client.post("/logout").status_code == 400
    assert client.get("/admin/users").status_code == 403  # still logged in

    page = client.get("/admin/users").get_data(as_text=True)  # the 403 page has the menu
    response = client.post("/logout", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 302


def test_users_are_stored_with_lowercase_email(db, make_user):
    make_user("organiser", email="someone@example.org")
    assert db.session.scalar(select(User.email)) == "someone@example.org"


def test_a_unicode_address_typed_otherwise_logs_in(client, make_user):
    make_user("organiser", email=UNICODE_EMAIL)
    response = client.post("/login", data={"email": UNICODE_EMAIL_TYPED, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "typed",
    [" Sokha.Chan+Mekong@Example.ORG ", "o'brien@sub.example.org", "A_B-C@EXAMPLE.CO.UK"],
)
def test_plain_ascii_addresses_are_stored_as_they_always_were(typed):
    # Addresses stored before stay what they were: for ASCII the normal form is strip and lower.
    assert normalise_email(typed) == typed.strip().lower()


def test_the_normal_form_of_a_unicode_address():
    assert normalise_email(UNICODE_EMAIL_TYPED) == UNICODE_EMAIL
    assert UNICODE_EMAIL_TYPED.strip().lower() != UNICODE_EMAIL
