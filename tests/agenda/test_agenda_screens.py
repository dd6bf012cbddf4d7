"""The organiser's screens: speakers, sessions and statements; bad input is a form error or is
shown escaped, never a server error, and nothing is stored."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from meetapp.models import AgendaSession, SessionSpeaker, Speaker, Statement
from meetapp.models.agenda import STATEMENT_MAX_LENGTH
from tests.agenda.conftest import add_speaker, page_text, pdf_text

SCRIPT = "<script>alert(1)</script>"


def session_form(**fields):
    data = {
        "title": "Opening",
        "kind": "presentation",
        "starts_at": "2025-03-10T09:00",
        "ends_at": "2025-03-10T09:30",
        "location": "",
        "description": "",
    }
    data.update(fields)
    return data


# --- speakers ---------------------------------------------------------------------------------


def test_organiser_adds_edits_and_removes_a_speaker(setup):
    response = setup.client.post(
        f"{setup.base}/speakers/new",
        data={
            "honorific": "Dr",
            "name": "Sok Dara",
            "position": "Director",
            "organisation": "Ministry of Labour",
            "stakeholder_group": str(setup.meeting.stakeholder_groups[0].id),
            "bio": "Works on migration.",
        },
    )
    assert response.status_code == 302
    speaker = setup.db.session.scalar(select(Speaker).where(Speaker.name == "Sok Dara"))
    assert (speaker.key, speaker.position, speaker.stakeholder_group_id) == (
        "sok-dara",
        "Director",
        setup.meeting.stakeholder_groups[0].id,
    )
    page = page_text(setup.client.get(f"{setup.base}/speakers"))
    assert "Dr Sok Dara Director, Ministry of Labour Government" in page

    response = setup.client.post(
        f"{setup.base}/speakers/{speaker.id}/edit",
        data={"name": "Sok Dara", "position": "Minister", "stakeholder_group": ""},
    )
    assert response.status_code == 302
    setup.db.session.rollback()
    speaker = setup.db.session.get(Speaker, speaker.id)
    assert (speaker.position, speaker.honorific, speaker.stakeholder_group_id) == (
        "Minister",
        None,
        None,
    )

    assert setup.client.post(f"{setup.base}/speakers/{speaker.id}/delete").status_code == 302
    assert setup.count(Speaker) == 0


def test_two_speakers_with_the_same_name_get_different_keys(setup):
    for _ in range(2):
        setup.client.post(f"{setup.base}/speakers/new", data={"name": "Chan Sophea"})
    keys = setup.db.session.scalars(select(Speaker.key).order_by(Speaker.id)).all()
    assert keys == ["chan-sophea", "chan-sophea-2"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Enter a name."),
        ({"name": "x" * 10_000}, "Field cannot be longer than 200 characters."),
        ({"name": "Nul\x00byte"}, "Remove the invisible control characters."),
        ({"name": "A", "bio": "b" * 10_000}, "Field cannot be longer than 5000 characters."),
        ({"name": "A", "stakeholder_group": "999999"}, "Not a valid choice."),
        ({"name": "A", "stakeholder_group": "abc"}, "Not a valid choice"),
    ],
)
def test_bad_speaker_input_is_a_form_error(setup, fields, message):
    response = setup.client.post(f"{setup.base}/speakers/new", data=fields)
    assert response.status_code == 200
    assert message in page_text(response)
    assert setup.count(Speaker) == 0


def test_a_speaker_with_statements_cannot_be_removed(setup):
    speaker = setup.add_speaker("Sok Dara")
    setup.add_statement(None, speaker, "said something")
    response = setup.client.post(f"{setup.base}/speakers/{speaker.id}/delete")
    assert response.status_code == 302
    page = page_text(setup.client.get(response.headers["Location"]))
    assert "Sok Dara has 1 statement. Delete them or give them to another speaker first." in page
    assert setup.count(Speaker) == 1


def test_a_speaker_is_copied_from_another_meeting_the_organiser_can_read(setup, make_meeting, db):
    earlier = make_meeting(slug="earlier", organisers=[setup.organiser])
    group = earlier.stakeholder_groups[1]  # "cso", as in this meeting
    source = add_speaker(
        db,
        earlier,
        "Reiko Harima",
        honorific="Ms",
        position="Regional Coordinator",
        organisation="MMN",
        stakeholder_group_id=group.id,
        bio="A bio.",
    )
    hidden = make_meeting(slug="hidden")
    secret = add_speaker(db, hidden, "Secret Person")

    page = page_text(setup.client.get(f"{setup.base}/speakers/copy"))
    assert "Ms Reiko Harima" in page
    assert "Secret Person" not in page
    assert "Reiko" not in page_text(setup.client.get(f"{setup.base}/speakers/copy?q=nobody"))
    assert "Reiko" in page_text(setup.client.get(f"{setup.base}/speakers/copy?q=mmn"))

    response = setup.client.post(f"{setup.base}/speakers/copy", data={"speaker": source.id})
    assert response.status_code == 302
    copied = setup.db.session.scalar(select(Speaker).where(Speaker.meeting_id == setup.meeting.id))
    assert (copied.honorific, copied.name, copied.position, copied.organisation, copied.bio) == (
        "Ms",
        "Reiko Harima",
        "Regional Coordinator",
        "MMN",
        "A bio.",
    )
    cso = next(g for g in setup.meeting.stakeholder_groups if g.key == "cso")
    assert copied.stakeholder_group_id == cso.id

    # Copying again, or copying from a meeting the organiser cannot read, adds nothing.
    setup.client.post(f"{setup.base}/speakers/copy", data={"speaker": source.id})
    response = setup.client.post(f"{setup.base}/speakers/copy", data={"speaker": secret.id})
    assert response.status_code == 200
    assert "That speaker is not one you can copy." in page_text(response)
    for forged in ("", "abc", "99999999999999999999", "-1", "²", "١", "2147483648"):
        assert setup.client.post(
            f"{setup.base}/speakers/copy", data={"speaker": forged}
        ).status_code in (200, 302)
    assert setup.count(Speaker) == 1


# --- sessions ---------------------------------------------------------------------------------


def test_organiser_adds_a_session_with_speakers_and_roles(setup):
    chair = setup.add_speaker("Chair Person")
    panelist = setup.add_speaker("Panel Person", organisation="Kyoto University")
    response = setup.client.post(
        f"{setup.base}/agenda/new",
        data=session_form(
            title="Panel on the new law",
            kind="panel",
            location="Room A",
            **{
                "speakers-0-speaker": str(panelist.id),
                "speakers-0-role": "panelist",
                "speakers-1-speaker": "",
                "speakers-1-role": "speaker",
                "speakers-2-speaker": str(chair.id),
                "speakers-2-role": "chair",
            },
        ),
    )
    assert response.status_code == 302
    session = setup.db.session.scalar(select(AgendaSession))
    assert (session.key, session.kind, session.location) == (
        "panel-on-the-new-law",
        "panel",
        "Room A",
    )
    assert session.starts_at == datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    parts = setup.db.session.scalars(
        select(SessionSpeaker).order_by(SessionSpeaker.sort_order)
    ).all()
    assert [(p.speaker_id, p.role) for p in parts] == [
        (panelist.id, "panelist"),
        (chair.id, "chair"),
    ]

    page = page_text(setup.client.get(f"{setup.base}/agenda"))
    assert "09:00–09:30 Panel on the new law Panel Room A" in page
    assert "Panelist: Panel Person" in page
    assert "Chair: Chair Person" in page

    edit = setup.client.get(f"{setup.base}/agenda/{session.id}/edit").get_data(as_text=True)
    assert 'value="Panel on the new law"' in edit
    assert 'value="2025-03-10T09:00"' in edit  # the local time, as entered
    response = setup.client.post(
        f"{setup.base}/agenda/{session.id}/edit",
        data=session_form(
            title="Renamed", **{"speakers-0-speaker": str(chair.id), "speakers-0-role": "moderator"}
        ),
    )
    assert response.status_code == 302
    parts = setup.db.session.scalars(select(SessionSpeaker)).all()
    assert [(p.speaker_id, p.role) for p in parts] == [(chair.id, "moderator")]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ends_at": "2025-03-10T08:59"}, "The end is before the start."),
        ({"title": ""}, "Enter a title."),
        ({"title": "x" * 10_000}, "Field cannot be longer than 300 characters."),
        ({"title": "A\x00B"}, "Remove the invisible control characters."),
        ({"starts_at": ""}, "Enter when the session starts."),
        ({"starts_at": "yesterday"}, "Enter when the session starts."),
        ({"starts_at": "0001-01-01T00:00"}, "Enter a date between 1900 and 2200."),
        ({"kind": "party"}, "Not a valid choice."),
        ({"description": "d" * 10_000}, "Field cannot be longer than 5000 characters."),
        ({"speakers-0-speaker": "999999", "speakers-0-role": "chair"}, "Not a valid choice."),
        ({"speakers-0-speaker": "abc", "speakers-0-role": "chair"}, "Not a valid choice."),
    ],
)
def test_bad_session_input_is_a_form_error(setup, fields, message):
    setup.add_speaker("Someone")
    response = setup.client.post(f"{setup.base}/agenda/new", data=session_form(**fields))
    assert response.status_code == 200
    assert message in page_text(response)
    assert setup.count(AgendaSession) == 0


def test_a_speaker_of_another_meeting_cannot_join_a_session(setup, make_meeting, db):
    other = make_meeting(slug="other")
    stranger = add_speaker(db, other, "Stranger")
    mine = setup.add_speaker("Mine")
    response = setup.client.post(
        f"{setup.base}/agenda/new",
        data=session_form(
            **{
                "speakers-0-speaker": str(mine.id),
                "speakers-0-role": "chair",
                "speakers-1-speaker": str(stranger.id),
                "speakers-1-role": "speaker",
            }
        ),
    )
    assert response.status_code == 200
    assert "Not a valid choice." in page_text(response)
    assert setup.count(AgendaSession) == 0


def test_a_speaker_listed_twice_is_a_form_error(setup):
    speaker = setup.add_speaker("Twice")
    response = setup.client.post(
        f"{setup.base}/agenda/new",
        data=session_form(
            **{
                "speakers-0-speaker": str(speaker.id),
                "speakers-1-speaker": str(speaker.id),
            }
        ),
    )
    assert response.status_code == 200
    assert "This speaker is already listed." in page_text(response)
    assert setup.count(AgendaSession) == 0


def test_overlaps_and_sessions_outside_the_dates_are_warned_about(setup):
    setup.add_session(
        "Morning",
        starts_at=datetime(2025, 3, 10, 2, 0, tzinfo=UTC),
        ends_at=datetime(2025, 3, 10, 3, 0, tzinfo=UTC),
    )
    setup.add_session(
        "Clash",
        starts_at=datetime(2025, 3, 10, 2, 30, tzinfo=UTC),
        ends_at=datetime(2025, 3, 10, 3, 30, tzinfo=UTC),
    )
    setup.add_session(
        "Right after",
        starts_at=datetime(2025, 3, 10, 3, 30, tzinfo=UTC),
        ends_at=datetime(2025, 3, 10, 4, 0, tzinfo=UTC),
    )
    setup.add_session("Too late", starts_at=datetime(2025, 3, 12, 2, 0, tzinfo=UTC))
    page = page_text(setup.client.get(f"{setup.base}/agenda"))
    assert "Overlaps with “Clash”" in page
    assert "Overlaps with “Morning”" in page
    assert "Overlaps with “Right after”" not in page
    assert page.count("Outside the meeting's dates.") == 1
    assert page.index("Too late") < page.index("Outside the meeting's dates.")


def test_removing_a_session_removes_its_statements(setup):
    session = setup.add_session("Gone", starts_at=setup.meeting.starts_at)
    setup.add_statement(session, None, "said")
    assert setup.client.post(f"{setup.base}/agenda/{session.id}/delete").status_code == 302
    assert setup.count(AgendaSession) == 0
    assert setup.count(Statement) == 0


# --- statements -------------------------------------------------------------------------------


def test_statements_are_entered_one_after_another_and_reordered(setup):
    speaker = setup.add_speaker("Chou Bun Eng", honorific="H.E. Ms")
    session = setup.add_session(
        "Keynote", starts_at=setup.meeting.starts_at, speakers=[(speaker, "keynote")]
    )
    url = f"{setup.base}/agenda/{session.id}/statements"
    page = setup.client.get(url).get_data(as_text=True)
    assert f'<option selected value="{speaker.id}">' in page
    assert "autofocus" in page

    response = setup.client.post(
        url, data={"speaker": str(speaker.id), "kind": "point", "text": "called for more\r\nrules"}
    )
    assert response.status_code == 302
    # The next entry keeps the speaker and kind.
    assert f"speaker={speaker.id}" in response.headers["Location"]
    setup.client.post(
        url,
        data={
            "speaker": "participants",
            "kind": "quote",
            "text": "We want safety.",
            "highlight": "y",
        },
    )
    page = page_text(setup.client.get(url))
    assert page.index("H.E. Ms Chou Bun Eng called for more rules") < page.index(
        "Participants: We want safety."
    )
    statements = setup.db.session.scalars(select(Statement).order_by(Statement.sort_order)).all()
    assert [(s.speaker_id, s.kind, s.highlight, s.text) for s in statements] == [
        (speaker.id, "point", False, "called for more\nrules"),
        (None, "quote", True, "We want safety."),
    ]

    second = statements[1]
    response = setup.client.post(
        f"{setup.base}/statements/{second.id}/move", data={"direction": "up"}
    )
    assert response.status_code == 302
    page = page_text(setup.client.get(url))
    assert page.index("We want safety.") < page.index("called for more")
    # Already first: nothing changes.
    setup.client.post(f"{setup.base}/statements/{second.id}/move", data={"direction": "up"})
    assert (
        setup.client.post(
            f"{setup.base}/statements/{second.id}/move", data={"direction": "sideways"}
        ).status_code
        == 400
    )

    response = setup.client.post(
        f"{setup.base}/statements/{second.id}/edit",
        data={
            "speaker": str(speaker.id),
            "kind": "point",
            "text": "urged action",
            "session": "none",
        },
    )
    assert response.status_code == 302
    overview = page_text(setup.client.get(f"{setup.base}/statements"))
    assert "Not tied to a session" in overview
    assert "H.E. Ms Chou Bun Eng urged action" in overview

    assert setup.client.post(f"{setup.base}/statements/{second.id}/delete").status_code == 302
    assert setup.count(Statement) == 1


def test_the_kind_of_a_statement_is_a_group_named_by_its_legend(setup):
    """A screen reader announces "Kind" with the radio buttons: they sit in a fieldset whose
    legend names them, not under a label tied to no control."""
    session = setup.add_session("Talk", starts_at=setup.meeting.starts_at)
    statement = setup.add_statement(session, None, "asked for more time")
    group = re.compile(r"<fieldset[^>]*>\s*<legend[^>]*>Kind</legend>(.*?)</fieldset>", re.S)
    for url in (
        f"{setup.base}/agenda/{session.id}/statements",
        f"{setup.base}/statements/{statement.id}/edit",
    ):
        page = setup.client.get(url).get_data(as_text=True)
        match = group.search(page)
        assert match, url
        radios = re.findall(r'<input[^>]*type="radio"[^>]*value="(\w+)"', match.group(1))
        assert radios == ["point", "quote"]
        assert re.findall(r'<label class="form-check-label" for="(kind-\d)"', match.group(1)) == [
            "kind-0",
            "kind-1",
        ]
        assert ">Kind</label>" not in page
    # A refused kind is still shown beside the group.
    response = setup.client.post(
        f"{setup.base}/agenda/{session.id}/statements",
        data={"speaker": "participants", "kind": "rumour", "text": "said"},
    )
    match = group.search(response.get_data(as_text=True))
    assert match
    assert "Not a valid choice." in match.group(1)


def test_a_statement_of_5001_characters_is_refused_and_5000_accepted(setup):
    session = setup.add_session("Talk", starts_at=setup.meeting.starts_at)
    url = f"{setup.base}/agenda/{session.id}/statements"
    too_long = {
        "speaker": "participants",
        "kind": "point",
        "text": "x" * (STATEMENT_MAX_LENGTH + 1),
    }
    response = setup.client.post(url, data=too_long)
    assert response.status_code == 200
    assert "At most 5000 characters." in page_text(response)
    assert setup.count(Statement) == 0
    # Line breaks from the browser count once.
    text = "y" * (STATEMENT_MAX_LENGTH - 2) + "\r\n" + "y"
    response = setup.client.post(url, data={**too_long, "text": text})
    assert response.status_code == 302
    assert setup.count(Statement) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": ""}, "Enter what was said."),
        ({"text": "   "}, "Enter what was said."),
        ({"speaker": ""}, "Choose who said it."),
        ({"speaker": "12345678"}, "Not a valid choice."),
        ({"kind": "rumour"}, "Not a valid choice."),
        ({"text": "a\x00b"}, "Remove the invisible control characters."),
    ],
)
def test_bad_statement_input_is_a_form_error(setup, fields, message):
    session = setup.add_session("Talk", starts_at=setup.meeting.starts_at)
    data = {"speaker": "participants", "kind": "point", "text": "said", **fields}
    response = setup.client.post(f"{setup.base}/agenda/{session.id}/statements", data=data)
    assert response.status_code == 200
    assert message in page_text(response)
    assert setup.count(Statement) == 0


def test_a_statement_cannot_name_a_speaker_or_session_of_another_meeting(setup, make_meeting, db):
    from tests.agenda.conftest import add_session

    other = make_meeting(slug="other")
    stranger = add_speaker(db, other, "Stranger")
    elsewhere = add_session(db, other, "Elsewhere", starts_at=other.starts_at)
    session = setup.add_session("Talk", starts_at=setup.meeting.starts_at)
    response = setup.client.post(
        f"{setup.base}/agenda/{session.id}/statements",
        data={"speaker": str(stranger.id), "kind": "point", "text": "said"},
    )
    assert response.status_code == 200
    statement = setup.add_statement(session, None, "mine")
    response = setup.client.post(
        f"{setup.base}/statements/{statement.id}/edit",
        data={"speaker": "participants", "kind": "point", "text": "x", "session": elsewhere.id},
    )
    assert response.status_code == 200
    assert "Not a valid choice." in page_text(response)
    setup.db.session.rollback()
    assert setup.db.session.get(Statement, statement.id).session_id == session.id


def test_html_in_every_field_is_shown_escaped(setup, client):
    response = setup.client.post(
        f"{setup.base}/speakers/new",
        data={
            "honorific": SCRIPT[:50],
            "name": f"Name {SCRIPT}",
            "position": f"Position {SCRIPT}",
            "organisation": f"Org {SCRIPT}",
            "bio": SCRIPT,
        },
    )
    assert response.status_code == 302
    speaker = setup.db.session.scalar(select(Speaker))
    response = setup.client.post(
        f"{setup.base}/agenda/new",
        data=session_form(
            title=f"Title {SCRIPT}",
            location=f"Room {SCRIPT}",
            description=f"About {SCRIPT}",
            **{"speakers-0-speaker": str(speaker.id), "speakers-0-role": "chair"},
        ),
    )
    assert response.status_code == 302
    session = setup.db.session.scalar(select(AgendaSession))
    response = setup.client.post(
        f"{setup.base}/agenda/{session.id}/statements",
        data={"speaker": str(speaker.id), "kind": "quote", "text": f"Said {SCRIPT}"},
    )
    assert response.status_code == 302

    for url in (
        f"{setup.base}/speakers",
        f"{setup.base}/agenda",
        f"{setup.base}/agenda/{session.id}/edit",
        f"{setup.base}/agenda/{session.id}/statements",
        f"{setup.base}/statements",
        f"{setup.base}/speakers/{speaker.id}/edit",
    ):
        response = setup.client.get(url)
        assert response.status_code == 200, url
        raw = response.get_data(as_text=True)
        assert SCRIPT not in raw, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw, url

    public = client.get("/m/phnom-penh-2025/agenda")
    raw = public.get_data(as_text=True)
    assert SCRIPT not in raw
    assert f"Title {SCRIPT}" in page_text(public)
    assert f"Name {SCRIPT}" in page_text(public)
    text = pdf_text(client.get("/m/phnom-penh-2025/agenda.pdf").data)
    assert f"Title {SCRIPT}" in text
    ics = client.get(f"/m/phnom-penh-2025/sessions/{session.key}.ics")
    assert ics.status_code == 200
    assert b"BEGIN:VEVENT" in ics.data


def test_records_of_the_meeting_are_checked_against_the_url(setup, make_meeting, db):
    """Ids of another meeting's records under this meeting's address are not found."""
    from tests.agenda.conftest import add_session, add_statement

    other = make_meeting(slug="other")
    speaker = add_speaker(db, other, "Stranger")
    session = add_session(db, other, "Elsewhere", starts_at=other.starts_at)
    statement = add_statement(db, other, session, speaker, "theirs")
    for method, path in (
        ("GET", f"/speakers/{speaker.id}/edit"),
        ("POST", f"/speakers/{speaker.id}/edit"),
        ("POST", f"/speakers/{speaker.id}/delete"),
        ("GET", f"/agenda/{session.id}/edit"),
        ("POST", f"/agenda/{session.id}/edit"),
        ("POST", f"/agenda/{session.id}/delete"),
        ("GET", f"/agenda/{session.id}/statements"),
        ("POST", f"/agenda/{session.id}/statements"),
        ("GET", f"/statements/{statement.id}/edit"),
        ("POST", f"/statements/{statement.id}/edit"),
        ("POST", f"/statements/{statement.id}/delete"),
        ("POST", f"/statements/{statement.id}/move"),
        ("GET", "/speakers/99999999999999999999/edit"),
    ):
        response = setup.client.open(setup.base + path, method=method, data={"name": "X"})
        assert response.status_code == 404, (method, path)
    db.session.rollback()
    assert db.session.get(Speaker, speaker.id).name == "Stranger"
    assert db.session.get(Statement, statement.id) is not None
