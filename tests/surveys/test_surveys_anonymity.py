"""Anonymous surveys against someone who watches them: results in batches, so that the
invitations page (who has answered) cannot be set against what changed; rows in no order that
ties a response to the use mark of an invitation; the batch size and what waiting answers
forbid in the builder; answers from many links at once."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, text, update

from meetapp.extensions import db as _db
from meetapp.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyInvitationUse,
    SurveyQuestion,
    SurveyResponse,
)
from meetapp.models.surveys import LIKERT_VALUES
from tests.surveys.conftest import good_answers
from tests.surveys.test_surveys_answer import submit_together


def answers_of(n):
    """Person n's answers: different from everyone else's in every question."""
    return good_answers(
        **{
            "q-q1": LIKERT_VALUES[n % 5],
            "q-q2": str(1 + n % 5),
            "q-q3": str(n % 11),
            "q-q4": ("morning", "afternoon")[n % 2],
            "q-q5": [["fees"], ["hiring"], ["training"], ["fees", "hiring"]][n % 4],
            "q-q6": ("yes", "no")[n % 2],
            "q-q7": comment_of(n),
        }
    )


def comment_of(n):
    return f"Comment number {n:02d}"


def pdf_text(body):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def sheet_values(body):
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    return {sheet.title: list(sheet.values) for sheet in workbook.worksheets}


def page_text(response):
    """A page's HTML without its CSRF tokens (signed with the time, so new at each view)."""
    assert response.status_code == 200
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def what_the_organiser_reads(client, meeting, survey):
    """Everything an organiser can read that comes from the survey's answers."""
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"
    read = {
        "results page": page_text(client.get(f"{base}/results")),
        "results JSON": client.get(f"{base}/results.json").get_json(),
        "responses CSV": client.get(f"{base}/responses.csv").get_data(as_text=True),
        "responses Excel": sheet_values(client.get(f"{base}/responses.xlsx").get_data()),
        "results PDF": pdf_text(client.get(f"{base}/results.pdf").get_data()),
        "meeting export": client.get(f"/meetings/{meeting.slug}/export.json").get_json(),
        "summary PDF": pdf_text(client.get(f"/meetings/{meeting.slug}/summary.pdf").get_data()),
        "press release": page_text(client.get(f"/meetings/{meeting.slug}/press-release.md")),
        "answers per question": re.findall(r"· (\d+) answers?\b", page_text(client.get(base))),
    }
    assert read["results JSON"] is not None
    assert read["meeting export"] is not None
    return read


def answered_on_the_invitations_page(client, meeting, survey):
    """The names the invitations page marks as having answered."""
    page = page_text(client.get(f"/meetings/{meeting.slug}/surveys/{survey.key}/invitations"))
    rows = re.findall(r"<tr>\s*<td>([^<]+)<div.*?</tr>", page, re.S)
    marked = re.findall(r"<tr>\s*<td>([^<]+)<div(?:(?!</tr>).)*text-bg-success\">yes", page, re.S)
    assert len(rows) == 12
    return set(marked)


def published_comments(read):
    return sorted(set(re.findall(r"Comment number \d\d", read["responses CSV"])))


@pytest.fixture
def watched_survey(organiser_setup, make_participant, make_survey, invite_people):
    """An anonymous survey with every question kind (batches of 5, the default) and twelve
    invited participants; (organiser, meeting, survey, [(name, token)])."""
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting, anonymous=True)
    # Its figures are quoted in the press release, which is then one more thing to watch.
    _db.session.execute(
        update(SurveyQuestion)
        .where(SurveyQuestion.survey_id == survey.id, SurveyQuestion.kind.in_(["likert", "rating"]))
        .values(quotable_in_release=True)
    )
    _db.session.commit()
    people = [make_participant(meeting, name=f"Participant {n:02d}") for n in range(1, 13)]
    tokens = invite_people(survey, people)
    return organiser, meeting, survey, [(p.name, t) for p, t in zip(people, tokens, strict=True)]


