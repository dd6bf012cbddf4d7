"""Property tests: whatever the data, the draft keeps the rules of docs/press-release.md.

Meetings are generated as the plain facts the composer reads (counts, not participant rows):
sections empty or full, 0 to 5,000 participants, odd punctuation, right-to-left and CJK names.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetapp.formatting import language_name
from meetapp.reports.press_release import (
    ContactFacts,
    GroupCount,
    NewsFacts,
    OutcomeFacts,
    PartnerFacts,
    PressReleaseDraft,
    PressReleaseFacts,
    SpeakerFacts,
    StatementFacts,
    SurveyFacts,
    compose_draft,
)
from meetapp.reports.wording import approximate_count

SCRIPTS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüßøñç",
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",  # Arabic, right to left
    "אבגדהוזחטיכלמנסעפצקרשת",  # Hebrew, right to left
    "日本語東京大学移民労働者会議",  # CJK
    "ក ខ គ ឃ ង ច ឆ ជ ឈ ញ".replace(" ", ""),  # Khmer
    "ひらがなカタカナ",
)
LETTERS = "".join(SCRIPTS)
# Punctuation typed by people, attached to words; never parentheses (a "()" must come from
# the composer to be a fault) nor template syntax.
PUNCTUATION = ".,;:!?'\"-&/%’“”…"
FORBIDDEN = ("None", "null", "{{", "()")

word = st.builds(
    lambda lead, rest, tail: lead + rest + tail,
    st.sampled_from(["", "", "", '"', "“", "'", "-", "&", "/", "¿"]),
    st.text(LETTERS + "0123456789", min_size=1, max_size=12),
    st.text(PUNCTUATION, max_size=2).filter(lambda t: t not in (",,", ",;", ";,", ";;")),
)
text = (
    st.lists(word, min_size=1, max_size=12)
    .map(" ".join)
    # Sentences start with a capital, so "none" typed by a user would print as "None".
    .filter(lambda t: not any(f.casefold() in t.casefold() for f in FORBIDDEN))
)
maybe_text = st.none() | st.just("") | st.just("   ") | text
languages = st.lists(st.sampled_from(["en", "ja", "km", "ar", "he", "zh", "fr", "th"]), max_size=4)

statements = st.lists(
    st.builds(StatementFacts, kind=st.sampled_from(["quote", "point"]), text=text), max_size=4
)
speakers = st.lists(
    st.builds(
        SpeakerFacts,
        name=text,
        honorific=st.none() | st.sampled_from(["H.E. Ms", "Dr", "Mr", "Associate Professor"]),
        position=maybe_text,
        organisation=maybe_text,
        keynote=st.booleans(),
        statements=statements.map(tuple),
        id=st.none() | st.integers(1, 6),
        family_name=st.none() | text,
        name_order=st.none() | st.sampled_from(["family_first", "given_first"]),
    ),
    max_size=4,
)
partners = st.lists(
    st.builds(
        PartnerFacts,
        role=st.sampled_from(["co_organiser", "host", "funder"]),
        name=text,
        short_name=st.none() | st.sampled_from(["FAO", "LSCW", "NAMAC"]),
    ),
    max_size=4,
)
news = st.none() | st.builds(
    NewsFacts,
    source=st.sampled_from(["outcome", "statement"]),
    kind=st.sampled_from(["finding", "recommendation", "quote", "point"]),
    text=text,
    addressed_to=maybe_text,
    speaker=st.none() | speakers.filter(bool).map(lambda s: s[0]),
).map(
    # An outcome's kind goes with an outcome, a statement's with a statement.
    lambda n: n if (n.source == "outcome") == (n.kind in ("finding", "recommendation")) else None
)
outcomes = st.lists(
    st.builds(
        OutcomeFacts,
        kind=st.sampled_from(["finding", "concern", "recommendation", "next_step"]),
        text=text,
        addressed_to=maybe_text,
    ),
    max_size=6,
)
contacts = st.lists(
    st.builds(
        ContactFacts,
        name=text,
        honorific=maybe_text,
        role=maybe_text,
        organisation=maybe_text,
        email=st.none() | st.just("press@example.org"),
        phone=st.none() | st.just("+855 12 943 767"),
        languages=languages.map(tuple),
    ),
    max_size=3,
)
groups = st.lists(
    st.builds(
        GroupCount,
        label=text,
        registered=st.integers(0, 5000),
        attended=st.integers(0, 5000),
    ),
    max_size=6,
)
surveys = st.none() | st.builds(
    SurveyFacts,
    response_count=st.integers(0, 5000),
    participant_count=st.integers(0, 5000),
    headlines=st.lists(text, max_size=2).map(tuple),
)


@st.composite
def meetings(draw: st.DrawFn) -> PressReleaseFacts:
    starts_at = draw(
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))
    ).replace(tzinfo=UTC)
    return PressReleaseFacts(
        organisation_name=draw(text),
        organisation_short_name=draw(maybe_text),
        organisation_about=draw(maybe_text),
        organisation_website=draw(st.none() | st.just("https://example.org")),
        title=draw(text),
        kind=draw(maybe_text),
        topic=draw(maybe_text),
        starts_at=starts_at,
        ends_at=draw(st.none() | st.just(starts_at + timedelta(days=2))),
        timezone=draw(st.sampled_from(["UTC", "Asia/Phnom_Penh", "Asia/Tokyo", "America/Lima"])),
        city=draw(maybe_text),
        country=draw(st.none() | st.sampled_from(["KH", "JP", "IL"])),
        background=draw(st.none() | st.lists(text, max_size=3).map("\n\n".join)),
        registered=draw(st.integers(0, 5000)),
        attended=draw(st.integers(0, 5000)),
        groups=tuple(draw(groups)),
        speakers=tuple(draw(speakers)),
        participant_statements=tuple(draw(statements)),
        outcomes=tuple(draw(outcomes)),
        survey=draw(surveys),
        contacts=tuple(draw(contacts)),
        release_date=draw(st.none() | st.dates(date(2000, 1, 1), date(2100, 1, 1))),
        venue=draw(maybe_text),
        online=draw(st.booleans()),
        partners=tuple(draw(partners)),
        news=draw(news),
        other_speakers=tuple(draw(speakers)),
        organisations=tuple(draw(st.lists(text, max_size=8))),
        release_end=draw(st.none() | st.sampled_from(["ENDS", "###", "bogus"])),
    )


# The end of a sentence: . ! ? or …, then any closing quotation marks or brackets.
SENTENCE_END = re.compile(r"[.!?…][”’)]*$")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = re.compile(rf"^\d{{1,2}} ({MONTHS}) \d{{4}}$")


def assert_keeps_the_rules(draft: PressReleaseDraft, facts: PressReleaseFacts) -> None:
    assert draft.headline
    assert DATE.match(draft.release_date_text), draft.release_date_text
    texts = [draft.headline]
    for section in draft.body:
        assert section.paragraphs, section.name
        if section.heading is not None:
            assert section.heading.strip(), section.name
            assert not section.heading.endswith(" ")
            texts.append(section.heading)
        texts.extend(section.paragraphs)
    for value in texts:
        assert value == value.strip(), value
        assert value, "an empty paragraph"
        for bad in ("None", "null", "()", "{{", ",,", ", ,", " ,", "  ", ", .", "\n"):
            assert bad not in value, (bad, value)
        assert not value.endswith((",", ";", ":")) or value.endswith("contact:"), value
        assert '"' not in value, value
        assert "'" not in value, value
    for section in draft.body:
        if section.name == "contacts":  # a list of people to call, not sentences
            continue
        for paragraph in section.paragraphs:
            assert SENTENCE_END.search(paragraph), (section.name, paragraph)
    markdown = draft.markdown()
    for bad in FORBIDDEN:
        assert bad not in markdown, bad
    for name in ("lead", "headline"):
        assert draft.section(name).paragraphs, name
    lead = draft.section("lead").text
    if facts.news is None or not facts.news.text.strip():
        assert re.match(rf"^(On|From) \d{{1,2}} (to \d{{1,2}} )?({MONTHS})", lead), lead
    else:
        assert re.search(rf"(On|From) \d{{1,2}} (to \d{{1,2}} )?({MONTHS})", lead), lead
    # A keynote is said only of statements made in a keynote.
    keynotes = sum(1 for s in facts.speakers if s.keynote)
    assert draft.section("speakers").text.count("In a keynote speech") <= keynotes
    # Dateline, and the end of the release.
    assert draft.dateline.endswith(f"{draft.release_date_text} —")
    assert draft.end_mark in ("ENDS", "###")
    if facts.release_date is None:
        assert draft.release_date > facts.starts_at.date() - timedelta(days=1)
    # An acronym is spelled out once in the release (the About text stands alone).
    release = " ".join(p for s in draft.news for p in s.paragraphs)
    about = draft.section("about").generated
    listed = (
        about[-1].removeprefix("Acronyms: ") if about and about[-1].startswith("Acronyms: ") else ""
    )
    for entry in filter(None, listed.rstrip(".").split("; ")):
        acronym, long_form = entry.split(": ", 1)
        spelled = f"{long_form} ({acronym})"
        assert release.count(spelled) <= max(1, _typed(facts).count(spelled)), spelled
    # No double full stop after a quotation or a CJK full stop.
    for paragraph in (p for s in draft.body for p in s.paragraphs):
        assert "。." not in paragraph, paragraph
        assert "。”." not in paragraph, paragraph

    counted = facts.attended if facts.attended > 0 else facts.registered
    participation = draft.section("participation").text
    if counted <= 0:
        assert participation == ""
    elif counted == 1:
        assert participation.startswith("One participant ")
    else:
        assert participation.startswith(f"{approximate_count(counted, start=True)} participants ")

    recommendations = [o for o in facts.outcomes if o.kind == "recommendation"]
    assert bool(draft.section("recommendations").paragraphs) == bool(
        recommendations or any(o.kind == "next_step" for o in facts.outcomes)
    )
    if recommendations:
        assert draft.section("recommendations").text.startswith(
            ("Finally, participants called", "Finally, participants recommended")
        )
    if not facts.speakers and not facts.participant_statements and not facts.other_speakers:
        assert draft.section("speakers").paragraphs == ()
    if facts.survey is None or facts.survey.response_count == 0:
        assert draft.section("survey").paragraphs == ()

    contacts_text = draft.section("contacts").text
    for contact in facts.contacts:
        names = list(dict.fromkeys(language_name(code) for code in contact.languages))
        if len(names) >= 2:
            assert f"{names[-2]} or {names[-1]}" in contacts_text


def _typed(facts: PressReleaseFacts) -> str:
    """Everything typed by people, where an acronym in brackets may come from."""
    return repr(facts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=meetings())
def test_every_generated_draft_keeps_the_rules(facts: PressReleaseFacts) -> None:
    assert_keeps_the_rules(compose_draft(facts, today=date(2024, 5, 2)), facts)


@given(n=st.integers(0, 5000))
def test_participation_counts_use_round_figures(n: int) -> None:
    facts = PressReleaseFacts(
        organisation_name="Network",
        title="Meeting",
        starts_at=datetime(2024, 5, 2, tzinfo=UTC),
        registered=n,
    )
    text = compose_draft(facts).section("participation").text
    if n == 0:
        assert text == ""
        return
    first = text.split(" participant")[0]
    if n < 20:
        assert first[0].isupper()
        assert not any(c.isdigit() for c in first)
    else:
        figure = int(first.removeprefix("Over ").replace(",", ""))
        assert figure <= n
        assert first.startswith("Over ") == (figure != n)
        assert n - figure < (10 if n < 100 else 50 if n < 1000 else 100)


def test_an_empty_meeting_still_gets_a_clean_draft() -> None:
    facts = PressReleaseFacts(
        organisation_name="Network", title="Meeting", starts_at=datetime(2024, 5, 2, tzinfo=UTC)
    )
    draft = compose_draft(facts, today=date(2024, 5, 3))
    assert [s.name for s in draft.body] == ["lead"]
    assert draft.headline == "Network Convenes Meeting: Meeting"
    assert draft.section("lead").text == (
        "On 2 May 2024, the Network held a meeting entitled “Meeting”."
    )
    assert draft.release_date_text == "3 May 2024"
    assert_keeps_the_rules(draft, facts)


def test_survey_paragraph_from_its_facts() -> None:
    base = PressReleaseFacts(
        organisation_name="Network", title="Meeting", starts_at=datetime(2024, 5, 2, tzinfo=UTC)
    )
    survey = SurveyFacts(
        response_count=38,
        participant_count=51,
        headlines=("84% agreed that the meeting was useful for their work.",),
    )
    draft = compose_draft(PressReleaseFacts(**{**base.__dict__, "survey": survey}))
    assert draft.section("survey").text == (
        "Of the 51 participants, 38 answered the post-meeting survey; 84% agreed that the "
        "meeting was useful for their work."
    )
    two = SurveyFacts(12, 15, ("most rated it 4 or 5", "nine would recommend it"))
    draft = compose_draft(PressReleaseFacts(**{**base.__dict__, "survey": two}))
    assert draft.section("survey").text == (
        "Of the fifteen participants, twelve answered the post-meeting survey; most rated it "
        "4 or 5 and nine would recommend it."
    )
    none = SurveyFacts(0, 15, ("nothing",))
    draft = compose_draft(PressReleaseFacts(**{**base.__dict__, "survey": none}))
    assert draft.section("survey").paragraphs == ()
