"""The meeting's texts in its other languages: the organisers' Translations page (who may use
it, saving all or nothing, what is missing), and the participant pages, PDF and e-mails that
read the translations, falling back to the meeting's first language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from meetapp.meetings.translations import (
    fingerprint,
    meeting_sections,
    missing_by_meeting,
    missing_counts,
)
from meetapp.models import Meeting, OutboxMessage, StakeholderGroup
from meetapp.models.agenda import AgendaSession
from meetapp.models.surveys import Survey, SurveyQuestion
from meetapp.tokens import new_token
from tests.agenda.conftest import pdf_text

KM_TITLE = "កិច្ចប្រជុំពហុភាគីស្តីពីការធ្វើចំណាកស្រុក"
KM_GOVERNMENT = "រដ្ឋាភិបាល"
KM_SESSION = "វគ្គទីមួយ"


@pytest.fixture
def world(db: Any, make_user: Any, make_meeting: Any) -> dict[str, Any]:
    organiser = make_user("organiser")
    meeting = make_meeting(
        slug="mekong",
        organisers=[organiser],
        title="Meeting on migration",
        venue="Sunway Hotel",
        languages=["en", "km", "ja"],
    )
    other = make_meeting(slug="other", organisers=[organiser], languages=["en", "km"])
    session = AgendaSession(
        meeting_id=meeting.id,
        key="opening",
        title="Opening",
        kind="presentation",
        location="Hall A",
    )
    survey = Survey(meeting_id=meeting.id, key="feedback", title="Feedback")
    db.session.add_all([session, survey])
    db.session.flush()
    question = SurveyQuestion(
        survey_id=survey.id,
        key="topics",
        kind="single",
        text="Which topic?",
        options=["Visa", "Wages"],
    )
    db.session.add(question)
    db.session.commit()
    return {
        "organiser": organiser,
        "meeting": meeting,
        "other": other,
        "session": session,
        "survey": survey,
        "question": question,
    }


def _group(db: Any, meeting: Meeting, key: str) -> StakeholderGroup:
    db.session.rollback()
    return db.session.scalars(
        select(StakeholderGroup).where(
            StakeholderGroup.meeting_id == meeting.id, StakeholderGroup.key == key
        )
    ).one()


def _form(client: Any, slug: str, language: str) -> dict[str, str]:
    """The language's form as the page fills it in (its hidden fields and stored values)."""
    page = client.get(f"/meetings/{slug}/translations").get_data(as_text=True)
    start = page.index(f'id="language-{language}"')
    section = page[start : page.index("</form>", start)]
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', section))
    for name, value in re.findall(
        r'name="([^"]+)" lang="[^"]+" maxlength="\d+" value="([^"]*)"', section
    ):
        data[name] = value
    for name, value in re.findall(
        r'name="([^"]+)" lang="[^"]+" rows="3" maxlength="\d+">([^<]*)<', section
    ):
        data[name] = value
    return data


def _save(client: Any, slug: str, language: str, **texts: str) -> Any:
    data = _form(client, slug, language)
    data.update(texts)
    return client.post(f"/meetings/{slug}/translations", data=data)


def test_the_page_lists_every_text_with_its_first_language_and_what_is_missing(
    db: Any, world: dict[str, Any], login_as: Any
) -> None:
    client = login_as(world["organiser"])
    response = client.get("/meetings/mekong/translations")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="language-km"' in page
    assert 'id="language-ja"' in page
    assert 'id="language-en"' not in page  # the first language is the columns
    for source in (
        "Meeting on migration",
        "Sunway Hotel",
        "Government",
        "Civil society",
        "Opening",
        "Hall A",
        "Feedback",
        "Which topic?",
        "Visa",
        "Wages",
    ):
        assert source in page, source
    group = _group(db, world["meeting"], "government")
    assert f'name="stakeholder-{group.id}-label"' in page
    question = world["question"]
    assert f'name="question-{question.id}-option:Visa"' in page
    # Title, venue, 2 groups, session title and location, survey title, question, 2 options.
    assert "10 texts missing" in page
    assert page.count("badge text-bg-warning") == 20


