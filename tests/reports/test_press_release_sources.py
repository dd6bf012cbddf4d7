"""Every section of the draft keeps the records it was composed from (`draft_sources`), and
a label such as "keynote" comes from the session in which the statement was made."""

from __future__ import annotations

import json
from typing import Any

from meetapp.reports.press_release import (
    PRESS_RELEASE_SECTIONS,
    SOURCE_KINDS,
    Source,
    compose_press_release,
    draft_sources,
)
from tests.reports.conftest import DEMO


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json.dumps(DEMO))
    return document


def test_every_section_has_a_list_of_sources_of_known_kinds(load_demo: Any) -> None:
    meeting = load_demo()
    sources = draft_sources(meeting)
    assert set(sources) == set(PRESS_RELEASE_SECTIONS)
    for name, items in sources.items():
        for source in items:
            assert isinstance(source, Source)
            assert source.kind in SOURCE_KINDS, (name, source)
            assert source.label
    draft = compose_press_release(meeting)
    for section in draft.sections:
        # A section that says something says where it comes from, and the reverse.
        assert bool(section.generated) == bool(sources[section.name]), section.name


def test_the_sources_name_the_records_behind_each_section(load_demo: Any) -> None:
    meeting = load_demo()
    sources = draft_sources(meeting)
    assert Source("meeting", meeting.id, sources["lead"][0].label) in sources["lead"]
    speaker_kinds = {source.kind for source in sources["speakers"]}
    assert speaker_kinds == {"statement", "session"}
    highlighted = [s for s in DEMO["statements"] if s["highlight"]]
    assert len([s for s in sources["speakers"] if s.kind == "statement"]) == len(highlighted)
    assert all(s.id is not None for s in sources["speakers"])
    assert any("Keynote speech" in s.label for s in sources["speakers"] if s.kind == "session")
    findings = [o for o in DEMO["outcomes"] if o["kind"] in ("finding", "concern")]
    assert [s.kind for s in sources["findings"]] == ["outcome"] * len(findings)
    assert [s.kind for s in sources["contacts"]] == ["contact"] * len(DEMO["contacts"])
    assert "Ms Reiko Harima" in sources["contacts"][0].label
    assert [s.kind for s in sources["participation"]] == ["participants"]


def test_a_rewritten_section_keeps_the_sources_of_the_generated_text(
    load_demo: Any, db: Any
) -> None:
    from meetapp.models import PressReleaseOverride

    meeting = load_demo()
    db.session.add(PressReleaseOverride(meeting_id=meeting.id, section="lead", text="By hand."))
    db.session.commit()
    assert draft_sources(meeting)["lead"][0].kind == "meeting"


def test_a_panel_quote_by_a_keynote_speaker_is_not_called_keynote(load_demo: Any) -> None:
    """Regression: "In a keynote speech, H.E. Ms …" for a quote recorded in a panel session,
    because the speaker gave a keynote elsewhere in the agenda."""
    document = _document()
    document["sessions"][3]["speakers"].append({"speaker": "chou-bun-eng", "role": "panelist"})
    for statement in document["statements"]:
        if statement["speaker"] == "chou-bun-eng":
            statement["session"] = "policy"
    meeting = load_demo(document)
    text = compose_press_release(meeting).section("speakers").text
    assert "keynote" not in text.casefold()
    assert "Chou Bun Eng" in text


def test_keynote_and_panel_statements_of_one_speaker_are_told_apart(load_demo: Any) -> None:
    document = _document()
    document["sessions"][3]["speakers"].append({"speaker": "chou-bun-eng", "role": "panelist"})
    document["statements"].append(
        {
            "speaker": "chou-bun-eng",
            "session": "policy",
            "kind": "point",
            "highlight": True,
            "text": "welcomed the negotiations on the Memorandum of Cooperation",
        }
    )
    meeting = load_demo(document)
    paragraphs = compose_press_release(meeting).section("speakers").paragraphs
    keynote = [p for p in paragraphs if "keynote" in p.casefold()]
    assert len(keynote) == 1
    assert "welcomed the negotiations" not in keynote[0]
    panel = next(p for p in paragraphs if "welcomed the negotiations" in p)
    # Introduced once: the second paragraph does not repeat her position.
    assert "Secretary of State" not in panel
    assert sum("Secretary of State" in p for p in paragraphs) == 1


def test_a_keynote_role_in_a_session_of_another_kind_is_a_keynote(load_demo: Any) -> None:
    document = _document()
    document["sessions"][1]["kind"] = "presentation"
    meeting = load_demo(document)
    text = compose_press_release(meeting).section("speakers").text
    assert text.startswith("In a keynote speech, H.E. Ms Chou Bun Eng")


def test_the_news_and_the_partners_are_sources_of_the_lead(load_demo: Any) -> None:
    document = _document()
    document["outcomes"][0]["news"] = True
    document["meeting"]["partners"] = [
        {
            "role": "co_organiser",
            "name": "Legal Support for Children and Women",
            "short_name": "LSCW",
        }
    ]
    meeting = load_demo(document)
    sources = draft_sources(meeting)
    assert [s.kind for s in sources["headline"]] == ["outcome", "meeting"]
    assert [s.kind for s in sources["lead"]] == ["outcome", "meeting", "partner"]
    assert sources["lead"][2].label == "Co-organiser: Legal Support for Children and Women"
    assert sources["lead"][0].id not in {s.id for s in sources["findings"]}
