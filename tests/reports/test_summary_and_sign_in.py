"""The meeting summary and the sign-in sheet PDFs."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader
from sqlalchemy import insert

from meetapp.models import Participant
from meetapp.reports.documents import sign_in_pages, sign_in_rows, wrapped_lines
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
    # Outcomes start with a capital, whatever their stored text.
    assert "The Cambodian government and private recruitment agencies: Develop better" in text
    assert "Participants 52 registered, 51 attended" in text
    # Times in the city and UTC offset of the meeting, not the zone's database name.
    assert "18 February 2019, 09:00, Phnom Penh (UTC+7)" in text
    assert "Asia/Phnom_Penh" not in text
    assert "None" not in text


def test_summary_of_an_empty_meeting(
    db: Any, make_meeting: Any, make_user: Any, login_as: Any
) -> None:
    meeting = make_meeting(groups=())
    client = login_as(make_user("staff"))
    text = pdf_text(client.get(f"/meetings/{meeting.slug}/summary.pdf").data)
    assert "Participants No one registered" in text
    # What is empty is left out: no table and chart of zeros, no empty headings.
    assert "Participation by stakeholder group" not in text
    assert "Total 0 0" not in text
    assert "Highlights of what was said" not in text
    assert "Survey results" not in text
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


def test_sign_in_rows_grow_with_long_text_and_pages_still_hold_their_tables(
    db: Any, make_meeting: Any, make_user: Any, login_as: Any
) -> None:
    """Long organisations wrap onto three or four lines instead of being clipped; text longer
    still is cut with a visible "…"; every page keeps its own table, so the page count is the
    number the sheet was laid out for."""
    meeting = make_meeting(
        capacity=None,
        title="A meeting whose title is long enough to take two or three lines of the "
        "sign-in sheet's first page, which leaves less room for rows under it",
    )
    long_organisation = (
        "National Committee for Counter-Trafficking (NCCT), Royal Government of Cambodia, "
        "Phnom Penh"
    )
    medium_organisation = "Ministry of Labour and Vocational Training of the Kingdom of Cambodia"
    endless = "Department " * 27  # 297 characters: the column holds 300
    rows = [
        {
            "meeting_id": meeting.id,
            "name": f"Person {n:03d}",
            "email": f"x{n}@example.org",
            "email_normalized": f"x{n}@example.org",
            "organisation": (long_organisation, medium_organisation, f"Org {n}")[n % 3],
            "status": "registered",
        }
        for n in range(90)
    ]
    rows[1]["organisation"] = endless
    db.session.execute(insert(Participant), rows)
    db.session.commit()
    pages = sign_in_pages(sign_in_rows(meeting), meeting.title)
    assert {row.lines for page in pages for row in page} == {2, 3, 4}
    rows = [row for page in pages for row in page]
    assert [row.number for row in rows] == list(range(1, len(rows) + 1))
    assert all(row.name for row in rows[:90])
    assert len(rows) >= 100  # blank rows for walk-ins follow the 90 names
    assert not any(row.name or row.organisation for row in rows[90:])

    pdf = login_as(make_user("staff")).get(f"/meetings/{meeting.slug}/sign-in-sheet.pdf").data
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(pages)
    text = " ".join(pdf_text(pdf).split())
    assert text.count("Royal Government of Cambodia, Phnom Penh") == 30  # never clipped
    assert text.count("Vocational Training of the Kingdom of Cambodia") == 29
    assert "Department Department" in text
    assert "…" in text
    assert text.count("Department") < 27
    for page in reader.pages:
        assert "Signature" in page.extract_text()
    assert f"Page {len(pages)} of {len(pages)}" in " ".join(reader.pages[-1].extract_text().split())


def test_wrapped_lines_counts_words_and_wide_characters() -> None:
    assert wrapped_lines("", 10) == 1
    assert wrapped_lines("one two", 10) == 1
    assert wrapped_lines("one two three", 10) == 2
    assert wrapped_lines("x" * 25, 10) == 3  # a word longer than the line breaks inside
    assert wrapped_lines("佐藤花子" * 3, 10) == 3  # 24 columns wide


def test_the_summary_counts_the_answers_to_choice_questions(
    db: Any, make_meeting: Any, make_user: Any, login_as: Any, make_participant: Any
) -> None:
    from meetapp.models.questions import RegistrationAnswer
    from meetapp.registration.questions import OptionLine, QuestionData, save_question

    meeting = make_meeting()
    visit = save_question(
        meeting,
        QuestionData(
            kind="single_choice",
            label="Field visit",
            options=[OptionLine("Port", 20), OptionLine("Farm")],
        ),
    )
    visa = save_question(meeting, QuestionData(kind="yes_no", label="Visa letter needed"))
    note = save_question(meeting, QuestionData(kind="short_text", label="Private note"))
    db.session.commit()
    people = [make_participant(meeting) for _ in range(3)]
    gone = make_participant(meeting, status="cancelled")
    for person, key in zip([*people, gone], ["port", "port", "farm", "port"], strict=True):
        db.session.add(
            RegistrationAnswer(participant_id=person.id, question_id=visit.id, option_key=key)
        )
    db.session.add(
        RegistrationAnswer(participant_id=people[0].id, question_id=visa.id, option_key="yes")
    )
    db.session.add(
        RegistrationAnswer(participant_id=people[0].id, question_id=note.id, value="Secret")
    )
    db.session.commit()
    client = login_as(make_user("staff"))
    text = pdf_text(client.get(f"/meetings/{meeting.slug}/summary.pdf").data)
    assert "Answers to the registration questions" in text
    assert "Field visit People Port 2 Farm 1" in text  # the cancelled registration not counted
    assert "Visa letter needed People Yes 1 No 0" in text
    assert "Secret" not in text  # typed answers are not summarised
