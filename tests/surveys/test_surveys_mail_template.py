"""A survey invitation and reminder written whole by the organisers reach each participant in
their language, with the survey's title and their own survey link; readers of a language
without one get the app's e-mail."""

from __future__ import annotations

from typing import Any


def test_invitation_and_reminder_use_the_saved_templates(
    client: Any, organiser_setup: Any, login_as: Any, make_participant: Any, make_survey: Any,
    smtp_server: Any, mail_to: Any,
) -> None:  # fmt: skip
    mail_to(smtp_server.port)
    organiser, meeting = organiser_setup(title="Dialogue on Migration", languages=["en", "km"])
    survey = make_survey(meeting)
    make_participant(meeting, name="Ana Gov", email="ana@example.org", languages=["km"])
    make_participant(meeting, name="Ben Tan", email="ben@example.org", languages=["en"])
    login_as(organiser)
    url = f"/meetings/{meeting.slug}/emails/template"
    for kind, subject, body in (
        ("survey_invitation", "{survey}: តើអ្នកគិតយ៉ាងណា?", "សួស្តី {name}\n{survey_link}"),
        ("survey_reminder", "រំលឹក {meeting}", "{name}: {survey_link}"),
    ):
        data = {"kind": kind, "language": "km", "subject": subject, "body": body, "action": "save"}
        assert client.post(url, data=data).status_code == 302
    invitations = f"/meetings/{meeting.slug}/surveys/{survey.key}/invitations"
    assert client.post(invitations, data={"audience": "registered"}).status_code == 302
    by_name = {message["To"]: message for message in smtp_server.messages}
    khmer = next(message for to, message in by_name.items() if "ana" in to.lower())
    english = next(message for to, message in by_name.items() if "ben" in to.lower())
    assert khmer["Subject"] == f"{survey.title}: តើអ្នកគិតយ៉ាងណា?"
    assert khmer.get_content().replace("\r\n", "\n").startswith("សួស្តី Ana Gov\nhttp://localhost/s/")
    assert english["Subject"] == f"{survey.title} · Dialogue on Migration"
    assert "Your personal link:\nhttp://localhost/s/" in english.get_content().replace("\r\n", "\n")
    count = len(smtp_server.messages)
    assert client.post(f"{invitations}/remind").status_code == 302
    reminders = smtp_server.messages[count:]
    khmer = next(message for message in reminders if "ana" in message["To"].lower())
    assert khmer["Subject"] == "រំលឹក Dialogue on Migration"
    assert khmer.get_content().startswith("Ana Gov: http://localhost/s/")
