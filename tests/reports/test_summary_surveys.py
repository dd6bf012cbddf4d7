"""The survey results in the meeting summary PDF: figures and charts, no free text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from meetapp.models import Meeting, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from meetapp.reports.documents import summary_pdf
from tests.reports.pdftext import pdf_text


def test_summary_of_the_demo_has_the_survey_results(
    db: Any, load_demo: Any, make_user: Any, login_as: Any
) -> None:
    meeting = load_demo()
    client = login_as(make_user("staff"))
    response = client.get(f"/meetings/{meeting.slug}/summary.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    survey = text[text.index("Survey results") :]
    assert "Post-meeting survey" in survey
    assert "38 responses from 51 participants (75% response rate)" in survey
    assert "1. The meeting was useful for my work." in survey
    assert "Which topics should a follow-up meeting cover?" in survey
    assert "agree or strongly agree" in survey
    assert "NPS" in survey
    assert "Recruitment fees" in survey  # an option of a chart
    assert "Any other comments?" in survey
    assert "18 of 38 answered" in survey  # the text question: a count, not the answers
    assert "We need a standard recruitment fee." not in text
    assert "None" not in text


def test_summary_without_answers_has_no_survey_section(
    db: Any, make_meeting: Any, make_user: Any, login_as: Any
) -> None:
    meeting = make_meeting()
    db.session.add(Survey(meeting_id=meeting.id, key="after", title="Nobody answered"))
    db.session.commit()
    client = login_as(make_user("staff"))
    text = pdf_text(client.get(f"/meetings/{meeting.slug}/summary.pdf").data)
    assert "Survey results" not in text
    assert "Nobody answered" not in text


def _queries(db: Any, count_queries: Any, slug: str) -> int:
    db.session.expire_all()
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
    with count_queries() as counter:
        summary_pdf(meeting)
    return counter.count


def test_summary_query_count_does_not_grow_with_the_responses(
    db: Any, load_demo: Any, count_queries: Any
) -> None:
    meeting = load_demo()
    before = _queries(db, count_queries, meeting.slug)
    survey = db.session.scalar(select(Survey).where(Survey.meeting_id == meeting.id))
    questions = db.session.scalars(
        select(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id)
    ).all()
    for n in range(40):
        answer = SurveyResponse(survey_id=survey.id)
        db.session.add(answer)
        db.session.flush()
        for question in questions:
            if question.kind in ("rating", "nps"):
                db.session.add(
                    SurveyAnswer(response_id=answer.id, question_id=question.id, number=n % 5 + 1)
                )
            elif question.kind == "text":
                db.session.add(
                    SurveyAnswer(response_id=answer.id, question_id=question.id, text=f"Said {n}")
                )
            else:
                db.session.add(
                    SurveyAnswer(
                        response_id=answer.id,
                        question_id=question.id,
                        choice=question.choices()[n % len(question.choices())][0],
                    )
                )
    db.session.commit()
    assert _queries(db, count_queries, meeting.slug) == before
    text = pdf_text(summary_pdf(meeting))
    assert "78 responses" in text
    assert "Said 1" not in text
