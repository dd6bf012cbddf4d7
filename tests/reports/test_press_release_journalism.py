"""The draft as a journalist would accept it, rule by rule, each defect found when drafts were
read beside real releases kept as a regression case (docs/press-release.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from meetapp.reports.press_release import (
    NewsFacts,
    OutcomeFacts,
    PartnerFacts,
    PressReleaseFacts,
    SpeakerFacts,
    StatementFacts,
    compose_draft,
)
from meetapp.reports.wording import a_or_an, family_name, name_order, second_mention, sentence

BASE = PressReleaseFacts(
    organisation_name="Mekong Migration Network",
    organisation_short_name="MMN",
    title="Multi-stakeholder Meeting on Labour Migration from Cambodia to Japan",
    kind="multi-stakeholder meeting",
    topic="labour migration from Cambodia to Japan",
    starts_at=datetime(2019, 2, 18, 2, tzinfo=UTC),
    ends_at=datetime(2019, 2, 18, 9, tzinfo=UTC),
    timezone="Asia/Phnom_Penh",
    city="Phnom Penh",
    country="KH",
)


def _lead(facts: PressReleaseFacts) -> str:
    return compose_draft(facts).section("lead").text


def _speakers(facts: PressReleaseFacts) -> str:
    return compose_draft(facts).section("speakers").text


# --- the lead -----------------------------------------------------------------------------------


def test_the_place_is_the_venue_and_city_never_glued_onto_the_topic() -> None:
    """Regression: '…migrant workers … in Japan in Tokyo, Japan'."""
    facts = replace(
        BASE,
        title="Meeting on the rights of migrant workers in Japan",
        topic="the rights of migrant workers in Japan",
        city="Tokyo",
        country="JP",
        venue="United Nations University",
    )
    lead = _lead(facts)
    assert "in Japan in Tokyo" not in lead
    assert "Tokyo, Japan" not in lead
    assert "at the United Nations University in Tokyo on the rights of migrant workers" in lead


def test_the_event_is_named_by_its_own_title() -> None:
    facts = replace(
        BASE,
        title="Mekong Symposium on Migration",
        kind="symposium",
        venue="Summit Parkview Hotel",
        city="Yangon",
        country="MM",
    )
    lead = _lead(facts)
    assert "held the Mekong Symposium on Migration at the Summit Parkview Hotel in Yangon" in lead
    assert "Yangon, Myanmar" not in lead
    # A title that only says the kind and topic is not a name: the lead describes the meeting.
    assert "held a multi-stakeholder meeting in Phnom Penh on labour migration" in _lead(BASE)


def test_an_online_meeting_is_said_to_be_online() -> None:
    online = replace(BASE, online=True, city=None, kind="workshop", title="Online workshop")
    assert "held an online workshop on labour migration" in _lead(online)
    assert "Online Workshop" in compose_draft(online).headline
    hybrid = replace(BASE, online=True)
    assert "in Phnom Penh and online" in _lead(hybrid)


def test_the_release_is_never_silently_dated_today_for_a_past_meeting() -> None:
    """Regression: a 2013 symposium's release dated 2026."""
    old = replace(BASE, starts_at=datetime(2013, 3, 4, 2, tzinfo=UTC), ends_at=None)
    draft = compose_draft(old, today=date(2026, 12, 4))
    assert draft.release_date == date(2013, 3, 5)  # the day after the meeting ended
    recorded = compose_draft(replace(BASE, release_date=date(2019, 2, 21)))
    assert recorded.dateline == "PHNOM PENH, 21 February 2019 —"


def test_the_release_ends_as_the_organisation_chooses() -> None:
    assert compose_draft(BASE).end_mark == "ENDS"
    assert compose_draft(replace(BASE, release_end="###")).end_mark == "###"
    assert "\nENDS\n" in compose_draft(BASE).plain_text()


