"""Check-in on the day: search, one click to mark attended, undo, counts, who checked in."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from meetapp.formatting import local_datetime
from meetapp.models import Participant


def test_checkin_page_shows_counts_and_search_box(setup, make_participant):
    make_participant(setup.meeting, attended=True)
    make_participant(setup.meeting)
    make_participant(setup.meeting, status="waitlisted")
    response = setup.client.get(f"{setup.base}/checkin")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<strong>1</strong> of 2 checked in" in html
    assert 'id="checkin-q"' in html
    assert "js/checkin.js" in html
    # No inline script: every <script> has a src.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []


def test_search_without_javascript_lists_matches(setup, make_participant):
    make_participant(setup.meeting, name="Sokha Chan", organisation="Ministry of Environment")
    make_participant(setup.meeting, name="Aiko Tanaka", organisation="JICA")
    html = setup.client.get(f"{setup.base}/checkin?q=ministry").get_data(as_text=True)
    assert "Sokha Chan" in html
    assert "Aiko Tanaka" not in html
    assert 'value="ministry"' in html
    assert ">Check in</button>" in html


def test_type_ahead_returns_a_fragment(setup, make_participant):
    make_participant(setup.meeting, name="Sokha Chan")
    make_participant(setup.meeting, name="ស៊ុន សុខា", organisation="កសិករ")
    make_participant(setup.meeting, name="Mai Yamada", status="cancelled")
    response = setup.client.get(f"{setup.base}/checkin/search?q=SOK")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Sokha Chan" in html
    assert "<html" not in html
    assert "checked in" in html
    khmer = setup.client.get(f"{setup.base}/checkin/search", query_string={"q": "កសិ"})
    assert "ស៊ុន សុខា" in khmer.get_data(as_text=True)
    cancelled = setup.client.get(f"{setup.base}/checkin/search?q=yamada").get_data(as_text=True)
    assert "Cancelled</span>" in cancelled
    assert ">Check in</button>" not in cancelled
    empty = setup.client.get(f"{setup.base}/checkin/search?q=").get_data(as_text=True)
    assert "Type a name" in empty
    long_query = setup.client.get(f"{setup.base}/checkin/search", query_string={"q": "x" * 10_000})
    assert long_query.status_code == 200


def test_search_shows_html_escaped(setup, make_participant):
    make_participant(setup.meeting, name="<b>Bold</b> Person")
    html = setup.client.get(f"{setup.base}/checkin/search?q=bold").get_data(as_text=True)
    assert "<b>Bold</b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; Person" in html


def test_mark_attended_and_undo(setup, make_participant):
    person = make_participant(setup.meeting, name="Sokha Chan")
    response = setup.client.post(
        f"{setup.base}/checkin/{person.id}", data={"attended": "1", "q": "sokha chan"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"{setup.base}/checkin?q=sokha+chan"
    person = setup.reload(person)
    assert person.attended is True
    assert person.checked_in_at is not None
    page = setup.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sokha Chan is checked in." in page
    assert "<strong>1</strong> of 1 checked in" in page
    assert ">Undo</button>" in page

    response = setup.client.post(
        f"{setup.base}/checkin/{person.id}", data={"attended": "0", "q": ""}
    )
    assert response.headers["Location"] == f"{setup.base}/checkin"
    person = setup.reload(person)
    assert person.attended is False
    assert person.checked_in_at is None


def test_mark_from_javascript_returns_the_updated_results(setup, make_participant):
    person = make_participant(setup.meeting, name="Sokha Chan")
    response = setup.client.post(
        f"{setup.base}/checkin/{person.id}",
        data={"attended": "1", "q": "sokha"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<strong>1</strong> of 1 checked in" in html
    assert "Sokha Chan is checked in." in html
    assert ">Undo</button>" in html


def test_only_registered_participants_can_be_checked_in(setup, make_participant):
    waiting = make_participant(setup.meeting, name="Waiting Person", status="waitlisted")
    gone = make_participant(setup.meeting, name="Gone Person", status="cancelled")
    for person, words in ((waiting, "on the waiting list"), (gone, "cancelled")):
        response = setup.client.post(
            f"{setup.base}/checkin/{person.id}", data={"attended": "1"}, follow_redirects=True
        )
        assert response.status_code == 200
        assert f"{person.name} is {words}: only registered participants" in response.get_data(
            as_text=True
        )
        assert setup.reload(person).attended is False


def test_bad_mark_values_are_refused(setup, make_participant):
    person = make_participant(setup.meeting)
    for data in ({}, {"attended": "yes"}, {"attended": "1", "q": "x" * 10_000}):
        response = setup.client.post(f"{setup.base}/checkin/{person.id}", data=data)
        assert response.status_code == 400
    setup.db.session.rollback()
    assert setup.db.session.scalar(select(Participant.attended)) is False


# --- who checked the person in -------------------------------------------------------------


def _check_in(client, setup, person, attended="1"):
    response = client.post(
        f"{setup.base}/checkin/{person.id}",
        data={"attended": attended, "q": person.name},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _checked_in_text(setup, person, name=None):
    """What the results say of a checked-in person: the time in the meeting's time zone."""
    moment = local_datetime(person.checked_in_at, setup.meeting.timezone, False)
    return f"Checked in {moment} by {name}</span>" if name else f"Checked in {moment}</span>"