def test_saving_stores_a_language_and_keeps_the_others(
    db: Any, world: dict[str, Any], login_as: Any
) -> None:
    meeting, question = world["meeting"], world["question"]
    meeting.translations = {"ja": {"title": "移住に関する会議"}}
    db.session.commit()
    client = login_as(world["organiser"])
    group = _group(db, meeting, "government")
    response = _save(
        client,
        "mekong",
        "km",
        **{
            "meeting-title": f"  {KM_TITLE} ",
            f"stakeholder-{group.id}-label": KM_GOVERNMENT,
            f"session-{world['session'].id}-title": KM_SESSION,
            f"question-{question.id}-option:Visa": "ទិដ្ឋាការ",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.rollback()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.translations == {"km": {"title": KM_TITLE}, "ja": {"title": "移住に関する会議"}}
    assert _group(db, meeting, "government").translations == {"km": {"label": KM_GOVERNMENT}}
    assert _group(db, meeting, "cso").translations == {}
    assert db.session.get(AgendaSession, world["session"].id).translations == {
        "km": {"title": KM_SESSION}
    }
    assert db.session.get(SurveyQuestion, question.id).translations == {
        "km": {"option:Visa": "ទិដ្ឋាការ"}
    }
    page = client.get("/meetings/mekong/translations").get_data(as_text=True)
    assert "6 texts missing" in page  # km: 10 less 4
    assert "9 texts missing" in page  # ja: 10 less the title
    overview = client.get("/meetings/mekong").get_data(as_text=True)
    assert "6 texts missing" in overview
    assert "9 texts missing" in overview

    # Emptied, a translation is missing again and leaves the dict.
    response = _save(client, "mekong", "km", **{"meeting-title": ""})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Meeting, meeting.id).translations == {"ja": {"title": "移住に関する会議"}}


def test_a_bad_text_saves_nothing_and_says_why(
    db: Any, world: dict[str, Any], login_as: Any
) -> None:
    client = login_as(world["organiser"])
    response = _save(
        client,
        "mekong",
        "km",
        **{"meeting-title": KM_TITLE, "meeting-venue": "Line one\nline two"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Keep this on one line" in page
    assert KM_TITLE in page  # what was typed is kept
    response = _save(client, "mekong", "km", **{"meeting-title": "x" * 301})
    assert response.status_code == 422
    assert "300 characters at most" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Meeting, world["meeting"].id).translations == {}


def test_two_organisers_saving_at_once_the_second_is_told(
    db: Any, world: dict[str, Any], login_as: Any
) -> None:
    client = login_as(world["organiser"])
    stale = _form(client, "mekong", "km")
    assert _save(client, "mekong", "km", **{"meeting-title": KM_TITLE}).status_code == 302
    stale["meeting-venue"] = "សណ្ឋាគារ"
    response = client.post("/meetings/mekong/translations", data=stale)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page
    assert f'Stored now: <span lang="km">{KM_TITLE}</span>' in page
    assert 'value="សណ្ឋាគារ"' in page  # what they typed is kept
    db.session.rollback()
    assert db.session.get(Meeting, world["meeting"].id).translations == {"km": {"title": KM_TITLE}}


def test_texts_of_another_meeting_are_refused(
    db: Any, world: dict[str, Any], login_as: Any
) -> None:
    client = login_as(world["organiser"])
    other_group = _group(db, world["other"], "government")
    response = _save(
        client,
        "mekong",
        "km",
        **{f"stakeholder-{other_group.id}-label": "forged", "meeting-title": "t"},
    )
    assert response.status_code == 409
    db.session.rollback()
    assert _group(db, world["other"], "government").translations == {}
    assert db.session.get(Meeting, world["meeting"].id).translations == {}
    # A language the meeting does not have, or its first one, is no form of the page.
    for language in ("th", "en"):
        data = _form(client, "mekong", "km")
        data["language"] = language
        assert client.post("/meetings/mekong/translations", data=data).status_code == 404


def test_only_the_team_reaches_the_page(
    world: dict[str, Any], make_user: Any, new_client: Any
) -> None:
    outsider = new_client(make_user("organiser"))
    assert outsider.get("/meetings/mekong/translations").status_code == 404
    assert outsider.post("/meetings/mekong/translations", data={}).status_code == 404
    staff = new_client(make_user("staff"))
    assert staff.get("/meetings/mekong/translations").status_code == 403
    assert staff.post("/meetings/mekong/translations", data={}).status_code == 403
    anonymous = new_client()
    assert anonymous.get("/meetings/mekong/translations").status_code == 302


def test_the_form_needs_its_csrf_token(
    csrf_enabled: Any, db: Any, world: dict[str, Any], new_client: Any
) -> None:
    client = new_client(world["organiser"])
    data = _form(client, "mekong", "km")
    assert data["csrf_token"]
    data["meeting-title"] = KM_TITLE
    del data["csrf_token"]
    response = client.post("/meetings/mekong/translations", data=data)
    assert response.status_code == 400
    db.session.rollback()
    assert db.session.get(Meeting, world["meeting"].id).translations == {}


def test_a_meeting_of_one_language_says_how_to_add_languages(
    make_user: Any, make_meeting: Any, login_as: Any
) -> None:
    organiser = make_user("organiser")
    make_meeting(slug="single", organisers=[organiser], languages=["en"])
    page = login_as(organiser).get("/meetings/single/translations").get_data(as_text=True)
    assert "add the languages in" in page
    assert "This meeting has one language, English" in page
    assert 'name="fingerprint"' not in page


def test_the_fingerprint_follows_the_stored_translations(db: Any, world: dict[str, Any]) -> None:
    meeting = world["meeting"]
    before = fingerprint(meeting_sections(meeting), "km")
    meeting.translations = {"ja": {"title": "会議"}}
    assert fingerprint(meeting_sections(meeting), "km") == before
    meeting.translations = {"km": {"title": KM_TITLE}}
    assert fingerprint(meeting_sections(meeting), "km") != before


# --- what participants read ----------------------------------------------------------------


def _translate(db: Any, world: dict[str, Any]) -> None:
    group = _group(db, world["meeting"], "government")  # (rolls the session back)
    group.translations = {"km": {"label": KM_GOVERNMENT}}
    meeting = db.session.get(Meeting, world["meeting"].id)
    meeting.translations = {"km": {"title": KM_TITLE, "venue": "សណ្ឋាគារ Sunway"}}
    db.session.get(AgendaSession, world["session"].id).translations = {"km": {"title": KM_SESSION}}
    db.session.commit()


def test_the_registration_page_in_khmer_reads_the_khmer_texts(
    db: Any, world: dict[str, Any], client: Any
) -> None:
    _translate(db, world)
    page = client.get("/m/mekong/register?lang=km").get_data(as_text=True)
    assert KM_TITLE in page
    assert "សណ្ឋាគារ Sunway" in page
    assert f">{KM_GOVERNMENT}</option>" in page
    assert ">Civil society</option>" in page  # not translated: the first language
    assert "Meeting on migration" not in page
    english = client.get("/m/mekong/register?lang=en").get_data(as_text=True)
    assert "Meeting on migration" in english
    assert KM_TITLE not in english
    assert ">Government</option>" in english


def test_the_agenda_and_its_pdf_in_khmer(db: Any, world: dict[str, Any], client: Any) -> None:
    _translate(db, world)
    page = client.get("/m/mekong/agenda?lang=km").get_data(as_text=True)
    assert KM_SESSION in page
    assert "Hall A" in page
    response = client.get("/m/mekong/agenda.pdf?lang=km")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert KM_SESSION in text
    assert "Opening" not in text


def test_the_confirmation_mail_carries_the_title_in_the_participants_language(
    app: Any, db: Any, world: dict[str, Any], client: Any
) -> None:
    _translate(db, world)
    group = _group(db, world["meeting"], "government")
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = 9  # nothing listens: the message stays queued, as written
    try:
        response = client.post(
            "/m/mekong/register",
            data={
                "name": "Sokha Chan",
                "email": "sokha@example.org",
                "languages": ["km"],
                "stakeholder_group": str(group.id),
                "consent": "y",
            },
            headers={"Accept-Language": "en"},
        )
    finally:
        app.config["MAIL_SERVER"] = None
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "sokha@example.org")
    ).one()
    assert KM_TITLE in message.subject
    assert KM_TITLE in message.body
    assert "សណ្ឋាគារ Sunway" in message.body
    assert "Meeting on migration" not in message.body


