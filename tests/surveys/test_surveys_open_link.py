"""The open link for the room (`/o/<key>`): the organiser's settings, the projector page, the
code, one response per browser, what the results count, and the rate limits that stop a flood
from one browser without blocking a room behind one address."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from meetapp.models import Survey, SurveyAnswer, SurveyResponse
from meetapp.surveys.open_link import OpenLinkSettings, update_open_link
from meetapp.surveys.results import survey_results
from meetapp.surveys.services import get_survey
from tests.concurrency import run_together
from tests.surveys.conftest import good_answers

ROOM = {"REMOTE_ADDR": "203.0.113.7"}  # one Wi-Fi address for the whole room


def open_survey(db, survey: Survey, code: str | None = None, counts: bool = True) -> str:
    """Turn the survey's open link on; returns its key."""
    survey = db.session.get(Survey, survey.id)
    update_open_link(survey, OpenLinkSettings(enabled=True, code=code, counts_with_invited=counts))
    db.session.commit()
    return str(survey.open_key)


def responses(db) -> list[SurveyResponse]:
    db.session.rollback()
    return list(db.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)))


@pytest.fixture
def room(organiser_setup, make_survey, db):
    """(organiser, meeting, survey, open key) of a tracked survey with every kind of question."""

    def make(code: str | None = None, counts: bool = True, **survey_options: Any):
        organiser, meeting = organiser_setup(title="Dialogue on Migration")
        survey = make_survey(meeting, **survey_options)
        return organiser, meeting, survey, open_survey(db, survey, code, counts)

    return make


def test_the_organiser_turns_the_open_link_on_with_a_code(
    client, db, organiser_setup, make_survey, login_as
):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting)
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/open-link"
    page = client.get(url).get_data(as_text=True)
    assert "The open link is off" in page
    assert client.get(f"{url}/screen").status_code == 302  # nothing to show yet

    bad = client.post(url, data={"enabled": "y", "code": "no spaces!"})
    assert bad.status_code == 422
    assert "letters (A-Z) or digits" in bad.get_data(as_text=True)
    assert db.session.get(Survey, survey.id).open_link is False

    saved = client.post(url, data={"enabled": "y", "code": " Room7 "})
    assert saved.status_code == 302
    stored = db.session.get(Survey, survey.id)
    assert (stored.open_link, stored.open_code, stored.open_counts_with_invited) == (
        True,
        "Room7",
        False,  # an unticked box
    )
    assert re.fullmatch(r"[2-9a-z]{10}", stored.open_key)
    page = client.get(url).get_data(as_text=True)
    assert f"localhost/o/{stored.open_key}" in page
    assert "Room7" in page

    # Turned off and on again, it keeps its address (a printed code keeps working).
    key = stored.open_key
    client.post(url, data={"code": ""})
    db.session.rollback()
    assert db.session.get(Survey, survey.id).open_link is False
    assert client.get(f"/o/{key}").status_code == 404
    client.post(url, data={"enabled": "y"})
    db.session.rollback()
    assert db.session.get(Survey, survey.id).open_key == key
    assert client.get(f"/o/{key}").status_code == 200


def test_staff_see_the_projector_page_but_cannot_change_the_settings(
    client, db, room, make_user, login_as
):
    _organiser, meeting, survey, key = room(code="ROOM7")
    staff = make_user("staff")
    login_as(staff)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}/open-link"
    assert client.get(base).status_code == 200
    assert client.post(base, data={"enabled": "y"}).status_code == 403
    screen = client.get(f"{base}/screen")
    assert screen.status_code == 200
    text = screen.get_data(as_text=True)
    assert '<svg role="img"' in text
    assert 'class="qr-code"' in text
    assert "viewBox" in text  # sized by the page, as large as the screen allows
    assert f"localhost/o/{key}" in text
    assert "ROOM7" not in text  # the code is said aloud, not projected
    assert "<nav" not in text  # no navigation
    assert "Post-meeting survey" in text