@pytest.mark.parametrize("role", ["staff", "organiser"])
def test_the_check_in_records_and_shows_who_did_it(
    setup, make_participant, make_user, new_client, role
):
    desk = setup.organiser if role == "organiser" else make_user("staff", name="Dara Staff")
    client = setup.client if role == "organiser" else new_client(desk)
    person = make_participant(setup.meeting, name="Sokha Chan")
    html = _check_in(client, setup, person)
    person = setup.reload(person)
    assert person.checked_in_by_id == desk.id
    assert _checked_in_text(setup, person, desk.name) in html
    edit = setup.client.get(f"{setup.base}/participants/{person.id}/edit").get_data(as_text=True)
    moment = local_datetime(person.checked_in_at, setup.meeting.timezone)
    assert f"checked in {moment} by {desk.name}" in edit


def test_a_second_check_in_keeps_the_first_checker_and_undo_clears_it(
    setup, make_participant, make_user, new_client
):
    staff = make_user("staff", name="Dara Staff")
    person = make_participant(setup.meeting, name="Sokha Chan")
    _check_in(setup.client, setup, person)
    first = setup.reload(person)
    first_at = first.checked_in_at

    html = _check_in(new_client(staff), setup, person)
    again = setup.reload(person)
    assert (again.checked_in_at, again.checked_in_by_id) == (first_at, setup.organiser.id)
    assert f"by {setup.organiser.name}</span>" in html
    assert "Dara Staff" not in html

    _check_in(new_client(staff), setup, person, attended="0")
    undone = setup.reload(person)
    assert (undone.attended, undone.checked_in_at, undone.checked_in_by_id) == (False, None, None)

    html = _check_in(new_client(staff), setup, person)
    assert setup.reload(person).checked_in_by_id == staff.id
    assert "by Dara Staff</span>" in html


def test_the_checker_name_is_shown_escaped(setup, make_participant, make_user, new_client):
    staff = make_user("staff", name="<b>x</b>")
    person = make_participant(setup.meeting, name="Sokha Chan", email="sokha@example.org")
    make_participant(setup.meeting, email="taken@example.org")
    html = _check_in(new_client(staff), setup, person)
    page = setup.client.get(f"{setup.base}/checkin?q=sokha").get_data(as_text=True)
    edit = setup.client.get(f"{setup.base}/participants/{person.id}/edit").get_data(as_text=True)
    # A refused edit rolls the session back and shows the page again, with the name.
    refused = setup.client.post(
        f"{setup.base}/participants/{person.id}/edit",
        data={"name": "Sokha Chan", "email": "taken@example.org"},
    )
    assert "uses this e-mail address" in refused.get_data(as_text=True)
    for shown in (html, page, edit, refused.get_data(as_text=True)):
        assert "<b>x</b>" not in shown
        assert "by &lt;b&gt;x&lt;/b&gt;" in shown


def test_deleting_the_checkers_account_keeps_the_check_in(
    setup, make_participant, make_user, new_client
):
    staff = make_user("staff", name="Dara Staff")
    admin = make_user("admin")
    person = make_participant(setup.meeting, name="Sokha Chan")
    _check_in(new_client(staff), setup, person)
    checked_in_at = setup.reload(person).checked_in_at

    assert new_client(admin).post(f"/admin/users/{staff.id}/delete").status_code == 302
    person = setup.reload(person)
    assert (person.attended, person.checked_in_at, person.checked_in_by_id) == (
        True,
        checked_in_at,
        None,
    )
    page = setup.client.get(f"{setup.base}/checkin?q=sokha").get_data(as_text=True)
    assert _checked_in_text(setup, person) in page
    assert "Dara Staff" not in page
    edit = setup.client.get(f"{setup.base}/participants/{person.id}/edit").get_data(as_text=True)
    assert f"checked in {local_datetime(checked_in_at, setup.meeting.timezone)}\n" in edit
    assert "Dara Staff" not in edit


def test_registering_a_cancelled_person_again_forgets_the_old_check_in(setup, make_participant):
    person = make_participant(setup.meeting, name="Sokha Chan", email="sokha@example.org")
    setup.client.post(f"{setup.base}/checkin/{person.id}", data={"attended": "1"})
    assert setup.reload(person).attended is True
    setup.client.post(f"{setup.base}/participants/{person.id}/cancel")
    response = setup.client.post(
        f"{setup.base}/participants/new",
        data={"name": "Sokha Chan", "email": "sokha@example.org"},
    )
    assert response.status_code == 302
    person = setup.reload(person)
    assert person.status == "registered"
    assert (person.attended, person.checked_in_at, person.checked_in_by_id) == (False, None, None)
