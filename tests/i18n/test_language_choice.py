"""Which language a participant page and an e-mail are in: cookie (the switch), then `?lang=`,
the participant's own language, Accept-Language, the meeting's first language, English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from meetapp.i18n import COOKIE, LOCALES
from meetapp.models import OutboxMessage, Participant
from meetapp.tokens import new_token
from tests.i18n.catalogues import TRANSLATED, read_catalogue

HTML_LANG = re.compile(r'<html lang="([^"]+)">')


def translated(code: str, text: str) -> str:
    if code == "en":
        return text
    message = read_catalogue(code).get(text)
    assert message is not None, (code, text)
    assert message.string, (code, text)
    return str(message.string)


def html_lang(page: str) -> str:
    found = HTML_LANG.search(page)
    assert found, page[:200]
    return found.group(1)


@pytest.fixture
def meeting(make_meeting: Any) -> Any:
    return make_meeting(languages=["en"], country="KH")


@pytest.mark.parametrize("code", LOCALES)
def test_browser_language_chooses_the_page(client: Any, meeting: Any, code: str) -> None:
    page = client.get(
        f"/m/{meeting.slug}/register", headers={"Accept-Language": f"{code};q=0.9,fr;q=0.5"}
    ).get_data(as_text=True)
    assert html_lang(page) == code
    assert translated(code, "Register") in page
    assert (
        translated(
            code, "I agree that the organisers store and use these details to run this meeting."
        )
        in page
    )


@pytest.mark.parametrize("code", TRANSLATED)
def test_lang_parameter_beats_the_browser_and_the_cookie_beats_both(
    client: Any, meeting: Any, code: str
) -> None:
    url = f"/m/{meeting.slug}/register"
    page = client.get(f"{url}?lang={code}", headers={"Accept-Language": "en"})
    assert html_lang(page.get_data(as_text=True)) == code
    client.set_cookie(COOKIE, "ja" if code != "ja" else "km")
    page = client.get(f"{url}?lang={code}", headers={"Accept-Language": code})
    assert html_lang(page.get_data(as_text=True)) == ("ja" if code != "ja" else "km")


def test_the_switch_keeps_the_choice_and_comes_back(client: Any, meeting: Any) -> None:
    url = f"/m/{meeting.slug}/register"
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    switch = f'href="/language?to=km&amp;next=/m/{meeting.slug}/register"'
    assert switch in page
    response = client.get(f"/language?to=km&next={url}")
    assert response.status_code == 303
    assert response.headers["Location"] == url
    assert "lang=km" in response.headers["Set-Cookie"]
    page = client.get(url, headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert html_lang(page) == "km"
    assert translated("km", "Register") in page


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil", "/\t/evil.example", "/\n/evil"],
)
def test_the_switch_goes_nowhere_else(client: Any, target: str) -> None:
    response = client.get("/language", query_string={"to": "th", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_the_switch_ignores_a_language_not_shipped(client: Any) -> None:
    response = client.get("/language?to=xx&next=/")
    assert "Set-Cookie" not in response.headers


def test_the_meeting_languages_come_first_in_the_switch(client: Any, make_meeting: Any) -> None:
    meeting = make_meeting(languages=["lo", "th"])
    page = client.get(f"/m/{meeting.slug}/register").get_data(as_text=True)
    order = re.findall(r'hreflang="(\w+)"', page)
    assert order[:2] == ["lo", "th"]
    assert sorted(order) == sorted(LOCALES)


def test_the_meeting_first_language_when_the_browser_asks_for_none_we_ship(
    client: Any, make_meeting: Any
) -> None:
    meeting = make_meeting(languages=["fr", "my", "en"])
    page = client.get(f"/m/{meeting.slug}/register", headers={"Accept-Language": "de"})
    assert html_lang(page.get_data(as_text=True)) == "my"
    bare = client.get(f"/m/{meeting.slug}/register", headers={"Accept-Language": "de"})
    assert html_lang(bare.get_data(as_text=True)) == "my"


def test_english_without_any_hint(client: Any, make_meeting: Any) -> None:
    meeting = make_meeting(languages=["fr"])
    page = client.get(f"/m/{meeting.slug}/register").get_data(as_text=True)
    assert html_lang(page) == "en"


def test_personal_page_in_the_participants_language(
    client: Any, meeting: Any, make_participant: Any
) -> None:
    token, token_hash = new_token()
    make_participant(meeting, languages=["fr", "vi"], token_hash=token_hash)
    page = client.get(f"/r/{token}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert html_lang(page) == "vi"
    assert translated("vi", "Your personal link") in page
    page = client.get(f"/r/{token}?lang=th").get_data(as_text=True)
    assert html_lang(page) == "th"


@pytest.mark.parametrize("code", TRANSLATED)
def test_error_pages_in_the_visitors_language(client: Any, code: str) -> None:
    response = client.get("/r/" + "x" * 43, headers={"Accept-Language": code})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert html_lang(page) == code
    assert translated(code, "Not found") in page


@pytest.mark.parametrize("code", TRANSLATED)
def test_confirmation_mail_in_the_participants_stored_language(
    app: Any, client: Any, db: Any, meeting: Any, code: str
) -> None:
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = 9  # nothing listens: the message stays queued, as written
    try:
        response = client.post(
            f"/m/{meeting.slug}/register",
            data={
                "name": "Sokha Chan",
                "email": f"sokha-{code}@example.org",
                "languages": [code],
                "consent": "y",
            },
            headers={"Accept-Language": "en"},
        )
    finally:
        app.config["MAIL_SERVER"] = None
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == f"sokha-{code}@example.org")
    ).one()
    assert message.subject.startswith(
        translated(code, "Registration confirmed: %(meeting)s").split("%(meeting)s")[0]
    )
    assert (
        translated(code, "Your personal link, to see, change or cancel your registration:")
        in message.body
    )
    assert translated(code, "Dear %(name)s,").replace("%(name)s", "Sokha Chan") in message.body
    participant = db.session.scalars(
        select(Participant).where(Participant.email == f"sokha-{code}@example.org")
    ).one()
    assert participant.languages == [code]


def test_registration_page_names_countries_in_its_language(client: Any, meeting: Any) -> None:
    page = client.get(f"/m/{meeting.slug}/register?lang=ja").get_data(as_text=True)
    assert '<option value="KH">カンボジア</option>' in page
    assert "Pseudo" not in page
    english = client.get(f"/m/{meeting.slug}/register?lang=en").get_data(as_text=True)
    countries = re.findall(r'<option value="([A-Z]{2})">', english.split('name="country"')[1])
    # Åland Islands sorts with the A's, not after Zimbabwe.
    assert countries.index("AX") < countries.index("BE")
    assert "XA" not in countries
    assert "XB" not in countries


def test_times_show_the_city_and_offset_in_the_page_language(
    client: Any, make_meeting: Any
) -> None:
    meeting = make_meeting(timezone="Asia/Tokyo")
    page = client.get(f"/m/{meeting.slug}/register?lang=ja").get_data(as_text=True)
    assert "(東京, UTC+9)" in page
    assert "Asia/Tokyo" not in page


def test_languages_are_picked_with_checkboxes_and_a_plain_select(
    client: Any, db: Any, make_meeting: Any
) -> None:
    meeting = make_meeting(languages=["km", "en"])
    page = client.get(f"/m/{meeting.slug}/register?lang=en").get_data(as_text=True)
    assert 'type="checkbox" id="languages-0" name="languages" value="km">' in page
    assert '<select class="form-select" id="languages-other-0" name="languages">' in page
    response = client.post(
        f"/m/{meeting.slug}/register?lang=en",
        data={
            "name": "Aye Aye",
            "email": "aye@example.org",
            # A box ticked, another language chosen in the select, an empty select.
            "languages": ["km", "my", ""],
            "consent": "y",
        },
    )
    assert response.status_code == 302
    person = db.session.scalars(
        select(Participant).where(Participant.email == "aye@example.org")
    ).one()
    assert person.languages == ["km", "my"]
    page = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert '<option selected value="my">Burmese</option>' in page
    assert 'value="km" checked>' in page


def test_the_confirmation_follows_the_page_when_it_is_one_of_the_participants_languages(
    app: Any, client: Any, db: Any, make_meeting: Any
) -> None:
    meeting = make_meeting(languages=["km", "ja"])
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = 9
    try:
        response = client.post(
            f"/m/{meeting.slug}/register?lang=ja",
            data={"name": "Kenji", "email": "kenji@example.org", "languages": ["km", "ja"]}
            | {"consent": "y"},
        )
    finally:
        app.config["MAIL_SERVER"] = None
    assert response.status_code == 302
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "kenji@example.org")
    ).one()
    assert message.subject.startswith("登録完了")


def test_the_consent_box_links_to_the_organisations_privacy_notice(
    client: Any, db: Any, make_meeting: Any
) -> None:
    meeting = make_meeting()
    url = f"/m/{meeting.slug}/register"
    assert "privacy notice" not in client.get(f"{url}?lang=en").get_data(as_text=True)
    meeting.organisation.privacy_url = "https://example.org/privacy"
    db.session.commit()
    page = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert (
        '<a href="https://example.org/privacy" target="_blank" rel="noopener noreferrer">'
        "Read the organisers&#39; privacy notice</a>"
    ) in page
    page = client.get(f"{url}?lang=th").get_data(as_text=True)
    assert "อ่านประกาศความเป็นส่วนตัวของผู้จัด" in page


def test_time_zones_are_chosen_by_city_grouped_by_region(app: Any) -> None:
    from meetapp.meetings.forms import MeetingForm

    with app.test_request_context("/"):
        form = MeetingForm(meta={"csrf": False})
        html = str(form.timezone())
        assert '<optgroup label="Asia">' in html
        assert '<option value="Asia/Phnom_Penh">Phnom Penh</option>' in html
        assert "Factory" not in html
        assert "localtime" not in html
        assert "Asia/Saigon" not in html  # an old name of Ho Chi Minh City's zone
        assert html.index(">Bangkok<") < html.index(">Phnom Penh<") < html.index(">Tokyo<")
        kept = MeetingForm(meta={"csrf": False}, data={"timezone": "US/Eastern"})
        assert 'value="US/Eastern" selected' in str(kept.timezone()) or (
            '<option selected value="US/Eastern">' in str(kept.timezone())
        )
