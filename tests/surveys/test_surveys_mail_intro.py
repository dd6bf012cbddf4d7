"""A survey invitation and reminder carry the organisers' introduction of their kind, in the
participant's language, filled with their name."""

from __future__ import annotations

from typing import Any


def test_invitation_and_reminder_carry_their_intros(
    client: Any, organiser_setup: Any, login_as: Any, make_participant: Any, make_survey: Any,
    smtp_server: Any, mail_to: Any,
) -> None:  # fmt: skip
    mail_to(smtp_server.port)
    organiser, meeting = organiser_setup(title="Dialogue on Migration", languages=["en", "km"])
    survey = make_survey(meeting)
    make_participant(meeting, name="Ana Gov", languages=["km"])
    login_as(organiser)
    emails = f"/meetings/{meeting.slug}/emails"
    assert (
        client.post(
            emails,
            data={
                "kind": "survey_invitation",
                "intro-en": "Thanks, {name}.",
                "intro-km": "អរគុណ {name}។",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            emails,
            data={"kind": "survey_reminder", "intro-en": "Still time, {name}, for {meeting}."},
        ).status_code
        == 302
    )
    url = f"/meetings/{meeting.slug}/surveys/{survey.key}/invitations"
    assert client.post(url, data={"audience": "registered"}).status_code == 302
    invitation = smtp_server.messages[-1].get_content()
    assert "អរគុណ Ana Gov។" in invitation
    assert "http://localhost/s/" in invitation
    assert client.post(f"{url}/remind").status_code == 302
    reminder = smtp_server.messages[-1].get_content()
    # No Khmer reminder: the first language's, filled in English.
    assert "Still time, Ana Gov, for Dialogue on Migration." in reminder
    assert "អរគុណ" not in reminder
    assert "http://localhost/s/" in reminder
