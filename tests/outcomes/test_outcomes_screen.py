"""The outcomes screen: every outcome of a meeting edited, ordered and removed on one page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from meetapp.models import Outcome


def _outcomes(db: Any, meeting: Any) -> list[tuple[str, str, str | None]]:
    db.session.rollback()
    return [
        (o.kind, o.text, o.addressed_to)
        for o in db.session.scalars(
            select(Outcome).where(Outcome.meeting_id == meeting.id).order_by(Outcome.position)
        )
    ]


def _row(index: int, kind: str, text: str, addressed_to: str = "", id: str = "") -> dict[str, str]:
    return {
        f"rows-{index}-id": id,
        f"rows-{index}-kind": kind,
        f"rows-{index}-text": text,
        f"rows-{index}-addressed_to": addressed_to,
    }


def test_add_edit_order_and_remove_outcomes(
    db: Any, setting: dict[str, Any], login_as: Any
) -> None:
    meeting = setting["meeting"]
    client = login_as(setting["organiser"])
    url = f"/meetings/{meeting.slug}/outcomes"
    page = client.get(url).get_data(as_text=True)
    assert "New outcome" in page
    # Beside every text box: the shape of a recommendation's text.
    hint = "A recommendation completes “Participants called for &lt;addressed to&gt; to …”"
    assert page.count(hint) == 3
    data = {
        **_row(0, "finding", "Around 9,000 workers are in Japan."),
        **_row(1, "recommendation", "monitor labour conditions", "the governments"),
        **_row(2, "finding", ""),  # a blank row is ignored
    }
    response = client.post(url, data=data)
    assert response.status_code == 302
    assert _outcomes(db, meeting) == [
        ("finding", "Around 9,000 workers are in Japan.", None),
        ("recommendation", "monitor labour conditions", "the governments"),
    ]
    ids = [str(o.id) for o in db.session.scalars(select(Outcome).order_by(Outcome.position))]
    page = client.get(url).get_data(as_text=True)
    assert "monitor labour conditions" in page
    assert "the governments" in page

    # Move the recommendation up, editing the finding at the same time.
    data = {
        **_row(0, "concern", "Fees are high.", id=ids[0]),
        **_row(1, "recommendation", "monitor labour conditions", "the governments", id=ids[1]),
        "move": "1:up",
    }
    assert client.post(url, data=data).status_code == 302
    assert _outcomes(db, meeting) == [
        ("recommendation", "monitor labour conditions", "the governments"),
        ("concern", "Fees are high.", None),
    ]

    data = {
        **_row(0, "recommendation", "monitor labour conditions", "the governments", id=ids[1]),
        **_row(1, "concern", "Fees are high.", id=ids[0]),
        "rows-1-remove": "y",
    }
    assert client.post(url, data=data).status_code == 302
    assert _outcomes(db, meeting) == [
        ("recommendation", "monitor labour conditions", "the governments"),
    ]


def test_bad_input_is_refused_beside_the_field(
    db: Any, setting: dict[str, Any], login_as: Any, make_meeting: Any
) -> None:
    meeting = setting["meeting"]
    client = login_as(setting["organiser"])
    url = f"/meetings/{meeting.slug}/outcomes"
    cases = [
        (_row(0, "finding", "x" * 10_000), "Field cannot be longer than 5000 characters"),
        (_row(0, "finding", "bad\x00byte"), "Remove the invisible control characters."),
        (_row(0, "opinion", "text"), "Not a valid choice"),
        (_row(0, "finding", "text", "the governments"), "Only recommendations are addressed"),
        (_row(0, "finding", "text", id="abc"), "not an outcome of this meeting"),
        (_row(0, "finding", "text", id="99999999999"), "not an outcome of this meeting"),
        (_row(0, "finding", "text", id="2147483647"), "no longer exists"),
    ]
    for data, message in cases:
        response = client.post(url, data=data)
        assert response.status_code == 200, data
        page = response.get_data(as_text=True)
        assert message in page, (data, page[-3000:])
        assert _outcomes(db, meeting) == []

    # An outcome of another meeting cannot be changed through this one.
    other = make_meeting()
    foreign = Outcome(meeting_id=other.id, kind="finding", text="Theirs", position=0)
    db.session.add(foreign)
    db.session.commit()
    response = client.post(url, data=_row(0, "finding", "Mine now", id=str(foreign.id)))
    assert response.status_code == 200
    assert "no longer exists" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Outcome, foreign.id).text == "Theirs"


def test_html_is_shown_as_text(db: Any, setting: dict[str, Any], login_as: Any) -> None:
    meeting = setting["meeting"]
    client = login_as(setting["organiser"])
    url = f"/meetings/{meeting.slug}/outcomes"
    client.post(url, data=_row(0, "finding", "<script>alert(1)</script>"))
    page = client.get(url).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_staff_read_but_cannot_change(db: Any, setting: dict[str, Any], login_as: Any) -> None:
    meeting = setting["meeting"]
    db.session.add(Outcome(meeting_id=meeting.id, kind="finding", text="A finding", position=0))
    db.session.commit()
    client = login_as(setting["staff"])
    url = f"/meetings/{meeting.slug}/outcomes"
    response = client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "A finding" in page
    assert "Save outcomes" not in page
    assert client.post(url, data=_row(0, "finding", "x")).status_code == 403


def test_organiser_of_another_meeting_gets_404(setting: dict[str, Any], login_as: Any) -> None:
    client = login_as(setting["other"])
    assert client.get(f"/meetings/{setting['meeting'].slug}/outcomes").status_code == 404
