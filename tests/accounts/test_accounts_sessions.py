"""Logins end on the server: the cookies of a login that has ended open nothing when replayed.

An attacker who copied a browser's `session` cookie or its "Keep me logged in" cookie
(`remember_token`) replays it in a browser of their own. That must stop working once the login
has ended: its browser logged out, the user logged out their other sessions or changed their
password, an admin changed the password or deactivated the account. Logging out in one browser
leaves the user's other browsers logged in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import func, select, update

from meetapp.models import User, UserLogin
from tests.conftest import PASSWORD, csrf_token_from

NEW_PASSWORD = "a brand new passphrase"
COOKIES = ("session", "remember_token")


def _log_in(client, user, password=PASSWORD, remember=True):
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def _cookies(client) -> dict[str, str]:
    """The browser's login cookies, as an attacker would copy them."""
    found = {name: client.get_cookie(name) for name in COOKIES}
    assert all(found.values()), f"missing a login cookie: {found}"
    return {name: cookie.value for name, cookie in found.items()}


def _opens_the_dashboard(client) -> bool:
    """Whether the browser is logged in: the dashboard, or a redirect to the login page."""
    response = client.get("/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def _replays(new_client, cookies: dict[str, str]) -> dict[str, bool]:
    """Each copied cookie alone, and both together, in a browser of the attacker's own:
    which of them open the dashboard."""
    opened = {}
    for names in (("session",), ("remember_token",), COOKIES):
        attacker = new_client()
        for name in names:
            attacker.set_cookie(name, cookies[name])
        opened["+".join(names)] = _opens_the_dashboard(attacker)
    return opened


REFUSED = {"session": False, "remember_token": False, "session+remember_token": False}
OPENED = {"session": True, "remember_token": True, "session+remember_token": True}


def _save_user(admin_browser, user, active=True, password=None):
    """The admin saves the edit form of `user`, (de)activated, with a new password if given."""
    data = {"email": user.email, "name": user.name, "role": user.role}
    if active:
        data["active"] = "y"
    if password:
        data.update(password=password, confirm=password)
    assert admin_browser.post(f"/admin/users/{user.id}/edit", data=data).status_code == 302


def _login_rows(db, user) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(UserLogin).where(UserLogin.user_id == user.id)
    )


def test_copied_cookies_work_while_the_login_lasts(make_user, new_client):
    # The replays below are refused because the login ended, not because replaying never works.
    user = make_user("organiser")
    browser = _log_in(new_client(), user)
    assert _replays(new_client, _cookies(browser)) == OPENED


def test_logging_out_ends_that_login_only(db, make_user, new_client):
    user = make_user("organiser")
    laptop = _log_in(new_client(), user)
    phone = _log_in(new_client(), user)
    copied = _cookies(laptop)

    response = laptop.post("/logout")
    assert response.status_code == 302
    assert not _opens_the_dashboard(laptop)
    assert _replays(new_client, copied) == REFUSED

    # The user's other browser is still logged in, and a replay logged nobody in again.
    assert _opens_the_dashboard(phone)
    assert _login_rows(db, user) == 1


def test_every_login_gets_a_remember_cookie_of_its_own(app, make_user, new_client):
    user = make_user("organiser")
    first = _cookies(_log_in(new_client(), user))["remember_token"]
    browser = _log_in(new_client(), user)
    second = _cookies(browser)["remember_token"]
    assert first != second
    assert str(user.id) not in (first.split("|")[0], second.split("|")[0])

    # It lasts REMEMBER_COOKIE_DURATION (30 days unless configured), not a year.
    browser.post("/logout")
    response = browser.post(
        "/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    header = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")
    )
    expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
    lifetime = expires - datetime.now(UTC)
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    assert timedelta(days=29) < lifetime <= timedelta(days=30)


def test_log_out_other_sessions_keeps_this_browser(db, make_user, new_client):
    user = make_user("staff")
    here = _log_in(new_client(), user)
    elsewhere = _log_in(new_client(), user)
    here_before, elsewhere_before = _cookies(here), _cookies(elsewhere)
    assert "1 other browser or device is logged in as you" in here.get("/account").get_data(
        as_text=True
    )

    response = here.post("/account/sessions", follow_redirects=True)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Your other sessions are logged out." in text
    assert "No other browser or device is logged in as you." in text

    assert _opens_the_dashboard(here)
    assert not _opens_the_dashboard(elsewhere)
    assert _replays(new_client, elsewhere_before) == REFUSED
    # A copy of this browser's own cookies, taken before, is refused too: it has new ones.
    assert _replays(new_client, here_before) == REFUSED
    assert _replays(new_client, _cookies(here)) == OPENED
    assert _login_rows(db, user) == 1


def test_an_admin_setting_a_new_password_ends_every_login(db, make_user, new_client):
    admin = make_user("admin")
    user = make_user("organiser")
    victim = _log_in(new_client(), user)
    copied = _cookies(victim)

    admin_browser = _log_in(new_client(), admin)
    _save_user(admin_browser, user, password=NEW_PASSWORD)

    assert not _opens_the_dashboard(victim)
    assert _replays(new_client, copied) == REFUSED
    assert _login_rows(db, user) == 0
    assert _opens_the_dashboard(admin_browser)
    _log_in(new_client(), user, password=NEW_PASSWORD)