def test_a_browser_answers_once_after_the_code(client, db, room):
    _organiser, _meeting, survey, key = room(code="Room7")
    page = client.get(f"/o/{key}", environ_base=ROOM)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "Enter the code given in the room" in text
    assert 'name="q-q1"' not in text
    assert client.post(f"/o/{key}", data=good_answers()).status_code == 403

    wrong = client.post(f"/o/{key}/code", data={"code": "room8"})
    assert wrong.status_code == 422
    assert "This is not the code" in wrong.get_data(as_text=True)
    right = client.post(f"/o/{key}/code", data={"code": " ROOM7 "})
    assert right.status_code == 302
    text = client.get(f"/o/{key}").get_data(as_text=True)
    assert 'name="q-q1"' in text
    assert "Your answers are stored without your name." in text

    sent = client.post(f"/o/{key}", data=good_answers())
    assert sent.status_code == 302
    thanks = client.get(f"/o/{key}").get_data(as_text=True)
    assert "Thank you: your answers are saved." in thanks
    assert "Your answers were received from this browser" in thanks
    again = client.post(f"/o/{key}", data=good_answers(**{"q-q1": "disagree"}))
    assert again.status_code == 409
    assert "Your answers were received from this browser" in again.get_data(as_text=True)

    [response] = responses(db)
    assert response.via_open_link
    assert response.participant_id is None
    assert response.stakeholder_group_id is None
    assert response.language == "en"
    assert response.edit_key is not None
    assert db.session.scalar(
        select(SurveyAnswer.choice).where(
            SurveyAnswer.response_id == response.id, SurveyAnswer.choice == "agree"
        )
    )


def test_a_changed_code_asks_again_and_a_forged_cookie_is_a_new_browser(
    client, new_client, db, room
):
    _organiser, _meeting, survey, key = room(code="ROOM7")
    client.get(f"/o/{key}")
    client.post(f"/o/{key}/code", data={"code": "room7"})
    assert 'name="q-q1"' in client.get(f"/o/{key}").get_data(as_text=True)
    stored = db.session.get(Survey, survey.id)
    update_open_link(stored, OpenLinkSettings(enabled=True, code="HALL2"))
    db.session.commit()
    assert "Enter the code" in client.get(f"/o/{key}").get_data(as_text=True)

    other = new_client()
    other.set_cookie(f"open_{key}", "forged.value", path=f"/o/{key}")
    assert "Enter the code" in other.get(f"/o/{key}").get_data(as_text=True)
    # A cookie of another survey's open link does not open this one.
    assert other.post(f"/o/{key}", data=good_answers()).status_code in (400, 403)
    assert responses(db) == []


def test_answers_need_the_cookie_and_bad_answers_are_refused_whole(client, db, room):
    _organiser, _meeting, _survey, key = room()
    refused = client.post(f"/o/{key}", data=good_answers())
    assert refused.status_code == 400
    assert "needs your browser to keep a cookie" in refused.get_data(as_text=True)
    client.get(f"/o/{key}")
    missing = client.post(f"/o/{key}", data=good_answers(**{"q-q1": None}))
    assert missing.status_code == 200
    assert "This question needs an answer." in missing.get_data(as_text=True)
    assert client.post(f"/o/{key}", data=good_answers(**{"q-q4": "nope"})).status_code == 422
    assert responses(db) == []
    assert client.post(f"/o/{key}", data=good_answers()).status_code == 302
    assert len(responses(db)) == 1


def test_unknown_closed_and_switched_off_links(client, db, room, make_survey):
    _organiser, meeting, survey, key = room()
    assert client.get("/o/2345678923").status_code == 404
    assert client.get("/o/not-a-key").status_code == 404
    closed = make_survey(meeting, title="Closed one", closes_in=timedelta(hours=-1))
    closed_key = open_survey(db, closed)
    page = client.get(f"/o/{closed_key}")
    assert page.status_code == 200
    assert "closed" in page.get_data(as_text=True)
    assert client.post(f"/o/{closed_key}", data=good_answers()).status_code == 403
    client.get(f"/o/{key}")
    stored = db.session.get(Survey, survey.id)
    update_open_link(stored, OpenLinkSettings(enabled=False))
    db.session.commit()
    assert client.post(f"/o/{key}", data=good_answers()).status_code == 404
    assert responses(db) == []


