"""Without e-mail, someone promoted from the waiting list is marked "promoted, not told yet"
until an organiser makes their link to pass on (or the desk seats them); with e-mail, the
promotion's message tells them."""

from __future__ import annotations

from typing import Any

MARK = "Promoted, not told yet"


def promote(setup: Any, person: Any) -> Any:
    return setup.client.post(f"{setup.base}/participants/{person.id}/promote", data={})


def test_promoted_without_mail_is_marked_until_the_link_is_made(
    setup: Any, make_participant: Any
) -> None:
    waiting = make_participant(setup.meeting, status="waitlisted", name="Mai Yamada")
    response = promote(setup, waiting)
    assert response.status_code == 302
    person = setup.reload(waiting)
    assert person.status == "registered"
    assert person.promoted_not_told
    listing = setup.client.get(f"{setup.base}/participants").get_data(as_text=True)
    assert MARK in listing
    assert "No e-mail can tell them" in listing  # the flashed message
    page = setup.client.get(f"{setup.base}/participants/{person.id}/edit")
    assert MARK in page.get_data(as_text=True)

    made = setup.client.post(f"{setup.base}/participants/{person.id}/link", data={})
    html = made.get_data(as_text=True)
    # The new link is at the top of the page, before the form, with a copy button.
    assert html.index('id="new-personal-link"') < html.index('name="name"')
    assert 'data-copy="new-link-text"' in html
    assert "/static/js/copy.js" in html
    person = setup.reload(waiting)
    assert person.told_at is not None
    assert not person.promoted_not_told
    assert MARK not in setup.client.get(f"{setup.base}/participants").get_data(as_text=True)


def test_promoted_with_mail_is_told_by_the_email(
    setup: Any, make_participant: Any, smtp_server: Any, mail_to: Any
) -> None:
    mail_to(smtp_server.port)
    waiting = make_participant(setup.meeting, status="waitlisted")
    promote(setup, waiting)
    person = setup.reload(waiting)
    assert person.promoted_at is not None
    assert person.told_at is not None
    assert not person.promoted_not_told
    assert MARK not in setup.client.get(f"{setup.base}/participants").get_data(as_text=True)


def test_a_cancellation_promotes_and_marks_without_mail(setup: Any, make_participant: Any) -> None:
    seated = [make_participant(setup.meeting) for _ in range(3)]
    waiting = make_participant(setup.meeting, status="waitlisted")
    setup.client.post(f"{setup.base}/participants/{seated[0].id}/cancel", data={})
    assert setup.reload(waiting).promoted_not_told


def test_seated_at_the_desk_is_not_marked(setup: Any, make_participant: Any) -> None:
    waiting = make_participant(setup.meeting, status="waitlisted")
    setup.client.post(f"{setup.base}/checkin/{waiting.id}/seat", data={})
    person = setup.reload(waiting)
    assert person.status == "registered"
    assert not person.promoted_not_told
