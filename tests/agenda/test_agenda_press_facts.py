"""What the organiser records for the press release on the agenda screens: a speaker's family
name and name order, and the statement or outcome that is the news (one per meeting)."""

from __future__ import annotations

from sqlalchemy import select

from meetapp.models import Outcome, Speaker, Statement
from meetapp.reports.press_release import compose_press_release


def test_a_speaker_has_a_family_name_and_name_order(setup):
    response = setup.client.post(
        f"{setup.base}/speakers/new",
        data={
            "honorific": "Associate Professor",
            "name": "Asato Wako",
            "family_name": "Asato",
            "name_order": "family_first",
            "stakeholder_group": "",
        },
    )
    assert response.status_code == 302
    speaker = setup.db.session.scalar(select(Speaker).where(Speaker.name == "Asato Wako"))
    assert (speaker.family_name, speaker.name_order) == ("Asato", "family_first")
    page = setup.client.get(f"{setup.base}/speakers/{speaker.id}/edit").get_data(as_text=True)
    assert 'value="Asato"' in page
    assert '<option selected value="family_first">' in page
    response = setup.client.post(
        f"{setup.base}/speakers/{speaker.id}/edit",
        data={"name": "Asato Wako", "name_order": "sideways", "stakeholder_group": ""},
    )
    assert response.status_code == 200  # refused beside the field
    setup.db.session.rollback()
    assert setup.db.session.get(Speaker, speaker.id).name_order == "family_first"


def test_one_statement_or_outcome_is_the_news(setup):
    speaker = setup.add_speaker("Chou Bun Eng", honorific="H.E. Ms", family_name="Chou")
    session = setup.add_session(
        "Keynote", starts_at=setup.meeting.starts_at, speakers=[(speaker, "keynote")]
    )
    first = setup.add_statement(session, speaker, "called for rules", highlight=True)
    second = setup.add_statement(session, speaker, "announced a new agreement", highlight=True)
    for statement in (first, second):
        response = setup.client.post(
            f"{setup.base}/statements/{statement.id}/edit",
            data={
                "speaker": str(speaker.id),
                "kind": "point",
                "text": statement.text,
                "highlight": "y",
                "is_news": "y",
                "session": str(session.id),
            },
        )
        assert response.status_code == 302
    setup.db.session.rollback()
    news = setup.db.session.scalars(select(Statement.id).where(Statement.is_news)).all()
    assert news == [second.id]  # marking the second unmarked the first
    draft = compose_press_release(setup.meeting)
    assert draft.section("lead").text.startswith("H.E. Ms Chou Bun Eng announced a new agreement.")
    assert "announced" not in draft.section("speakers").text

    # An outcome marked as the news takes its place.
    url = f"/meetings/{setup.meeting.slug}/outcomes"
    rows = {
        "rows-0-id": "",
        "rows-0-kind": "finding",
        "rows-0-text": "Both governments vow to cooperate.",
        "rows-0-addressed_to": "",
        "rows-0-is_news": "y",
    }
    assert setup.client.post(url, data=rows).status_code == 302
    setup.db.session.rollback()
    assert setup.db.session.scalars(select(Statement.id).where(Statement.is_news)).all() == []
    assert setup.db.session.scalar(select(Outcome.is_news)) is True
    assert compose_press_release(setup.meeting).headline == "Both Governments Vow to Cooperate"

    # Two outcomes marked at once are refused.
    outcome = setup.db.session.scalar(select(Outcome))
    rows = {
        "rows-0-id": str(outcome.id),
        "rows-0-kind": "finding",
        "rows-0-text": outcome.text,
        "rows-0-is_news": "y",
        "rows-1-id": "",
        "rows-1-kind": "finding",
        "rows-1-text": "Another finding.",
        "rows-1-is_news": "y",
    }
    response = setup.client.post(url, data=rows)
    assert response.status_code == 200
    assert "Only one outcome can be the news of the meeting." in response.get_data(as_text=True)
