"""Who may use the participant screens: team organisers and admins change, staff read and
check people in, organisers of other meetings see nothing, anonymous visitors are sent to log
in."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token_from

READ_URLS = [
    "/participants",
    "/participants.csv",
    "/participants.xlsx",
    "/checkin",
    "/checkin/search?q=a",
]
WRITE_FORM_URLS = ["/participants/new", "/participants/{id}/edit", "/participants/import"]
CHECKIN_URL = "/checkin/{id}"
POST_URLS = [
    "/participants/new",
    "/participants/{id}/edit",
    "/participants/{id}/cancel",
    "/participants/{id}/promote",
    "/participants/{id}/link",
    CHECKIN_URL,
    "/participants/import",
]


@pytest.fixture
def person(setup, make_participant):
    return make_participant(setup.meeting, name="Target Person", status="waitlisted")


def urls(setup, person, paths):
    return [setup.base + path.format(id=person.id) for path in paths]


POST_DATA = {
    "name": "Changed",
    "email": "changed@example.org",
    "attended": "1",
    "csv_text": "name,email\nNew,new@example.org\n",
}


def assert_unchanged(setup, person):
    fresh = setup.reload(person)
    assert (fresh.name, fresh.status, fresh.attended) == ("Target Person", "waitlisted", False)
    assert fresh.token_hash is None  # no personal link was made
    assert len(setup.participants()) == 1


def test_organiser_of_another_meeting_gets_404_everywhere(
    setup, person, make_user, new_client, make_meeting
):
    outsider = make_user("organiser")
    make_meeting(organisers=[outsider], slug="their-own")
    client = new_client(outsider)
    for url in urls(setup, person, READ_URLS + WRITE_FORM_URLS):
        assert client.get(url).status_code in (403, 404), url
    for url in urls(setup, person, POST_URLS):
        assert client.post(url, data=POST_DATA).status_code in (403, 404), url
    assert_unchanged(setup, person)


def test_staff_read_and_every_post_but_check_in_is_forbidden(setup, person, make_user, new_client):
    client = new_client(make_user("staff"))
    for url in urls(setup, person, READ_URLS):
        assert client.get(url).status_code == 200, url
    for url in urls(setup, person, WRITE_FORM_URLS):
        assert client.get(url).status_code == 403, url
    for url in urls(setup, person, [path for path in POST_URLS if path != CHECKIN_URL]):
        assert client.post(url, data=POST_DATA).status_code == 403, url
    assert_unchanged(setup, person)
    page = client.get(f"{setup.base}/participants").get_data(as_text=True)
    assert "Target Person" in page
    assert "Give a seat" not in page
    assert "Add a participant" not in page


def test_staff_check_in_and_undo(setup, make_user, new_client, make_participant):
    person = make_participant(setup.meeting, name="Sokha Chan")
    client = new_client(make_user("staff"))
    url = f"{setup.base}/checkin/{person.id}"
    page = client.get(f"{setup.base}/checkin?q=sokha").get_data(as_text=True)
    assert ">Check in</button>" in page
    assert "Add a participant" not in page  # the check-in page's tabs: no other change

    response = client.post(url, data={"attended": "1", "q": "sokha"})
    assert response.status_code == 302
    fresh = setup.reload(person)
    assert fresh.attended is True
    assert fresh.checked_in_at is not None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sokha Chan is checked in." in page
    assert ">Undo</button>" in page

    response = client.post(
        url, data={"attended": "0", "q": "sokha"}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 200
    assert "Check-in of Sokha Chan undone." in response.get_data(as_text=True)
    assert ">Check in</button>" in response.get_data(as_text=True)
    assert setup.reload(person).attended is False


def test_organiser_of_another_meeting_cannot_check_in(
    setup, make_user, new_client, make_meeting, make_participant
):
    person = make_participant(setup.meeting, name="Sokha Chan")
    outsider = make_user("organiser")
    make_meeting(organisers=[outsider], slug="their-own")
    client = new_client(outsider)
    assert client.get(f"{setup.base}/checkin?q=sokha").status_code == 404
    response = client.post(f"{setup.base}/checkin/{person.id}", data={"attended": "1"})
    assert response.status_code == 404
    assert setup.reload(person).attended is False


@pytest.mark.usefixtures("csrf_enabled")
def test_csrf_is_enforced_on_the_check_in_of_staff(setup, make_user, new_client, make_participant):
    person = make_participant(setup.meeting, name="Sokha Chan")
    client = new_client(make_user("staff"))
    url = f"{setup.base}/checkin/{person.id}"
    assert client.post(url, data={"attended": "1"}).status_code == 400
    assert setup.reload(person).attended is False
    page = client.get(f"{setup.base}/checkin?q=sokha").get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token_from(page), "attended": "1"})
    assert response.status_code == 302
    assert setup.reload(person).attended is True


def test_admin_may_do_everything(setup, person, make_user, new_client):
    client = new_client(make_user("admin"))
    for url in urls(setup, person, READ_URLS + WRITE_FORM_URLS):
        assert client.get(url).status_code == 200, url
    response = client.post(f"{setup.base}/participants/{person.id}/promote")
    assert response.status_code == 302
    assert setup.reload(person).status == "registered"


def test_anonymous_visitors_are_sent_to_log_in(setup, person, new_client):
    client = new_client()
    for url in urls(setup, person, READ_URLS + WRITE_FORM_URLS):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]
    for url in urls(setup, person, POST_URLS):
        response = client.post(url, data=POST_DATA)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]
    assert_unchanged(setup, person)


def test_unknown_meeting_is_not_found(setup):
    assert setup.client.get("/meetings/no-such-meeting/participants").status_code == 404
    assert setup.client.post("/meetings/no-such-meeting/checkin/1", data={}).status_code == 404


@pytest.mark.usefixtures("csrf_enabled")
def test_csrf_is_enforced_on_every_post(setup, person):
    for url in urls(setup, person, POST_URLS):
        assert setup.client.post(url, data=POST_DATA).status_code == 400, url
    assert_unchanged(setup, person)
    page = setup.client.get(f"{setup.base}/participants").get_data(as_text=True)
    token = csrf_token_from(page)
    response = setup.client.post(
        f"{setup.base}/participants/{person.id}/promote", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert setup.reload(person).status == "registered"
    checkin = setup.client.get(f"{setup.base}/checkin?q=target").get_data(as_text=True)
    response = setup.client.post(
        f"{setup.base}/checkin/{person.id}",
        data={"csrf_token": csrf_token_from(checkin), "attended": "1"},
    )
    assert response.status_code == 302
    assert setup.reload(person).attended is True
