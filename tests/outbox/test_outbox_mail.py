"""The outbox: what is queued, what arrives at a real SMTP server, and retries after failure."""

from __future__ import annotations

import re

from sqlalchemy import select

from meetapp.models import OutboxMessage, Participant
from meetapp.outbox.services import deliver_queued, queue_message
from meetapp.tokens import new_token
from tests.outbox.smtp import free_port, start_smtp


def form(**changes):
    data = {
        "name": "Sokha Chan",
        "honorific": "Ms",
        "email": "sokha@example.org",
        "country": "KH",
        "languages": ["en", "km"],
        "consent": "y",
    }
    data.update(changes)
    return data


def outbox(db):
    db.session.expire_all()
    rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    db.session.commit()
    return rows


def link_in(body: str) -> str:
    match = re.search(r"https?://\S+/r/[A-Za-z0-9_-]+", body)
    assert match, body
    return match.group(0)


def test_nothing_is_queued_when_mail_is_not_configured(app, client, db, make_meeting):
    meeting = make_meeting()
    response = client.post(f"/m/{meeting.slug}/register", data=form())
    assert response.status_code == 302
    assert outbox(db) == []
    with app.test_request_context():
        assert queue_message("a@example.org", "Hello", "Body", "test") is None
        assert deliver_queued() == (0, 0)


