"""The organisers' introductions of the automatic e-mails: written per kind and meeting
language on the "E-mails" page, carried by each e-mail in its reader's language (else the
meeting's first language's), filled per recipient, refused when they ask for an unknown
placeholder, reset, and previewed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from meetapp.models import MailIntro
from tests.registration.conftest import form_data, token_from

KHMER_INTRO = "សូមស្វាគមន៍ {name} មកកាន់ {meeting}។"
ENGLISH_INTRO = "Welcome, {name}! We look forward to {meeting} on {dates}."


@pytest.fixture
def organiser(make_user: Any) -> Any:
    return make_user("organiser")


@pytest.fixture
def meeting(make_meeting: Any, organiser: Any) -> Any:
    return make_meeting(organisers=[organiser], languages=["en", "km"], title="Labour Dialogue")


@pytest.fixture
def mailing(smtp_server: Any, mail_to: Any) -> Any:
    mail_to(smtp_server.port)
    return smtp_server


def save(client: Any, meeting: Any, kind: str, **texts: str) -> Any:
    data = {"kind": kind, **{f"intro-{code}": text for code, text in texts.items()}}
    return client.post(f"/meetings/{meeting.slug}/emails", data=data)


def intros(db: Any, meeting: Any) -> dict[tuple[str, str], str]:
    rows = db.session.scalars(select(MailIntro).where(MailIntro.meeting_id == meeting.id))
    return {(row.kind, row.language): row.text for row in rows}


def test_the_confirmation_carries_the_intro_in_each_readers_language(
    app: Any, client: Any, new_client: Any, db: Any, meeting: Any, organiser: Any,
    login_as: Any, mailing: Any,
) -> None:  # fmt: skip
    organiser_client = login_as(organiser)
    response = save(
        organiser_client, meeting, "registration_confirmation", en=ENGLISH_INTRO, km=KHMER_INTRO
    )
    assert response.status_code == 302
    visitor = new_client()
    for name, email, languages in (
        ("Sokha Chan", "sokha@example.org", ["km"]),
        ("Dara Lim", "dara@example.org", ["en"]),
    ):
        response = visitor.post(
            f"/m/{meeting.slug}/register",
            data=form_data(name=name, email=email, languages=languages),
        )
        assert response.status_code == 302
        token_from(response.headers["Location"])
    khmer, english = (message.get_content() for message in mailing.messages[-2:])
    assert "សូមស្វាគមន៍ Sokha Chan មកកាន់ Labour Dialogue។" in khmer
    assert "Welcome" not in khmer
    assert "Welcome, Dara Lim! We look forward to Labour Dialogue on " in english
    assert "{dates}" not in english
    assert "សូមស្វាគមន៍" not in english
    # The introduction comes after the greeting; the personal link is still there.
    assert english.index("Dear ") < english.index("Welcome, Dara Lim")
    assert "http://localhost/r/" in english
    assert "http://localhost/r/" in khmer


def test_a_language_without_intro_falls_back_to_the_first_language(
    client: Any, db: Any, meeting: Any, organiser: Any, login_as: Any, mailing: Any
) -> None:
    login_as(organiser)
    assert (
        save(client, meeting, "registration_confirmation", en=ENGLISH_INTRO, km="").status_code
        == 302
    )
    assert intros(db, meeting) == {("registration_confirmation", "en"): ENGLISH_INTRO}
    client.post(
        f"/m/{meeting.slug}/register",
        data=form_data(name="Sokha Chan", email="sokha@example.org", languages=["km"]),
    )
    body = mailing.messages[-1].get_content()
    assert "Welcome, Sokha Chan!" in body


def test_no_intro_leaves_the_email_as_it_was(client: Any, meeting: Any, mailing: Any) -> None:
    client.post(f"/m/{meeting.slug}/register", data=form_data(languages=["en"]))
    body = mailing.messages[-1].get_content().replace("\r\n", "\n")
    assert body.startswith("Dear Ms Sokha Chan,\n\nYou are registered for Labour Dialogue.")


def test_an_unknown_placeholder_is_refused_beside_the_field_and_nothing_is_saved(
    client: Any, db: Any, meeting: Any, organiser: Any, login_as: Any
) -> None:
    login_as(organiser)
    response = save(
        client, meeting, "registration_waitlisted", en="Dear {name}", km="{link} {name.__class__}"
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Unknown placeholder: {link}." in page
    assert 'id="intro-registration_waitlisted-km-error"' in page
    # What was typed is shown again, and nothing of the kind was written.
    assert "Dear {name}</textarea>" in page
    assert intros(db, meeting) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [("x" * 2_001, "at most 2,000 characters"), ("a\x00b", "control characters")],
)
def test_too_long_and_control_characters_are_refused(
    client: Any, db: Any, meeting: Any, organiser: Any, login_as: Any, text: str, message: str
) -> None:
    login_as(organiser)
    response = save(client, meeting, "registration_promoted", en=text, km="")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert intros(db, meeting) == {}


def test_saving_again_changes_and_removes_and_reset_removes_every_language(
    client: Any, db: Any, meeting: Any, organiser: Any, login_as: Any
) -> None:
    login_as(organiser)
    save(client, meeting, "registration_new_link", en="Here it is, {name}.", km="នេះ {name}")
    save(client, meeting, "survey_reminder", en="Still time, {name}.", km="")
    save(client, meeting, "registration_new_link", en="  Again, {name}.  ", km="")
    assert intros(db, meeting) == {
        ("registration_new_link", "en"): "Again, {name}.",
        ("survey_reminder", "en"): "Still time, {name}.",
    }
    page = client.get(f"/meetings/{meeting.slug}/emails").get_data(as_text=True)
    assert "Again, {name}.</textarea>" in page
    assert "Remove the introductions" in page
    response = client.post(
        f"/meetings/{meeting.slug}/emails/reset", data={"kind": "registration_new_link"}
    )
    assert response.status_code == 302
    assert intros(db, meeting) == {("survey_reminder", "en"): "Still time, {name}."}
    assert (
        client.post(
            f"/meetings/{meeting.slug}/emails/reset", data={"kind": "no_such_kind"}
        ).status_code
        == 404
    )
    assert save(client, meeting, "no_such_kind", en="x").status_code == 404


def test_the_page_lists_each_kind_with_its_languages_first_language_first(
    client: Any, meeting: Any, organiser: Any, login_as: Any
) -> None:
    login_as(organiser)
    page = client.get(f"/meetings/{meeting.slug}/emails").get_data(as_text=True)
    for kind in (
        "registration_confirmation",
        "registration_waitlisted",
        "registration_promoted",
        "registration_new_link",
        "survey_invitation",
        "survey_reminder",
    ):
        assert f'id="kind-{kind}"' in page
        assert page.index(f'id="intro-{kind}-en"') < page.index(f'id="intro-{kind}-km"')
    assert "(first language)" in page
    assert page.count("missing</span>") == 12
    assert f'href="/meetings/{meeting.slug}/emails"' in page  # the section's tab


def test_preview_shows_the_whole_email_escaped_with_the_intro(
    client: Any, meeting: Any, organiser: Any, login_as: Any, make_participant: Any
) -> None:
    login_as(organiser)
    save(client, meeting, "registration_promoted", en="<b>Good</b> news, {name}!", km=KHMER_INTRO)
    url = f"/meetings/{meeting.slug}/emails?preview=registration_promoted&language="
    page = client.get(url + "en").get_data(as_text=True)
    assert 'Subject:</strong> <span lang="en">A seat is now yours: Labour Dialogue' in page
    assert "&lt;b&gt;Good&lt;/b&gt; news, Sample Participant!" in page
    assert "<b>Good</b>" not in page
    assert "[their personal link, made when the e-mail is sent]" in page
    # The first registered participant, in Khmer.
    make_participant(meeting, name="Sokha Chan")
    page = client.get(url + "km").get_data(as_text=True)
    assert "សូមស្វាគមន៍ Sokha Chan មកកាន់ Labour Dialogue។" in page
    assert "<pre" in page
    assert client.get(url + "fr").status_code == 404
    assert (
        client.get(f"/meetings/{meeting.slug}/emails?preview=nothing&language=en").status_code
        == 404
    )


def test_organisers_and_admins_only(
    client: Any, new_client: Any, meeting: Any, make_user: Any, make_meeting: Any,
    db: Any,
) -> None:  # fmt: skip
    url = f"/meetings/{meeting.slug}/emails"
    staff = new_client(make_user("staff"))
    assert staff.get(url).status_code == 403
    assert staff.post(url, data={"kind": "survey_reminder", "intro-en": "x"}).status_code == 403
    assert staff.post(url + "/reset", data={"kind": "survey_reminder"}).status_code == 403
    other = make_user("organiser")
    make_meeting(organisers=[other])
    stranger = new_client(other)
    assert stranger.get(url).status_code == 404
    assert stranger.post(url, data={"kind": "survey_reminder", "intro-en": "x"}).status_code == 404
    assert stranger.post(url + "/reset", data={"kind": "survey_reminder"}).status_code == 404
    admin = new_client(make_user("admin"))
    assert admin.get(url).status_code == 200
    assert admin.post(url, data={"kind": "survey_reminder", "intro-en": "x"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(MailIntro)) == 1
    # Staff do not see the section.
    assert 'href="/meetings/' + meeting.slug + '/emails"' not in staff.get(
        f"/meetings/{meeting.slug}"
    ).get_data(as_text=True)


def test_line_breaks_are_kept_and_a_language_removed_from_the_meeting_is_not_sent(
    client: Any, db: Any, meeting: Any, organiser: Any, login_as: Any, mailing: Any
) -> None:
    login_as(organiser)
    save(client, meeting, "registration_confirmation", en="One\r\nTwo, {name}", km="ខ្មែរ {name}")
    assert intros(db, meeting)[("registration_confirmation", "en")] == "One\nTwo, {name}"
    meeting.languages = ["en"]
    db.session.commit()
    client.post(
        f"/m/{meeting.slug}/register",
        data=form_data(name="Sokha Chan", email="sokha@example.org", languages=["km"]),
    )
    body = mailing.messages[-1].get_content().replace("\r\n", "\n")
    assert "One\nTwo, Sokha Chan\n" in body
    assert "ខ្មែរ" not in body


def test_the_promotion_and_new_link_emails_carry_their_intros_and_keep_their_links(
    client: Any, db: Any, meeting: Any, organiser: Any, login_as: Any, make_participant: Any,
    mailing: Any,
) -> None:  # fmt: skip
    login_as(organiser)
    save(client, meeting, "registration_promoted", en="Good news, {name}: {venue}.", km="")
    save(client, meeting, "registration_new_link", en="Here is your new link, {name}.", km="")
    waiting = make_participant(meeting, name="Vanna Ouk", status="waitlisted", languages=["en"])
    base = f"/meetings/{meeting.slug}/participants/{waiting.id}"
    assert client.post(f"{base}/promote").status_code in (302, 303)
    promoted = mailing.messages[-1].get_content()
    assert mailing.messages[-1]["Subject"].startswith("A seat is now yours")
    assert "Good news, Vanna Ouk: " in promoted
    assert client.post(f"{base}/link").status_code in (302, 303)
    renewed = mailing.messages[-1].get_content()
    assert "Here is your new link, Vanna Ouk." in renewed
    assert "http://localhost/r/" in renewed
    assert "Good news" not in renewed
