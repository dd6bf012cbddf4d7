"""Sentences the composer must get right, case by case (the rules every draft keeps, whatever
the data, are the property tests of test_press_release_rules.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from meetapp.reports.press_release import (
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
        "Drake Jones remarked, “We want fair migration”. Drake Jones called for change."
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
        "On 2 May 2024, the Network held a meeting entitled “Safe migration for all” in Phnom Penh."
    )
