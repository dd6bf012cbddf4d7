"""The agenda pages run a fixed number of SQL statements, whatever the size of the agenda."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from meetapp.models import AgendaSession, SessionSpeaker, Speaker


def _fill(setup, sessions: int, speakers: int, prefix: str) -> None:
    db = setup.db
    meeting = setup.meeting
    db.session.execute(
        insert(Speaker),
        [
            {
                "meeting_id": meeting.id,
                "key": f"{prefix}speaker-{n}",
                "name": f"Speaker {prefix}{n}",
                "honorific": "Dr",
                "position": "Director",
                "organisation": f"Organisation {n}",
            }
            for n in range(speakers)
        ],
    )
    db.session.execute(
        insert(AgendaSession),
        [
            {
                "meeting_id": meeting.id,
                "key": f"{prefix}session-{n}",
                "title": f"Session {prefix}{n}",
                "kind": "panel",
                "starts_at": meeting.starts_at + timedelta(minutes=30 * n),
                "ends_at": meeting.starts_at + timedelta(minutes=30 * n + 30),
            }
            for n in range(sessions)
        ],
    )
    db.session.commit()

    speaker_ids = db.session.scalars(
        select(Speaker.id).where(Speaker.key.startswith(prefix)).order_by(Speaker.id)
    ).all()
    session_ids = db.session.scalars(
        select(AgendaSession.id)
        .where(AgendaSession.key.startswith(prefix))
        .order_by(AgendaSession.id)
    ).all()
    rows = []
    for index, session_id in enumerate(session_ids):
        for offset in range(2):
            rows.append(
                {
                    "session_id": session_id,
                    "speaker_id": speaker_ids[(2 * index + offset) % len(speaker_ids)],
                    "role": "panelist",
                    "sort_order": offset,
                }
            )
    if rows:
        db.session.execute(insert(SessionSpeaker), rows)
    db.session.commit()


def _queries(setup, count_queries, client, url):
    client.get(url)  # warm up (login, caches)
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count, response.get_data(as_text=True)


def test_agenda_pages_run_a_fixed_number_of_queries(setup, new_client, count_queries):
    client = new_client()  # a visitor without an account
    _fill(setup, sessions=2, speakers=3, prefix="a")
    few_public, _ = _queries(setup, count_queries, client, "/m/phnom-penh-2025/agenda")
    few_organiser, _ = _queries(setup, count_queries, setup.client, f"{setup.base}/agenda")
    few_speakers, _ = _queries(setup, count_queries, setup.client, f"{setup.base}/speakers")

    _fill(setup, sessions=48, speakers=97, prefix="b")  # 50 sessions, 100 speakers in all
    many_public, page = _queries(setup, count_queries, client, "/m/phnom-penh-2025/agenda")
    assert page.count("fw-semibold") == 50
    assert "Speaker b95" in page
    many_organiser, _ = _queries(setup, count_queries, setup.client, f"{setup.base}/agenda")
    many_speakers, _ = _queries(setup, count_queries, setup.client, f"{setup.base}/speakers")

    assert many_public == few_public
    assert many_organiser == few_organiser
    assert many_speakers == few_speakers
    assert many_public <= 6
