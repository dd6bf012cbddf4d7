"""Real meetings, imported from the facts their public releases state (tests/reports/cases):
the drafts carry the news and the people as the releases do, and contain none of the factual
error patterns found when drafts were first read beside real releases."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from meetapp.formatting import country_name
from meetapp.interchange.services import import_meeting
from meetapp.reports.press_release import PressReleaseDraft, compose_press_release

CASES = Path(__file__).parent / "cases"
FILES = sorted(CASES.glob("*.json"))


def _draft(db: Any, path: Path) -> tuple[dict[str, Any], PressReleaseDraft]:
    document = json.loads(path.read_text(encoding="utf-8"))
    meeting = import_meeting(document).meeting
    db.session.commit()
    return document, compose_press_release(meeting, today=date(2026, 12, 4))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_no_draft_repeats_a_known_factual_error(db: Any, path: Path) -> None:
    document, draft = _draft(db, path)
    meeting = document["meeting"]
    release = " ".join(p for s in draft.news for p in s.paragraphs)
    speakers = draft.section("speakers").text
    lead = draft.section("lead").text

    # Dated as recorded, never today; the dateline names the city.
    assert draft.release_date.isoformat() == document["press_release"]["release_date"]
    assert draft.dateline.startswith(f"{meeting['city'].upper()}, ")
    # "Keynote" only for what was said in a keynote session.
    keynotes = [s for s in document.get("sessions", []) if s.get("kind") == "keynote"]
    if not keynotes:
        assert "keynote" not in release.casefold()
    # The place is not glued onto the topic: no "in Japan in Tokyo, Japan".
    country = country_name(meeting["country"])
    assert f"{meeting['city']}, {country}" not in lead
    assert not re.search(rf"in {re.escape(country)} in ", lead)
    # No satisfaction figure in the news.
    assert "out of 5" not in release
    # An acronym spelled out once.
    for acronym in set(re.findall(r"\(([A-Z][A-Za-z.&]*[A-Z])\)", release)):
        assert release.count(f"({acronym})") == 1, acronym
    # "an NGO", never "a NGO".
    assert not re.search(r"\ba (?:NGO|SDG|ILO|IOM|8|11|18|[AIO][a-z])", release)
    # A fragment is not announced as a whole remark; no second full stop after one.
    assert not re.search(r"remarked, “[a-z]", release)
    assert not re.search(r"[.。!?]”\.", release)
    # Every speaker introduced once, named again by family name.
    for speaker in document.get("speakers", []):
        assert speakers.count(speaker["name"]) <= 1, speaker["name"]
    # The news leads.
    news = [o for o in document.get("outcomes", []) if o.get("news")]
    if news:
        assert lead.startswith(news[0]["text"].rstrip("."))
    for bad in ("None", "null", "()", "  "):
        assert bad not in draft.plain_text(), bad


def test_sendai_reads_as_its_release(db: Any) -> None:
    _document, draft = _draft(db, CASES / "sendai-2015-wcdrr.json")
    assert draft.headline == (
        "Representatives from 187 UN Member States Adopted the Sendai Framework for Disaster "
        "Risk Reduction 2015-2030"
    )
    assert "held the Third UN World Conference on Disaster Risk Reduction in Sendai" in (
        draft.section("lead").text
    )
    assert draft.section("lead").text.count("From 14 to 18 March 2015") == 1
    assert "Ms Margareta Wahlström, the Secretary-General’s Special Representative" in (
        draft.section("speakers").text
    )


def test_marrakech_names_each_speaker_once_and_again_by_family_name(db: Any) -> None:
    _document, draft = _draft(db, CASES / "marrakech-2018-gcm.json")
    speakers = draft.section("speakers").text
    assert (
        "Ms María Fernanda Espinosa Garcés, President of the General Assembly, remarked, “We"
        in (speakers)
    )
    assert "She called attention to a General Assembly plenary" in speakers
    assert draft.headline.startswith("Speakers Called for the Robust Implementation")
    assert "whose" not in draft.headline


def test_a_dialogue_supported_by_the_publisher_is_held_by_its_organiser(db: Any) -> None:
    """The release's publisher funded the dialogue; the Human Rights Working Group held it
    (the pattern of "FAO held a consultation")."""
    _document, draft = _draft(db, CASES / "bangkok-2019-asean-consensus.json")
    lead = draft.section("lead").text
    assert "U.S. Mission to ASEAN held" not in lead
    assert "the Human Rights Working Group (HRWG) held the National Consultation" in lead
    assert lead.endswith("in Bangkok, with the support of the U.S. Mission to ASEAN.")
    assert draft.headline.startswith("HRWG Convenes National Consultation")