def test_confirmation_arrives_with_a_link_that_opens_the_personal_page(
    client, db, make_meeting, smtp_server, mail_to
):
    mail_to(smtp_server.port)
    meeting = make_meeting(title="Dialogue on Labour Migration", venue="Sunway Hotel")
    response = client.post(f"/m/{meeting.slug}/register", data=form())
    assert response.status_code == 302
    location = response.headers["Location"]

    [message] = smtp_server.messages
    assert smtp_server.recipients == [["sokha@example.org"]]
    assert message["Subject"] == "Registration confirmed: Dialogue on Labour Migration"
    assert message["From"] == "meetings@example.org"
    body = message.get_content()
    assert "Dear Ms Sokha Chan," in body
    assert "Sunway Hotel" in body
    link = link_in(body)
    assert link == f"http://localhost{location}"

    page = client.get(link.removeprefix("http://localhost"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "We have also sent it to you by e-mail." in text
    assert "Sokha Chan" in text

    [row] = outbox(db)
    assert (row.status, row.kind, row.recipient) == (
        "sent",
        "registration_confirmation",
        "sokha@example.org",
    )
    assert row.sent_at is not None
    assert row.meeting_id == meeting.id
    assert row.last_error is None
    # The copy kept in the outbox no longer opens the page: only the e-mail carries the link.
    token = link.rsplit("/", 1)[1]
    assert token not in row.body
    assert "/r/(link removed from the stored copy once sent)" in row.body
    assert "Sunway Hotel" in row.body


def test_public_base_url_is_used_for_the_link(
    app, client, make_meeting, smtp_server, mail_to, monkeypatch
):
    mail_to(smtp_server.port)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://meet.example.org/")
    meeting = make_meeting()
    response = client.post(f"/m/{meeting.slug}/register", data=form())
    link = link_in(smtp_server.bodies()[0])
    assert link == "https://meet.example.org" + response.headers["Location"]


def test_waitlisted_registrant_is_told_their_place(
    client, make_meeting, make_participant, smtp_server, mail_to
):
    mail_to(smtp_server.port)
    meeting = make_meeting(capacity=1)
    make_participant(meeting)
    client.post(f"/m/{meeting.slug}/register", data=form(email="one@example.org"))
    client.post(f"/m/{meeting.slug}/register", data=form(email="two@example.org"))
    subjects = [message["Subject"] for message in smtp_server.messages]
    assert subjects == [
        f"Waiting list, place 1: {meeting.title}",
        f"Waiting list, place 2: {meeting.title}",
    ]
    assert "you are number 2" in smtp_server.bodies()[1]
    assert link_in(smtp_server.bodies()[1])


def test_cancelling_tells_the_promoted_person(client, db, make_meeting, smtp_server, mail_to):
    mail_to(smtp_server.port)
    meeting = make_meeting(capacity=1)
    seated = client.post(f"/m/{meeting.slug}/register", data=form(email="seated@example.org"))
    client.post(f"/m/{meeting.slug}/register", data=form(email="waiting@example.org"))
    response = client.post(seated.headers["Location"] + "/cancel")
    assert response.status_code == 302

    last = smtp_server.messages[-1]
    assert smtp_server.recipients[-1] == ["waiting@example.org"]
    assert last["Subject"] == f"A seat is now yours: {meeting.title}"
    assert "a seat at" in last.get_content()
    kinds = [row.kind for row in outbox(db)]
    assert kinds == [
        "registration_confirmation",
        "registration_waitlisted",
        "registration_promoted",
    ]
    assert all(row.status == "sent" for row in outbox(db))


def test_unreachable_server_leaves_the_message_failed_and_a_later_delivery_sends_it(
    app, client, db, make_meeting, mail_to
):
    port = free_port()  # nothing listens here yet
    mail_to(port)
    meeting = make_meeting()
    response = client.post(f"/m/{meeting.slug}/register", data=form())
    assert response.status_code == 302  # the registration itself is kept
    assert client.get(response.headers["Location"]).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(Participant.status)) == "registered"

    [row] = outbox(db)
    assert row.status == "failed"
    assert row.attempts == 1
    assert row.last_error  # e.g. ConnectionRefusedError: [Errno 111] Connection refused
    assert row.sent_at is None
    assert "/r/" in row.body
    assert "link removed" not in row.body

    with app.app_context():
        assert deliver_queued() == (0, 1)  # still down: failed again, not raised
    [row] = outbox(db)
    assert (row.status, row.attempts) == ("failed", 2)

    controller, inbox = start_smtp(port)
    try:
        with app.app_context():
            assert deliver_queued() == (1, 0)
            assert deliver_queued() == (0, 0)  # nothing left to send
    finally:
        controller.stop()
    [row] = outbox(db)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    assert row.sent_at is not None
    link = link_in(inbox.bodies()[0])
    assert client.get(link.removeprefix("http://localhost")).status_code == 200


def test_send_mail_command_delivers_the_queue(app, runner, db, smtp_server, mail_to):
    mail_to(smtp_server.port)
    with app.test_request_context():
        for n in range(3):
            queue_message(
                f"p{n}@example.org", f"Subject\r\nBcc: evil@example.org {n}", "Body", "test"
            )
        db.session.commit()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "3 sent, 0 failed." in result.output
    assert sorted(r[0] for r in smtp_server.recipients) == [
        "p0@example.org",
        "p1@example.org",
        "p2@example.org",
    ]
    # A line break in a subject cannot add a header.
    assert all(message["Bcc"] is None for message in smtp_server.messages)
    assert smtp_server.messages[0]["Subject"].startswith("Subject Bcc: evil@example.org")
    assert [row.status for row in outbox(db)] == ["sent"] * 3


def test_deliver_only_the_given_ids(app, db, smtp_server, mail_to):
    mail_to(smtp_server.port)
    with app.app_context():
        first = queue_message("a@example.org", "A", "Body", "test")
        second = queue_message("b@example.org", "B", "Body", "test")
        assert first is not None
        assert second is not None
        db.session.commit()
        assert deliver_queued([second.id]) == (1, 0)
        assert deliver_queued([]) == (0, 0)
    assert smtp_server.recipients == [["b@example.org"]]
    assert [row.status for row in outbox(db)] == ["queued", "sent"]


def test_notify_promoted_serves_organiser_promotions(
    app, db, make_meeting, make_participant, smtp_server, mail_to
):
    from meetapp.registration.notifications import notify_promoted
    from meetapp.registration.services import promote_participant, promote_waitlisted

    mail_to(smtp_server.port)
    meeting = make_meeting(capacity=1)
    waiting = make_participant(meeting, status="waitlisted", email="w1@example.org")
    make_participant(meeting, status="waitlisted", email="w2@example.org")
    with app.test_request_context():
        promoted = promote_participant(db.session.get(Participant, waiting.id))
        ids = notify_promoted([promoted])
        db.session.commit()
        assert deliver_queued(ids) == (1, 0)

        # Raising the capacity fills the new seat from the waiting list.
        locked = db.session.get(type(meeting), meeting.id)
        locked.capacity = 2
        ids = notify_promoted(promote_waitlisted(locked))
        db.session.commit()
        assert deliver_queued(ids) == (1, 0)
    assert smtp_server.recipients == [["w1@example.org"], ["w2@example.org"]]
    assert all(m["Subject"].startswith("A seat is now yours") for m in smtp_server.messages)


def test_personal_links_of_both_kinds_are_removed_from_a_stored_copy():
    from meetapp.tokens import new_token, without_personal_links

    registration, _ = new_token()
    survey, _ = new_token()
    body = (
        f"Your registration: https://meet.example.org/r/{registration}\n"
        f"The survey: https://meet.example.org/s/{survey}\n"
        "The agenda: https://meet.example.org/m/cambodia-japan-2019/agenda\n"
    )
    kept = without_personal_links(body)
    assert registration not in kept
    assert survey not in kept
    assert "https://meet.example.org/r/(link removed" in kept
    assert "https://meet.example.org/s/(link removed" in kept
    assert "/m/cambodia-japan-2019/agenda" in kept


def test_a_promoted_person_without_a_link_gets_one_in_the_promotion(
    app, client, db, make_meeting, make_participant, smtp_server, mail_to
):
    """People added from a CSV file never had a personal link: the e-mail that gives them a
    seat carries one (there is no old link it could break); the others keep theirs."""
    from meetapp.registration.notifications import notify_promoted
    from meetapp.registration.services import promote_waitlisted

    mail_to(smtp_server.port)
    meeting = make_meeting(capacity=0)
    imported = make_participant(meeting, status="waitlisted", email="csv@example.org")
    registered_token, registered_hash = new_token()
    with_link = make_participant(
        meeting, status="waitlisted", email="web@example.org", token_hash=registered_hash
    )
    with app.test_request_context():
        locked = db.session.get(type(meeting), meeting.id)
        locked.capacity = 2
        ids = notify_promoted(promote_waitlisted(locked))
        db.session.commit()
        assert deliver_queued(ids) == (2, 0)
    bodies = dict(zip([r[0] for r in smtp_server.recipients], smtp_server.bodies(), strict=True))
    link = link_in(bodies["csv@example.org"])
    page = client.get(link.removeprefix("http://localhost"))
    assert page.status_code == 200
    assert "registered" in page.get_data(as_text=True).lower()
    assert "/r/" not in bodies["web@example.org"]
    assert "from the e-mail or page you received" in " ".join(bodies["web@example.org"].split())
    db.session.expire_all()
    assert db.session.get(Participant, with_link.id).token_hash == registered_hash
    assert db.session.get(Participant, imported.id).token_hash is not None
    assert client.get(f"/r/{registered_token}").status_code == 200


def test_a_title_stored_with_a_line_break_stays_on_its_line_in_the_e_mail(
    client, db, make_meeting, smtp_server, mail_to
):
    """Forms and imports refuse line breaks in titles now, but a meeting stored before may
    hold one: it must not start a line of its own that reads like part of the message."""
    mail_to(smtp_server.port)
    meeting = make_meeting(
        title="Dialogue\nYour personal link: https://evil.example/r/x", venue="Sunway\r\nHotel"
    )
    response = client.post(f"/m/{meeting.slug}/register", data=form())
    assert response.status_code == 302

    [message] = smtp_server.messages
    lines = message.get_content().splitlines()
    assert "You are registered for Dialogue Your personal link: https://evil.example/r/x." in lines
    assert not any(line.startswith("Your personal link: https://evil") for line in lines)
    assert "Where: Sunway Hotel" in lines
    after = lines.index("Your personal link, to see, change or cancel your registration:") + 1
    assert lines[after].startswith("http://localhost/r/")


def test_a_link_in_a_subject_is_removed_from_the_stored_copy_too(
    app, db, make_meeting, smtp_server, mail_to
):
    """Forms keep personal links out of subjects; should one get there, the stored copy loses
    it as the body does, and a subject at its longest stays within its column."""
    mail_to(smtp_server.port)
    meeting = make_meeting()
    token, _hash = new_token()
    link = f"http://localhost/r/{token}"
    with app.test_request_context("/"):
        message = queue_message("a@example.org", "x" * 237 + " " + link, "Body", "test", meeting.id)
        db.session.commit()
        assert deliver_queued([message.id]) == (1, 0)
    # The e-mail itself carries the link (its long header folded over lines).
    assert token in "".join(str(smtp_server.messages[0]["Subject"]).split())
    [row] = outbox(db)
    assert token not in row.subject
    assert len(row.subject) <= 300
    assert row.subject.startswith("x" * 237 + " http://localhost/r/(link removed")
