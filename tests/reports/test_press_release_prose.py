"""Sentences the composer must get right, case by case (the rules every draft keeps, whatever
the data, are the property tests of test_press_release_rules.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from meetapp.reports.press_release import (
    ContactFacts,
    GroupCount,
    OutcomeFacts,
    PressReleaseFacts,
    SpeakerFacts,
    StatementFacts,
    compose_draft,
)

BASE = PressReleaseFacts(
    organisation_name="Network", title="Meeting", starts_at=datetime(2024, 5, 2, tzinfo=UTC)
)


def _speakers(*speakers: SpeakerFacts) -> str:
    return compose_draft(replace(BASE, speakers=speakers)).section("speakers").text


def test_a_quote_without_final_punctuation_gets_a_full_stop() -> None:
    speaker = SpeakerFacts(
        name="Drake Jones",
        statements=(
            StatementFacts("quote", "We want fair migration"),
            StatementFacts("point", "called for change"),
        ),
    )
    assert _speakers(speaker) == (
        "Drake Jones remarked, “We want fair migration”. Jones called for change."
    )
    for words in ("Is it fair?", "It is fair!", "It is fair.", "It is fair…"):
        speaker = SpeakerFacts(name="Ann Lee", statements=(StatementFacts("quote", words),))
        assert _speakers(speaker) == f"Ann Lee remarked, “{words}”"


def test_a_participants_quote_ends_its_sentence_too() -> None:
    facts = replace(BASE, participant_statements=(StatementFacts("quote", "Fees are too high"),))
    assert compose_draft(facts).section("speakers").text == (
        "One participant remarked, “Fees are too high”."
    )


def test_a_quoted_title_mid_sentence_loses_its_full_stop() -> None:
    facts = replace(BASE, title="Safe migration for all.", city="Phnom Penh")
    assert compose_draft(facts).section("lead").text == (
        "On 2 May 2024, the Network held a meeting in Phnom Penh entitled “Safe migration for all”."
    )


def test_an_honorific_is_compared_with_the_name_word_by_word() -> None:
    point = (StatementFacts("point", "spoke"),)
    for honorific, name, introduced in (
        ("Dr", "Drake Jones", "Dr Drake Jones"),
        ("Ms", "Msafiri Juma", "Ms Msafiri Juma"),
        ("Mr", "Mrinal Sen", "Mr Mrinal Sen"),
        ("Dr", "Dr Drake Jones", "Dr Drake Jones"),
        ("Dr.", "Dr Drake Jones", "Dr Drake Jones"),
        ("H.E. Ms", "H.E. Ms Chou Bun Eng", "H.E. Ms Chou Bun Eng"),
    ):
        speaker = SpeakerFacts(name=name, honorific=honorific, statements=point)
        assert _speakers(speaker) == f"{introduced} spoke.", (honorific, name)
    contact = ContactFacts(name="Msafiri Juma", honorific="Ms", email="press@example.org")
    contacts = compose_draft(replace(BASE, contacts=(contact,))).section("contacts").text
    assert contacts == (
        "For more information about the meeting, please contact Ms Msafiri Juma, at "
        "press@example.org."
    )


def test_a_position_or_organisation_is_left_out_only_when_the_name_holds_its_words() -> None:
    point = (StatementFacts("point", "spoke"),)
    speaker = SpeakerFacts(name="Chairat Somchai", position="Chair", statements=point)
    assert _speakers(speaker) == "Chairat Somchai, Chair, spoke."
    speaker = SpeakerFacts(
        name="Asato Wako",
        honorific="Associate Professor",
        position="Associate Professor",
        organisation="Kyoto University",
        statements=point,
    )
    assert _speakers(speaker) == "Associate Professor Asato Wako from Kyoto University spoke."
    speaker = SpeakerFacts(
        name="Ann Lee", position="Director of UNI", organisation="UN", statements=point
    )
    assert _speakers(speaker) == "Ann Lee, Director of UNI, UN, spoke."
    contact = ContactFacts(name="Ann Lee", role="Networking Officer", organisation="Network")
    contacts = compose_draft(replace(BASE, contacts=(contact,))).section("contacts").text
    assert contacts.endswith("Ann Lee, Networking Officer, Network.")


def test_stakeholder_groups_read_as_words_of_the_sentence() -> None:
    labels = ("Government", "Civil society organisations", "ILO", "Academia")
    groups = tuple(GroupCount(label, registered=5, attended=5) for label in labels)
    facts = replace(BASE, registered=20, attended=20, groups=groups)
    assert compose_draft(facts).section("participation").text == (
        "20 participants exchanged views at the event, including representatives of "
        "government, civil society organisations, ILO and academia."
    )
    one = replace(BASE, registered=1, groups=(GroupCount("Academia", 1, 0),))
    assert compose_draft(one).section("participation").text == (
        "One participant took part in the event, representing academia."
    )


def test_a_speaker_named_again_is_not_introduced_again() -> None:
    points = (StatementFacts("point", "noted a change"), StatementFacts("point", "stated a fact"))
    for honorific, name, again in (
        ("Associate Professor", "Asato Wako", "Professor Wako"),
        ("Dr", "Dr Drake Jones", "Dr Jones"),
        (None, "Drake Jones", "Jones"),
        ("Ms", "Reiko Harima", "She"),
        ("H.E. Ms", "Chou Bun Eng", "She"),
        ("Mrs.", "Ann Lee", "She"),
        ("Mr", "Sokchar Mom", "He"),
        (None, "Ms Reiko Harima", "She"),
        (None, "Representatives of the ministry", "They"),
    ):
        speaker = SpeakerFacts(
            name=name,
            honorific=honorific,
            organisation="Kyoto University",
            statements=points,
        )
        text = _speakers(speaker)
        assert text.endswith(f". {again} also stated a fact."), text


def _recommendations(*outcomes: OutcomeFacts) -> str:
    return compose_draft(replace(BASE, outcomes=outcomes)).section("recommendations").text


def test_a_recommendation_completes_the_call_of_the_participants() -> None:
    assert _recommendations(
        OutcomeFacts("recommendation", "to monitor labour conditions.", "The governments"),
        OutcomeFacts("recommendation", "play a more active role", None),
    ) == (
        "Finally, participants called for the governments to monitor labour conditions. They "
        "also called on all stakeholders to play a more active role."
    )


def test_a_recommendation_written_as_a_sentence_stays_a_sentence() -> None:
    assert _recommendations(
        OutcomeFacts(
            "recommendation", "The government should set a standard recruitment fee.", None
        ),
        OutcomeFacts(
            "recommendation",
            "Japan should inspect workplaces. Employers should pay fair wages!",
            "the Japanese government and employers",
        ),
        OutcomeFacts("recommendation", "The ILO should help.", "the ILO"),
        OutcomeFacts("recommendation", "support returnees", "Cambodian recruitment agencies"),
    ) == (
        "Finally, participants recommended: The government should set a standard recruitment "
        "fee. They also recommended to the Japanese government and employers: Japan should "
        "inspect workplaces. Employers should pay fair wages! They also recommended: The ILO "
        "should help. They also called for Cambodian recruitment agencies to support returnees."
    )


def test_whom_a_recommendation_addresses_reads_as_words_of_the_sentence() -> None:
    for addressed_to, whom in (
        ("The Cambodian government", "the Cambodian government"),
        ("Japan and Cambodia", "Japan and Cambodia"),
        ("Recruitment agencies.", "recruitment agencies"),
        ("ILO", "ILO"),
    ):
        assert _recommendations(OutcomeFacts("recommendation", "act", addressed_to)) == (
            f"Finally, participants called for {whom} to act."
        )


def test_a_contact_whose_role_names_the_organisation_by_its_short_form_is_not_repeated() -> None:
    facts = replace(
        BASE,
        organisation_name="Mekong Migration Network",
        organisation_short_name="MMN",
        contacts=(
            ContactFacts(
                name="Reiko Harima",
                role="MMN Regional Coordinator",
                organisation="Mekong Migration Network",
            ),
            ContactFacts(
                name="Sokchar Mom",
                role="Executive Director of LSCW",
                organisation="Legal Support for Children and Women (LSCW)",
            ),
            ContactFacts(
                name="Ann Lee",
                role="MMN liaison",
                organisation="Another Network",
            ),
        ),
    )
    contacts = compose_draft(facts).section("contacts").text
    assert "Reiko Harima, MMN Regional Coordinator" in contacts
    assert "Mekong Migration Network" not in contacts
    assert "Sokchar Mom, Executive Director of LSCW\n" in contacts + "\n"
    # Another organisation stays, even when the role names the convener.
    assert "Ann Lee, MMN liaison, Another Network" in contacts
