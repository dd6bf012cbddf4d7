"""Taking over another team's organisation by importing a meeting that copies its public
details (name, short name, "About" text and website, all printed in its press releases).

The import must convene the new meeting under an organisation of the importer's own, and the
other team's organisation, meetings and press release must stay as they were.
"""

from __future__ import annotations

import io
import json
from typing import Any

from sqlalchemy import select

from meetapp.interchange.services import import_meeting
from meetapp.models import Meeting, Organisation, meeting_organisers
from tests.meetings.test_meetings_organisations import organisation_row

VICTIM = {
    "name": "Mekong Migration Network",
    "short_name": "MMN",
    "about": "MMN is a network of NGOs, grassroots groups and researchers.",
    "website": "https://www.mekongmigration.org/",
}


def _document(slug: str) -> dict[str, Any]:
    return {
        "format": "meetapp/1",
        "organisation": dict(VICTIM),
        "meeting": {
            "slug": slug,
            "title": "A meeting of ours",
            "starts_at": "2030-05-02T09:00:00+07:00",
        },
    }


def _upload(client: Any, document: dict[str, Any]) -> Any:
    return client.post(
        "/meetings/import",
        data={"file": (io.BytesIO(json.dumps(document).encode()), "meeting.json")},
        content_type="multipart/form-data",
    )


def _organisation_row(db: Any, organisation_id: int) -> tuple[Any, ...]:
    db.session.rollback()
    return organisation_row(db.session.get(Organisation, organisation_id))


def _meetings_and_teams(db: Any) -> list[tuple[Any, ...]]:
    db.session.rollback()
    return [
        (meeting.slug, meeting.title, meeting.organisation_id, tuple(team))
        for meeting in db.session.scalars(select(Meeting).order_by(Meeting.id))
        for team in [
            db.session.scalars(
                select(meeting_organisers.c.user_id)
                .where(meeting_organisers.c.meeting_id == meeting.id)
                .order_by(meeting_organisers.c.user_id)
            ).all()
        ]
    ]


def test_an_import_that_copies_another_teams_organisation_gives_no_rights_over_it(
    db, make_user, new_client
):
    owner = make_user("organiser")
    victim = import_meeting(_document("their-meeting")).meeting
    db.session.execute(meeting_organisers.insert().values(meeting_id=victim.id, user_id=owner.id))
    db.session.commit()
    victim_id, organisation_id = victim.id, victim.organisation_id
    owner_client = new_client(owner)
    release = owner_client.get("/meetings/their-meeting/press-release.md").get_data(as_text=True)
    assert VICTIM["about"] in release
    organisation_before = _organisation_row(db, organisation_id)
    meetings_before = _meetings_and_teams(db)

    attacker = make_user("organiser")
    client = new_client(attacker)
    response = _upload(client, _document("our-meeting"))

    # The import itself goes through, under an organisation of the importer's own.
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "It is convened by a new organisation, “Mekong Migration Network”" in shown
    db.session.rollback()
    ours = db.session.scalar(select(Meeting).where(Meeting.slug == "our-meeting"))
    assert ours.organisation_id != organisation_id
    assert _organisation_row(db, ours.organisation_id) == (*VICTIM.values(), attacker.id)

    # ... and it gives no rights over the other team's.
    edit = f"/organisations/{organisation_id}/edit"
    assert client.get(edit).status_code == 404
    rewritten = {**VICTIM, "about": "Rewritten by somebody else."}
    assert client.post(edit, data=rewritten).status_code == 404
    assert f"/organisations/{organisation_id}/edit" not in client.get("/organisations").get_data(
        as_text=True
    )
    assert client.get("/meetings/their-meeting").status_code == 404

    assert _organisation_row(db, organisation_id) == organisation_before
    assert _meetings_and_teams(db)[: len(meetings_before)] == meetings_before
    assert db.session.get(Meeting, victim_id).organisation_id == organisation_id
    after = owner_client.get("/meetings/their-meeting/press-release.md").get_data(as_text=True)
    assert after == release
    assert "Rewritten" not in after

    # Editing their own copy leaves the other team's untouched.
    own_edit = f"/organisations/{ours.organisation_id}/edit"
    assert client.post(own_edit, data=rewritten).status_code == 302
    assert _organisation_row(db, organisation_id) == organisation_before
    assert (
        owner_client.get("/meetings/their-meeting/press-release.md").get_data(as_text=True)
        == release
    )


def test_an_import_reuses_an_organisation_the_importer_may_already_use(db, make_user, new_client):
    organiser = make_user("organiser")
    client = new_client(organiser)
    assert client.post("/organisations/new", data=VICTIM).status_code == 302
    db.session.rollback()
    [organisation] = db.session.scalars(select(Organisation)).all()

    for slug in ("first", "second"):
        response = _upload(client, _document(slug))
        assert response.status_code == 302
        shown = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "new organisation" not in shown

    db.session.rollback()
    assert [o.id for o in db.session.scalars(select(Organisation))] == [organisation.id]
    assert {m.organisation_id for m in db.session.scalars(select(Meeting))} == {organisation.id}


def test_the_command_line_import_run_by_the_operator_reuses_any_matching_organisation(
    db, runner, tmp_path
):
    first = import_meeting(_document("first")).meeting
    db.session.commit()
    path = tmp_path / "second.json"
    path.write_text(json.dumps(_document("second")), encoding="utf-8")

    result = runner.invoke(args=["import-meeting", str(path)])

    assert result.exit_code == 0, result.output
    db.session.rollback()
    second = db.session.scalar(select(Meeting).where(Meeting.slug == "second"))
    assert second.organisation_id == first.organisation_id
