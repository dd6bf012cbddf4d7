"""The answer page behind /s/<token>: required answers, bad answers refused whole, changing
answers until the survey closes, anonymous surveys, bad links, rate limits, and twenty
submissions of one link at the same moment."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from meetapp.models import (
    Participant,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyInvitationUse,
    SurveyResponse,
    SurveyToken,
)
from meetapp.surveys.services import QuestionData, issue_token
from tests.concurrency import run_together
from tests.conftest import csrf_token_from
from tests.surveys.conftest import good_answers


def counts(db):
    db.session.rollback()
    return (
        db.session.scalar(select(func.count()).select_from(SurveyResponse)),
        db.session.scalar(select(func.count()).select_from(SurveyAnswer)),
        db.session.scalar(select(func.count()).select_from(SurveyInvitationUse)),
    )


def waiting_answers(db):
    """The answers of the only (anonymous) response, waiting for their batch of results."""
    db.session.rollback()
    return db.session.scalar(select(SurveyResponse.pending_answers))


GOOD_STORED = {
    "q1": "agree",
    "q2": 4,
    "q3": 9,
    "q4": "morning",
    "q5": ["fees", "training"],
    "q6": "yes",
    "q7": "Very well organised.",
}


@pytest.fixture
def invited(make_meeting, make_participant, make_survey, invite_people):
    """(meeting, survey, participant, token) of a tracked survey with every question kind."""

    def make(**survey_options):
        meeting = make_meeting(title="Dialogue on Migration")
        survey = make_survey(meeting, **survey_options)
        person = make_participant(meeting, name="Sokha Chan", group_key="cso")
        [token] = invite_people(survey, [person])
        return meeting, survey, person, token

    return make


def test_answer_then_change_until_closing(client, db, invited):
    _meeting, survey, person, token = invited()
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Dialogue on Migration" in text
    assert "It takes three minutes." in text
    assert "For Sokha Chan." in text
    assert page.headers["Cache-Control"] == "no-store"

    response = client.post(f"/s/{token}", data=good_answers())
    assert response.status_code == 302
    assert counts(db) == (1, 8, 1)  # seven questions, two choices in the multiple one
    stored = db.session.scalar(select(SurveyResponse))
    assert stored.participant_id == person.id
    # The group the respondent answered in is kept with the response and its answers.
    assert stored.stakeholder_group_id == person.stakeholder_group_id is not None
    groups = set(db.session.scalars(select(SurveyAnswer.stakeholder_group_id)))
    assert groups == {person.stakeholder_group_id}

    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert "Thank you: your answers are saved." in page
    assert "You can change your answers" in page
    assert 'value="training" checked' in page
    assert "Very well organised." in page

    response = client.post(
        f"/s/{token}", data=good_answers(**{"q-q5": ["hiring"], "q-q7": "", "q-q2": "5"})
    )
    assert response.status_code == 302
    assert counts(db) == (1, 6, 1)
    numbers = set(db.session.scalars(select(SurveyAnswer.number).where(SurveyAnswer.number >= 0)))
    assert numbers == {5, 9}
    assert "your changed answers are saved" in client.get(f"/s/{token}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"q-q1": None}, "This question needs an answer."),
        ({"q-q2": ""}, "This question needs an answer."),
        ({"q-q4": "Evening"}, "Choose one of the answers offered."),
        ({"q-q5": ["fees", "Gardening"]}, "Choose only among the options offered."),
        ({"q-q2": "0"}, "Choose a whole number from 1 to 5."),
        ({"q-q2": "6"}, "Choose a whole number from 1 to 5."),
        ({"q-q3": "11"}, "Choose a whole number from 0 to 10."),
        ({"q-q2": "4.5"}, "Choose a whole number from 1 to 5."),
        # Only ASCII digits: "٣" (Arabic-Indic three) and "３" (fullwidth) are not numbers here.
        ({"q-q2": "\u0663"}, "Choose a whole number from 1 to 5."),
        ({"q-q2": "\uff13"}, "Choose a whole number from 1 to 5."),
        ({"q-q3": "\u0661\u0660"}, "Choose a whole number from 0 to 10."),
        ({"q-q1": "very_much"}, "Choose one of the answers offered."),
        ({"q-q6": "maybe"}, "Choose one of the answers offered."),
        ({"q-q4": ["morning", "afternoon"]}, "Choose one answer."),
        ({"q-q7": "x" * 100_000}, "under 5,000 characters"),
        ({"q-q7": "nul\x00"}, "not allowed"),
    ],
)
def test_bad_answers_are_refused_whole(client, db, invited, changes, message):
    _meeting, _survey, _person, token = invited()
    data = good_answers(**changes)
    data["q-q7"] = data.get("q-q7", "")
    response = client.post(f"/s/{token}", data=data)
    # A value the page never offers (an unknown option key, say) is refused with a 422.
    assert response.status_code == (422 if "offered" in message else 200)
    page = response.get_data(as_text=True)
    assert message in page
    assert "Nothing was saved yet." in page
    assert counts(db) == (0, 0, 0)
    # What was typed is kept.
    if "q-q3" not in changes:
        assert 'value="9" checked' in page


def test_answers_are_escaped_on_the_page(client, db, invited):
    _meeting, _survey, _person, token = invited()
    client.post(f"/s/{token}", data=good_answers(**{"q-q7": "<script>alert(1)</script>"}))
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_closed_and_not_yet_open_surveys(client, db, invited):
    _meeting, _survey, _person, token = invited(closes_in=timedelta(minutes=-5))
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    assert "This survey closed on" in page.get_data(as_text=True)
    response = client.post(f"/s/{token}", data=good_answers())
    assert response.status_code == 403
    assert "Answers can no longer be given or changed." in response.get_data(as_text=True)
    assert counts(db) == (0, 0, 0)

    _meeting, _survey, _person, token = invited(opens_in=timedelta(days=2), closes_in=None)
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert "This survey is not open yet. It opens on" in page


def test_unknown_and_expired_links_get_the_same_page(client, db, invited):
    _meeting, _survey, _person, expired = invited()
    db.session.execute(
        update(SurveyToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    db.session.commit()

    pages = []
    for token in (expired, "A" * 43, "short", "x" * 300):
        response = client.get(f"/s/{token}")
        assert response.status_code == 404, token
        pages.append(response.get_data(as_text=True))
        response = client.post(f"/s/{token}", data=good_answers())
        assert response.status_code == 404
    assert len(set(pages)) == 1
    assert "This link does not open a survey" in pages[0]
    # A control character is in no address of the site: not found.
    assert client.get("/s/bad%00token").status_code == 404
    assert client.post("/s/bad%00token", data=good_answers()).status_code == 404
    assert counts(db) == (0, 0, 0)


@pytest.mark.parametrize("anonymous", [False, True])
@pytest.mark.parametrize("answered_first", [False, True])
def test_a_cancelled_participants_link_is_like_an_unknown_one(
    client, db, invited, anonymous, answered_first
):
    _meeting, _survey, person, token = invited(anonymous=anonymous)
    if answered_first:
        assert client.post(f"/s/{token}", data=good_answers()).status_code < 400
        client.get(f"/s/{token}")  # shows (and so clears) the thanks
    before = counts(db)
    db.session.execute(
        update(Participant).where(Participant.id == person.id).values(status="cancelled")
    )
    db.session.commit()

    unknown = client.get(f"/s/{'A' * 43}").get_data(as_text=True)
    response = client.get(f"/s/{token}")
    assert response.status_code == 404
    assert response.get_data(as_text=True) == unknown
    response = client.post(f"/s/{token}", data=good_answers(**{"q-q2": "1"}))
    assert response.status_code == 404
    assert response.get_data(as_text=True) == unknown
    assert counts(db) == before


def answer_key_of(token):
    """The HMAC the response side of an anonymous survey must hold, computed here on its own."""
    message = f"survey-answer:{token}".encode()
    return hmac.new(b"testing-secret-key", message, hashlib.sha256).hexdigest()


def test_anonymous_survey_stores_no_link_to_the_participant(client, db, invited):
    _meeting, _survey, person, token = invited(anonymous=True)
    response = client.post(f"/s/{token}", data=good_answers())
    assert response.status_code == 302
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert "Thank you: your answers are saved, without your name." in page
    stored = db.session.scalar(select(SurveyResponse))
    assert (stored.participant_id, stored.stakeholder_group_id) == (None, None)
    # The answers wait, unpublished, for their batch of results.
    assert (stored.published, stored.pending_answers) == (False, GOOD_STORED)
    # The response table has no column that could name the invitation: the response keeps an
    # HMAC of the token under the app's secret key, the invitation the token's SHA-256. Neither
    # can be computed from the other without the token.
    assert set(SurveyResponse.__table__.columns.keys()) == {
        "id",
        "survey_id",
        "participant_id",
        "stakeholder_group_id",
        "submitted_at",
        "updated_at",
        "edit_key",
        "published",
        "pending_answers",
        # The language of the page the answers were given on (one of the shipped seven).
        "language",
        # Given through the survey's open link, which names no one.
        "via_open_link",
    }
    token_hash = db.session.scalar(select(SurveyToken.token_hash))
    assert token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.edit_key == answer_key_of(token)
    assert stored.edit_key != token_hash
    # Only *that* the invitation was used is recorded, in its own table, without a time.
    assert set(SurveyInvitationUse.__table__.columns.keys()) == {"invitation_id"}
    assert counts(db) == (1, 0, 1)


def test_anonymous_answers_can_be_changed_through_the_same_link_until_closing(client, db, invited):
    _meeting, survey, _person, token = invited(anonymous=True)
    assert client.post(f"/s/{token}", data=good_answers()).status_code == 302
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert "You can change your answers" in page
    assert 'value="training" checked' in page
    assert "Very well organised." in page
    assert "Save my changes" in page

    # A change with a problem stores nothing: the answers given before stay whole.
    response = client.post(f"/s/{token}", data=good_answers(**{"q-q1": None, "q-q2": "5"}))
    assert response.status_code == 200
    assert "This question needs an answer." in response.get_data(as_text=True)
    assert counts(db) == (1, 0, 1)
    assert waiting_answers(db) == GOOD_STORED

    response = client.post(
        f"/s/{token}", data=good_answers(**{"q-q5": ["hiring"], "q-q7": "", "q-q2": "5"})
    )
    assert response.status_code == 302
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert "Thank you: your changed answers are saved, without your name." in page
    assert 'value="hiring" checked' in page
    assert 'value="training" checked' not in page
    assert counts(db) == (1, 0, 1)
    stored = db.session.scalar(select(SurveyResponse))
    assert (stored.participant_id, stored.edit_key) == (None, answer_key_of(token))
    # Of when it was given, only the day is kept (midnight UTC); a change made before the
    # answers were published is no change to anyone else.
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert (stored.submitted_at, stored.updated_at) == (midnight, None)
    changed = {**GOOD_STORED, "q2": 5, "q5": ["hiring"]}
    del changed["q7"]
    assert stored.pending_answers == changed

    # Once the survey has closed, the answers can no longer change.
    db.session.execute(
        update(Survey)
        .where(Survey.id == survey.id)
        .values(closes_at=datetime.now(UTC) - timedelta(minutes=1))
    )
    db.session.commit()
    assert "This survey closed on" in client.get(f"/s/{token}").get_data(as_text=True)
    assert client.post(f"/s/{token}", data=good_answers()).status_code == 403
    assert counts(db) == (1, 0, 1)
    assert waiting_answers(db) == changed


def test_an_anonymous_answer_opens_only_through_the_link_it_was_given_with(
    app, client, db, invited
):
    _meeting, _survey, _person, first = invited(anonymous=True)
    with app.test_request_context():
        invitation = db.session.scalar(select(SurveyInvitation))
        reminder = issue_token(invitation)
        db.session.commit()
    assert client.post(f"/s/{reminder}", data=good_answers()).status_code == 302
    client.get(f"/s/{reminder}")  # shows (and so clears) the thanks

    for response in (
        client.get(f"/s/{first}"),
        client.post(f"/s/{first}", data=good_answers(**{"q-q2": "1"})),
    ):
        assert response.status_code in (200, 409)
        page = response.get_data(as_text=True)
        assert (
            "You answered through another of your links; open that one to change your answers."
            in page
        )
        assert "Very well organised." not in page
    assert counts(db) == (1, 0, 1)
    assert waiting_answers(db) == GOOD_STORED
    assert 'value="4" checked' in client.get(f"/s/{reminder}").get_data(as_text=True)


def test_survey_without_required_questions_accepts_empty_answers(
    client, db, make_meeting, make_participant, make_survey, invite_people
):
    meeting = make_meeting()
    survey = make_survey(meeting, questions=[QuestionData("Comments?", "text")])
    [token] = invite_people(survey, [make_participant(meeting)])
    assert client.post(f"/s/{token}", data={}).status_code == 302
    assert counts(db) == (1, 0, 1)


def test_csrf_is_checked_on_the_answer_page(client, db, invited, csrf_enabled):
    _meeting, _survey, _person, token = invited()
    assert client.post(f"/s/{token}", data=good_answers()).status_code == 400
    assert counts(db) == (0, 0, 0)
    data = good_answers(csrf_token=csrf_token_from(client.get(f"/s/{token}").get_data(True)))
    assert client.post(f"/s/{token}", data=data).status_code == 302


def test_token_guessing_is_rate_limited(app, client, invited, monkeypatch):
    """Only failed lookups count: a whole room behind one address can answer, while a guesser
    is stopped after a few unknown links, and then refused even a link that works."""
    _meeting, _survey, _person, token = invited()
    monkeypatch.setitem(app.config, "TOKEN_RATE_LIMIT", "3 per minute")
    for n in range(10):
        assert client.get(f"/s/{token}").status_code == 200
        answers = good_answers(**{"q-q7": f"Changed {n} times."})
        assert client.post(f"/s/{token}", data=answers).status_code == 302
    statuses = [client.get(f"/s/guess{n:040d}").status_code for n in range(3)]
    assert statuses == [404, 404, 404]
    assert client.get(f"/s/guess{4:040d}").status_code == 429
    refused = client.get(f"/s/{token}")
    assert refused.status_code == 429
    # In the participants' own frame, without the staff's navigation.
    assert "Too many requests" in refused.get_data(as_text=True)
    assert "Go to the start page" not in refused.get_data(as_text=True)
    assert client.post(f"/s/{token}", data=good_answers()).status_code == 429
    # Another address is not affected.
    other = client.get(f"/s/{token}", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200


def test_registration_link_guesses_count_towards_the_same_limit(app, client, invited, monkeypatch):
    _meeting, _survey, _person, token = invited()
    monkeypatch.setitem(app.config, "TOKEN_RATE_LIMIT", "3 per minute")
    assert client.get(f"/r/guess{1:040d}").status_code == 404
    assert client.get(f"/s/guess{2:040d}").status_code == 404
    assert client.get(f"/r/guess{3:040d}").status_code == 404
    assert client.get(f"/s/{token}").status_code == 429


def submit_together(app, posts):
    """POST each (token, form data) of `posts` in its own thread, all released at once;
    returns the status codes in the same order."""

    def submit(client, i: int) -> int:
        token, data = posts[i]
        return client.post(f"/s/{token}", data=data).status_code

    return run_together([app.test_client() for _ in posts], submit)


def stored_texts(db):
    """The comments stored: published answers, and answers waiting for their batch."""
    db.session.rollback()
    published = db.session.scalars(select(SurveyAnswer.text).where(SurveyAnswer.text.is_not(None)))
    waiting = db.session.scalars(
        select(SurveyResponse.pending_answers).where(SurveyResponse.pending_answers.is_not(None))
    )
    return [*published, *(answers["q7"] for answers in waiting)]


@pytest.mark.slow
@pytest.mark.parametrize("anonymous", [False, True])
@pytest.mark.parametrize("answered_before", [False, True])
def test_twenty_submissions_of_one_link_store_one_response(
    app, db, invited, anonymous, answered_before
):
    """The first answer and later changes racing: one response, whose answers are those of
    exactly one submission, never a mixture."""
    _meeting, _survey, _person, token = invited(anonymous=anonymous)
    if answered_before:
        first = app.test_client().post(f"/s/{token}", data=good_answers(**{"q-q7": "First"}))
        assert first.status_code == 302
    sent = [f"Answer number {i}" for i in range(20)]
    statuses = submit_together(app, [(token, good_answers(**{"q-q7": text})) for text in sent])
    # One stored the response (or changed it); each later one changed its answers.
    assert statuses == [302] * 20
    assert counts(db) == ((1, 0, 1) if anonymous else (1, 8, 1))
    [text] = stored_texts(db)
    assert text in sent
    stored = db.session.scalar(select(SurveyResponse))
    assert stored.edit_key == (answer_key_of(token) if anonymous else None)


@pytest.mark.slow
def test_two_links_of_one_anonymous_invitation_racing_store_one_response(app, db, invited):
    _meeting, _survey, _person, first = invited(anonymous=True)
    with app.test_request_context():
        reminder = issue_token(db.session.scalar(select(SurveyInvitation)))
        db.session.commit()
    tokens = [first, reminder] * 10
    posts = [(token, good_answers(**{"q-q7": f"Answer {i}"})) for i, token in enumerate(tokens)]
    statuses = submit_together(app, posts)
    assert counts(db) == (1, 0, 1)
    winner = db.session.scalar(select(SurveyResponse)).edit_key
    assert winner in (answer_key_of(first), answer_key_of(reminder))
    # Every submission through the link that answered first stored or changed the answers;
    # every one through the other was told to use that link.
    for token, status in zip(tokens, statuses, strict=True):
        assert status == (302 if answer_key_of(token) == winner else 409)
    [text] = stored_texts(db)
    assert text in {
        f"Answer {i}" for i, token in enumerate(tokens) if answer_key_of(token) == winner
    }
