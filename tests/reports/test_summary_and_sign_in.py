"""The meeting summary and the sign-in sheet PDFs."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader
from sqlalchemy import insert

from meetapp.models import Participant
from tests.reports.pdftext import page_count, pdf_text


def test_summary_of_the_demo(db: Any, load_demo: Any, make_user: Any, login_as: Any) -> None:
    meeting = load_demo()
    client = login_as(make_user("staff"))
    response = client.get(f"/meetings/{meeting.slug}/summary.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Multi-stakeholder Meeting on Labour Migration from Cambodia to Japan" in text
    assert "Convened by Mekong Migration Network (MMN)" in text
    assert "Agenda" in text
    assert "Keynote speech" in text
    assert "Chou Bun Eng (keynote)" in text
    assert "Participation by stakeholder group" in text
    assert "Civil society organisations 16 16" in text  # table: registered, attended
    assert "Total 52 51" in text
    assert "Participants attended, by stakeholder group." in text  # the chart's caption
    assert "Highlights of what was said" in text
    assert "In a keynote speech, H.E. Ms Chou Bun Eng" in text
    assert "Recommendations" in text
    assert "the Cambodian government and private recruitment agencies:" in text
    assert "None" not in text


def test_summary_of_an_empty_meeting(
    db: Any, make_meeting: Any, make_user: Any, login_as: Any
) -> None:
    meeting = make_meeting(groups=())
    client = login_as(make_user("staff"))
    text = pdf_text(client.get(f"/meetings/{meeting.slug}/summary.pdf").data)
    assert "The meeting has no stakeholder groups." in text
    assert "Agenda" not in text
    assert "Outcomes" not in text
    assert "None" not in text


def test_sign_in_sheet_sorted_with_the_header_on_every_page(
    db: Any, make_meeting: Any, make_user: Any, login_as: Any
) -> None:
    meeting = make_meeting(capacity=None)
    names = ["Zoë Adams", "ádám Kovács", "Bopha Keo", "佐藤 花子", "محمد علي", "chenda Brown"]
    rows = [
        {
            "meeting_id": meeting.id,
            "name": name,
            "email": f"p{n}@example.org",
            "email_normalized": f"p{n}@example.org",
            "organisation": f"Org {n}",
            "status": "registered",
        }
        for n, name in enumerate(names)
    ]
    rows += [
        {
            "meeting_id": meeting.id,
            "name": f"Person {n:03d}",
            "email": f"x{n}@example.org",
            "email_normalized": f"x{n}@example.org",
            "status": "registered",
        }
        for n in range(60)
    ]
    rows.append(
        {
            "meeting_id": meeting.id,
            "name": "Cancelled Person",
            "email": "c@example.org",
            "email_normalized": "c@example.org",
            "status": "cancelled",
        }
    )
    db.session.execute(insert(Participant), rows)
    db.session.commit()
    client = login_as(make_user("staff"))
    pdf = client.get(f"/meetings/{meeting.slug}/sign-in-sheet.pdf").data
    text = pdf_text(pdf)
    assert "66 registered participants" in text
    assert "Cancelled Person" not in text
    order = [text.index(name) for name in ("Bopha Keo", "chenda Brown", "Person 000", "Zoë Adams")]
    assert order == sorted(order)
    assert text.index("ádám Kovács") < text.index("Bopha Keo")
    assert "佐藤 花子" in text
    assert page_count(pdf) >= 2
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        page_text = page.extract_text()
        assert "Name" in page_text
        assert "Organisation" in page_text
        assert "Signature" in page_text
        assert meeting.organisation.name in page_text  # the header of every page
