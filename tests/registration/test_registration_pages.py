"""Public registration: the page, the window, the waiting list, bad input and personal links."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from meetapp.models import Participant, StakeholderGroup
from tests.conftest import UNICODE_EMAIL, UNICODE_EMAIL_TYPED, csrf_token_from


def participants(db, meeting_id):
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Participant)
            .where(Participant.meeting_id == meeting_id)
            .order_by(Participant.registered_at, Participant.id)
        )
    )


def group_id(db, meeting_id, key):
    return db.session.scalar(
        select(StakeholderGroup.id).where(
            StakeholderGroup.meeting_id == meeting_id, StakeholderGroup.key == key
        )
    )


# The page and the registration window


def test_page_shows_meeting_facts_in_its_time_zone_and_the_form(client, make_meeting):
    meeting = make_meeting(
        title="Labour migration dialogue",
        starts_at=datetime(2031, 2, 18, 2, 0, tzinfo=UTC),
        venue="Sunway Hotel",
        city="Phnom Penh",
        country="KH",
        timezone="Asia/Phnom_Penh",
    )
    response = client.get(f"/m/{meeting.slug}/register")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Labour migration dialogue" in page
    assert "18 February 2031, 09:00 (Phnom Penh, UTC+7)" in page
    assert "Sunway Hotel, Phnom Penh, Cambodia" in page
    for field in ("name", "honorific", "email", "organisation", "position", "needs", "consent"):
        assert f'name="{field}"' in page
    assert "Civil society" in page  # stakeholder groups offered
    assert '<option value="KH">Cambodia</option>' in page
    assert '<option value="km">Khmer</option>' in page
    assert "20 seats left" in page


def test_unknown_meeting_is_404(client):
    assert client.get("/m/no-such-meeting/register").status_code == 404
    assert client.post("/m/no-such-meeting/register", data={}).status_code == 404


def test_before_the_window_the_page_says_when_it_opens_and_refuses(client, db, make_meeting, form):
    meeting = make_meeting(opens_in=timedelta(days=3), timezone="Asia/Tokyo")
    opens = meeting.registration_opens_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    response = client.get(f"/m/{meeting.slug}/register")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Registration has not opened yet." in page
    assert f"{opens.day} {opens:%B %Y, %H:%M} (Tokyo, UTC+9)" in page
    assert 'name="email"' not in page

    response = client.post(f"/m/{meeting.slug}/register", data=form())
    assert response.status_code == 403
    assert "Registration has not opened yet." in response.get_data(as_text=True)
    assert participants(db, meeting.id) == []


def test_after_the_window_the_page_says_closed_and_refuses(client, db, make_meeting, form):
    meeting = make_meeting(opens_in=timedelta(days=-10), closes_in=timedelta(minutes=-1))
    response = client.get(f"/m/{meeting.slug}/register")
    page = response.get_data(as_text=True)
    assert "Registration is closed." in page
    assert 'name="email"' not in page
    response = client.post(f"/m/{meeting.slug}/register", data=form())
    assert response.status_code == 403
    assert "Registration is closed." in response.get_data(as_text=True)
    assert participants(db, meeting.id) == []


def test_open_without_window_limits(client, db, make_meeting, register):
    meeting = make_meeting(opens_in=None, closes_in=None, capacity=None)
    page = client.get(f"/m/{meeting.slug}/register").get_data(as_text=True)
    assert 'name="email"' in page
    assert "seats left" not in page
    register(meeting.slug)
    assert [p.status for p in participants(db, meeting.id)] == ["registered"]


# Registering


def test_registering_redirects_to_the_personal_page(client, db, make_meeting, form, token_of):
    meeting = make_meeting(title="Dialogue 2031")
    group = group_id(db, meeting.id, "cso")
    response = client.post(
        f"/m/{meeting.slug}/register",
        data=form(email="Sokha@Example.org", stakeholder_group=str(group)),
    )
    assert response.status_code == 302
    token = token_of(response.headers["Location"])
    assert len(token) >= 43  # 256 bits, URL-safe base64

    personal = client.get(response.headers["Location"])
    assert personal.headers["Cache-Control"] == "no-store"
    assert personal.headers["Referrer-Policy"] == "no-referrer"
    page = personal.get_data(as_text=True)
    assert "You are registered for Dialogue 2031." in page
    assert "Keep this page" in page
    assert f"http://localhost/r/{token}" in page
    assert "Registered" in page
    assert "Stakeholder group: Civil society" in page

    [person] = participants(db, meeting.id)
    assert person.status == "registered"
    assert person.email_normalized == "sokha@example.org"
    assert person.stakeholder_group_id == group
    assert person.languages == ["en", "km"]
    assert person.country == "KH"
    assert person.consent_at is not None
    assert person.token_hash is not None
    assert token not in person.token_hash


def test_full_meeting_puts_registrants_on_the_waiting_list_with_their_place(
    client, db, make_meeting, make_participant, form
):
    meeting = make_meeting(capacity=1)
    make_participant(meeting)
    page = client.get(f"/m/{meeting.slug}/register").get_data(as_text=True)
    assert "registrations now join the waiting list" in page

    first = client.post(f"/m/{meeting.slug}/register", data=form(email="a@example.org"))
    second = client.post(f"/m/{meeting.slug}/register", data=form(email="b@example.org"))
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "you are on the waiting list, place 2" in page
    assert "You are number 2 on the waiting list" in page
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "You are number 1 on the waiting list" in page
    assert [p.status for p in participants(db, meeting.id)] == [
        "registered",
        "waitlisted",
        "waitlisted",
    ]


def test_a_newcomer_joins_the_end_of_the_list_even_when_it_runs_ahead_of_the_clock(
    client, db, make_meeting, make_participant, form
):
    """The waiting list is ordered by registration time. Those already on it came first, even
    when their times are later than this server's clock (an import, or another server whose
    clock is ahead): the newcomer is last, and the message says the same as the page."""
    meeting = make_meeting(capacity=1)
    now = datetime.now(UTC)
    make_participant(meeting, registered_at=now - timedelta(days=1))
    make_participant(meeting, status="waitlisted", registered_at=now - timedelta(hours=1))
    for days in (20, 21):
        make_participant(meeting, status="waitlisted", registered_at=now + timedelta(days=days))

    response = client.post(f"/m/{meeting.slug}/register", data=form(email="new@example.org"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "you are on the waiting list, place 4" in page
    assert "You are number 4 on the waiting list" in page
    newcomer = db.session.scalar(select(Participant).where(Participant.email == "new@example.org"))
    assert newcomer.registered_at > now + timedelta(days=21)


def test_same_email_in_other_case_is_sent_the_link_and_makes_no_duplicate(
    client, db, make_meeting, form, register
):
    meeting = make_meeting()
    register(meeting.slug, email="sokha@example.org")
    response = client.post(
        f"/m/{meeting.slug}/register", data=form(email="SOKHA@example.ORG", name="Other")
    )
    # The same answer as "Send me my link again": look in the mailbox. The link is never
    # shown on the page: the address is not proof of identity.
    assert response.status_code == 303
    assert response.headers["Location"] == f"/m/{meeting.slug}/link?sent=1"
    assert len(participants(db, meeting.id)) == 1


def test_a_unicode_address_typed_otherwise_is_the_same_person(
    client, db, make_meeting, form, register, monkeypatch
):
    meeting = make_meeting()
    token = register(meeting.slug, email=UNICODE_EMAIL)
    other = register(meeting.slug, email="other@example.org")
    url = f"/m/{meeting.slug}/register"
    response = client.post(url, data=form(email=UNICODE_EMAIL_TYPED, name="Again"))
    assert response.headers["Location"] == f"/m/{meeting.slug}/link?sent=1"
    response = client.post(f"/r/{other}", data=form(email=UNICODE_EMAIL_TYPED))
    assert "Another registration for this meeting uses this e-mail address." in (
        response.get_data(as_text=True)
    )
    assert [p.email_normalized for p in participants(db, meeting.id)] == [
        UNICODE_EMAIL,
        "other@example.org",
    ]

    # When the database is the one to refuse (a registration of the address committed just
    # before), the page still finds the registration that is in the way.
    def refused(*args, **kwargs):
        raise IntegrityError("INSERT INTO participants ...", {}, Exception("unique"))

    monkeypatch.setattr("meetapp.registration.routes.register_participant", refused)
    monkeypatch.setattr("meetapp.registration.routes.update_registration", refused)
    response = client.post(url, data=form(email=UNICODE_EMAIL_TYPED))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/m/{meeting.slug}/link?sent=1"
    response = client.post(f"/r/{other}", data=form(email=UNICODE_EMAIL_TYPED))
    assert response.status_code == 200
    assert "Another registration for this meeting uses this e-mail address." in (
        response.get_data(as_text=True)
    )
    assert client.get(f"/r/{token}").status_code == 200


def test_a_cancelled_registration_may_register_again(client, db, make_meeting, register):
    meeting = make_meeting()
    token = register(meeting.slug)
    assert client.post(f"/r/{token}/cancel").status_code == 302
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "This registration is cancelled." in page
    assert f'href="/m/{meeting.slug}/register"' in page

    new_token = register(meeting.slug, name="Sokha Again")
    [person] = participants(db, meeting.id)
    assert person.status == "registered"
    assert person.name == "Sokha Again"
    assert client.get(f"/r/{token}").status_code == 404  # only the newest link works
    assert client.get(f"/r/{new_token}").status_code == 200


# Bad input: a form error, never a 500, nothing stored


def _refused(client, db, meeting, data, message):
    response = client.post(f"/m/{meeting.slug}/register", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert participants(db, meeting.id) == []
    return response.get_data(as_text=True)


def test_empty_form(client, db, make_meeting):
    meeting = make_meeting()
    page = _refused(client, db, meeting, {}, "Enter your name.")
    assert "Enter your e-mail address." in page
    assert "Please agree to the processing of your data." in page


def test_invalid_email(client, db, make_meeting, form):
    meeting = make_meeting()
    for bad in ("not-an-email", "a@b", "<script>@x.org", "x" * 300 + "@example.org"):
        _refused(
            client,
            db,
            meeting,
            form(email=bad),
            "valid e-mail address"
            if len(bad) < 300
            else "Field cannot be longer than 254 characters.",
        )


def test_ten_thousand_characters(client, db, make_meeting, form):
    meeting = make_meeting()
    _refused(client, db, meeting, form(name="x" * 10_000), "longer than 200 characters")
    _refused(client, db, meeting, form(needs="x" * 10_000), "longer than 2000 characters")
    _refused(client, db, meeting, form(organisation="x" * 10_000), "longer than 300 characters")


def test_missing_consent(client, db, make_meeting, form):
    meeting = make_meeting()
    _refused(client, db, meeting, form(consent=None), "Please agree to the processing")


def test_unknown_or_foreign_stakeholder_group(client, db, make_meeting, form):
    meeting = make_meeting()
    other = make_meeting()
    foreign = group_id(db, other.id, "cso")
    for bad in (str(foreign), "999999", "abc", "-1", "1.5"):
        _refused(client, db, meeting, form(stakeholder_group=bad), "Not a valid choice")


def test_unknown_country_and_language(client, db, make_meeting, form):
    meeting = make_meeting()
    _refused(client, db, meeting, form(country="XX"), "Not a valid choice")
    _refused(client, db, meeting, form(languages=["en", "zz"]), "not a valid choice")


def test_html_in_name_is_shown_escaped(client, db, make_meeting, register):
    meeting = make_meeting()
    token = register(meeting.slug, name='<script>alert("x")</script><b>Bold</b>')
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(" in page
    assert "<b>Bold</b>" not in page
    [person] = participants(db, meeting.id)
    assert person.name == '<script>alert("x")</script><b>Bold</b>'


# The personal link


def test_bad_tokens_all_get_the_same_404_page(client, make_meeting, register):
    meeting = make_meeting()
    token = register(meeting.slug)
    client.get(f"/r/{token}")  # shows (and so clears) the flashed confirmation
    bodies = set()
    for bad in (
        "garbage",
        secrets.token_urlsafe(32),
        token[:-1],
        token + "x",
        token.upper() if token.upper() != token else token.lower(),
        "x" * 5000,
        "' OR 1=1 --",
    ):
        response = client.get(f"/r/{bad}")
        assert response.status_code == 404, bad
        bodies.add(response.get_data(as_text=True))
        assert client.post(f"/r/{bad}/cancel").status_code == 404
    assert len(bodies) == 1
    assert "This personal link is not valid." in bodies.pop()
    # A control character is in no address of the site: not found, in the participants' frame.
    response = client.get("/r/%00")
    assert response.status_code == 404
    assert "Go to the start page" not in response.get_data(as_text=True)
    assert client.post("/r/%00/cancel").status_code == 404


def test_update_through_the_personal_link(client, db, make_meeting, register, form):
    meeting = make_meeting()
    token = register(meeting.slug, email="old@example.org")
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert 'value="old@example.org"' in page  # the form shows the current details
    assert '<option selected value="km">' in page or 'value="km" selected' in page

    response = client.post(
        f"/r/{token}",
        data=form(name="New Name", email="New@Example.org", consent=None, languages=["fr"]),
    )
    assert response.status_code == 302
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "Your changes are saved." in page
    assert "New Name" in page
    [person] = participants(db, meeting.id)
    assert person.name == "New Name"
    assert person.email_normalized == "new@example.org"
    assert person.languages == ["fr"]


def test_update_keeps_emails_unique_and_refuses_bad_input(client, db, make_meeting, register, form):
    meeting = make_meeting()
    register(meeting.slug, email="taken@example.org")
    token = register(meeting.slug, email="mine@example.org", name="Mine")
    response = client.post(f"/r/{token}", data=form(email="TAKEN@example.org", name="Changed"))
    assert response.status_code == 200
    assert "Another registration for this meeting uses this e-mail address." in (
        response.get_data(as_text=True)
    )
    response = client.post(f"/r/{token}", data=form(name="x" * 10_000))
    assert "longer than 200 characters" in response.get_data(as_text=True)
    other_group = group_id(db, make_meeting().id, "cso")
    response = client.post(f"/r/{token}", data=form(stakeholder_group=str(other_group)))
    assert "Not a valid choice" in response.get_data(as_text=True)
    names = {p.email_normalized: p.name for p in participants(db, meeting.id)}
    assert names == {"taken@example.org": "Sokha Chan", "mine@example.org": "Mine"}


def test_cancel_through_the_personal_link_promotes_the_first_waitlisted(
    client, db, make_meeting, register
):
    meeting = make_meeting(capacity=1)
    seated = register(meeting.slug, email="seated@example.org")
    first = register(meeting.slug, email="first@example.org")
    register(meeting.slug, email="second@example.org")
    page = client.get(f"/r/{seated}").get_data(as_text=True)
    assert 'data-confirm="Cancel your registration?' in page

    response = client.post(f"/r/{seated}/cancel")
    assert response.status_code == 302
    page = client.get(f"/r/{seated}").get_data(as_text=True)
    assert "Your registration is cancelled." in page
    assert "Cancelled" in page
    assert 'name="email"' not in page  # no update form for a cancelled registration

    statuses = {p.email_normalized: p.status for p in participants(db, meeting.id)}
    assert statuses == {
        "seated@example.org": "cancelled",
        "first@example.org": "registered",
        "second@example.org": "waitlisted",
    }
    assert "A seat is yours." in client.get(f"/r/{first}").get_data(as_text=True)

    # Cancelling twice changes nothing more; updating a cancelled one is refused.
    client.post(f"/r/{seated}/cancel")
    client.post(f"/r/{seated}", data={"name": "Changed", "email": "seated@example.org"})
    statuses = {p.email_normalized: p.status for p in participants(db, meeting.id)}
    assert statuses["second@example.org"] == "waitlisted"
    assert {p.name for p in participants(db, meeting.id)} == {"Sokha Chan"}


def test_cancelled_after_close_has_no_register_again_link(client, db, make_meeting, register):
    meeting = make_meeting()
    token = register(meeting.slug)
    client.post(f"/r/{token}/cancel")
    meeting.registration_closes_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "This registration is cancelled." in page
    assert "register again" not in page


# CSRF and rate limits


def test_csrf_is_enforced_on_register_update_and_cancel(
    client, db, make_meeting, form, register, csrf_enabled
):
    meeting = make_meeting()
    response = client.post(f"/m/{meeting.slug}/register", data=form())
    assert response.status_code == 400
    assert participants(db, meeting.id) == []

    page = client.get(f"/m/{meeting.slug}/register").get_data(as_text=True)
    response = client.post(
        f"/m/{meeting.slug}/register", data=form(csrf_token=csrf_token_from(page))
    )
    assert response.status_code == 302
    token = response.headers["Location"].rsplit("/", 1)[1]

    assert client.post(f"/r/{token}", data=form(name="Forged")).status_code == 400
    assert client.post(f"/r/{token}/cancel").status_code == 400
    [person] = participants(db, meeting.id)
    assert (person.name, person.status) == ("Sokha Chan", "registered")

    page = client.get(f"/r/{token}").get_data(as_text=True)
    csrf = csrf_token_from(page)
    assert client.post(f"/r/{token}", data=form(name="Real", csrf_token=csrf)).status_code == 302
    assert client.post(f"/r/{token}/cancel", data={"csrf_token": csrf}).status_code == 302
    [person] = participants(db, meeting.id)
    assert (person.name, person.status) == ("Real", "cancelled")


def test_token_lookups_are_rate_limited(app, client, make_meeting, register, monkeypatch):
    """Only failed lookups count: a working link is never limited by its own use, unknown
    links are, and past the limit even a working link is refused from that address."""
    meeting = make_meeting()
    token = register(meeting.slug)
    monkeypatch.setitem(app.config, "TOKEN_RATE_LIMIT", "3 per minute")
    for _ in range(5):
        assert client.get(f"/r/{token}").status_code == 200
    assert client.post(f"/r/{token}/cancel").status_code == 302
    for n in range(3):
        assert client.get(f"/r/guessing-a-token-here-{n}").status_code == 404
    response = client.get(f"/r/{token}")
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    assert client.post(f"/r/{token}/cancel").status_code == 429


def test_registrations_are_rate_limited(app, client, db, make_meeting, form, monkeypatch):
    meeting = make_meeting()
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", "2 per minute")
    for n in range(2):
        response = client.post(f"/m/{meeting.slug}/register", data=form(email=f"p{n}@example.org"))
        assert response.status_code == 302
    response = client.post(f"/m/{meeting.slug}/register", data=form(email="p3@example.org"))
    assert response.status_code == 429
    assert client.get(f"/m/{meeting.slug}/register").status_code == 200  # reading stays open
    assert len(participants(db, meeting.id)) == 2


def test_the_meetings_own_languages_are_offered_first(client, make_meeting):
    meeting = make_meeting(languages=["km", "ja"])
    # An English-reading visitor (else the page is in the meeting's first language, Khmer).
    page = client.get(f"/m/{meeting.slug}/register", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    select = page[page.index('name="languages"') :]
    select = select[: select.index("</select>")]
    assert select.index("Khmer") < select.index("Japanese") < select.index("Abkhazian")
    # The meeting's languages are checkboxes; the others are in a plain select, once each.
    assert 'type="checkbox" id="languages-0" name="languages" value="km">' in page
    assert 'type="checkbox" id="languages-1" name="languages" value="ja">' in page
    assert select.count('value="km"') == 1
    assert "multiple" not in select
    assert "Ctrl" not in page


def test_a_registration_page_issues_a_fixed_number_of_queries(
    client, db, make_meeting, count_queries, add_question
):
    meeting = make_meeting(groups=tuple((f"g{n}", f"Group {n}") for n in range(12)))
    url = f"/m/{meeting.slug}/register"
    client.get(url)
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    # Two statements: the meeting with its organisation and stakeholder groups, the seats taken,
    # and whether there is an agenda to link to; and the organiser's registration questions.
    assert counter.count == 2, counter.statements

    # With questions: their groups too, and the places left of limited options (one GROUP BY).
    for n in range(5):
        add_question(meeting, "single_choice", f"Visit {n}", options=[("Port", 20), "Farm"])
        add_question(meeting, "short_text", f"Note {n}", groups=["g1", "g2"])
    client.get(url)
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    assert counter.count == 4, counter.statements


def test_the_page_reads_its_meeting_with_organisation_groups_and_agenda(app, make_meeting):
    from meetapp.registration.services import registration_page

    meeting = make_meeting(groups=(("b", "Second"), ("a", "First")), languages=["km", "en"])
    with app.test_request_context():
        page = registration_page(meeting.slug)
        assert registration_page("no-such-meeting") is None
        assert page is not None
        assert page.meeting.id == meeting.id
        assert page.meeting.organisation.name == meeting.organisation.name
        assert [g.label for g in page.meeting.stakeholder_groups] == [
            g.label for g in meeting.stakeholder_groups
        ]
        assert page.has_agenda is False


def test_every_visitor_gets_a_csrf_token_of_their_own(
    app, client, make_meeting, form, csrf_enabled
):
    meeting = make_meeting(capacity=5)
    url = f"/m/{meeting.slug}/register"
    other = app.test_client()
    mine, theirs = (c.get(url).get_data(as_text=True) for c in (client, other))
    assert csrf_token_from(mine) != csrf_token_from(theirs)
    # Another visitor's token is refused; one's own is taken.
    stolen = form(email="a@example.org", csrf_token=csrf_token_from(theirs))
    assert client.post(url, data=stolen).status_code == 400
    own = form(email="a@example.org", csrf_token=csrf_token_from(mine))
    assert client.post(url, data=own).status_code == 302
    assert "4 seats left" in other.get(url).get_data(as_text=True)


def test_a_message_to_show_once_is_on_the_open_page(client, make_meeting):
    meeting = make_meeting()
    url = f"/m/{meeting.slug}/register"
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "A message for <you>")]
    page = client.get(url).get_data(as_text=True)
    alert = '<div class="alert alert-info" role="alert">A message for &lt;you&gt;</div>'
    assert page.count(alert) == 1
    assert "A message for" not in client.get(url).get_data(as_text=True)


def test_the_registration_form_follows_changes_to_groups_and_languages(client, make_meeting, db):
    meeting = make_meeting(groups=(("gov", "Government"),), languages=["en"])
    url = f"/m/{meeting.slug}/register"
    assert "Government" in client.get(url).get_data(as_text=True)
    meeting.stakeholder_groups[0].label = "Public authorities"
    meeting.languages = ["km"]
    db.session.commit()
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Public authorities" in page
    assert "Government" not in page
    languages = page[page.index('name="languages"') :]
    assert languages.index("Khmer") < languages.index("Abkhazian")


def test_a_registration_writes_with_a_fixed_number_of_statements(
    client, db, make_meeting, form, count_queries
):
    """A rush of registrations queues on the meeting lock: what runs under it stays short."""
    meeting = make_meeting(capacity=1, groups=tuple((f"g{n}", f"Group {n}") for n in range(12)))
    slug = meeting.slug
    client.post(f"/m/{slug}/register", data=form(email="first@example.org"))
    for email in ("second@example.org", "third@example.org"):  # the waiting list, too
        with count_queries() as counter:
            response = client.post(f"/m/{slug}/register", data=form(email=email))
        assert response.status_code == 302
        # The meeting with its organisation, its groups, the registration questions; then
        # under the lock: the meeting's columns, the e-mail, the two counts in one statement,
        # the insert.
        assert counter.count == 7, counter.statements
    assert [p.status for p in participants(db, meeting.id)] == [
        "registered",
        "waitlisted",
        "waitlisted",
    ]


def test_a_group_removed_while_someone_registers_gets_a_message_not_an_error(
    client, db, make_meeting, form, monkeypatch
):
    from sqlalchemy import delete

    from meetapp.extensions import db as app_db
    from meetapp.registration import services

    meeting = make_meeting(groups=(("gov", "Government"), ("cso", "Civil society")))
    removed = group_id(db, meeting.id, "cso")
    real_lock = services.lock_meeting

    def lock_after_the_group_went(meeting_id):
        # The organiser removes the (unused) group between the form's check and the insert
        # (committed, as by another request).
        app_db.session.execute(delete(StakeholderGroup).where(StakeholderGroup.id == removed))
        app_db.session.commit()
        return real_lock(meeting_id)

    monkeypatch.setattr(services, "lock_meeting", lock_after_the_group_went)
    response = client.post(f"/m/{meeting.slug}/register", data=form(stakeholder_group=str(removed)))
    assert response.status_code == 200
    assert "Choose one of the meeting&#39;s stakeholder groups." in response.get_data(as_text=True)
    assert participants(db, meeting.id) == []


def test_the_page_and_registering_cost_the_same_at_3_and_at_30_participants(
    client, make_meeting, make_participant, form, count_queries
):
    """The seats taken come from the meeting's counts: neither the page nor registering
    counts the participants, so their statements are the same however many there are."""
    meeting = make_meeting(capacity=100)
    url = f"/m/{meeting.slug}/register"

    def measure(email: str) -> tuple[list[str], list[str]]:
        client.get(url)
        with count_queries() as page:
            assert client.get(url).status_code == 200
        with count_queries() as registering:
            response = client.post(url, data=form(email=email))
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return page.statements, registering.statements

    for n in range(3):
        make_participant(meeting, status=("registered", "waitlisted", "cancelled")[n % 3])
    few_page, few_registering = measure("few@example.org")
    for n in range(27):
        make_participant(meeting, status=("registered", "waitlisted", "cancelled")[n % 3])
    many_page, many_registering = measure("many@example.org")

    assert len(many_page) == len(few_page) == 2  # the meeting, its registration questions
    assert "participants" not in many_page[0]
    assert len(many_registering) == len(few_registering)
    for statement in many_registering:
        assert not ("count(" in statement.lower() and "participants" in statement), statement
        assert "max(" not in statement.lower(), statement
    # 10 registered by the fixture and the 2 newcomers hold 12 of the 100 seats.
    assert "88 seats left." in client.get(url).get_data(as_text=True)
