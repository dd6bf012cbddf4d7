"""The organiser's own registration questions: asked on the form, checked by kind and group,
limited places held, answers changed through the personal link, removal that archives."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from meetapp.models import Participant, StakeholderGroup
from meetapp.models.questions import RegistrationAnswer, RegistrationQuestion
from meetapp.registration.questions import answers_of


def group_id(db, meeting_id, key):
    return db.session.scalar(
        select(StakeholderGroup.id).where(
            StakeholderGroup.meeting_id == meeting_id, StakeholderGroup.key == key
        )
    )


def stored(db, meeting_id):
    """{e-mail: {question key: answer}} of the meeting's participants."""
    db.session.expire_all()
    people = {
        p.id: p.email
        for p in db.session.scalars(select(Participant).where(Participant.meeting_id == meeting_id))
    }
    keys = {
        qid: key
        for qid, key in db.session.execute(
            select(RegistrationQuestion.id, RegistrationQuestion.key).where(
                RegistrationQuestion.meeting_id == meeting_id
            )
        )
    }
    found = {
        people[pid]: {keys[qid]: answer for qid, answer in answers.items()}
        for pid, answers in answers_of(people).items()
    }
    db.session.commit()  # no read transaction left open for the next request
    return found


def field(question):
    return f"question_{question.id}"