def test_the_calendar_file_in_khmer(db: Any, world: dict[str, Any], client: Any) -> None:
    _translate(db, world)
    session = db.session.get(AgendaSession, world["session"].id)
    session.starts_at = world["meeting"].starts_at
    db.session.commit()
    response = client.get("/m/mekong/agenda.ics?lang=km")
    assert response.status_code == 200
    text = response.get_data(as_text=True).replace("\r\n ", "")
    assert KM_SESSION in text
    assert KM_TITLE in text
    english = client.get("/m/mekong/agenda.ics?lang=en").get_data(as_text=True)
    assert "Opening" in english.replace("\r\n ", "")


def test_the_personal_page_in_the_participants_language(
    db: Any, world: dict[str, Any], client: Any, make_participant: Any
) -> None:
    _translate(db, world)
    token, token_hash = new_token()
    make_participant(
        db.session.get(Meeting, world["meeting"].id),
        group_key="government",
        languages=["km"],
        token_hash=token_hash,
    )
    page = client.get(f"/r/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert KM_TITLE in page
    assert KM_GOVERNMENT in page
    assert "Meeting on migration" not in page


def test_the_dashboard_counts_the_missing_texts_of_each_meeting(
    db: Any, world: dict[str, Any], login_as: Any
) -> None:
    meeting = db.session.get(Meeting, world["meeting"].id)
    meeting.translations = {"ja": {"title": "移住に関する会議", "venue": "サンウェイホテル"}}
    db.session.commit()
    page = login_as(world["organiser"]).get("/").get_data(as_text=True)
    assert "Translations missing: Khmer 10, Japanese 8" in page
    # The other meeting: title and its two groups, in Khmer.
    assert "Translations missing: Khmer 3" in page


def test_the_dashboard_and_the_page_count_alike(db: Any, world: dict[str, Any]) -> None:
    meeting = db.session.get(Meeting, world["meeting"].id)
    question = db.session.get(SurveyQuestion, world["question"].id)
    question.translations = {"km": {"option:Wages": "ប្រាក់ឈ្នួល"}}
    db.session.commit()
    assert (
        missing_by_meeting([meeting])[meeting.id] == missing_counts(meeting) == {"km": 9, "ja": 10}
    )
