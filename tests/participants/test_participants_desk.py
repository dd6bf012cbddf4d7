"""The registration desk: walk-ins, a seat for someone on the waiting list, seats over capacity
after a confirmation, and the needs shown on each check-in row."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from meetapp.models import Participant


@pytest.fixture
def desk(setup: Any, make_user: Any, new_client: Any) -> Any:
    """A member of staff at the desk of the setup's meeting (capacity 3)."""
    staff = make_user("staff", name="Desk Person")
    setup.staff = staff
    setup.desk = new_client(staff)
    return setup


def registered(setup: Any) -> int:
    setup.db.session.rollback()
    return setup.db.session.scalar(
        select(func.count())
        .select_from(Participant)
        .where(Participant.meeting_id == setup.meeting.id, Participant.status == "registered")
    )


def walk_in(desk: Any, **fields: str) -> Any:
    data = {"name": "Walk In", "email": "walk.in@example.org", "organisation": "Farmers' Union"}
    data.update(fields)
    return desk.desk.post(f"{desk.base}/checkin/walk-in", data=data)


def test_staff_add_a_walk_in_checked_in_at_once(desk: Any) -> None:
    response = walk_in(desk, stakeholder_group=str(desk.group_id("cso")))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{desk.base}/checkin?q=Walk+In"
    (person,) = desk.participants()
    assert (person.name, person.organisation, person.status) == (
        "Walk In",
        "Farmers' Union",
        "registered",
    )
    assert person.stakeholder_group_id == desk.group_id("cso")
    assert person.attended is True
    assert person.checked_in_at is not None
    assert person.checked_in_by_id == desk.staff.id
    assert person.token_hash is None
    page = desk.desk.get(response.headers["Location"]).get_data(as_text=True)
    assert "Walk In is added and checked in." in page
    assert "by Desk Person" in page


def test_the_walk_in_form_is_on_the_check_in_page_for_staff(desk: Any) -> None:
    html = desk.desk.get(f"{desk.base}/checkin").get_data(as_text=True)
    assert "Add a walk-in" in html
    assert f'action="{desk.base}/checkin/walk-in"' in html


def test_a_walk_in_already_registered_is_refused(desk: Any, make_participant: Any) -> None:
    make_participant(desk.meeting, name="Sokha Chan", email="sokha@example.org")
    response = walk_in(desk, email="SOKHA@example.org")
    assert response.status_code == 422
    assert "Sokha Chan is already registered" in response.get_data(as_text=True)
    assert len(desk.participants()) == 1


def test_a_cancelled_registration_comes_back_as_a_walk_in(desk: Any, make_participant: Any) -> None:
    gone = make_participant(desk.meeting, status="cancelled", email="back@example.org")
    assert walk_in(desk, email="back@example.org", name="Back Again").status_code == 302
    (person,) = desk.participants()
    assert person.id == gone.id
    assert (person.name, person.status, person.attended) == ("Back Again", "registered", True)


def test_a_full_meeting_asks_before_seating_a_walk_in_over_capacity(
    desk: Any, make_participant: Any
) -> None:
    for _ in range(3):
        make_participant(desk.meeting)
    response = walk_in(desk)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "The meeting is full (3 of 3 seats taken). Seat this person over capacity?" in html
    assert 'name="over_capacity" type="hidden" value="1"' in html
    assert "Seat over capacity and check in" in html
    assert registered(desk) == 3
    confirmed = walk_in(desk, over_capacity="1")
    assert confirmed.status_code == 302
    assert registered(desk) == 4


def test_staff_give_a_waitlisted_person_a_free_seat(desk: Any, make_participant: Any) -> None:
    waiting = make_participant(desk.meeting, status="waitlisted", name="Mai Yamada")
    html = desk.desk.get(f"{desk.base}/checkin?q=yamada").get_data(as_text=True)
    assert "Give a seat and check in" in html
    response = desk.desk.post(f"{desk.base}/checkin/{waiting.id}/seat", data={"q": "yamada"})
    assert response.status_code == 302
    person = desk.reload(waiting)
    assert (person.status, person.attended, person.checked_in_by_id) == (
        "registered",
        True,
        desk.staff.id,
    )
    page = desk.desk.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mai Yamada now has a seat and is checked in." in page


def test_a_seat_over_capacity_needs_the_confirmation(desk: Any, make_participant: Any) -> None:
    for _ in range(3):
        make_participant(desk.meeting)
    waiting = make_participant(desk.meeting, status="waitlisted", name="Mai Yamada")
    url = f"{desk.base}/checkin/{waiting.id}/seat"
    asked = desk.desk.post(url, data={"q": "yamada"}, headers={"X-Requested-With": "fetch"})
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "The meeting is full (3 of 3 seats taken)" in html
    assert '<input type="hidden" name="over_capacity" value="1">' in html
    assert desk.reload(waiting).status == "waitlisted"
    # Without JavaScript: the whole page, asking the same.
    page = desk.desk.post(url, data={"q": "yamada"})
    assert page.status_code == 200
    assert "Seat over capacity and check in" in page.get_data(as_text=True)
    confirmed = desk.desk.post(url, data={"q": "yamada", "over_capacity": "1"})
    assert confirmed.status_code == 302
    assert desk.reload(waiting).status == "registered"
    assert registered(desk) == 4


def test_seat_of_another_meetings_participant_is_not_found(
    desk: Any, make_meeting: Any, make_participant: Any
) -> None:
    other = make_participant(make_meeting(), status="waitlisted")
    response = desk.desk.post(f"{desk.base}/checkin/{other.id}/seat", data={})
    assert response.status_code == 404
    assert desk.reload(other).status == "waitlisted"


def test_check_in_rows_show_needs_escaped(desk: Any, make_participant: Any) -> None:
    make_participant(desk.meeting, name="Sokha Chan", needs="Wheelchair <b>access</b>; vegan")
    html = desk.desk.get(f"{desk.base}/checkin?q=sokha").get_data(as_text=True)
    assert "Needs</span> Wheelchair &lt;b&gt;access&lt;/b&gt;; vegan" in html


def test_organisers_of_other_meetings_may_not_add_walk_ins(
    desk: Any, make_user: Any, new_client: Any
) -> None:
    stranger = new_client(make_user("organiser"))
    response = stranger.post(
        f"{desk.base}/checkin/walk-in", data={"name": "X", "email": "x@example.org"}
    )
    assert response.status_code == 404
    assert desk.participants() == []
