"""The organisers' own automatic e-mails, written whole per kind and meeting language on the
"E-mails" page: the app's e-mail where none is saved, the saved one in its readers'
language only, never one without the personal link it exists to bring, reset, previewed
before and after saving, and sent through the outbox."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from meetapp.meetings import mail_templates
from meetapp.models import MailIntro, MailTemplate
from meetapp.outbox.mail_templates import Written
from meetapp.registration.notifications import render_registration_mail
from tests.conftest import PASSWORD, csrf_token_from
from tests.registration.conftest import form_data

CONFIRMATION = "registration_confirmation"
KHMER_SUBJECT = "ការចុះឈ្មោះ {meeting}"
KHMER_BODY = "ជម្រាបសួរ {name}\n\nតំណផ្ទាល់ខ្លួន៖ {link}\n\n{dates} · {venue}"


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


def save(client: Any, meeting: Any, kind: str, language: str, subject: str, body: str) -> Any:
    return client.post(
        f"/meetings/{meeting.slug}/emails/template",
        data={
            "kind": kind,
            "language": language,
            "subject": subject,
            "body": body,
            "action": "save",
        },
    )


def saved(db: Any, meeting: Any) -> dict[tuple[str, str], tuple[str, str]]:
    rows = db.session.scalars(select(MailTemplate).where(MailTemplate.meeting_id == meeting.id))
    return {(row.kind, row.language): (row.subject, row.body) for row in rows}


# --- the service ---------------------------------------------------------------------------


def test_the_default_is_the_apps_email_written_with_placeholders(
    app: Any, db: Any, meeting: Any
) -> None:
    with app.test_request_context():
        english = mail_templates.default(meeting, CONFIRMATION, "en")
        assert english.subject == "Registration confirmed: {meeting}"
        assert english.body.startswith("Dear {name},\n\nYou are registered for {meeting}.")
        assert "{dates}" in english.body
        assert "{link}" in english.body
        assert mail_templates.problems(CONFIRMATION, english.subject, english.body) == {}
        waiting = mail_templates.default(meeting, "registration_waitlisted", "en")
        assert waiting.subject == "Waiting list, place {place}: {meeting}"
        assert "you are number {place}." in waiting.body
        survey = mail_templates.default(meeting, "survey_reminder", "en")
        assert survey.subject == "Reminder: {survey} · {meeting}"
        assert "{survey_link}" in survey.body
        assert "\n{survey}\n" in survey.body
        # Each kind's default may be saved as it is, in each language.
        for kind in mail_templates.RULES:
            for language in ("en", "km"):
                written = mail_templates.default(meeting, kind, language)
                assert mail_templates.problems(kind, written.subject, written.body) == {}, kind
        khmer = mail_templates.default(meeting, CONFIRMATION, "km")
        assert khmer.body != english.body
        assert "{link}" in khmer.body


def test_the_default_carries_the_introduction_as_written(app: Any, db: Any, meeting: Any) -> None:
    db.session.add(
        MailIntro(meeting_id=meeting.id, kind=CONFIRMATION, language="en", text="Hi {name}!")
    )
    db.session.commit()
    with app.test_request_context():
        body = mail_templates.default(meeting, CONFIRMATION, "en").body
    assert body.startswith("Dear {name},\n\nHi {name}!\n\nYou are registered")


def test_a_saved_template_is_used_in_its_readers_language_only(
    app: Any, db: Any, meeting: Any, make_participant: Any
) -> None:
    sokha = make_participant(meeting, name="Sokha Chan", languages=["km"])
    with app.test_request_context():
        before = render_registration_mail(
            meeting, sokha, CONFIRMATION, place=None, link="https://x/r/1", locale="en"
        )
        assert (
            mail_templates.save(meeting, CONFIRMATION, "km", KHMER_SUBJECT, KHMER_BODY, None) == {}
        )
        db.session.commit()
        subject, body = render_registration_mail(
            meeting, sokha, CONFIRMATION, place=None, link="https://x/r/1", locale="km"
        )
        assert subject == "ការចុះឈ្មោះ Labour Dialogue"
        assert body.startswith("ជម្រាបសួរ Sokha Chan\n\nតំណផ្ទាល់ខ្លួន៖ https://x/r/1\n")
        # English readers still get the app's e-mail exactly as before.
        assert (
            render_registration_mail(
                meeting, sokha, CONFIRMATION, place=None, link="https://x/r/1", locale="en"
            )
            == before
        )


@pytest.mark.parametrize(
    ("kind", "subject", "body", "field", "message"),
    [
        (CONFIRMATION, "Welcome", "Dear {name}, see you.", "body", "put {link} in the body"),
        ("registration_new_link", "New", "Here: {survey_link}", "body", "Unknown placeholder"),
        ("survey_invitation", "Survey", "Dear {name}: {link}", "body", "Unknown placeholder"),
        ("survey_reminder", "Survey", "Dear {name}", "body", "put {survey_link} in the body"),
        (CONFIRMATION, "Your link {link}", "{link}", "subject", "No link in the subject"),
        (CONFIRMATION, "See https://example.org", "{link}", "subject", "No link in the subject"),
        (CONFIRMATION, "Two\nlines", "{link}", "subject", "one line"),
        (CONFIRMATION, "Hi {nmae}", "{link}", "subject", "Unknown placeholder: {nmae}"),
        (CONFIRMATION, "", "{link}", "subject", "Write the subject"),
        ("registration_promoted", "Seat", "Yours, {name}: {link}", "body", "Unknown placeholder"),
    ],
)
def test_refused_templates_say_why_by_the_field(
    app: Any, db: Any, meeting: Any, kind: str, subject: str, body: str, field: str, message: str
) -> None:
    with app.test_request_context():
        found = mail_templates.save(meeting, kind, "en", subject, body, None)
    assert message in found[field]
    assert saved(db, meeting) == {}


def test_promoted_template_still_brings_a_link_made_now(
    app: Any, db: Any, meeting: Any, make_participant: Any
) -> None:
    from meetapp.registration.notifications import render_promoted_mail

    vanna = make_participant(meeting, name="Vanna Ouk")
    with app.test_request_context():
        mail_templates.save(meeting, "registration_promoted", "en", "Seat!", "Yours, {name}.", None)
        subject, body = render_promoted_mail(meeting, vanna, link="https://x/r/9", locale="en")
        assert subject == "Seat!"
        assert body.startswith("Yours, Vanna Ouk.\n")
        assert body.rstrip().endswith("https://x/r/9")
        _, without = render_promoted_mail(meeting, vanna, link=None, locale="en")
        assert without == "Yours, Vanna Ouk.\n"


def test_reset_removes_one_language_only(app: Any, db: Any, meeting: Any) -> None:
    with app.test_request_context():
        mail_templates.save(meeting, CONFIRMATION, "en", "Hi", "Here: {link}", None)
        mail_templates.save(meeting, CONFIRMATION, "km", KHMER_SUBJECT, KHMER_BODY, None)
        assert mail_templates.reset(meeting, CONFIRMATION, "en") is True
        assert mail_templates.reset(meeting, CONFIRMATION, "en") is False
    assert list(saved(db, meeting)) == [(CONFIRMATION, "km")]


def test_preview_of_a_draft_and_of_what_is_saved(
    app: Any, db: Any, meeting: Any, make_participant: Any
) -> None:
    from meetapp.meetings import mail_intros

    dara = make_participant(meeting, name="Dara Lim")
    with app.test_request_context():
        shown = mail_intros.preview(
            meeting, CONFIRMATION, "en", dara, draft=Written("Hi {name}", "<b>{link}</b>")
        )
        assert (shown.subject, shown.participant, shown.chosen, shown.draft) == (
            "Hi Dara Lim",
            "Dara Lim",
            True,
            True,
        )
        assert shown.body == f"<b>{mail_intros.PREVIEW_LINK}</b>\n"
        assert saved(db, meeting) == {}
        mail_templates.save(meeting, CONFIRMATION, "en", "Saved {meeting}", "{link}", None)
        shown = mail_intros.preview(meeting, CONFIRMATION, "en")
        assert shown.subject == "Saved Labour Dialogue"
        assert not shown.draft


# --- the page ------------------------------------------------------------------------------


def test_the_editor_opens_with_the_default_and_saves_and_resets(
    client: Any, db: Any, meeting: Any, organiser: Any, login_as: Any
) -> None:
    login_as(organiser)
    page = client.get(f"/meetings/{meeting.slug}/emails").get_data(as_text=True)
    assert 'id="template-registration_confirmation-km-body"' in page
    assert 'value="Registration confirmed: {meeting}"' in page
    assert "Dear {name},\n\nYou are registered for {meeting}." in page
    response = save(client, meeting, CONFIRMATION, "km", KHMER_SUBJECT, KHMER_BODY + "\r\n")
    assert response.status_code == 302
    assert saved(db, meeting) == {(CONFIRMATION, "km"): (KHMER_SUBJECT, KHMER_BODY)}
    page = client.get(f"/meetings/{meeting.slug}/emails").get_data(as_text=True)
    assert "written for this meeting" in page
    assert "not sent: the whole e-mail is written for this language" in page
    response = client.post(
        f"/meetings/{meeting.slug}/emails/template/reset",
        data={"kind": CONFIRMATION, "language": "km"},
    )
    assert response.status_code == 302
    assert saved(db, meeting) == {}
    for data in ({"kind": "nothing", "language": "en"}, {"kind": CONFIRMATION, "language": "fr"}):
        assert (
            client.post(f"/meetings/{meeting.slug}/emails/template/reset", data=data).status_code
            == 404
        )
        assert (
            save(client, meeting, data["kind"], data["language"], "s", "{link}").status_code == 404
        )


def test_a_template_without_its_link_is_refused_beside_the_field(
    client: Any, db: Any, meeting: Any, organiser: Any, login_as: Any
) -> None:
    login_as(organiser)
    response = save(client, meeting, "registration_new_link", "en", "New link", "Dear {name}.")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="template-registration_new_link-en-body-error"' in page
    assert "put {link} in the body" in page
    assert "Dear {name}.</textarea>" in page  # what was typed is kept
    assert saved(db, meeting) == {}


def test_preview_before_saving_as_a_chosen_participant_escaped(
    client: Any, db: Any, meeting: Any, organiser: Any, login_as: Any, make_participant: Any,
    make_meeting: Any,
) -> None:  # fmt: skip
    login_as(organiser)
    dara = make_participant(meeting, name="Dara Lim")
    elsewhere = make_participant(make_meeting(), name="Someone Else")
    data = {
        "kind": "survey_invitation",
        "language": "en",
        "subject": "{survey}",
        "body": "<i>Hello</i> {name}: {survey_link}",
        "action": "preview",
        "participant": str(dara.id),
    }
    response = client.post(f"/meetings/{meeting.slug}/emails/template", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "&lt;i&gt;Hello&lt;/i&gt; Dara Lim: [their personal link" in page
    assert "<i>Hello</i>" not in page
    assert "as Dara Lim would get it. The whole e-mail as typed above, not saved yet." in page
    assert saved(db, meeting) == {}
    data["participant"] = str(elsewhere.id)
    assert client.post(f"/meetings/{meeting.slug}/emails/template", data=data).status_code == 404
    data["participant"], data["body"] = "", "No link"
    response = client.post(f"/meetings/{meeting.slug}/emails/template", data=data)
    assert response.status_code == 422
    assert "put {survey_link} in the body" in response.get_data(as_text=True)
    # After saving, the GET preview shows the saved e-mail as the chosen participant.
    save(client, meeting, CONFIRMATION, "en", "Hi {name}", "Link: {link}")
    url = f"/meetings/{meeting.slug}/emails?preview={CONFIRMATION}&language=en"
    page = client.get(f"{url}&participant={dara.id}").get_data(as_text=True)
    assert 'Subject:</strong> <span lang="en">Hi Dara Lim</span>' in page
    assert "The whole e-mail as saved for this language." in page
    assert f'<option value="{dara.id}" selected>Dara Lim</option>' in page
    assert client.get(f"{url}&participant={elsewhere.id}").status_code == 404
    assert client.get(f"{url}&participant=x1").status_code == 404


def test_staff_and_other_organisers_cannot_write_templates(
    client: Any, new_client: Any, db: Any, meeting: Any, make_user: Any, make_meeting: Any
) -> None:
    data = {"kind": CONFIRMATION, "language": "en", "subject": "s", "body": "{link}"}
    url = f"/meetings/{meeting.slug}/emails/template"
    staff = new_client(make_user("staff"))
    assert staff.post(url, data={**data, "action": "save"}).status_code == 403
    assert staff.post(url, data={**data, "action": "preview"}).status_code == 403
    assert staff.post(url + "/reset", data=data).status_code == 403
    other = make_user("organiser")
    make_meeting(organisers=[other])
    stranger = new_client(other)
    assert stranger.post(url, data={**data, "action": "save"}).status_code == 404
    assert stranger.post(url + "/reset", data=data).status_code == 404
    admin = new_client(make_user("admin"))
    assert admin.post(url, data={**data, "action": "save"}).status_code == 302
    assert list(saved(db, meeting)) == [(CONFIRMATION, "en")]


def test_csrf_is_required(
    client: Any, db: Any, meeting: Any, organiser: Any, csrf_enabled: Any
) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"email": organiser.email, "password": PASSWORD, "csrf_token": token}
    )
    data = {
        "kind": CONFIRMATION,
        "language": "en",
        "subject": "s",
        "body": "{link}",
        "action": "save",
    }
    url = f"/meetings/{meeting.slug}/emails/template"
    assert client.post(url, data=data).status_code == 400
    assert client.post(url + "/reset", data=data).status_code == 400
    token = csrf_token_from(client.get(f"/meetings/{meeting.slug}/emails").get_data(as_text=True))
    assert client.post(url, data={**data, "csrf_token": token}).status_code == 302
    assert client.post(url + "/reset", data={**data, "csrf_token": token}).status_code == 302
    assert saved(db, meeting) == {}


# --- through the outbox ----------------------------------------------------------------------


def test_registration_sends_the_saved_template_in_the_readers_language(
    client: Any, new_client: Any, db: Any, meeting: Any, organiser: Any, login_as: Any,
    mailing: Any,
) -> None:  # fmt: skip
    login_as(organiser)
    assert save(client, meeting, CONFIRMATION, "km", KHMER_SUBJECT, KHMER_BODY).status_code == 302
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
    khmer, english = mailing.messages[-2:]
    assert khmer["Subject"] == "ការចុះឈ្មោះ Labour Dialogue"
    body = khmer.get_content()
    assert body.startswith("ជម្រាបសួរ Sokha Chan")
    assert "តំណផ្ទាល់ខ្លួន៖ http://localhost/r/" in body
    assert english["Subject"] == "Registration confirmed: Labour Dialogue"
    assert (
        english.get_content()
        .replace("\r\n", "\n")
        .startswith("Dear Ms Dara Lim,\n\nYou are registered for Labour Dialogue.")
    )


def test_no_template_in_a_language_the_emails_are_not_written_in(
    client: Any, make_meeting: Any, organiser: Any, login_as: Any
) -> None:
    french = make_meeting(organisers=[organiser], languages=["fr", "km"], title="Dialogue")
    login_as(organiser)
    page = client.get(f"/meetings/{french.slug}/emails").get_data(as_text=True)
    assert 'id="intro-registration_confirmation-fr"' in page  # the introduction, as before
    assert 'id="template-registration_confirmation-fr"' not in page
    assert 'id="template-registration_confirmation-km"' in page
    assert save(client, french, CONFIRMATION, "fr", "Bienvenue", "{link}").status_code == 404