def test_an_observer_cannot_tell_whose_answers_are_whose(
    client, new_client, db, watched_survey, login_as
):
    """Twelve people answer one at a time. After each answer the organiser reads everything
    (results page, JSON, CSV, Excel, PDF, meeting export, summary, press release, builder) and
    the invitations page: the invitations page names each new respondent at once, but nothing
    drawn from the answers changes until five have answered, and then it changes by those five
    together. The last two, fewer than a batch, are never shown, not even once it closes."""
    organiser, meeting, survey, people = watched_survey
    login_as(organiser)
    participant = new_client()
    before = what_the_organiser_reads(client, meeting, survey)
    assert published_comments(before) == []
    assert before["results JSON"]["responses"] == 0
    seen_answering: set[str] = set()
    answered_since_last_change: list[str] = []
    changes = []
    promise = "The organisers see answers only 5 people at a time"
    assert promise in participant.get(f"/s/{people[0][1]}").get_data(as_text=True)
    for n, (name, token) in enumerate(people, start=1):
        assert participant.post(f"/s/{token}", data=answers_of(n)).status_code == 302

        marked = answered_on_the_invitations_page(client, meeting, survey)
        assert marked - seen_answering == {name}  # the observer knows who just answered
        seen_answering = marked
        answered_since_last_change.append(name)

        after = what_the_organiser_reads(client, meeting, survey)
        changed = sorted(key for key in after if after[key] != before[key])
        if n % 5:
            assert changed == [], f"answer {n} changed {changed}"
            continue
        # A batch: every reading changes at once, by the answers of all who answered since
        # the last change, and of no one else.
        assert changed == sorted(after), f"answer {n} changed only {changed}"
        assert published_comments(after) == [comment_of(m) for m in range(1, n + 1)]
        assert after["results JSON"]["responses"] == n
        changes.append(list(answered_since_last_change))
        answered_since_last_change = []
        before = after
    assert changes == [[name for name, _ in people[:5]], [name for name, _ in people[5:10]]]
    assert [len(batch) for batch in changes] == [5, 5]

    # The responses' days are those of their batches, and the exports list them by content.
    rows = list(csv.reader(io.StringIO(before["responses CSV"])))
    today = datetime.now(UTC).date().isoformat()
    assert {(row[1], row[2]) for row in rows[1:]} == {(today, "")}
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(1, 11)]
    assert rows[1:] == sorted(rows[1:], key=lambda row: row[3:])

    # Closed: the two answers that never made a batch stay out of everything.
    closes = datetime.now(UTC) - timedelta(minutes=1)
    db.session.execute(update(Survey).where(Survey.id == survey.id).values(closes_at=closes))
    db.session.commit()
    closed = what_the_organiser_reads(client, meeting, survey)
    for key in ("responses CSV", "responses Excel", "answers per question"):
        assert closed[key] == before[key], key
    for key in ("responses", "questions"):
        assert closed["results JSON"][key] == before["results JSON"][key]
    for reading in (str(value) for value in closed.values()):
        assert comment_of(11) not in reading
        assert comment_of(12) not in reading
    assert "2 answers given after the last batch are not shown" in closed["results page"]
    assert "2 answers given after the last batch are not shown" in closed["results PDF"]
    closed_page = participant.get(f"/s/{people[11][1]}").get_data(as_text=True)
    assert "This survey closed on" in closed_page


def physical_order(db, model, column):
    """`column` of the rows of `model`, in the order they lie in the table: PostgreSQL's
    ctid, SQLite's rowid."""
    order = "ctid" if db.engine.dialect.name == "postgresql" else "rowid"
    table = model.__table__.name
    return list(db.session.scalars(select(column).order_by(text(f"{table}.{order}"))))


def authors(db, order_by):
    """The number of the person behind each response, in the given order of the responses:
    from its published comment, else from its answers waiting for their batch."""
    comments = dict(
        db.session.execute(
            select(SurveyAnswer.response_id, SurveyAnswer.text).where(
                SurveyAnswer.text.is_not(None)
            )
        ).all()
    )
    numbers = []
    for response in db.session.scalars(select(SurveyResponse).order_by(order_by)):
        comment = comments.get(response.id) or response.pending_answers["q7"]
        numbers.append(int(comment.rsplit(" ", 1)[1]))
    return numbers


