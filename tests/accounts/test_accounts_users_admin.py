"""The admin's user management: list, create, edit, delete, and who may reach it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from meetapp.models import Meeting, User, meeting_organisers
from tests.conftest import PASSWORD, csrf_token_from

NEW_PASSWORD = "a brand new passphrase"


def _users(db) -> list[User]:
    db.session.rollback()
    return list(db.session.scalars(select(User).order_by(User.id)))


def _count(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(User))


def _new_user_data(**overrides):
    data = {
        "email": "New.Person@Example.org",
        "name": "New Person",
        "role": "staff",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def _edit_data(user: User, **overrides):
    data = {"email": user.email, "name": user.name, "role": user.role}
    if user.active:
        data["active"] = "y"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def admin(make_user):
    return make_user("admin", email="admin@example.org", name="Ada Admin")


@pytest.fixture
def admin_client(login_as, admin):
    return login_as(admin)


# --- list ---------------------------------------------------------------------------------


def test_users_page_lists_every_user(admin_client, make_user):
    make_user("organiser", email="olga@example.org", name="Olga Organiser")
    make_user("staff", email="sam@example.org", name="Sam Staff", active=False)
    response = admin_client.get("/admin/users")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for expected in ("admin@example.org", "Olga Organiser", "Sam Staff", "organiser", "staff"):
        assert expected in text
    assert 'href="/admin/users/new"' in text
    assert "Users" in text


# --- create -------------------------------------------------------------------------------


def test_admin_creates_a_user_who_can_log_in(admin_client, db, new_client):
    page = admin_client.get("/admin/users/new")
    assert page.status_code == 200
    response = admin_client.post("/admin/users/new", data=_new_user_data())
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"

    db.session.rollback()
    created = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert created is not None
    assert created.name == "New Person"
    assert created.role == "staff"
    assert created.active
    assert created.password_hash.startswith("scrypt:")
    assert "Created the user new.person@example.org." in admin_client.get("/admin/users").get_data(
        as_text=True
    )

    other = new_client()
    response = other.post(
        "/login", data={"email": "new.person@example.org", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"email": ""}, "This field is required."),
        ({"name": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"password": "", "confirm": ""}, "This field is required."),
        ({"email": "not-an-address"}, "Not a valid e-mail address"),
        ({"email": "a@b"}, "Not a valid e-mail address"),
        ({"email": "x" * 10_000 + "@example.org"}, "Field cannot be longer than 254 characters."),
        ({"name": "n" * 10_000}, "Field cannot be longer than 200 characters."),
        ({"password": "p" * 10_000, "confirm": "p" * 10_000}, "between 10 and 500 characters"),
        ({"password": "short", "confirm": "short"}, "between 10 and 500 characters"),
        ({"confirm": "something else entirely"}, "The passwords do not match."),
        ({"role": "superuser"}, "Not a valid choice"),
        ({"role": ""}, "Not a valid choice"),
        ({"email": "ADMIN@example.org"}, "already exists"),
        ({"email": "  Admin@Example.ORG "}, "already exists"),
    ],
)
def test_bad_new_user_input_is_a_form_error(admin_client, db, overrides, field_error):
    before = _count(db)
    response = admin_client.post("/admin/users/new", data=_new_user_data(**overrides))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert field_error in text
    assert "invalid-feedback" in text  # beside the field
    assert _count(db) == before


def test_new_user_form_keeps_the_input(admin_client):
    response = admin_client.post(
        "/admin/users/new", data=_new_user_data(email="kept@example.org", confirm="mismatch!!!")
    )
    text = response.get_data(as_text=True)
    assert 'value="kept@example.org"' in text
    assert 'value="New Person"' in text
    assert NEW_PASSWORD not in text  # passwords are never echoed back


def test_html_in_a_name_is_shown_escaped(admin_client, db):
    name = '<script>alert("x")</script><b>Bold</b>'
    response = admin_client.post("/admin/users/new", data=_new_user_data(name=name))
    assert response.status_code == 302
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user.name == name
    for url in ("/admin/users", f"/admin/users/{user.id}/edit"):
        text = admin_client.get(url).get_data(as_text=True)
        assert "<script>alert(" not in text
        assert "<b>Bold</b>" not in text
        assert "&lt;script&gt;" in text


# --- edit ---------------------------------------------------------------------------------


def test_admin_edits_a_user(admin_client, db, make_user, new_client):
    user = make_user("organiser", email="olga@example.org", name="Olga")
    page = admin_client.get(f"/admin/users/{user.id}/edit")
    assert page.status_code == 200
    assert 'value="olga@example.org"' in page.get_data(as_text=True)

    response = admin_client.post(
        f"/admin/users/{user.id}/edit",
        data=_edit_data(
            user,
            email="Olga.New@Example.org",
            name="Olga Renamed",
            role="staff",
            password=NEW_PASSWORD,
            confirm=NEW_PASSWORD,
        ),
    )
    assert response.status_code == 302
    db.session.rollback()
    changed = db.session.get(User, user.id)
    assert (changed.email, changed.name, changed.role, changed.active) == (
        "olga.new@example.org",
        "Olga Renamed",
        "staff",
        True,
    )
    other = new_client()
    assert (
        other.post("/login", data={"email": changed.email, "password": PASSWORD}).status_code == 200
    )
    assert (
        other.post("/login", data={"email": changed.email, "password": NEW_PASSWORD}).status_code
        == 302
    )


def test_editing_without_a_password_keeps_the_old_one(admin_client, db, make_user):
    user = make_user("organiser")
    old_hash = user.password_hash
    response = admin_client.post(
        f"/admin/users/{user.id}/edit", data=_edit_data(user, name="Another Name")
    )
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(User, user.id).password_hash == old_hash


def test_admin_deactivates_a_user(admin_client, db, make_user):
    user = make_user("organiser")
    response = admin_client.post(f"/admin/users/{user.id}/edit", data=_edit_data(user, active=None))
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(User, user.id).active is False
    assert ">no<" in admin_client.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"email": ""}, "This field is required."),
        ({"name": ""}, "This field is required."),
        ({"email": "no-at-sign"}, "Not a valid e-mail address"),
        ({"email": "x" * 10_000}, "Field cannot be longer than 254 characters."),
        ({"name": "n" * 10_000}, "Field cannot be longer than 200 characters."),
        ({"password": "short", "confirm": "short"}, "between 10 and 500 characters"),
        ({"password": NEW_PASSWORD, "confirm": "different one!"}, "The passwords do not match."),
        ({"confirm": "only the confirmation"}, "The passwords do not match."),
        ({"role": "root"}, "Not a valid choice"),
        ({"email": "ADMIN@EXAMPLE.ORG"}, "already exists"),
    ],
)
def test_bad_edit_input_is_a_form_error(admin_client, db, make_user, overrides, field_error):
    user = make_user("organiser", email="olga@example.org", name="Olga")
    old_hash = user.password_hash
    response = admin_client.post(f"/admin/users/{user.id}/edit", data=_edit_data(user, **overrides))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert field_error in text
    assert "invalid-feedback" in text
    db.session.rollback()
    unchanged = db.session.get(User, user.id)
    assert (unchanged.email, unchanged.name, unchanged.role, unchanged.password_hash) == (
        "olga@example.org",
        "Olga",
        "organiser",
        old_hash,
    )


def test_email_may_keep_its_own_address_in_another_case(admin_client, db, make_user):
    user = make_user("organiser", email="olga@example.org")
    response = admin_client.post(
        f"/admin/users/{user.id}/edit", data=_edit_data(user, email="OLGA@example.org")
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"role": "organiser"}, "You cannot change your own role."),
        ({"active": None}, "You cannot deactivate your own account."),
    ],
)
def test_admin_cannot_demote_or_deactivate_themselves(admin_client, admin, db, overrides, message):
    response = admin_client.post(
        f"/admin/users/{admin.id}/edit", data=_edit_data(admin, **overrides)
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.rollback()
    me = db.session.get(User, admin.id)
    assert (me.role, me.active) == ("admin", True)
    assert admin_client.get("/admin/users").status_code == 200


def test_admin_may_rename_themselves(admin_client, admin, db):
    response = admin_client.post(
        f"/admin/users/{admin.id}/edit", data=_edit_data(admin, name="Ada Renamed")
    )
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(User, admin.id).name == "Ada Renamed"


# --- delete -------------------------------------------------------------------------------


def test_admin_deletes_a_user_and_their_team_places(admin_client, db, make_user, make_meeting):
    keep = make_user("organiser")
    gone = make_user("organiser", email="gone@example.org")
    meeting = make_meeting(organisers=[keep, gone])
    gone_id = gone.id
    edit_page = admin_client.get(f"/admin/users/{gone_id}/edit").get_data(as_text=True)
    assert f'action="/admin/users/{gone_id}/delete"' in edit_page

    response = admin_client.post(f"/admin/users/{gone_id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users"
    assert "Deleted the user gone@example.org." in admin_client.get("/admin/users").get_data(
        as_text=True
    )

    db.session.rollback()
    assert db.session.get(User, gone_id) is None
    team = db.session.scalars(
        select(meeting_organisers.c.user_id).where(meeting_organisers.c.meeting_id == meeting.id)
    ).all()
    assert team == [keep.id]
    assert db.session.get(Meeting, meeting.id) is not None


def test_admin_cannot_delete_themselves(admin_client, admin, db):
    page = admin_client.get(f"/admin/users/{admin.id}/edit").get_data(as_text=True)
    assert f"/admin/users/{admin.id}/delete" not in page
    response = admin_client.post(f"/admin/users/{admin.id}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert "You cannot delete your own account." in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(User, admin.id) is not None


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/users/{}/edit"),
        ("post", "/admin/users/{}/edit"),
        ("post", "/admin/users/{}/delete"),
    ],
)
def test_forged_user_id_is_404(admin_client, admin, method, url):
    for forged in (admin.id + 1000, 0):
        response = getattr(admin_client, method)(url.format(forged))
        assert response.status_code == 404
    assert admin_client.get("/admin/users/abc/edit").status_code == 404
    assert admin_client.get("/admin/users/-1/edit").status_code == 404


# --- who may -----------------------------------------------------------------------------

ADMIN_URLS = [
    ("get", "/admin/users"),
    ("get", "/admin/users/new"),
    ("post", "/admin/users/new"),
    ("get", "/admin/users/{id}/edit"),
    ("post", "/admin/users/{id}/edit"),
    ("post", "/admin/users/{id}/delete"),
]


@pytest.mark.parametrize("role", ["organiser", "staff"])
def test_non_admins_are_forbidden_everywhere(login_as, make_user, db, role):
    target = make_user("organiser", email="target@example.org", name="Target")
    client = login_as(make_user(role))
    before = _count(db)
    for method, url in ADMIN_URLS:
        response = getattr(client, method)(
            url.format(id=target.id), data=_new_user_data(email="sneaky@example.org")
        )
        assert response.status_code == 403, (method, url)
    db.session.rollback()
    assert _count(db) == before
    unchanged = db.session.get(User, target.id)
    assert (unchanged.email, unchanged.name) == ("target@example.org", "Target")


def test_anonymous_visitors_are_sent_to_login(client, make_user, db):
    target = make_user("organiser", email="target@example.org")
    before = _count(db)
    for method, url in ADMIN_URLS:
        response = getattr(client, method)(url.format(id=target.id), data=_new_user_data())
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login?next=")
    assert _count(db) == before


# --- CSRF ---------------------------------------------------------------------------------


def test_csrf_is_enforced_on_the_user_forms(admin, make_user, new_client, db, csrf_enabled):
    client = new_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    target = make_user("organiser", email="target@example.org", name="Target")
    before = _count(db)

    assert client.post("/admin/users/new", data=_new_user_data()).status_code == 400
    response = client.post(
        f"/admin/users/{target.id}/edit", data=_edit_data(target, name="Changed")
    )
    assert response.status_code == 400
    assert client.post(f"/admin/users/{target.id}/delete").status_code == 400
    bad = client.post(f"/admin/users/{target.id}/delete", data={"csrf_token": "forged"})
    assert bad.status_code == 400

    db.session.rollback()
    assert _count(db) == before
    assert db.session.get(User, target.id).name == "Target"

    # With the token from the page, the same requests go through.
    token = csrf_token_from(client.get("/admin/users/new").get_data(as_text=True))
    response = client.post("/admin/users/new", data={**_new_user_data(), "csrf_token": token})
    assert response.status_code == 302
    token = csrf_token_from(client.get(f"/admin/users/{target.id}/edit").get_data(as_text=True))
    response = client.post(f"/admin/users/{target.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert _count(db) == before


def test_every_error_of_the_new_user_form_is_shown_at_once(admin_client, db):
    response = admin_client.post(
        "/admin/users/new",
        data=_new_user_data(email="bad", name="", password="short", confirm="other"),
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for message in (
        "Not a valid e-mail address",
        "This field is required.",
        "between 10 and 500 characters",
        "The passwords do not match.",
    ):
        assert message in text
    assert 'value="bad"' in text
    assert _count(db) == 1
