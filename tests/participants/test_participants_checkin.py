"""Check-in on the day: search, one click to mark attended, undo, counts."""

from __future__ import annotations

import re

from sqlalchemy import select

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
    assert "Cancelled: not registered" in cancelled
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
