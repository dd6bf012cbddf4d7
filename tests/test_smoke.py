def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Log in" in response.get_data(as_text=True)


def test_login_and_logout(client, make_user):
    user = make_user("organiser")
    response = client.post(
        "/login", data={"email": user.email.upper(), "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    response = client.post("/logout")
    assert response.status_code == 302


def test_wrong_password_is_refused(client, make_user):
    user = make_user("organiser")
    response = client.post("/login", data={"email": user.email, "password": "wrong password!"})
    assert response.status_code == 200
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