def test_an_admin_setting_their_own_new_password_stays_logged_in(db, make_user, new_client):
    admin = make_user("admin")
    here = _log_in(new_client(), admin)
    elsewhere = _log_in(new_client(), admin)
    copied = _cookies(here)
    _save_user(here, admin, password=NEW_PASSWORD)
    assert _opens_the_dashboard(here)
    assert not _opens_the_dashboard(elsewhere)
    assert _replays(new_client, copied) == REFUSED


def test_deactivation_ends_every_login_for_good(db, make_user, new_client):
    admin = make_user("admin")
    user = make_user("organiser")
    victim = _log_in(new_client(), user)
    copied = _cookies(victim)
    admin_browser = _log_in(new_client(), admin)

    _save_user(admin_browser, user, active=False)
    assert not _opens_the_dashboard(victim)
    assert _replays(new_client, copied) == REFUSED

    # Reactivating the account does not bring the old login back.
    _save_user(admin_browser, user)
    assert _replays(new_client, copied) == REFUSED
    assert _login_rows(db, user) == 0


def test_changing_my_password_ends_my_other_logins(db, make_user, new_client):
    user = make_user("organiser")
    here = _log_in(new_client(), user)
    elsewhere = _log_in(new_client(), user, remember=False)
    here_before = _cookies(here)
    elsewhere_session = elsewhere.get_cookie("session").value

    response = here.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Your password is changed." in response.get_data(as_text=True)

    assert _opens_the_dashboard(here)
    assert not _opens_the_dashboard(elsewhere)
    attacker = new_client()
    attacker.set_cookie("session", elsewhere_session)
    assert not _opens_the_dashboard(attacker)
    assert _replays(new_client, here_before) == REFUSED
    assert _replays(new_client, _cookies(here)) == OPENED

    db.session.rollback()
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)
    assert (
        new_client().post("/login", data={"email": user.email, "password": PASSWORD}).status_code
        == 200
    )  # the old password is refused


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"current_password": "not my password", "password": NEW_PASSWORD},
            "This is not your current password.",
        ),
        ({"current_password": PASSWORD, "password": "password12"}, "too easy to guess"),
        (
            {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": "another one!"},
            "The passwords do not match.",
        ),
        ({"current_password": "", "password": NEW_PASSWORD}, "This field is required."),
    ],
)
def test_a_refused_password_change_changes_nothing(db, make_user, new_client, data, message):
    user = make_user("organiser")
    here = _log_in(new_client(), user)
    elsewhere = _log_in(new_client(), user)
    copied = _cookies(here)
    data = {"confirm": data["password"], **data}

    response = here.post("/account/password", data=data)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert message in text
    assert "invalid-feedback" in text  # beside the field

    db.session.rollback()
    stored = db.session.get(User, user.id)
    assert stored.check_password(PASSWORD)
    assert stored.session_version == 1
    assert _opens_the_dashboard(here)
    assert _opens_the_dashboard(elsewhere)
    assert _replays(new_client, copied) == OPENED


def test_wrong_current_passwords_are_rate_limited(app, db, make_user, new_client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    user = make_user("organiser")
    here = _log_in(new_client(), user)
    wrong = {"current_password": "guess number one", "password": NEW_PASSWORD}
    for _ in range(3):
        response = here.post("/account/password", data={**wrong, "confirm": NEW_PASSWORD})
        assert response.status_code == 200
    right = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert here.post("/account/password", data=right).status_code == 429
    db.session.rollback()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_an_expired_login_is_refused(db, make_user, new_client):
    user = make_user("organiser")
    browser = _log_in(new_client(), user)
    copied = _cookies(browser)
    db.session.execute(
        update(UserLogin)
        .where(UserLogin.user_id == user.id)
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    db.session.commit()
    assert not _opens_the_dashboard(browser)
    assert _replays(new_client, copied) == REFUSED


@pytest.mark.parametrize("shape", ["bare user id", "another secret", "another login's id"])
def test_a_forged_login_key_is_refused(make_user, new_client, shape):
    """Even with the secret key that signs the cookies: the server checks the login itself."""
    user = make_user("admin")
    other = make_user("admin")
    browser = _log_in(new_client(), user)
    _log_in(new_client(), other)
    with browser.session_transaction() as session:
        login_id, _, secret = session["_user_id"].partition(":")
        session["_user_id"] = {
            "bare user id": str(user.id),
            "another secret": f"{login_id}:{'A' * len(secret)}",
            "another login's id": f"{int(login_id) + 1}:{secret}",
        }[shape]
    browser.delete_cookie("remember_token")
    assert not _opens_the_dashboard(browser)


def test_the_account_page_is_in_the_menu_and_its_forms_need_csrf(
    db, make_user, new_client, csrf_enabled
):
    user = make_user("staff", name="Sam Staff")
    here, elsewhere = new_client(user), new_client(user)
    page = here.get("/account")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'href="/account"' in here.get("/").get_data(as_text=True)
    for expected in ("Sam Staff", user.email, "Change my password", "Log out other sessions"):
        assert expected in text

    assert here.post("/account/sessions").status_code == 400
    data = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert here.post("/account/password", data=data).status_code == 400
    assert _opens_the_dashboard(elsewhere)
    db.session.rollback()
    assert db.session.get(User, user.id).check_password(PASSWORD)

    token = csrf_token_from(text)
    assert here.post("/account/sessions", data={"csrf_token": token}).status_code == 302
    assert not _opens_the_dashboard(elsewhere)
    assert _opens_the_dashboard(here)


def test_the_account_page_needs_a_login(client):
    for method, url in (("GET", "/account"), ("POST", "/account/password")):
        response = client.open(url, method=method)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
