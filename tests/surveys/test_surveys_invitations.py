"""Invitations: chosen participants, e-mail through a real SMTP server and the outbox, failures
shown to the organiser and retried, reminders, and the CSV of links without SMTP."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from meetapp.database import utcnow
from meetapp.models import OutboxMessage, Participant, SurveyInvitation, SurveyToken
from meetapp.registration.services import hash_token
from tests.outbox.smtp import free_port, start_smtp
from tests.surveys.conftest import good_answers

LINK = re.compile(r"https?://\S+/s/[A-Za-z0-9_-]+")


def links_in(bodies):
    found = []
    for body in bodies:
        match = LINK.search(body)
        assert match, body
        found.append(match.group(0).removeprefix("http://localhost"))
    return found


def outbox(db):
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def people(make_participant, meeting):
    return {
        "ana": make_participant(meeting, name="Ana Gov", group_key="government", attended=True),
        "bo": make_participant(meeting, name="Bo Cso", group_key="cso", attended=True),
        "cy": make_participant(meeting, name="Cy Cso", group_key="cso"),
        "di": make_participant(meeting, name="Di Gone", status="cancelled"),
    }


def test_invitations_arrive_and_their_links_open_the_survey(
    client, new_client, db, organiser_setup, login_as, make_participant, make_survey,
    smtp_server, mail_to,
):  # fmt: skip
    mail_to(smtp_server.port)
    organiser, meeting = organiser_setup(title="Dialogue on Migration")
    survey = make_survey(meeting)
    people(make_participant, meeting)
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/invitations"

    response = client.post(url, data={"audience": "attended"})
    assert response.status_code == 302
    assert sorted(r[0] for r in smtp_server.recipients) == [
        "person1@example.org",
        "person2@example.org",
    ]
    message = smtp_server.messages[0]
    assert message["Subject"] == "Post-meeting survey · Dialogue on Migration"
    assert "Dear Ana Gov," in message.get_content()
    links = links_in(smtp_server.bodies())
    visitor = new_client()
    for link in links:
        page = visitor.get(link)
        assert page.status_code == 200
        assert "Post-meeting survey" in page.get_data(as_text=True)
    assert visitor.post(links[0], data=good_answers()).status_code == 302

    # Tokens carry 256 random bits and only their hashes are stored.
    token = links[0].rsplit("/", 1)[1]
    assert len(token) >= 43
    db.session.rollback()
    stored = set(db.session.scalars(select(SurveyToken.token_hash)))
    assert hash_token(token) in stored
    assert token not in stored

    # Inviting a group adds only those not invited yet; a cancelled participant never is.
    response = client.post(url, data={"audience": "group", "group": str(meeting_group(db, "cso"))})
    assert response.status_code == 302
    assert len(smtp_server.messages) == 3
    page = client.get(url).get_data(as_text=True)
    assert "3 invited · 1 answered" in page
    assert "Di Gone" not in page

    # A reminder reaches the two who have not answered, with new links that work; old ones too.
    response = client.post(f"{url}/remind")
    assert response.status_code == 302
    assert len(smtp_server.messages) == 5
    reminders = smtp_server.messages[3:]
    assert all(m["Subject"].startswith("Reminder: ") for m in reminders)
    assert "Ana Gov" not in " ".join(m.get_content() for m in reminders)
    for link in links_in(m.get_content() for m in reminders):
        assert visitor.get(link).status_code == 200
    assert visitor.get(links[1]).status_code == 200
    results = client.get(f"/meetings/{meeting.slug}/surveys/{survey.key}/results")
    assert "Not answered (2)" in results.get_data(as_text=True)


def meeting_group(db, key):
    from meetapp.models import StakeholderGroup

    return db.session.scalar(select(StakeholderGroup.id).where(StakeholderGroup.key == key))


def test_refused_connections_keep_messages_and_a_retry_delivers_them(
    client, db, organiser_setup, login_as, make_participant, make_survey, mail_to
):
    port = free_port()
    mail_to(port)  # nothing listens there yet
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting)
    people(make_participant, meeting)
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/invitations"

    response = client.post(url, data={"audience": "registered"}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # The request does not wait on the mail server: the page it leads to shows the outcome.
    assert "3 people invited: the e-mails are on their way." in page
    assert "3 failed" in page
    rows = outbox(db)
    assert [row.status for row in rows] == ["failed"] * 3
    assert all("Connection refused" in (row.last_error or "") for row in rows)
    assert db.session.scalar(select(func.count()).select_from(SurveyInvitation)) == 3

    page = client.get(url).get_data(as_text=True)
    assert "3 failed" in page
    assert "Connection refused" in page
    assert "Retry sending" in page

    controller, inbox = start_smtp(port)
    try:
        response = client.post(f"{url}/retry", follow_redirects=True)
        page = response.get_data(as_text=True)
        assert "3 e-mail(s) are being sent again" in page
        assert "3 sent" in page
    finally:
        controller.stop()
    assert len(inbox.messages) == 3
    assert [row.status for row in outbox(db)] == ["sent"] * 3
    for link in links_in(inbox.bodies()):
        assert client.get(link).status_code == 200
    assert "Retry sending" not in client.get(url).get_data(as_text=True)


def test_a_message_being_sent_is_shown_and_not_offered_for_a_retry(
    app, client, db, organiser_setup, login_as, make_participant, make_survey, mail_to,
    monkeypatch,
):  # fmt: skip
    port = free_port()
    mail_to(port)  # nothing listens there yet
    monkeypatch.setitem(app.config, "MAIL_SEND_LEASE", 60)
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting)
    people(make_participant, meeting)
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/invitations"
    client.post(url, data={"audience": "registered"})
    busy, abandoned, failed = (row.id for row in outbox(db))
    # Another deliverer is sending one now; the claim on another is older than the lease.
    now = utcnow()
    for message_id, claimed in ((busy, now), (abandoned, now - timedelta(seconds=61))):
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(status="sending", claimed_at=claimed)
        )
    db.session.commit()

    page = client.get(url).get_data(as_text=True)
    assert "2 sending" in page
    assert "1 failed" in page
    assert page.count("interrupted: it will be sent again") == 1
    assert "2 e-mail(s) are waiting in the outbox" in page

    controller, inbox = start_smtp(port)
    try:
        response = client.post(f"{url}/retry", follow_redirects=True)
        assert "2 e-mail(s) are being sent again" in response.get_data(as_text=True)
    finally:
        controller.stop()
    by_id = {row.id: row for row in outbox(db)}
    assert [by_id[n].status for n in (busy, abandoned, failed)] == ["sending", "sent", "sent"]
    assert sorted(r[0] for r in inbox.recipients) == sorted(
        by_id[n].recipient for n in (abandoned, failed)
    )
    page = client.get(url).get_data(as_text=True)
    assert "1 sending" in page
    assert "interrupted" not in page
    assert "Retry sending" not in page


def test_without_smtp_the_links_come_as_csv(
    client, new_client, db, organiser_setup, login_as, make_participant, make_survey
):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting)
    people(make_participant, meeting)
    make_participant(meeting, name="=HYPERLINK(1)")
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/invitations"
    assert "Invite and download the links (CSV)" in client.get(url).get_data(as_text=True)

    response = client.post(url, data={"audience": "registered"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["name", "email", "link"]
    assert len(rows) == 5
    assert [row[0] for row in rows if "HYPERLINK" in row[0]] == ["'=HYPERLINK(1)"]
    assert outbox(db) == []
    visitor = new_client()
    first = rows[1][2].removeprefix("http://localhost")
    assert visitor.get(first).status_code == 200

    # New links for those who have not answered; the first link keeps working.
    visitor.post(first, data=good_answers())
    response = client.post(f"{url}/remind")
    again = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(again) == 4
    assert rows[1][0] not in [row[0] for row in again]
    assert visitor.get(first).status_code == 200


def test_inviting_a_group_of_another_meeting_is_refused(
    client, db, organiser_setup, login_as, make_participant, make_survey
):
    organiser, meeting = organiser_setup()
    _other_organiser, other = organiser_setup()
    survey = make_survey(meeting)
    make_participant(meeting)
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/invitations"
    foreign = db.session.scalar(
        select(SurveyInvitation.id).limit(1)
    )  # none yet; the group id below belongs to the other meeting
    assert foreign is None
    from meetapp.models import StakeholderGroup

    group = db.session.scalar(
        select(StakeholderGroup.id).where(StakeholderGroup.meeting_id == other.id)
    )
    for data in (
        {"audience": "group", "group": str(group)},
        {"audience": "group", "group": ""},
        {"audience": "everyone"},
        {"audience": "group", "group": "nonsense"},
        {"audience": "group", "group": "99999999999999999999"},
        {"audience": "group", "group": "²"},
        {"audience": "group", "group": "0"},
    ):
        response = client.post(url, data=data)
        assert response.status_code == 200, data
    assert db.session.scalar(select(func.count()).select_from(SurveyInvitation)) == 0


@pytest.mark.parametrize("audience", ["registered", "attended", "group"])
def test_cancelled_participants_are_neither_invited_nor_reminded(
    client, db, organiser_setup, login_as, make_participant, make_survey, audience
):
    organiser, meeting = organiser_setup()
    survey = make_survey(meeting)
    make_participant(meeting, name="Ana Here", group_key="cso", attended=True)
    make_participant(meeting, name="Bo Here", group_key="cso", attended=True)
    make_participant(meeting, name="Di Gone", group_key="cso", status="cancelled")
    make_participant(meeting, name="Wai Ting", group_key="cso", status="waitlisted")
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/invitations"

    data = {"audience": audience}
    if audience == "group":
        data["group"] = str(meeting_group(db, "cso"))
    response = client.post(url, data=data)  # without e-mail: the CSV of the new links
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["Ana Here", "Bo Here"]

    # Bo cancels after being invited: the reminder leaves him out.
    db.session.execute(
        update(Participant)
        .where(Participant.name == "Bo Here")
        .values(status="cancelled", attended=False)
    )
    db.session.commit()
    response = client.post(f"{url}/remind")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["Ana Here"]


def test_without_e_mail_the_organiser_is_told_what_anonymous_links_open(
    client, db, organiser_setup, login_as, make_survey
):
    organiser, meeting = organiser_setup()
    tracked, anonymous = make_survey(meeting), make_survey(meeting, anonymous=True)
    login_as(organiser)
    warning = "send each link to its participant only, and delete the file"
    for survey, shown in ((tracked, False), (anonymous, True)):
        page = client.get(f"/meetings/{meeting.slug}/surveys/{survey.key}/invitations")
        assert (warning in page.get_data(as_text=True)) is shown


def test_each_invitation_is_in_its_participants_language(
    client, db, organiser_setup, login_as, make_participant, make_survey, smtp_server, mail_to
):  # fmt: skip
    mail_to(smtp_server.port)
    organiser, meeting = organiser_setup(title="Dialogue on Migration")
    survey = make_survey(meeting)
    make_participant(meeting, name="Somchai", attended=True, languages=["th"])
    make_participant(meeting, name="Ana Gov", attended=True, languages=["en"])
    login_as(organiser)
    client.set_cookie("lang", "ja")  # the organiser's own choice changes nothing
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/invitations"
    assert client.post(url, data={"audience": "attended"}).status_code == 302
    bodies = {m["To"]: m.get_content() for m in smtp_server.messages}
    thai, english = bodies["person1@example.org"], bodies["person2@example.org"]
    assert "เรียน Somchai" in thai
    assert "ลิงก์ส่วนตัวของคุณ:" in thai
    assert "Dear Ana Gov," in english
    assert "Your personal link:" in english


def test_each_invitation_names_the_meeting_and_survey_in_its_participants_language(
    client, db, organiser_setup, login_as, make_participant, make_survey, smtp_server, mail_to
):  # fmt: skip
    mail_to(smtp_server.port)
    organiser, meeting = organiser_setup(title="Dialogue on Migration")
    meeting.languages = ["en", "th", "ja"]
    meeting.translations = {"th": {"title": "การเสวนาเรื่องการย้ายถิ่น"}, "ja": {"title": "移住対話"}}
    survey = make_survey(meeting)
    survey.translations = {"th": {"title": "แบบสอบถาม"}}
    db.session.commit()
    make_participant(meeting, name="Somchai", attended=True, languages=["th"])
    make_participant(meeting, name="Ana Gov", attended=True, languages=["en"])
    login_as(organiser)
    client.set_cookie("lang", "ja")  # the organiser's own choice changes nothing
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/invitations"
    assert client.post(url, data={"audience": "attended"}).status_code == 302
    messages = {m["To"]: m for m in smtp_server.messages}
    thai, english = messages["person1@example.org"], messages["person2@example.org"]
    assert "การเสวนาเรื่องการย้ายถิ่น" in thai.get_content()
    assert "แบบสอบถาม" in thai.get_content()
    assert str(thai["Subject"]) == "แบบสอบถาม · การเสวนาเรื่องการย้ายถิ่น"
    assert "Dialogue on Migration" in english.get_content()
    assert "移住対話" not in english.get_content()
    assert "การเสวนา" not in str(english["Subject"])
