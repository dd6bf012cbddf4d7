"""The demo meeting's press release: what the PDF must say, in which formats, for whom."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from docx import Document
from sqlalchemy import select

from meetapp.models import Meeting, Survey
from meetapp.reports.press_release import compose_press_release
from meetapp.surveys.services import SurveyData, create_survey
from tests.reports.pdftext import has_embedded_files, page_count, pdf_text


@pytest.fixture
def demo(db: Any, load_demo: Any, make_user: Any) -> dict[str, Any]:
    meeting = load_demo()
    organiser = make_user("organiser")
    from meetapp.meetings.services import add_team_member

    add_team_member(meeting, organiser)
    db.session.commit()
    return {
        "slug": meeting.slug,
        "organiser": organiser,
        "staff": make_user("staff"),
        "other": make_user("organiser"),
    }


def test_the_demo_press_release_pdf_says_what_the_seed_says(
    demo: dict[str, Any], login_as: Any
) -> None:
    client = login_as(demo["staff"])
    response = client.get(f"/meetings/{demo['slug']}/press-release.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    pdf = response.data
    text = pdf_text(pdf)

    assert (
        "MMN Convenes Multi-stakeholder Meeting to Discuss Labour Migration from Cambodia to Japan"
        in text
    )
    assert "Mekong Migration Network" in text
    assert "PRESS RELEASE" in text
    assert "21 February 2019" in text
    assert (
        "On 18 February 2019, the Mekong Migration Network (MMN) held a multi-stakeholder" in text
    )
    assert "Over 50 participants" in text
    assert (
        "including representatives of government, civil society organisations, international "
        "organisations, recruitment agencies and academia." in text
    )
    assert (
        "H.E. Ms Chou Bun Eng, Secretary of State, Permanent Vice President of the National "
        "Committee for Counter-Trafficking (NCCT), Royal Government of Cambodia" in text
    )
    assert "remarked, “The workers’ hopes are also the government’s hope" in text
    assert "free from exploitation and cheating.”" in text
    assert "Associate Professor Asato Wako from Kyoto University noted that under the new" in text
    assert "Japan now officially recognises incoming migrant workers as “workers”" in text
    # Named again as the press does (regression: "Asato Wako also stated").
    assert "Professor Asato also stated that though direct hiring sounds good on paper" in text
    assert "Asato Wako also" not in text
    assert "PHNOM PENH, 21 February 2019 —" in text
    assert "FOR IMMEDIATE RELEASE" in text.upper()
    assert "ENDS" in text
    assert "Notes to editors" in text
    assert "Associate Professor Asato Wako also" not in text  # introduced once
    assert (
        "participants called for the Japanese and Cambodian governments and Cambodian private "
        "recruitment agencies to play a more active role in monitoring workers’ labour "
        "conditions" in text
    )
    assert (
        "called for the Cambodian government and private recruitment agencies to develop "
        "better pre-departure training" in text
    )
    assert "About MMN" in text
    assert "The Mekong Migration Network (MMN) is a sub-regional network of CSOs" in text
    assert "Ms Reiko Harima, MMN Regional Coordinator" in text
    # Her role names the organisation already, by its short name: it is not said twice.
    assert "MMN Regional Coordinator, Mekong Migration Network" not in " ".join(text.split())
    assert "(English or Japanese)" in text
    assert "Mr Sokchar Mom, Executive Director" in text
    assert "by phone on 012943767 (English or Khmer)" in text

    for bad in ("None", "null", "{{", "()"):
        assert bad not in text, bad
    assert not re.search(r"About\s*(Media contacts|$)", text)  # no empty heading
    assert page_count(pdf) <= 2
    assert not has_embedded_files(pdf)
    assert "Page 1 of" in text  # the shared print stylesheet's footer


def test_the_survey_statement_reads_as_part_of_the_sentence(load_demo: Any) -> None:
    survey = compose_press_release(load_demo()).section("survey").text
    assert survey == (
        "Of the 51 participants, 38 answered the post-meeting survey; 76% agreed with the "
        "statement “The meeting was useful for my work”."
    )


def test_every_format_and_the_cli(
    demo: dict[str, Any], login_as: Any, runner: Any, tmp_path: Any
) -> None:
    client = login_as(demo["staff"])
    base = f"/meetings/{demo['slug']}/press-release"

    markdown = client.get(f"{base}.md")
    assert markdown.status_code == 200
    assert markdown.mimetype == "text/markdown"
    body = markdown.get_data(as_text=True)
    assert body.startswith(
        "Mekong Migration Network · Press Release\n\nFor immediate release\n\n# MMN Convenes"
    )
    assert "\n## About MMN\n" in body
    assert "(English or Khmer)" in body

    page = client.get(f"{base}.html")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert "attachment" in page.headers["Content-Disposition"]
    assert "<h1>MMN Convenes" in page.get_data(as_text=True)

    word = client.get(f"{base}.docx")
    assert word.status_code == 200
    document = Document(io.BytesIO(word.data))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[1] == "For immediate release"
    assert paragraphs[2].startswith("MMN Convenes Multi-stakeholder Meeting")
    assert paragraphs[3].startswith("PHNOM PENH, 21 February 2019 — On 18 February 2019")
    assert "ENDS" in paragraphs
    assert any("(English or Japanese)" in p for p in paragraphs)

    for ext, check in (
        ("pdf", lambda data: "21 February 2019" in pdf_text(data)),
        ("md", lambda data: b"# MMN Convenes" in data),
        ("html", lambda data: b"<h1>MMN Convenes" in data),
        ("docx", lambda data: data.startswith(b"PK")),
    ):
        out = tmp_path / f"release.{ext}"
        result = runner.invoke(args=["press-release", demo["slug"], "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert check(out.read_bytes()), ext
    result = runner.invoke(args=["press-release", demo["slug"], "-o", str(tmp_path / "x.odt")])
    assert result.exit_code != 0
    assert "end the file name with .pdf, .html, .md, .docx" in result.output
    result = runner.invoke(args=["press-release", "nope", "-o", str(tmp_path / "x.pdf")])
    assert "No meeting with the slug 'nope'." in result.output


def test_a_missing_font_is_reported(
    demo: dict[str, Any], login_as: Any, runner: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    import meetapp.reports.fonts as fonts

    def no_khmer(*args: Any, **kwargs: Any) -> Any:
        class Done:
            stdout = "" if ":lang=km" in args[0] else "Noto Sans CJK JP\n"

        return Done()

    monkeypatch.setattr(fonts.subprocess, "run", no_khmer)
    page = login_as(demo["staff"]).get(f"/meetings/{demo['slug']}/documents")
    assert "No font for Khmer is installed" in page.get_data(as_text=True)
    assert "fonts-noto-core" in page.get_data(as_text=True)
    assert "No font for Japanese" not in page.get_data(as_text=True)
    result = runner.invoke(
        args=["press-release", demo["slug"], "-o", str(tmp_path / "release.pdf")]
    )
    assert result.exit_code == 0
    assert "Warning: No font for Khmer is installed" in result.output


def test_the_fonts_of_this_machine_are_found(app: Any) -> None:
    from meetapp.reports.fonts import missing_fonts

    assert missing_fonts() == []


def test_the_documents_page_links_every_download_of_the_meeting(
    db: Any, demo: dict[str, Any], login_as: Any, make_meeting: Any
) -> None:
    slug = demo["slug"]
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
    other = make_meeting()
    create_survey(other, SurveyData(title="Another meeting's survey"), key="not-ours")
    db.session.commit()
    keys = db.session.scalars(select(Survey.key).where(Survey.meeting_id == meeting.id)).all()
    assert keys

    client = login_as(demo["staff"])
    page = client.get(f"/meetings/{slug}/documents").get_data(as_text=True)
    links = re.findall(r'href="([^"]+\.(?:pdf|html|md|docx))"', page)
    expected = [
        *(f"/meetings/{slug}/press-release.{ext}" for ext in ("pdf", "html", "md", "docx")),
        f"/meetings/{slug}/summary.pdf",
        f"/meetings/{slug}/sign-in-sheet.pdf",
        f"/m/{slug}/agenda.pdf",
        *(f"/meetings/{slug}/surveys/{key}/results.pdf" for key in keys),
    ]
    assert sorted(links) == sorted(expected)
    assert "not-ours" not in page
    for link in links:
        assert client.get(link).status_code == 200, link


def test_a_meeting_without_surveys_says_so_on_its_documents_page(
    db: Any, make_meeting: Any, make_user: Any, login_as: Any
) -> None:
    meeting = make_meeting()
    page = login_as(make_user("staff")).get(f"/meetings/{meeting.slug}/documents")
    text = page.get_data(as_text=True)
    assert f'href="/m/{meeting.slug}/agenda.pdf"' in text
    assert "No surveys yet." in text
    assert "/results.pdf" not in text


def test_documents_are_for_the_meetings_readers_only(
    demo: dict[str, Any], login_as: Any, new_client: Any
) -> None:
    urls = [
        f"/meetings/{demo['slug']}/{name}"
        for name in (
            "press-release.pdf",
            "press-release.html",
            "press-release.md",
            "press-release.docx",
            "summary.pdf",
            "sign-in-sheet.pdf",
            "documents",
            "press-release",
            "press-release/preview",
        )
    ]
    staff = login_as(demo["staff"])
    for url in urls:
        assert staff.get(url).status_code == 200, url
    other = new_client()
    other.post(
        "/login", data={"email": demo["other"].email, "password": "correct horse battery staple"}
    )
    for url in urls:
        assert other.get(url).status_code == 404, url
    anonymous = new_client()
    for url in urls:
        assert anonymous.get(url).status_code == 302, url