def test_in_an_anonymous_survey_open_answers_wait_for_their_batch(client, new_client, db, room):
    _organiser, _meeting, survey, key = room(anonymous=True, batch_size=3)
    for _n in range(2):
        browser = new_client()
        browser.get(f"/o/{key}")
        assert browser.post(f"/o/{key}", data=good_answers()).status_code == 302
    waiting = responses(db)
    assert [r.published for r in waiting] == [False, False]
    assert all(r.via_open_link and r.language is None for r in waiting)
    browser = new_client()
    browser.get(f"/o/{key}")
    browser.post(f"/o/{key}", data=good_answers())
    published = responses(db)
    assert [r.published for r in published] == [True, True, True]
    assert all(r.via_open_link for r in published)


def test_the_results_count_open_answers_only_when_the_survey_says_so(
    client, new_client, db, room, make_participant, invite_people, login_as, count_queries
):
    organiser, meeting, survey, key = room()
    person = make_participant(meeting, group_key="cso")
    [token] = invite_people(survey, [person])
    assert client.post(f"/s/{token}", data=good_answers()).status_code == 302
    for choice in ("disagree", "disagree"):
        browser = new_client()
        browser.get(f"/o/{key}")
        browser.post(f"/o/{key}", data=good_answers(**{"q-q1": choice, "q-q7": "From the room"}))

    def figures():
        db.session.rollback()
        results = survey_results(get_survey(meeting, survey.key))
        likert = results.questions[0]
        return results, {o.value: o.count for o in likert.options}, results.questions[6].texts

    results, likert, texts = figures()
    assert (results.responses, results.open_responses, results.open_left_out) == (3, 2, 0)
    assert (likert["agree"], likert["disagree"]) == (1, 2)
    assert texts.count("From the room") == 2
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/results"
    with count_queries() as counted:
        page = client.get(url).get_data(as_text=True)
    assert "2 came through the open link" in page

    stored = db.session.get(Survey, survey.id)
    update_open_link(stored, OpenLinkSettings(enabled=True, counts_with_invited=False))
    db.session.commit()
    results, likert, texts = figures()
    assert (results.responses, results.open_responses, results.open_left_out) == (1, 2, 2)
    assert (likert["agree"], likert["disagree"]) == (1, 0)
    assert texts == ["Very well organised."]
    assert [label for label, _n in results.groups] == ["Civil society"]
    assert results.rate == 100.0
    with count_queries() as left_out:
        page = client.get(url).get_data(as_text=True)
    assert "2 answers given through the open link are not counted here" in page
    assert left_out.count == counted.count


def test_wrong_codes_are_rate_limited_per_address(app, client, room, new_client, monkeypatch):
    _organiser, _meeting, _survey, key = room(code="ROOM7")
    monkeypatch.setitem(app.config, "OPEN_SURVEY_CODE_RATE_LIMIT", "3 per minute")
    for _ in range(3):
        # New browsers each time: dropping cookies does not help.
        guesser = new_client()
        assert guesser.post(f"/o/{key}/code", data={"code": "GUESS"}).status_code == 422
    assert new_client().post(f"/o/{key}/code", data={"code": "ROOM7"}).status_code == 429
    # From another address, the room goes on.
    other = new_client()
    right = other.post(f"/o/{key}/code", data={"code": "ROOM7"}, environ_base=ROOM)
    assert right.status_code == 302


def answer_through(client: Any, key: str, code: str | None = None) -> int:
    """A browser in the room: opens the link, gives the code if any, answers."""
    assert client.get(f"/o/{key}", environ_base=ROOM).status_code == 200
    if code:
        assert client.post(f"/o/{key}/code", data={"code": code}, environ_base=ROOM).status_code
    return int(client.post(f"/o/{key}", data=good_answers(), environ_base=ROOM).status_code)


