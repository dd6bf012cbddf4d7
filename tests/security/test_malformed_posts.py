"""Bodies no browser sends get a 400, never a server error."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from meetapp.models import Participant


def test_nameless_multipart_part_is_refused(client: Any, db: Any, make_meeting: Any) -> None:
    meeting = make_meeting()
    body = (
        b"--b\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n"
        b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nSokha\r\n--b--\r\n'
    )
    response = client.post(
        f"/m/{meeting.slug}/register", data=body, content_type="multipart/form-data; boundary=b"
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


def test_json_body_that_is_not_an_object_is_refused(client: Any, make_meeting: Any) -> None:
    meeting = make_meeting()
    for body in ("[1, 2]", "3", '"text"', "null"):
        response = client.post(
            f"/m/{meeting.slug}/register", data=body, content_type="application/json"
        )
        assert response.status_code == 400, body