def test_the_why_now_hook_is_the_first_sentence_of_the_background_when_short() -> None:
    facts = replace(
        BASE,
        background=(
            "The meeting was convened ahead of changes to Japan's immigration law. "
            "The new law creates a new pathway."
        ),
    )
    draft = compose_draft(facts)
    assert draft.section("lead").text.endswith(
        "The meeting was convened ahead of changes to Japan’s immigration law."
    )
    assert draft.section("background").text == "The new law creates a new pathway."
    # An abbreviation does not end the sentence; a long first sentence stays in the background.
    facts = replace(BASE, background="The U.S. Government and Dr. Lee met. They agreed.")
    assert _lead(facts).endswith("The U.S. Government and Dr. Lee met.")
    long = "Word " * 40 + "end. Next."
    assert compose_draft(replace(BASE, background=long)).section("background").text == (
        long.strip()
    )


def test_the_news_leads_the_headline_and_the_first_sentence() -> None:
    """Regression: a dialogue whose news was a vow led with 'X held a policy dialogue', and
    the vow was the last sentence."""
    vow = "Governments of Cambodia and Myanmar vow to cooperate on safe migration"
    facts = replace(
        BASE,
        kind="policy dialogue",
        news=NewsFacts(source="outcome", kind="finding", text=vow),
    )
    draft = compose_draft(facts)
    assert (
        draft.headline == "Governments of Cambodia and Myanmar Vow to Cooperate on Safe Migration"
    )
    assert draft.section("lead").text.startswith(vow + ".")
    # Without news, the "convenes ... to discuss" form stays.
    assert compose_draft(BASE).headline.startswith("MMN Convenes Multi-stakeholder Meeting")


def test_a_statement_as_the_news_introduces_its_speaker_in_the_lead() -> None:
    chou = SpeakerFacts(
        name="Chou Bun Eng",
        honorific="H.E. Ms",
        position="Secretary of State",
        family_name="Chou",
        id=1,
        keynote=True,
        statements=(StatementFacts("point", "called for regulation of direct hiring"),),
    )
    news = NewsFacts(
        source="statement",
        kind="point",
        text="announced a new Memorandum of Cooperation with Japan",
        speaker=replace(chou, statements=()),
    )
    draft = compose_draft(replace(BASE, news=news, speakers=(chou,)))
    assert draft.section("lead").text.startswith(
        "H.E. Ms Chou Bun Eng, Secretary of State, announced a new Memorandum"
    )
    assert draft.headline.startswith("Ms Chou Announced a New Memorandum")
    # Introduced in the lead: named again in the speakers' paragraphs.
    assert draft.section("speakers").text.startswith(
        "In a keynote speech, Ms Chou also called for regulation"
    )


# --- who held it --------------------------------------------------------------------------------


def test_partners_are_named_as_a_journalist_would() -> None:
    facts = replace(
        BASE,
        partners=(
            PartnerFacts("co_organiser", "STEP"),
            PartnerFacts("co_organiser", "Sightsavers"),
            PartnerFacts("host", "National Association of the Deaf", "NAMAC"),
            PartnerFacts("funder", "Government of Japan"),
        ),
    )
    assert _lead(facts).endswith(
        ", in collaboration with STEP and Sightsavers, hosted by the National Association of "
        "the Deaf (NAMAC) and with the support of the Government of Japan."
    )


def test_a_consultation_supported_by_the_organisation_is_not_said_to_be_held_by_it() -> None:
    """Regression: 'FAO held a civil society consultation' for a consultation held by civil
    society organisations with FAO's support."""
    facts = PressReleaseFacts(
        organisation_name="Food and Agriculture Organization of the United Nations",
        organisation_short_name="FAO",
        title="Civil Society Consultation",
        kind="civil society consultation",
        starts_at=datetime(2023, 6, 1, tzinfo=UTC),
        partners=(
            PartnerFacts("co_organiser", "Asian Farmers' Association", "AFA"),
            PartnerFacts("host", "National Association of Farmers", "NAF"),
            PartnerFacts("funder", "Food and Agriculture Organization", "FAO"),
        ),
    )
    draft = compose_draft(facts)
    lead = draft.section("lead").text
    assert "FAO held" not in lead
    assert "Organization of the United Nations (FAO) held" not in lead
    assert "Asian Farmers’ Association (AFA) held a civil society consultation" in lead
    assert "hosted by the National Association of Farmers (NAF)" in lead
    assert "with the support of FAO" in lead
    assert not draft.headline.startswith("FAO")


