"""Beside each section of the editor, the records it was written from, with links to edit
them (`meetapp.reports.sources`, reading `draft_sources`)."""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import select

from meetapp.extensions import db as _db
from meetapp.models import Contact, Speaker, Statement, SurveyQuestion
from meetapp.reports.sources import source_links


class FakeSource(NamedTuple):
    kind: str
    id: int | None
    label: str


def _section(page: str, name: str) -> str:
    return page.split(f'id="section-{name}"')[1].split("</section>")[0]


def test_each_section_links_to_its_records(load_demo: Any, make_user: Any, login_as: Any) -> None:
    meeting = load_demo()
    client = login_as(make_user("staff"))
    page = client.get(f"/meetings/{meeting.slug}/press-release").get_data(as_text=True)
    slug = meeting.slug

    speakers = _section(page, "speakers")
    assert "Written from" in speakers
    statement = _db.session.scalar(
        select(Statement).where(Statement.highlight.is_(True)).order_by(Statement.id)
    )
    assert f'href="/meetings/{slug}/statements/{statement.id}/edit"' in speakers

    survey = _section(page, "survey")
    question = _db.session.scalar(
        select(SurveyQuestion).where(SurveyQuestion.quotable_in_release.is_(True))
    )
    assert f'href="/meetings/{slug}/surveys/post-meeting/questions/{question.id}"' in survey
    # Only the quoted question is a source of the survey paragraph.
    assert survey.count("/questions/") == 1

    contacts = _section(page, "contacts")
    for contact in _db.session.scalars(select(Contact)):
        assert f'href="/meetings/{slug}/contacts/{contact.id}/edit"' in contacts
    assert f'href="/meetings/{slug}/edit"' in _section(page, "lead")


def test_every_kind_of_source_has_its_page(load_demo: Any) -> None:
    meeting = load_demo()
    slug = meeting.slug
    question = _db.session.scalar(select(SurveyQuestion).order_by(SurveyQuestion.id))
    sources = {
        "lead": [
            FakeSource("meeting", meeting.id, "Meeting"),
            FakeSource("partner", 1, "Host: NAMAC"),
        ],
        "participation": [FakeSource("participants", None, "Participants: 51")],
        "speakers": [
            FakeSource("statement", 7, "Statement"),
            FakeSource("session", 3, "Session"),
            FakeSource("speaker", 2, "Speaker"),
        ],
        "findings": [FakeSource("outcome", 4, "Finding")],
        "survey": [
            FakeSource("survey_question", question.id, "Question"),
            FakeSource("survey_question", 999_999, "Not of this meeting"),
        ],
        "contacts": [FakeSource("contact", 5, "Contact")],
        "about": [FakeSource("organisation", meeting.organisation_id, "About")],
        "background": [FakeSource("something new", 1, "Unknown kind")],
    }
    with current_app.test_request_context():
        links = source_links(meeting, sources)
    urls = {section: [link.url for link in items] for section, items in links.items()}
    assert urls == {
        "lead": [f"/meetings/{slug}/edit", f"/meetings/{slug}/edit"],
        "participation": [f"/meetings/{slug}/participants"],
        "speakers": [
            f"/meetings/{slug}/statements/7/edit",
            f"/meetings/{slug}/agenda/3/edit",
            f"/meetings/{slug}/speakers/2/edit",
        ],
        "findings": [f"/meetings/{slug}/outcomes"],
        "survey": [f"/meetings/{slug}/surveys/post-meeting/questions/{question.id}", None],
        "contacts": [f"/meetings/{slug}/contacts/5/edit"],
        "about": [f"/organisations/{meeting.organisation_id}/edit"],
        "background": [None],
    }
    assert links["background"][0].kind_label == "Something new"
    assert links["survey"][0].kind_label == "Survey question"


def test_the_editor_page_costs_the_same_queries_whatever_the_data(
    load_demo: Any, make_user: Any, login_as: Any, count_queries: Any
) -> None:
    """The sources and the checklist come with a fixed number of queries: the editor reads
    the meeting's facts once."""
    meeting = load_demo()
    client = login_as(make_user("staff"))
    url = f"/meetings/{meeting.slug}/press-release"

    def queries() -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    before = queries()
    speaker = _db.session.scalar(select(Speaker).order_by(Speaker.id))
    for n in range(20):
        _db.session.add_all(
            [
                Statement(
                    meeting_id=meeting.id,
                    speaker_id=speaker.id,
                    kind="quote",
                    text=f"Quote {n}.",
                    highlight=True,
                ),
                Contact(meeting_id=meeting.id, name=f"Contact {n}", languages=["en"], position=9),
            ]
        )
    _db.session.commit()
    assert queries() == before