def test_the_order_of_rows_does_not_tie_a_response_to_an_invitation(
    client, db, organiser_setup, make_participant, make_survey, invite_people
):
    """Ten people answer in the order they were invited: the use marks of their invitations
    lie in that order. Neither the responses' ids nor the order the responses and answers lie
    in follow it, while the answers wait (nine) or once published (ten)."""
    _organiser, meeting = organiser_setup()
    survey = make_survey(meeting, anonymous=True, batch_size=10)
    people = [make_participant(meeting) for _ in range(10)]
    tokens = invite_people(survey, people)
    invitation_of = {
        invitation_id: n
        for n, invitation_id in enumerate(
            db.session.scalars(select(SurveyInvitation.id).order_by(SurveyInvitation.id)), 1
        )
    }
    for first, last in ((1, 9), (10, 10)):
        for n in range(first, last + 1):
            assert client.post(f"/s/{tokens[n - 1]}", data=answers_of(n)).status_code == 302
        count = last
        db.session.rollback()
        used = physical_order(db, SurveyInvitationUse, SurveyInvitationUse.invitation_id)
        turns = [invitation_of[invitation_id] for invitation_id in used]
        assert turns == list(range(1, count + 1))
        by_id = authors(db, SurveyResponse.id)
        lying = physical_order(db, SurveyResponse, SurveyResponse.id)
        by_place = [by_id[sorted(lying).index(response_id)] for response_id in lying]
        assert sorted(by_id) == turns
        assert by_id != turns, "the responses' ids follow the order people answered in"
        assert by_place != turns, "the responses lie in the order people answered in"
    published = db.session.scalar(select(func.count()).where(SurveyResponse.published))
    assert published == 10
    answers = physical_order(db, SurveyAnswer, SurveyAnswer.text)
    comments = [int(value.rsplit(" ", 1)[1]) for value in answers if value]
    assert comments != list(range(1, 11)), "the answers lie in the order people answered in"
    days = set(db.session.scalars(select(SurveyResponse.submitted_at)))
    assert days == {datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)}


def test_changes_wait_for_the_next_batch_and_are_published_when_the_survey_closes(
    client, new_client, db, organiser_setup, make_participant, make_survey, invite_people, login_as
):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting, anonymous=True, batch_size=3)
    tokens = invite_people(survey, [make_participant(meeting) for _ in range(7)])
    participant = new_client()
    login_as(organiser)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"

    def comments():
        rows = csv.reader(io.StringIO(client.get(f"{base}/responses.csv").get_data(True)))
        return sorted(row[-1] for row in list(rows)[1:])

    for n in (1, 2, 3):
        participant.post(f"/s/{tokens[n - 1]}", data=answers_of(n))
    assert comments() == [comment_of(1), comment_of(2), comment_of(3)]

    # Person 1 changes their answers: they see the change, the results do not, yet.
    changed = answers_of(1) | {"q-q7": "Changed my mind"}
    assert participant.post(f"/s/{tokens[0]}", data=changed).status_code == 302
    assert "Changed my mind" in participant.get(f"/s/{tokens[0]}").get_data(as_text=True)
    assert comments() == [comment_of(1), comment_of(2), comment_of(3)]
    for n in (4, 5):
        participant.post(f"/s/{tokens[n - 1]}", data=answers_of(n))
        assert comments() == [comment_of(1), comment_of(2), comment_of(3)]
    # The next batch brings it, with the three new ones.
    participant.post(f"/s/{tokens[5]}", data=answers_of(6))
    assert comments() == ["Changed my mind", *(comment_of(n) for n in range(2, 7))]
    rows = list(csv.reader(io.StringIO(client.get(f"{base}/responses.csv").get_data(True))))
    today = datetime.now(UTC).date().isoformat()
    assert {row[2] for row in rows[1:] if row[-1] == "Changed my mind"} == {today}
    assert participant.get(f"/s/{tokens[0]}").get_data(as_text=True).count("Changed my mind")

    # A change and a new answer wait; the survey closes (its time passes): the change is
    # published the next time anyone reads results, the lone new answer is not.
    participant.post(f"/s/{tokens[1]}", data=answers_of(2) | {"q-q7": "Second thoughts"})
    participant.post(f"/s/{tokens[6]}", data=answers_of(7))
    assert comments() == ["Changed my mind", *(comment_of(n) for n in range(2, 7))]
    closes = datetime.now(UTC) - timedelta(minutes=1)
    db.session.execute(update(Survey).where(Survey.id == survey.id).values(closes_at=closes))
    db.session.commit()
    export = client.get(f"/meetings/{meeting.slug}/export.json").get_json()
    [exported] = export["surveys"]
    assert sorted(r["answers"]["q7"] for r in exported["responses"]) == sorted(
        ["Changed my mind", "Second thoughts", *(comment_of(n) for n in range(3, 7))]
    )
    assert comments() == sorted(
        ["Changed my mind", "Second thoughts", *(comment_of(n) for n in range(3, 7))]
    )
    page = client.get(f"{base}/results").get_data(as_text=True)
    assert "1 answer given after the last batch is not shown" in page
    db.session.rollback()
    waiting = db.session.scalars(select(SurveyResponse).where(~SurveyResponse.published)).all()
    assert [response.pending_answers["q7"] for response in waiting] == [comment_of(7)]