def test_the_form_asks_each_kind_and_stores_the_answers(
    client, db, make_meeting, add_question, form
):
    meeting = make_meeting()
    visit = add_question(
        meeting, "single_choice", "Field visit", options=[("Yes, the port", 20), "No"]
    )
    sessions = add_question(
        meeting, "multiple_choice", "Sessions", options=["Law", "Data", "Health"]
    )
    visa = add_question(meeting, "yes_no", "Do you need a visa letter?", required=True)
    arrival = add_question(meeting, "date", "Arrival date")
    nights = add_question(meeting, "number", "Nights")
    passport = add_question(meeting, "country", "Passport country")
    notes = add_question(meeting, "long_text", "Anything else?", help="Travel, diet, access.")
    page = client.get(f"/m/{meeting.slug}/register").get_data(as_text=True)
    for text in (
        "Field visit",
        "Yes, the port (20 places left)",
        "Sessions",
        "Do you need a visa letter?",
        "Travel, diet, access.",
        'type="date"',
        'inputmode="decimal"',
    ):
        assert text in page, text

    response = client.post(
        f"/m/{meeting.slug}/register",
        data=form(
            **{
                field(visit): "yes-the-port",
                field(sessions): ["law", "health"],
                field(visa): "yes",
                field(arrival): "2019-02-20",
                field(nights): "2,5",
                field(passport): "KH",
                field(notes): "  Arriving late  ",
            }
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert stored(db, meeting.id) == {
        "sokha@example.org": {
            "field-visit": ["yes-the-port"],
            "sessions": ["law", "health"],
            "do-you-need-a-visa-letter": ["yes"],
            "arrival-date": "2019-02-20",
            "nights": "2.5",
            "passport-country": "KH",
            "anything-else": "Arriving late",
        }
    }
    personal = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your answers" in personal
    assert "Law, Health" in personal
    assert "Cambodia" in personal


def test_bad_answers_are_told_beside_their_question_and_nothing_is_stored(
    client, db, make_meeting, add_question, form
):
    meeting = make_meeting()
    visa = add_question(meeting, "yes_no", "Visa letter?", required=True)
    nights = add_question(meeting, "number", "Nights")
    arrival = add_question(meeting, "date", "Arrival")
    passport = add_question(meeting, "country", "Passport")
    visit = add_question(meeting, "single_choice", "Visit", options=["Port", "Farm"])
    cases = [
        ({}, "Answer this question."),
        ({field(visa): "maybe"}, "Choose one of the options."),
        ({field(visa): "yes", field(nights): "two"}, "Enter a number"),
        ({field(visa): "yes", field(arrival): "20/02/2019"}, "Enter a date"),
        ({field(visa): "yes", field(passport): "XX"}, "Choose a country"),
        ({field(visa): "yes", field(visit): "moon"}, "Choose one of the options."),
    ]
    for answers, message in cases:
        response = client.post(f"/m/{meeting.slug}/register", data=form(**answers))
        assert response.status_code == 200, answers
        assert message in response.get_data(as_text=True), answers
    assert db.session.scalar(select(Participant.id)) is None
    assert db.session.scalar(select(RegistrationAnswer.id)) is None


def test_a_question_for_some_groups_is_asked_and_required_of_them_alone(
    client, db, make_meeting, add_question, form
):
    meeting = make_meeting()
    permit = add_question(
        meeting, "short_text", "Work permit number", groups=["government"], required=True
    )
    government = group_id(db, meeting.id, "government")
    cso = group_id(db, meeting.id, "cso")
    page = client.get(f"/m/{meeting.slug}/register").get_data(as_text=True)
    assert f'data-groups="{government}"' in page
    assert "Only for: Government." in page
    assert "js/questions.js" in page

    # Civil society: not asked, so not required, and an answer sent anyway is discarded.
    response = client.post(
        f"/m/{meeting.slug}/register",
        data=form(email="cso@example.org", stakeholder_group=str(cso), **{field(permit): "P-1"}),
    )
    assert response.status_code == 302
    # Government: required.
    response = client.post(
        f"/m/{meeting.slug}/register",
        data=form(email="gov@example.org", stakeholder_group=str(government)),
    )
    assert "Answer this question." in response.get_data(as_text=True)
    response = client.post(
        f"/m/{meeting.slug}/register",
        data=form(
            email="gov@example.org", stakeholder_group=str(government), **{field(permit): "P-2"}
        ),
    )
    assert response.status_code == 302
    assert stored(db, meeting.id) == {"gov@example.org": {"work-permit-number": "P-2"}}


def test_a_full_choice_is_refused_and_a_cancellation_frees_its_place(
    client, db, make_meeting, add_question, form, register
):
    meeting = make_meeting()
    visit = add_question(meeting, "single_choice", "Field visit", options=[("Port", 1), "None"])
    first = register(meeting.slug, email="a@example.org", **{field(visit): "port"})
    page = client.get(f"/m/{meeting.slug}/register").get_data(as_text=True)
    assert "Port (full)" in page
    response = client.post(
        f"/m/{meeting.slug}/register", data=form(email="b@example.org", **{field(visit): "port"})
    )
    assert "“Port” has no places left. Choose another option." in response.get_data(as_text=True)
    assert "b@example.org" not in stored(db, meeting.id)

    # The holder keeps their place when they save their details again.
    saved = client.post(
        f"/r/{first}", data=form(email="a@example.org", name="A", **{field(visit): "port"})
    )
    assert saved.status_code == 302
    client.post(f"/r/{first}/cancel")
    register(meeting.slug, email="b@example.org", **{field(visit): "port"})
    assert stored(db, meeting.id)["b@example.org"] == {"field-visit": ["port"]}


def test_answers_change_through_the_link_while_registration_is_open(
    client, db, make_meeting, add_question, form, register
):
    meeting = make_meeting()
    room = add_question(meeting, "single_choice", "Room", options=["Single", "Shared"])
    token = register(meeting.slug, **{field(room): "single"})
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert 'value="single" checked' in page or "checked id" in page or "checked" in page
    response = client.post(f"/r/{token}", data=form(**{field(room): "shared"}))
    assert response.status_code == 302
    assert stored(db, meeting.id)["sokha@example.org"] == {"room": ["shared"]}

    meeting.registration_closes_at = meeting.registration_opens_at + timedelta(seconds=1)
    db.session.commit()
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "can no longer be changed here" in page
    assert f'name="{field(room)}"' not in page
    # Saving other details then leaves the answers alone.
    response = client.post(f"/r/{token}", data=form(name="Sokha C."))
    assert response.status_code == 302
    assert stored(db, meeting.id)["sokha@example.org"] == {"room": ["shared"]}


def test_removing_an_answered_question_archives_it_and_keeps_the_answers(
    client, db, make_user, make_meeting, add_question, login_as, register
):
    organiser = make_user(role="organiser")
    meeting = make_meeting(organisers=[organiser])
    asked = add_question(meeting, "short_text", "Dietary wish")
    unused = add_question(meeting, "short_text", "Never answered")
    register(meeting.slug, **{field(asked): "Halal"})
    asked_id, unused_id = asked.id, unused.id
    login_as(organiser)
    client.post(f"/meetings/{meeting.slug}/questions/{asked.id}/remove")
    client.post(f"/meetings/{meeting.slug}/questions/{unused_id}/remove")
    db.session.expire_all()
    assert db.session.get(RegistrationQuestion, unused_id) is None
    assert db.session.get(RegistrationQuestion, asked_id).archived_at is not None
    db.session.commit()
    assert stored(db, meeting.id) == {"sokha@example.org": {"dietary-wish": "Halal"}}
    assert f'name="question_{asked_id}"' not in client.get(f"/m/{meeting.slug}/register").text
    page = client.get(f"/meetings/{meeting.slug}/questions").get_data(as_text=True)
    assert "Archived" in page
    assert "Dietary wish" in page
    client.post(f"/meetings/{meeting.slug}/questions/{asked.id}/restore")
    assert f'name="question_{asked_id}"' in client.get(f"/m/{meeting.slug}/register").text


def test_the_organiser_writes_a_question_on_the_page(client, db, make_user, make_meeting, login_as):
    organiser = make_user(role="organiser")
    meeting = make_meeting(organisers=[organiser])
    government = group_id(db, meeting.id, "government")
    login_as(organiser)
    assert client.get(f"/meetings/{meeting.slug}/questions/new").status_code == 200
    bad = client.post(
        f"/meetings/{meeting.slug}/questions/new",
        data={"kind": "single_choice", "label": "Field visit", "options": "Port | many"},
    )
    assert bad.status_code == 200
    assert "after | give the number of places" in bad.get_data(as_text=True)
    response = client.post(
        f"/meetings/{meeting.slug}/questions/new",
        data={
            "kind": "single_choice",
            "label": "Field visit",
            "help": "A bus leaves at 14:00.",
            "options": "Port | 20\nFarm\n",
            "groups": [str(government)],
            "required": "y",
            "show_at_desk": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    question = db.session.scalar(select(RegistrationQuestion))
    assert question.options == [
        {"key": "port", "label": "Port", "capacity": 20},
        {"key": "farm", "label": "Farm"},
    ]
    assert question.required
    assert question.show_at_desk
    page = client.get(f"/meetings/{meeting.slug}/questions").get_data(as_text=True)
    assert "Port: 0 of 20 places" in page
    assert "only for Government" in page

    # Rewording keeps the key; an option people chose cannot be removed.
    client.post(
        f"/meetings/{meeting.slug}/questions/{question.id}/edit",
        data={"kind": "single_choice", "label": "Field visit", "options": "Sea port | 20\nFarm"},
    )
    db.session.expire_all()
    assert question.options[0] == {"key": "port", "label": "Sea port", "capacity": 20}
    db.session.add(
        RegistrationAnswer(
            participant_id=_someone(db, meeting), question_id=question.id, option_key="farm"
        )
    )
    db.session.commit()
    refused = client.post(
        f"/meetings/{meeting.slug}/questions/{question.id}/edit",
        data={"kind": "single_choice", "label": "Field visit", "options": "Sea port | 20"},
    )
    assert "cannot be removed" in refused.get_data(as_text=True)
    refused = client.post(
        f"/meetings/{meeting.slug}/questions/{question.id}/edit",
        data={"kind": "short_text", "label": "Field visit"},
    )
    assert "its kind cannot change" in refused.get_data(as_text=True)


def _someone(db, meeting):
    person = Participant(
        meeting_id=meeting.id, name="X", email="x@example.org", email_normalized="x@example.org"
    )
    db.session.add(person)
    db.session.commit()
    return person.id


def test_staff_read_the_questions_and_cannot_change_them_nor_reach_another_meetings(
    client, new_client, db, make_user, make_meeting, add_question, login_as
):
    staff = make_user(role="staff")
    meeting = make_meeting(organisers=[staff])
    other = make_meeting()
    foreign = add_question(other, "short_text", "Theirs")
    mine = add_question(meeting, "short_text", "Ours")
    login_as(staff)
    assert client.get(f"/meetings/{meeting.slug}/questions").status_code == 200
    assert (
        client.post(
            f"/meetings/{meeting.slug}/questions/new", data={"kind": "yes_no", "label": "X"}
        ).status_code
        == 403
    )
    assert client.post(f"/meetings/{meeting.slug}/questions/{mine.id}/remove").status_code == 403
    organiser = make_user(role="organiser")
    member = make_meeting(organisers=[organiser])
    client = new_client(organiser)
    assert client.get(f"/meetings/{member.slug}/questions/{foreign.id}/edit").status_code == 404
    assert client.post(f"/meetings/{member.slug}/questions/{foreign.id}/remove").status_code == 404


def test_a_group_a_question_is_asked_of_cannot_be_removed(
    client, db, make_user, make_meeting, add_question, login_as
):
    organiser = make_user(role="organiser")
    meeting = make_meeting(organisers=[organiser])
    add_question(meeting, "short_text", "Ministry file", groups=["government"])
    government = group_id(db, meeting.id, "government")
    db.session.commit()
    login_as(organiser)
    response = client.post(
        f"/meetings/{meeting.slug}/groups/{government}/delete", follow_redirects=True
    )
    assert "the registration question “Ministry file” is asked of it" in response.text
    assert group_id(db, meeting.id, "government") == government


def test_a_short_text_answer_is_one_line(client, db, make_meeting, add_question, form):
    meeting = make_meeting()
    note = add_question(meeting, "short_text", "Passport number")
    for text in ("AB\n123", "AB\t123", "AB\r\n123"):
        response = client.post(f"/m/{meeting.slug}/register", data=form(**{field(note): text}))
        assert "Keep this on one line" in response.text, repr(text)
    assert stored(db, meeting.id) == {}


# Found in review: each case below once went wrong.


def test_a_number_is_digits_with_one_separator(client, db, make_meeting, add_question, form):
    meeting = make_meeting()
    nights = add_question(meeting, "number", "Nights")
    for text in ("1e5000", "1e1000000", "1e-50000", "1,200", "NaN", "Infinity", "--1"):
        response = client.post(f"/m/{meeting.slug}/register", data=form(**{field(nights): text}))
        assert response.status_code == 200, text
        assert "Enter a number" in response.text, text
    register = client.post(f"/m/{meeting.slug}/register", data=form(**{field(nights): "-2,5"}))
    assert register.status_code == 302
    assert stored(db, meeting.id) == {"sokha@example.org": {"nights": "-2.5"}}


def test_moving_and_adding_options_keeps_each_answer_with_its_option(
    db, make_meeting, make_participant, add_question
):
    from meetapp.registration.questions import OptionLine, QuestionData, save_question

    meeting = make_meeting()
    slot = add_question(meeting, "single_choice", "Slot", options=["Morning", "Afternoon"])
    person = make_participant(meeting)
    db.session.add(
        RegistrationAnswer(participant_id=person.id, question_id=slot.id, option_key="morning")
    )
    db.session.commit()
    # Afternoon (unanswered) goes, Evening comes first: Morning keeps its key, and Evening,
    # in the place of Morning rather than of Afternoon, is a new option.
    save_question(
        meeting,
        QuestionData(
            kind="single_choice",
            label="Slot",
            options=[OptionLine("Evening"), OptionLine("Morning")],
        ),
        slot,
    )
    db.session.commit()
    assert [(o["key"], o["label"]) for o in slot.options] == [
        ("evening", "Evening"),
        ("morning", "Morning"),
    ]


def test_an_option_only_a_cancelled_person_chose_cannot_be_removed_nor_places_cut(
    db, make_meeting, make_participant, add_question
):
    from meetapp.errors import DomainError
    from meetapp.registration.questions import OptionLine, QuestionData, save_question

    meeting = make_meeting()
    visit = add_question(meeting, "single_choice", "Visit", options=[("Port", 5), "Farm"])
    gone = make_participant(meeting, status="cancelled")
    held = [make_participant(meeting) for _ in range(2)]
    db.session.add(
        RegistrationAnswer(participant_id=gone.id, question_id=visit.id, option_key="farm")
    )
    for person in held:
        db.session.add(
            RegistrationAnswer(participant_id=person.id, question_id=visit.id, option_key="port")
        )
    db.session.commit()
    for lines, message in (
        ([OptionLine("Port", 5)], "cannot be removed"),
        ([OptionLine("Port", 1), OptionLine("Farm")], "give it at least 2 places"),
    ):
        with pytest.raises(DomainError, match=message):
            save_question(
                meeting, QuestionData(kind="single_choice", label="Visit", options=lines), visit
            )
        db.session.rollback()


def test_a_cancelled_person_given_a_seat_again_holds_no_place(
    client, db, make_user, make_meeting, add_question, form, register, login_as
):
    organiser = make_user(role="organiser")
    meeting = make_meeting(organisers=[organiser])
    visit = add_question(meeting, "single_choice", "Visit", options=[("Port", 1), "Farm"])
    first = register(meeting.slug, email="a@example.org", **{field(visit): "port"})
    client.post(f"/r/{first}/cancel")
    register(meeting.slug, email="b@example.org", **{field(visit): "port"})
    a = db.session.scalar(select(Participant).where(Participant.email == "a@example.org"))
    a_id = a.id
    db.session.commit()
    login_as(organiser)
    client.post(f"/meetings/{meeting.slug}/participants/{a_id}/promote")
    answers = stored(db, meeting.id)
    assert answers.get("b@example.org") == {"visit": ["port"]}
    assert answers.get("a@example.org") is None  # no longer holds the place B has


def test_limiting_an_answered_question_to_groups_that_leave_people_out_is_refused(
    client, db, make_user, make_meeting, add_question, register, login_as
):
    organiser = make_user(role="organiser")
    meeting = make_meeting(organisers=[organiser])
    note = add_question(meeting, "short_text", "Note")
    cso = group_id(db, meeting.id, "cso")
    government = group_id(db, meeting.id, "government")
    register(meeting.slug, stakeholder_group=str(cso), **{field(note): "Hello"})
    login_as(organiser)
    response = client.post(
        f"/meetings/{meeting.slug}/questions/{note.id}/edit",
        data={"kind": "short_text", "label": "Note", "groups": [str(government)]},
    )
    assert "1 person outside these groups answered" in response.text
    assert stored(db, meeting.id) == {"sokha@example.org": {"note": "Hello"}}


def test_an_archived_questions_answer_stays_on_the_personal_page_and_it_cannot_move(
    client, db, make_user, make_meeting, add_question, register, login_as
):
    organiser = make_user(role="organiser")
    meeting = make_meeting(organisers=[organiser])
    wish = add_question(meeting, "short_text", "Dietary wish")
    token = register(meeting.slug, **{field(wish): "Halal"})
    wish_id = wish.id
    login_as(organiser)
    client.post(f"/meetings/{meeting.slug}/questions/{wish_id}/remove")
    moved = client.post(
        f"/meetings/{meeting.slug}/questions/{wish_id}/move", data={"direction": "up"}
    )
    assert moved.status_code == 302
    assert "Halal" in client.get(f"/r/{token}").text


def test_the_translations_page_offers_the_options_of_registration_questions(
    client, db, make_user, make_meeting, add_question, login_as
):
    organiser = make_user(role="organiser")
    meeting = make_meeting(organisers=[organiser], languages=["en", "km"])
    visit = add_question(meeting, "single_choice", "Field visit", options=["Port", "Farm"])
    login_as(organiser)
    page = client.get(f"/meetings/{meeting.slug}/translations").text
    assert f"registration-question-{visit.id}-option:port" in page
    response = client.post(
        f"/meetings/{meeting.slug}/translations",
        data={
            "language": "km",
            "fingerprint": re.search(r'name="fingerprint" value="([^"]+)"', page).group(1),
            f"registration-question-{visit.id}-option:port": "កំពង់ផែ",
        },
    )
    assert response.status_code == 302
    assert "កំពង់ផែ" in client.get(f"/m/{meeting.slug}/register?lang=km").text