# --- people -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("honorific", "name", "family", "order", "again"),
    [
        ("Associate Professor", "Asato Wako", "Asato", None, "Professor Asato"),
        ("Ms", "Reiko Harima", None, None, "Ms Harima"),
        ("H.E. Ms", "Chou Bun Eng", None, "family_first", "Ms Chou"),
        ("Dr", "Tan Li Wen", None, "family_first", "Dr Tan"),
        ("Mr", "Jai Sak", None, None, "Mr Sak"),
        (None, "山田 太郎", None, None, "山田"),
    ],
)
def test_second_mentions_are_title_and_family_name(
    honorific: str | None, name: str, family: str | None, order: str | None, again: str
) -> None:
    assert second_mention(honorific, family_name(name, family, order)) == again


def test_name_order_is_derived_from_the_recorded_family_name() -> None:
    assert name_order("Asato Wako", "Asato") == "family_first"
    assert name_order("Reiko Harima", "Harima") == "given_first"
    assert name_order("Reiko Harima") == "given_first"
    assert name_order("ឈឹម សុខា") == "family_first"


def test_a_speaker_named_again_is_never_named_in_full() -> None:
    """Regression: 'Asato Wako also stated…'; the press writes 'Professor Asato'."""
    asato = SpeakerFacts(
        name="Asato Wako",
        honorific="Associate Professor",
        organisation="Kyoto University",
        family_name="Asato",
        statements=(
            StatementFacts("point", "noted a change"),
            StatementFacts("point", "stated a fact"),
            StatementFacts("point", "called for transparency"),
        ),
    )
    text = _speakers(replace(BASE, speakers=(asato,)))
    assert text == (
        "Associate Professor Asato Wako from Kyoto University noted a change. Professor Asato "
        "also stated a fact. Professor Asato called for transparency."
    )


def test_speakers_not_quoted_are_named_once() -> None:
    """Regression: a keynote by a Secretary of State went unmentioned."""
    quoted = SpeakerFacts(
        name="Reiko Harima",
        honorific="Ms",
        id=1,
        statements=(StatementFacts("point", "urged restraint"),),
    )
    keynote = SpeakerFacts(
        name="Chou Bun Eng", honorific="H.E. Ms", position="Secretary of State", id=2
    )
    migrant = SpeakerFacts(name="Jai Sak", honorific="Mr", position="migrant representative", id=3)
    facts = replace(BASE, speakers=(quoted,), other_speakers=(keynote, migrant, quoted))
    text = _speakers(facts)
    assert text.endswith(
        "Speakers also included H.E. Ms Chou Bun Eng, Secretary of State; and Mr Jai Sak, "
        "a migrant representative."
    )
    assert text.count("Reiko Harima") == 1
    alone = replace(BASE, other_speakers=(migrant,))
    assert _speakers(alone) == "Speakers included Mr Jai Sak, a migrant representative."


def test_a_role_in_apposition_reads_as_prose() -> None:
    jai = SpeakerFacts(
        name="Jai Sak",
        honorific="Mr",
        position="migrant representative",
        statements=(StatementFacts("point", "described his journey"),),
    )
    assert _speakers(replace(BASE, speakers=(jai,))) == (
        "Mr Jai Sak, a migrant representative, described his journey."
    )