def test_the_batch_size_is_set_in_the_builder_never_below_three(
    client, new_client, db, organiser_setup, make_participant, make_survey, invite_people, login_as
):
    organiser, meeting = organiser_setup()
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/new"
    for value, message in (
        ("2", "Choose a batch of 3 to 500 answers."),
        ("501", "Choose a batch of 3 to 500 answers."),
        ("five", "Not a valid integer value."),
    ):
        response = client.post(
            url, data={"title": "Feedback", "anonymous": "y", "batch_size": value}
        )
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
        assert db.session.scalar(select(func.count()).select_from(Survey)) == 0
        db.session.rollback()
    assert 'name="batch_size" type="number" value="5"' in client.get(url).get_data(as_text=True)

    survey = make_survey(meeting, anonymous=True)
    tokens = invite_people(survey, [make_participant(meeting) for _ in range(4)])
    participant = new_client()
    for n, token in enumerate(tokens, 1):
        participant.post(f"/s/{token}", data=answers_of(n))
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"
    assert client.get(f"{base}/results.json").get_json()["responses"] == 0
    settings = {"title": survey.title, "anonymous": "y"}
    response = client.post(base, data={**settings, "batch_size": "2"})
    assert "Choose a batch of 3 to 500 answers." in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Survey, survey.id).batch_size == 5
    assert client.get(f"{base}/results.json").get_json()["responses"] == 0
    # Smaller batches: the four waiting answers make one, published at once.
    assert client.post(base, data={**settings, "batch_size": "4"}).status_code == 302
    db.session.rollback()
    assert db.session.get(Survey, survey.id).batch_size == 4
    assert client.get(f"{base}/results.json").get_json()["responses"] == 4


def test_while_answers_wait_nothing_they_could_forbid_is_allowed(
    client, new_client, db, organiser_setup, make_participant, make_survey, invite_people, login_as
):
    """A refusal that depended on waiting answers would tell what they hold (whether someone
    chose an option): while any wait, such changes are refused for every question and option,
    chosen or not."""
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting, anonymous=True)
    [token] = invite_people(survey, [make_participant(meeting)])
    new_client().post(f"/s/{token}", data=answers_of(1))
    login_as(organiser)
    base = f"/meetings/{meeting.slug}/surveys/{survey.key}"
    questions = {
        q.key: q for q in db.session.scalars(select(SurveyQuestion).order_by(SurveyQuestion.id))
    }
    # Person 1 chose "Afternoon" and gave an NPS: removing either option, changing the kind
    # of either question, is refused alike.
    single, nps = questions["q4"], questions["q3"]
    refused = "Answers to this anonymous survey are waiting for the next batch of results."
    for url, data in (
        (
            f"{base}/questions/{single.id}",
            {"text": single.text, "kind": "single", "options": "Morning\nEvening"},
        ),
        (
            f"{base}/questions/{single.id}",
            {"text": single.text, "kind": "single", "options": "Afternoon\nEvening"},
        ),
        (f"{base}/questions/{nps.id}", {"text": nps.text, "kind": "rating"}),
    ):
        response = client.post(url, data=data)
        assert response.status_code == 200
        assert refused in response.get_data(as_text=True)
    response = client.post(f"{base}/questions/{nps.id}/delete", follow_redirects=True)
    assert refused in response.get_data(as_text=True)
    db.session.rollback()
    after = {q.key: (q.kind, q.options) for q in db.session.scalars(select(SurveyQuestion))}
    assert after == {q.key: (q.kind, q.options) for q in questions.values()}
    # New options, wording and order can still change.
    response = client.post(
        f"{base}/questions/{single.id}",
        data={"text": "Which part?", "kind": "single", "options": "Afternoon\nMorning\nEvening"},
    )
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(SurveyQuestion, single.id).option_labels() == [
        "Afternoon",
        "Morning",
        "Evening",
    ]


@pytest.mark.slow
def test_twelve_people_answering_at_once_make_two_batches(
    app, db, organiser_setup, make_participant, make_survey, invite_people
):
    """Answers through different links at the same moment, each in its own session: none is
    lost or stored twice, and exactly the complete batches are published."""
    _organiser, meeting = organiser_setup()
    survey = make_survey(meeting, anonymous=True)
    tokens = invite_people(survey, [make_participant(meeting) for _ in range(12)])
    statuses = submit_together(app, [(t, answers_of(n)) for n, t in enumerate(tokens, 1)])
    assert statuses == [302] * 12
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SurveyInvitationUse)) == 12
    comments = set(
        db.session.scalars(select(SurveyAnswer.text).where(SurveyAnswer.text.is_not(None)))
    )
    assert len(comments) == 10
    responses = db.session.scalars(select(SurveyResponse)).all()
    assert len(responses) == 12
    assert sum(1 for response in responses if response.published) == 10
    waiting = {r.pending_answers["q7"] for r in responses if not r.published}
    assert comments | waiting == {comment_of(n) for n in range(1, 13)}