@pytest.mark.parametrize("anonymous", [False, True], ids=["tracked", "anonymous"])
def test_fifty_simultaneous_answers_from_one_address_are_all_accepted(
    app, db, room, new_client, anonymous
):
    """The room behind one Wi-Fi address, each phone its own browser, all at once, with the
    limits as shipped."""
    from config import Config

    assert app.config["OPEN_SURVEY_RATE_LIMIT"] == Config.OPEN_SURVEY_RATE_LIMIT
    assert app.config["OPEN_SURVEY_BROWSER_RATE_LIMIT"] == Config.OPEN_SURVEY_BROWSER_RATE_LIMIT
    _organiser, _meeting, _survey, key = room(code="ROOM7", anonymous=anonymous, batch_size=5)
    browsers = [new_client() for _ in range(50)]
    statuses = run_together(browsers, lambda browser, _i: answer_through(browser, key, "ROOM7"))
    assert statuses == [302] * 50
    stored = responses(db)
    assert len(stored) == 50
    assert all(r.via_open_link for r in stored)
    assert len({r.edit_key for r in stored}) == 50
    if anonymous:
        assert all(r.published for r in stored)  # ten full batches
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == 50 * 8


def test_a_flood_from_one_browser_is_refused(app, db, room, new_client):
    """One browser posting again and again: its first answers are taken, the rest refused as
    answered, and then it is stopped by its own limit while the room behind the same address
    goes on."""
    _organiser, _meeting, _survey, key = room()
    flooder = new_client()
    assert answer_through(flooder, key) == 302
    statuses = [
        flooder.post(f"/o/{key}", data=good_answers(), environ_base=ROOM).status_code
        for _ in range(40)
    ]
    limit = int(app.config["OPEN_SURVEY_BROWSER_RATE_LIMIT"].split()[0])
    # One request of its own was spent before: the answers (the page came before the
    # browser had its cookie, and counted only for the address).
    assert statuses[: limit - 1] == [409] * (limit - 1)
    assert set(statuses[limit - 1 :]) == {429}
    assert len(responses(db)) == 1
    # The same address, another phone: not blocked.
    assert answer_through(new_client(), key) == 302
    assert len(responses(db)) == 2


def test_the_address_limit_stops_a_flood_of_new_browsers(app, db, room, new_client, monkeypatch):
    """A script that drops its cookies is a new browser each time: the limit per address,
    sized for a room, stops it."""
    _organiser, _meeting, _survey, key = room()
    monkeypatch.setitem(app.config, "OPEN_SURVEY_RATE_LIMIT", "30 per minute")
    statuses = [answer_through_quietly(new_client(), key) for _ in range(20)]
    assert statuses[:15] == [302] * 15
    assert set(statuses[15:]) == {429}
    assert len(responses(db)) == 15


def answer_through_quietly(client: Any, key: str) -> int:
    page = client.get(f"/o/{key}", environ_base=ROOM)
    if page.status_code != 200:
        return int(page.status_code)
    return int(client.post(f"/o/{key}", data=good_answers(), environ_base=ROOM).status_code)


def test_the_responses_export_says_which_came_through_the_open_link(
    client, new_client, db, room, make_participant, invite_people, login_as
):
    organiser, meeting, survey, key = room(counts=False)
    person = make_participant(meeting, name="Sokha Chan", group_key="cso")
    [token] = invite_people(survey, [person])
    client.post(f"/s/{token}", data=good_answers())
    browser = new_client()
    browser.get(f"/o/{key}")
    browser.post(f"/o/{key}", data=good_answers(**{"q-q7": "From the room"}))
    login_as(organiser)
    csv = client.get(f"/meetings/{meeting.slug}/surveys/{survey.key}/responses.csv")
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    header = lines[0].split(",")
    assert header[5:8] == ["Stakeholder group", "Language", "Via open link"]
    assert len(lines) == 3  # listed, though the results do not count it
    assert "Sokha Chan" in lines[1]
    assert ",yes," in lines[2]
    assert "From the room" in lines[2]