def test_an_acronym_is_spelled_out_at_its_first_mention_only() -> None:
    """Regression: '(MMN)' spelled out twice."""
    harima = SpeakerFacts(
        name="Reiko Harima",
        honorific="Ms",
        position="Regional Coordinator",
        organisation="Mekong Migration Network (MMN)",
        statements=(StatementFacts("point", "urged restraint"),),
    )
    draft = compose_draft(replace(BASE, speakers=(harima,), organisation_about="About us."))
    release = " ".join(p for s in draft.news for p in s.paragraphs)
    assert release.count("(MMN)") == 1
    assert "Ms Reiko Harima, Regional Coordinator, MMN, urged restraint." in release
    assert draft.section("about").paragraphs[-1] == "Acronyms: MMN: Mekong Migration Network."


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("NGO consultation", "an NGO consultation"),  # regression: "a NGO consultation"
        ("SDG", "an SDG"),
        ("8th forum", "an 8th forum"),
        ("18-month project", "an 18-month project"),
        ("UN agency", "a UN agency"),
        ("university forum", "a university forum"),
        ("hour", "an hour"),
        ("online workshop", "an online workshop"),
        ("one-day meeting", "a one-day meeting"),
    ],
)
def test_a_or_an_follows_the_sound(phrase: str, expected: str) -> None:
    assert a_or_an(phrase) == expected


def test_the_kind_takes_its_article_by_sound() -> None:
    facts = replace(
        BASE,
        kind="NGO consultation",
        title="NGO Consultation on Labour Migration",
        topic="labour migration",
    )
    assert "held an NGO consultation in Phnom Penh" in _lead(facts)


# --- participation --------------------------------------------------------------------------


def test_the_organisations_present_are_named() -> None:
    facts = replace(
        BASE,
        attended=52,
        organisations=(
            "Ministry of Labour and Vocational Training",
            "International Labour Organization (ILO)",
            "ACRA",
            "Kyoto University",
        ),
    )
    text = compose_draft(facts).section("participation").text
    assert text.endswith(
        "Organisations present included the Ministry of Labour and Vocational Training, the "
        "International Labour Organization (ILO), ACRA and Kyoto University."
    )
    many = replace(facts, organisations=tuple(f"Organisation {n}" for n in range(9)))
    assert compose_draft(many).section("participation").text.endswith("Organisation 5 and others.")


# --- quotes ---------------------------------------------------------------------------------


def _quote(text: str) -> str:
    speaker = SpeakerFacts(
        name="Reiko Harima",
        honorific="Ms",
        statements=(StatementFacts("point", "opened the meeting"), StatementFacts("quote", text)),
    )
    return _speakers(replace(BASE, speakers=(speaker,)))


def test_a_fragment_is_woven_into_the_sentence() -> None:
    """Regression: 'She remarked, "an opportune moment to reflect on…".'"""
    text = _quote("an opportune moment to reflect on…")
    assert "remarked, “an" not in text
    assert text.endswith("She described the meeting as “an opportune moment to reflect on…”.")
    said = _quote('the workshop provided "an opportune moment to reflect…"')
    assert said.endswith("She said the workshop provided “an opportune moment to reflect…”.")
    assert _quote("We want fair migration.").endswith("She remarked, “We want fair migration.”")


@pytest.mark.parametrize("stop", ["。", "！", "？", ".", "!", "?"])
def test_a_quote_ending_in_a_full_stop_gets_no_second_one(stop: str) -> None:
    text = _quote(f"移民の権利を守る{stop}")
    assert text.endswith(f"“移民の権利を守る{stop}”")
    assert sentence(f"移民の権利を守る{stop}") == f"移民の権利を守る{stop}"


def test_recommendation_outcomes_still_read_as_calls() -> None:
    facts = replace(
        BASE, outcomes=(OutcomeFacts("recommendation", "monitor conditions", "the governments"),)
    )
    assert compose_draft(facts).section("recommendations").text == (
        "Finally, participants called for the governments to monitor conditions."
    )
