"""The press-release draft: composed section by section from what was recorded.

`load_press_release_facts` reads everything the draft needs in a fixed number of queries;
`compose_sections` turns those plain facts into sections of text (a pure function, which is
what the property tests exercise); `compose_press_release` does both for a meeting. The PDF,
the HTML, the Markdown and the Word document are all rendered from the composed draft, and a
section that staff rewrote by hand (an override) replaces the generated one.
The anatomy and the rules of the draft are described in docs/press-release.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import aliased

from meetapp.extensions import db
from meetapp.formatting import language_name, to_zone
from meetapp.models import (
    PRESS_RELEASE_SECTIONS,
    RELEASE_ENDS,
    AgendaSession,
    Contact,
    Meeting,
    Outcome,
    OutcomeKind,
    Participant,
    Partner,
    PartnerRole,
    PressRelease,
    PressReleaseOverride,
    SessionKind,
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    Statement,
    StatementKind,
    Status,
    User,
)
from meetapp.reports.markdown import markdown_text
from meetapp.reports.survey_figures import figure_clause
from meetapp.reports.wording import (
    a_or_an,
    approximate_count,
    clause,
    date_span,
    family_name,
    fragment,
    headline_case,
    is_sentence,
    join_and,
    join_or,
    label_in_prose,
    long_date,
    lower_first,
    number_word,
    paragraphs,
    quoted,
    second_mention,
    sentence,
    smart_quotes,
    spell_out_once,
    unique,
    unstopped,
    upper_first,
)

SECTION_LABELS = {
    "headline": "Headline",
    "lead": "Lead",
    "background": "Background",
    "participation": "Participation",
    "speakers": "Speakers",
    "findings": "Findings and concerns",
    "survey": "Survey",
    "recommendations": "Recommendations and next steps",
    "about": "About the organisation",
    "contacts": "Media contacts",
}

_SHE = frozenset({"ms", "mrs", "miss", "madam", "mme", "madame", "dame", "lady"})
_HE = frozenset({"mr", "sir", "lord"})
_GROUP_WORDS = ("representatives", "members", "delegates", "delegation", "officials")


# --- the facts the draft is composed from ----------------------------------------------------


SOURCE_KINDS = frozenset(
    {
        "meeting",
        "session",
        "statement",
        "outcome",
        "survey_question",
        "contact",
        "partner",
        "participants",
    }
)


@dataclass(frozen=True)
class Source:
    """A record a section of the draft was composed from: its kind (one of `SOURCE_KINDS`),
    its id (None for what is not one row: the participants as a whole) and a short label
    to show beside the section ('Statement by Ms Chou Bun Eng (Keynote address)')."""

    kind: str
    id: int | None
    label: str


@dataclass(frozen=True)
class StatementFacts:
    kind: str  # "quote" (verbatim) or "point" (completes "<speaker> ...")
    text: str
    id: int | None = None
    session_id: int | None = None
    session_title: str | None = None


@dataclass(frozen=True)
class SpeakerFacts:
    """A speaker and their highlighted statements. `keynote` says that these statements were
    made in a keynote (a keynote session, or the speaker's keynote role in that session): a
    speaker who also spoke on a panel appears twice, keynote statements first."""

    name: str
    honorific: str | None = None
    position: str | None = None
    organisation: str | None = None
    keynote: bool = False
    statements: tuple[StatementFacts, ...] = ()
    id: int | None = None
    family_name: str | None = None
    name_order: str | None = None  # "family_first" or "given_first"; None: from the name


@dataclass(frozen=True)
class PartnerFacts:
    """A co-organiser, host or funder of the meeting (`PartnerRole`)."""

    role: str
    name: str
    short_name: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class NewsFacts:
    """The outcome or statement marked as the news: the headline and the first sentence
    carry it. `kind` is the outcome's kind or the statement's ("quote", "point")."""

    source: str  # "outcome" or "statement"
    kind: str
    text: str
    id: int | None = None
    addressed_to: str | None = None
    speaker: SpeakerFacts | None = None


@dataclass(frozen=True)
class OutcomeFacts:
    kind: str
    text: str
    addressed_to: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class ContactFacts:
    name: str
    honorific: str | None = None
    role: str | None = None
    organisation: str | None = None
    email: str | None = None
    phone: str | None = None
    languages: tuple[str, ...] = ()
    id: int | None = None


@dataclass(frozen=True)
class GroupCount:
    label: str
    registered: int
    attended: int


@dataclass(frozen=True)
class SurveyFacts:
    """The post-meeting survey as the draft reports it: how many answered, out of how many
    participants, and one or two headline results as text fragments that complete the
    sentence (e.g. "84% agreed that the meeting was useful for their work")."""

    response_count: int
    participant_count: int
    headlines: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class OverrideFacts:
    text: str
    updated_by: str | None
    updated_at: datetime


@dataclass(frozen=True)
class PressReleaseFacts:
    organisation_name: str
    title: str
    starts_at: datetime
    organisation_short_name: str | None = None
    organisation_about: str | None = None
    organisation_website: str | None = None
    kind: str | None = None
    topic: str | None = None
    ends_at: datetime | None = None
    timezone: str | None = "UTC"
    city: str | None = None
    country: str | None = None
    background: str | None = None
    registered: int = 0
    attended: int = 0
    groups: tuple[GroupCount, ...] = ()
    speakers: tuple[SpeakerFacts, ...] = ()
    participant_statements: tuple[StatementFacts, ...] = ()
    outcomes: tuple[OutcomeFacts, ...] = ()
    survey: SurveyFacts | None = None
    contacts: tuple[ContactFacts, ...] = ()
    release_date: date | None = None
    overrides: Mapping[str, OverrideFacts] = field(default_factory=dict)
    meeting_id: int | None = None
    venue: str | None = None
    online: bool = False
    partners: tuple[PartnerFacts, ...] = ()
    news: NewsFacts | None = None
    # Speakers in the agenda (keynote, speaker, panellist) without a highlighted statement.
    other_speakers: tuple[SpeakerFacts, ...] = ()
    # Organisations present (participants' and speakers'), the most represented first.
    organisations: tuple[str, ...] = ()
    release_end: str | None = None  # "ENDS" (None) or "###"


# --- the composed draft ----------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    name: str
    heading: str | None
    generated: tuple[str, ...]
    override: OverrideFacts | None = None

    @property
    def label(self) -> str:
        return SECTION_LABELS[self.name]

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """What the draft says: the override's paragraphs, or the generated ones."""
        if self.override is not None:
            return tuple(smart_quotes(p) for p in paragraphs(self.override.text))
        return self.generated

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def generated_text(self) -> str:
        return "\n\n".join(self.generated)


_NOTES = ("about", "contacts")


@dataclass(frozen=True)
class PressReleaseDraft:
    organisation: str
    short_name: str
    release_date: date
    sections: tuple[Section, ...]
    city: str = ""
    end_mark: str = "ENDS"

    def section(self, name: str) -> Section:
        return next(section for section in self.sections if section.name == name)

    @property
    def headline(self) -> str:
        return " ".join(self.section("headline").paragraphs)

    @property
    def release_date_text(self) -> str:
        return long_date(self.release_date)

    @property
    def dateline(self) -> str:
        """'PHNOM PENH, 21 February 2019 —': the city in capitals and the release date."""
        date_text = self.release_date_text
        return f"{self.city.upper()}, {date_text} —" if self.city else f"{date_text} —"

    @property
    def body(self) -> tuple[Section, ...]:
        """The sections printed under the headline, those with nothing to say left out."""
        return tuple(s for s in self.sections if s.name != "headline" and s.paragraphs)

    @property
    def news(self) -> tuple[Section, ...]:
        """The release proper, from the lead to the recommendations; "ENDS" follows it."""
        return tuple(s for s in self.body if s.name not in _NOTES)

    @property
    def notes(self) -> tuple[Section, ...]:
        """The notes to editors after "ENDS": About (with the acronyms) and the contacts."""
        return tuple(s for s in self.body if s.name in _NOTES)

    def _lines(self, heading: Callable[[str, int], str], text: Callable[[str], str]) -> list[str]:
        lines = [text(f"{self.organisation} · Press Release"), "", text("For immediate release")]
        lines += ["", heading(self.headline, 1), ""]
        for section in self.news:
            if section.heading:
                lines += [heading(section.heading, 2), ""]
            for index, paragraph in enumerate(section.paragraphs):
                if section.name == self.news[0].name and index == 0:
                    paragraph = f"{self.dateline} {paragraph}"
                lines += [text(paragraph), ""]
        lines += [text(self.end_mark), ""]
        if self.notes:
            lines += [heading("Notes to editors", 2), ""]
        for section in self.notes:
            if section.heading:
                lines += [heading(section.heading, 2), ""]
            for paragraph in section.paragraphs:
                lines += [text(paragraph), ""]
        return lines

    def markdown(self) -> str:
        """Plain text to paste into an e-mail: Markdown headings and nothing else, every text
        escaped (`markdown_text`) so that no tag, link or list comes out of what users typed."""
        md = markdown_text
        lines = self._lines(lambda h, level: f"{'#' * level} {md(h)}", md)
        return "\n".join(lines).rstrip("\n") + "\n"

    def plain_text(self) -> str:
        lines = self._lines(lambda h, _level: h, lambda t: t)
        return "\n".join(lines).rstrip("\n") + "\n"


def compose_press_release(meeting: Meeting, *, today: date | None = None) -> PressReleaseDraft:
    """The draft of `meeting`'s press release, overrides applied."""
    return compose_draft(load_press_release_facts(meeting), today=today)


def default_release_date(facts: PressReleaseFacts) -> date:
    """The day after the meeting ended, in its time zone: a release is never silently dated
    today for a meeting long past."""
    end = facts.ends_at or facts.starts_at
    return to_zone(end, facts.timezone).date() + timedelta(days=1)


def compose_draft(facts: PressReleaseFacts, *, today: date | None = None) -> PressReleaseDraft:
    """The draft; `today` is no longer read (kept for callers): without a recorded release
    date the release is dated the day after the meeting ended."""
    release_date = facts.release_date or default_release_date(facts)
    end = fragment(facts.release_end)
    return PressReleaseDraft(
        organisation=fragment(facts.organisation_name),
        short_name=_org_short(facts),
        release_date=release_date,
        sections=compose_sections(facts),
        city=fragment(facts.city),
        end_mark=end if end in RELEASE_ENDS else "ENDS",
    )


def compose_sections(facts: PressReleaseFacts) -> tuple[Section, ...]:
    """Every section of the draft, in order; a section with nothing to say has no paragraphs."""
    hook, background = _hook_and_background(facts.background)
    introduced: set[int] = set()
    if facts.news is not None and facts.news.speaker is not None and facts.news.speaker.id:
        introduced.add(facts.news.speaker.id)
    generated: dict[str, list[str]] = {
        "headline": [_headline(facts)],
        "lead": [" ".join(p for p in (*_news_lead(facts), _lead(facts), hook) if p)],
        "background": background,
        "participation": _participation(facts),
        "speakers": _speakers(facts, introduced),
        "findings": _findings(facts),
        "survey": _survey(facts.survey),
        "recommendations": _recommendations(facts),
        "about": _about(facts),
        "contacts": _contacts(facts),
    }
    # An acronym is spelled out at its first mention only (the About text stands alone: it
    # is kept as written), and the notes to editors spell out every acronym met.
    names = [name for name in PRESS_RELEASE_SECTIONS if name != "about"]
    texts = [[smart_quotes(p) for p in generated[name] if p] for name in names]
    spelled, acronyms = spell_out_once(texts)
    final = dict(zip(names, spelled, strict=True))
    final["about"] = [smart_quotes(p) for p in generated["about"] if p]
    if acronyms:
        final["about"].append(
            "Acronyms: "
            + "; ".join(f"{short}: {long_form}" for short, long_form in acronyms.items())
            + "."
        )
    headings = {"contacts": "Media contacts"}
    if facts.organisation_about and fragment(facts.organisation_about):
        headings["about"] = smart_quotes(f"About {_org_short(facts)}")
    return tuple(
        Section(
            name=name,
            heading=headings.get(name),
            generated=tuple(final[name]),
            override=facts.overrides.get(name),
        )
        for name in PRESS_RELEASE_SECTIONS
    )


# --- sections ---------------------------------------------------------------------------------


def _prose(text: str | None) -> list[str]:
    """Paragraphs typed in a box, each ending as a sentence does (a full stop is added to a
    paragraph without final punctuation)."""
    return [sentence(paragraph) for paragraph in paragraphs(text)]


# The first sentence of the background, when it is this short, is the "why now" of the lead.
_HOOK_WORDS = 30
# A sentence ends at final punctuation (and closing marks) before a space and a capital.
_SENTENCE_END = re.compile(r"[.!?。](?:[”’\"')]*)\s+(?=[A-Z“\"‘'])")
# Words that end with a full stop without ending the sentence.
_ABBREVIATIONS = frozenset(["dr", "mr", "mrs", "ms", "prof", "st", "no", "vs", "e.g", "i.e", "etc"])


def _first_sentence_end(text: str) -> int | None:
    """Where the first sentence of `text` ends (after its closing marks), if before its end:
    not after 'U.S.' nor 'Dr.'."""
    for match in _SENTENCE_END.finditer(text):
        words = text[: match.start()].split()
        last = words[-1] if words else ""
        if last.casefold().rstrip(".") in _ABBREVIATIONS or re.search(r"(^|\.)[A-Z]$", last):
            continue
        return match.end()
    return None


def _hook_and_background(text: str | None) -> tuple[str, list[str]]:
    """The "why now" hook (the background's first sentence when short) and the rest."""
    background = _prose(text)
    if not background:
        return "", []
    end = _first_sentence_end(background[0])
    hook = background[0][:end].strip() if end else background[0]
    if len(hook.split()) > _HOOK_WORDS:
        return "", background
    rest = background[0][end:].strip() if end else ""
    return hook, ([rest] if rest else []) + background[1:]


def _org_short(facts: PressReleaseFacts) -> str:
    return fragment(facts.organisation_short_name) or fragment(facts.organisation_name)


def _org_in_sentence(facts: PressReleaseFacts) -> str:
    """'the Mekong Migration Network (MMN)'."""
    name = fragment(facts.organisation_name)
    short = fragment(facts.organisation_short_name)
    if name.lower().startswith("the "):
        name = name[4:]
    text = f"the {name}"
    if short and short.casefold() != name.casefold():
        text += f" ({short})"
    return text


# Names read with "the" in a sentence: "the Ministry of Labour", "the Government of Japan".
_THE_WORDS = frozenset(
    [
        "ministry",
        "department",
        "office",
        "association",
        "national",
        "international",
        "royal",
        "government",
        "embassy",
        "federation",
        "council",
        "committee",
        "network",
        "institute",
        "centre",
        "center",
        "commission",
        "union",
        "university",
        "alliance",
        "secretariat",
        "foundation",
        "coalition",
        "forum",
        "agency",
        "world",
        "asian",
        "european",
        "united",
    ]
)


def with_article(name: str) -> str:
    """An organisation's name as a sentence says it: 'the Ministry of Labour', 'the
    International Labour Organization', 'Kyoto University', 'ACRA'."""
    value = fragment(name)
    words = value.split()
    if not words or words[0].casefold() == "the":
        return value
    first = words[0].casefold()
    if first in _THE_WORDS or (" of " in value and not words[0].isupper()):
        return f"the {value}"
    # "the Human Rights Working Group", "the U.S. Mission to ASEAN"; not "Kyoto University".
    if any(word.casefold().strip(",.") in _INSTITUTIONS for word in words[1:]):
        return f"the {value}"
    return value


# Nouns that make a name one said with "the", wherever they stand in it.
_INSTITUTIONS = frozenset(
    [
        "group",
        "network",
        "forum",
        "committee",
        "commission",
        "council",
        "organization",
        "organisation",
        "office",
        "association",
        "federation",
        "alliance",
        "institute",
        "programme",
        "program",
        "project",
        "secretariat",
        "mission",
        "union",
        "agency",
        "foundation",
        "coalition",
        "centre",
        "center",
        "ministry",
        "department",
        "embassy",
        "government",
    ]
)


_BUILDINGS = frozenset(
    [
        "hotel",
        "centre",
        "center",
        "hall",
        "house",
        "building",
        "palace",
        "museum",
        "library",
        "auditorium",
        "complex",
        "convention",
        "headquarters",
        "campus",
    ]
)


def _venue(venue: str) -> str:
    """'the Summit Parkview Hotel', 'the United Nations Conference Centre', 'Sofitel
    Phokeethra'."""
    value = with_article(venue)
    words = {word.casefold() for word in value.split()}
    if not value.casefold().startswith("the ") and words & _BUILDINGS:
        return f"the {value}"
    return value


def _partner_name(partner: PartnerFacts) -> str:
    name = with_article(partner.name)
    short = fragment(partner.short_name)
    if short and short.casefold() != fragment(partner.name).casefold():
        name += f" ({short})"
    return name


def _is_organisation(partner: PartnerFacts, facts: PressReleaseFacts) -> bool:
    names = {fragment(facts.organisation_name).casefold()}
    if fragment(facts.organisation_short_name):
        names.add(fragment(facts.organisation_short_name).casefold())
    return fragment(partner.name).casefold() in names or (
        fragment(partner.short_name).casefold() in names - {""}
    )


def _org_mention(facts: PressReleaseFacts) -> str:
    """The organisation named after its partners: its short name ('FAO'), else its name as
    a sentence says it ('the U.S. Mission to ASEAN')."""
    return fragment(facts.organisation_short_name) or with_article(facts.organisation_name)


def _holders(facts: PressReleaseFacts) -> tuple[str, bool, list[str]]:
    """Who held the meeting, whether that is more than one, and the partners named after the
    event ('in collaboration with STEP and Sightsavers', 'hosted by NAMAC', 'with the
    support of the Government of Japan').

    The organisation holds it, with its co-organisers named after the event; but when the
    organisation itself is recorded as the host or funder of a meeting that others organised,
    those others held it: a consultation held by civil society organisations with FAO's
    support reads 'X and Y held a consultation ..., with the support of FAO', never 'FAO
    held a consultation'."""
    co = [p for p in facts.partners if p.role == PartnerRole.CO_ORGANISER]
    hosts = [p for p in facts.partners if p.role == PartnerRole.HOST]
    funders = [p for p in facts.partners if p.role == PartnerRole.FUNDER]
    supports_only = any(_is_organisation(p, facts) for p in hosts + funders)
    co_names = [_partner_name(p) for p in co if not _is_organisation(p, facts)]
    tail = []
    if supports_only and co_names:
        subject, plural = join_and(co_names), len(co_names) > 1
    else:
        subject, plural = _org_in_sentence(facts), False
        if co_names:
            tail.append(f"in collaboration with {join_and(co_names)}")
    host_names = [
        _org_mention(facts) if _is_organisation(p, facts) else _partner_name(p) for p in hosts
    ]
    if host_names:
        tail.append(f"hosted by {join_and(host_names)}")
    funder_names = [
        _org_mention(facts) if _is_organisation(p, facts) else _partner_name(p) for p in funders
    ]
    if funder_names:
        tail.append(f"with the support of {join_and(funder_names)}")
    return subject, plural, tail


def _kind(facts: PressReleaseFacts) -> str:
    return fragment(facts.kind) or "meeting"


# Words that describe a meeting without naming it.
_GENERIC = frozenset(
    [
        "meeting",
        "workshop",
        "consultation",
        "dialogue",
        "forum",
        "conference",
        "seminar",
        "symposium",
        "webinar",
        "roundtable",
        "round-table",
        "multi-stakeholder",
        "multistakeholder",
        "regional",
        "national",
        "policy",
        "expert",
        "technical",
        "high-level",
        "public",
        "civil",
        "society",
        "ngo",
        "cso",
        "csos",
        "stakeholder",
        "consultative",
        "international",
        "sub-regional",
        "subregional",
        "annual",
        "training",
    ]
)
_SMALL = frozenset(
    ["a", "an", "the", "and", "or", "of", "on", "in", "at", "to", "for", "with", "from", "by"]
)


def _own_title(facts: PressReleaseFacts) -> str:
    """The event's own title ('Mekong Symposium on Migration'), or '' when the title only
    describes the meeting by its kind and topic ('Multi-stakeholder Meeting on Labour
    Migration from Cambodia to Japan')."""
    title = unstopped(facts.title)
    if not title:
        return ""
    # A title reads as a name when its words are capitalised, two of them at least.
    words = [w for w in re.findall(r"[^\W\d_][\w’'-]*", title) if w.casefold() not in _SMALL]
    capitalised = [w for w in words if w[:1].isupper()]
    if len(capitalised) < 2 or len(capitalised) < len(words):
        return ""
    folded = title.casefold()
    kind = fragment(facts.kind).casefold()
    topic = fragment(facts.topic).casefold()
    if kind and folded.startswith(kind) and (not topic or topic in folded):
        return ""
    if topic and folded == topic:
        return ""
    # "Regional Meeting on <topic>": only generic words before the topic.
    if topic and folded.endswith(topic):
        head = folded[: -len(topic)].split()
        if (
            head
            and head[-1] in ("on", "about", "of", "for")
            and all(word in _GENERIC for word in head[:-1])
        ):
            return ""
    return title


def _holder_short(facts: PressReleaseFacts) -> str:
    subject, _plural, _tail = _holders(facts)
    if subject == _org_in_sentence(facts):
        return _org_short(facts)
    co = [p for p in facts.partners if p.role == PartnerRole.CO_ORGANISER]
    return join_and([fragment(p.short_name) or fragment(p.name) for p in co])


def _headline(facts: PressReleaseFacts) -> str:
    news = _news_headline(facts)
    if news:
        return news
    organisation = _holder_short(facts)
    plural = len([p for p in facts.partners if p.role == PartnerRole.CO_ORGANISER]) > 1 and (
        organisation != _org_short(facts)
    )
    convenes = "Convene" if plural else "Convenes"
    kind = headline_case(_kind(facts))
    if facts.online:
        kind = f"Online {kind}"
    own = _own_title(facts)
    if own:
        return headline_case(f"{organisation} {convenes} {own}")
    topic = fragment(facts.topic)
    if topic:
        return headline_case(f"{organisation} {convenes} {kind} to Discuss {topic}")
    title = fragment(facts.title)
    return (
        f"{organisation} {convenes} {kind}: {title}"
        if title
        else f"{organisation} {convenes} {kind}"
    )


def _place(facts: PressReleaseFacts) -> str:
    """'at the Summit Parkview Hotel in Yangon', 'in Phnom Penh', 'in Phnom Penh and online':
    the venue and the city, never the country glued after a topic."""
    venue = fragment(facts.venue)
    city = fragment(facts.city)
    words = []
    if venue:
        words.append(f"at {_venue(venue)}")
    if city and not (venue and _mentions(venue, city)):
        words.append(f"in {city}")
    place = " ".join(words)
    if place and facts.online:
        place += " and online"
    return place


def _lead(facts: PressReleaseFacts) -> str:
    when = date_span(facts.starts_at, facts.ends_at, facts.timezone)
    subject, _plural, tail = _holders(facts)
    place = _place(facts)
    own = _own_title(facts)
    topic = fragment(facts.topic)
    if own:
        what = own if own.casefold().startswith("the ") else f"the {own}"
        if facts.online and not place:
            what += " online"
    else:
        kind = lower_first(_kind(facts))
        if facts.online and not place:
            kind = f"online {kind}"
        what = a_or_an(kind)
    if place:
        what += f" {place}"
    if not own:
        if topic:
            what += f" on {topic}"
        else:
            title = fragment(facts.title)
            if title:
                what += f" entitled {quoted(title, continues=True)}"
    if tail:
        what += ", " + join_and(tail)
    return sentence(f"{when}, {subject} held {what}")


def _news_text(news: NewsFacts) -> tuple[str, str]:
    """The news as the first sentence of the lead, and its subject and verb phrase for the
    headline."""
    if news.source == "outcome":
        if news.kind == OutcomeKind.RECOMMENDATION and not is_sentence(news.text):
            call = _call(news.addressed_to, news.text, first=True)
            call = call.removeprefix("Finally, ")
            return upper_first(call), unstopped(call)
        return sentence(news.text), unstopped(news.text)
    speaker = news.speaker
    if speaker is None:
        subject = "Participants"
        short = "Participants"
    else:
        introduction, comma = _introduction(speaker)
        subject = introduction + ("," if comma else "")
        short = _second_mention(speaker)
    statement = StatementFacts(kind=news.kind, text=news.text)
    first = _statement_sentence(subject, statement, False, speaker)
    if news.kind == StatementKind.QUOTE:
        return first, f"{short}: {quoted(news.text, continues=True)}"
    return first, f"{short} {upper_first(clause(news.text))}"


def _news_lead(facts: PressReleaseFacts) -> list[str]:
    if facts.news is None or not fragment(facts.news.text):
        return []
    return [_news_text(facts.news)[0]]


def _news_headline(facts: PressReleaseFacts) -> str:
    if facts.news is None or not fragment(facts.news.text):
        return ""
    return headline_case(_headline_cut(_news_text(facts.news)[1]))


# Where a headline taken from a sentence stops: before an apposition or a relative clause.
_HEADLINE_CUT = re.compile(r", (?:a|an|whose|which|who|where|as|with|including) ")


def _headline_cut(text: str) -> str:
    """'Representatives from 187 States adopted the Sendai Framework, a far-reaching new
    framework ...' -> 'Representatives from 187 States adopted the Sendai Framework'."""
    cut = _HEADLINE_CUT.search(text)
    return text[: cut.start()] if cut and cut.start() > 20 else text


def _participation(facts: PressReleaseFacts) -> list[str]:
    use_attended = facts.attended > 0
    count = facts.attended if use_attended else facts.registered
    if count <= 0:
        return []
    labels = unique(
        label_in_prose(fragment(group.label))
        for group in facts.groups
        if (group.attended if use_attended else group.registered) > 0
    )
    names = unique(with_article(name) for name in facts.organisations)
    shown = names[:_ORGANISATIONS_NAMED]
    present = ""
    if shown:
        listed = join_and([*shown, "others"] if len(names) > len(shown) else shown)
        present = sentence(f"Organisations present included {listed}")
    if count == 1:
        text = "One participant took part in the event"
        if labels:
            text += f", representing {labels[0]}"
        return [" ".join(p for p in (sentence(text), present) if p)]
    text = f"{approximate_count(count, start=True)} participants exchanged views at the event"
    if labels:
        text += f", including representatives of {join_and(labels)}"
    return [" ".join(p for p in (sentence(text), present) if p)]


_ORGANISATIONS_NAMED = 6


def _words(text: str) -> list[str]:
    """The words of `text` for comparing names: case and final full stops ignored."""
    return [word.rstrip(".").casefold() for word in text.split()]


def _mentions(text: str, part: str) -> bool:
    """Whether `part` is in `text` as whole words, case ignored: "Kyoto University" is in
    "Professor, Kyoto University"; "Chair" is not in "Chairat Somchai", nor "UN" in "UNI"."""
    pattern = rf"(?<!\w){re.escape(part.casefold())}(?!\w)"
    return re.search(pattern, text.casefold()) is not None


def _honorific_and_name(speaker: SpeakerFacts | ContactFacts) -> str:
    """'Dr Drake Jones'; the honorific is not repeated when the name begins with its words
    ('Dr. Drake Jones'), whole words only (it is kept before 'Drake' or 'Msafiri')."""
    name = fragment(speaker.name)
    honorific = fragment(speaker.honorific)
    title = _words(honorific)
    if title and _words(name)[: len(title)] != title:
        return f"{honorific} {name}"
    return name


def _is_group(speaker: SpeakerFacts) -> bool:
    name = _words(fragment(speaker.name))
    return bool(name[:1]) and name[0] in _GROUP_WORDS


# First words of a position that already determine it: "the Secretary-General's ...".
_DETERMINED = frozenset(["the", "a", "an", "his", "her", "their", "its", "our", "one"])


def _introduction(speaker: SpeakerFacts) -> tuple[str, bool]:
    """The speaker presented once: ('H.E. Ms X, Secretary of State, Royal Government', True),
    ('Mr Jai Sak, a migrant representative', True) or ('Associate Professor Y from Kyoto
    University', False). The flag says whether a comma must close the introduction before
    the verb."""
    name = _honorific_and_name(speaker)
    position = fragment(speaker.position)
    if position and _mentions(name, position):
        position = ""
    organisation = fragment(speaker.organisation)
    if organisation and (
        _mentions(name, organisation) or (position and _mentions(position, organisation))
    ):
        organisation = ""
    if position:
        if position[:1].islower() and position.split()[0] not in _DETERMINED:
            # A role written in lower case is a description: "a migrant representative".
            position = a_or_an(position)
            if organisation:
                return f"{name}, {position} at {with_article(organisation)}", True
            return f"{name}, {position}", True
        return ", ".join([name, position, *([organisation] if organisation else [])]), True
    if organisation:
        return f"{name} from {with_article(organisation)}", False
    return name, False


def _name_alone(speaker: SpeakerFacts) -> str:
    """The name without the honorific, even when the name begins with it: 'Asato Wako'."""
    name = fragment(speaker.name)
    title = _words(fragment(speaker.honorific))
    if title and _words(name)[: len(title)] == title:
        name = " ".join(name.split()[len(title) :])
    return name or _honorific_and_name(speaker)


def _second_mention(speaker: SpeakerFacts) -> str:
    """A speaker already introduced, named as the press names them again: honorific or title
    and family name ('Professor Asato', 'Ms Harima', 'Ms Chou'); a group as 'they'."""
    if _is_group(speaker):
        return "They"
    name = _name_alone(speaker)
    family = family_name(name, speaker.family_name, speaker.name_order)
    honorific = fragment(speaker.honorific)
    if not honorific:
        # "Regional Coordinator Reiko Harima" is not how the press names anyone again.
        return family or name
    return second_mention(honorific, family) or name


def _pronoun(speaker: SpeakerFacts) -> str:
    """'They' for a group, 'She' or 'He' when the honorific tells (Ms, Mrs, H.E. Ms; Mr),
    else the second mention ('Professor Asato'), never the whole introduction again."""
    if _is_group(speaker):
        return "They"
    name = _words(fragment(speaker.name))
    words = {*_words(fragment(speaker.honorific)), *name[:1]}
    if words & _SHE:
        return "She"
    if words & _HE:
        return "He"
    return _second_mention(speaker)


def _possessive(speaker: SpeakerFacts | None) -> str:
    pronoun = _pronoun(speaker) if speaker is not None else "They"
    return {"She": "her", "He": "his", "They": "their"}.get(pronoun, "their")


# A fragment that names a thing: woven after "described the meeting as".
_NOUN_START = frozenset(["a", "an", "the", "one", "another", "this", "that"])


def _statement_sentence(
    subject: str, statement: StatementFacts, also: bool, speaker: SpeakerFacts | None = None
) -> str:
    if statement.kind == StatementKind.QUOTE:
        text = fragment(statement.text)
        inner = re.search(r"[“\"]", text[1:]) if text else None
        if text and text[:1] not in "“\"'‘" and inner:
            # The words around the quotation are the speaker's sentence: 'the workshop
            # provided "an opportune moment"' -> 'She said the workshop provided "..."'.
            said = smart_quotes(lower_first(unstopped(text)))
            if said.endswith(("”", "’")):
                return f"{upper_first(subject)} said {said}."
            return sentence(f"{subject} said {said}")
        words = quoted(statement.text)
        if not words:
            return ""
        bare = _unquoted_start(statement.text)
        if bare[:1].islower():
            # A fragment, not a whole sentence: woven into the sentence, never announced
            # as a remark of its own; the sentence's full stop follows the closing mark.
            first = bare.split()[0].casefold() if bare.split() else ""
            woven = quoted(statement.text, continues=True)
            verb = "described the meeting as" if first in _NOUN_START else "spoke of"
            return f"{upper_first(subject)} {verb} {woven}."
        # A quotation without its own final punctuation gets a full stop after the closing
        # mark: 'remarked, “We want fair migration”.'
        return sentence(f"{subject} remarked, {words}")
    point = clause(statement.text)
    if not point:
        return ""
    return sentence(f"{subject} {'also ' if also else ''}{point}")


def _unquoted_start(text: str) -> str:
    return fragment(text).lstrip("\"'“”‘’„«» ….")


def _speaker_paragraph(speaker: SpeakerFacts, introduced: bool = False) -> str:
    """The speaker's statements as a paragraph: introduced in full the first time, named
    again (`introduced`) as the press does ('Professor Asato') when the speaker was already
    presented (in the lead, or before their keynote). Later sentences name them by a pronoun
    and the second mention in turn."""
    statements = [s for s in speaker.statements if fragment(s.text).strip("\"'“”‘’„«» ")]
    if not statements:
        return ""
    if introduced:
        subject = _second_mention(speaker)
    else:
        introduction, comma = _introduction(speaker)
        subject = introduction + ("," if comma else "")
    if speaker.keynote:
        subject = f"In a keynote speech, {subject}"
    sentences = []
    points = 1 if introduced else 0
    for index, statement in enumerate(statements):
        if index == 0:
            who = subject
        elif index % 2 == 1:
            who = _pronoun(speaker)
        else:
            who = _second_mention(speaker)
        also = statement.kind == StatementKind.POINT and points == 1
        text = _statement_sentence(who, statement, also, speaker)
        if statement.kind == StatementKind.POINT:
            points += 1
        if text:
            sentences.append(text)
    return " ".join(sentences)


def _speakers(facts: PressReleaseFacts, introduced: set[int] | None = None) -> list[str]:
    result = []
    introduced = set(introduced or ())
    for speaker in facts.speakers:
        paragraph = _speaker_paragraph(speaker, speaker.id is not None and speaker.id in introduced)
        if paragraph and speaker.id is not None:
            introduced.add(speaker.id)
        result.append(paragraph)
    statements = [s for s in facts.participant_statements if fragment(s.text)]
    if statements:
        sentences = []
        points = 0
        for statement in statements:
            if statement.kind == StatementKind.QUOTE:
                sentences.append(_statement_sentence("One participant", statement, False))
            else:
                subject = "Participants" if points == 0 else "They"
                sentences.append(_statement_sentence(subject, statement, points == 1))
                points += 1
        result.append(" ".join(s for s in sentences if s))
    others = [
        _introduction(s)[0]
        for s in facts.other_speakers
        if fragment(s.name) and (s.id is None or s.id not in introduced)
    ]
    if others:
        lead = "Speakers also included" if any(result) else "Speakers included"
        listed = _semi(others) if len(others) > 1 and any("," in o for o in others) else None
        result.append(sentence(f"{lead} {listed or join_and(others)}"))
    return [p for p in result if p]


def _semi(items: list[str]) -> str:
    """A list of introductions with commas inside: 'A, x; B, y; and C, z'."""
    return "; ".join(items[:-1]) + f"; and {items[-1]}"


def _findings(facts: PressReleaseFacts) -> list[str]:
    kinds = (OutcomeKind.FINDING, OutcomeKind.CONCERN)
    texts = [sentence(o.text) for kind in kinds for o in facts.outcomes if o.kind == kind]
    return [" ".join(t for t in texts if t)] if any(texts) else []


def _survey(survey: SurveyFacts | None) -> list[str]:
    if survey is None or survey.response_count <= 0:
        return []
    answered = survey.response_count
    total = survey.participant_count
    if total >= answered and total > 0:
        text = (
            f"Of the {number_word(total)} participants, {number_word(answered)} answered "
            "the post-meeting survey"
        )
        if total == 1:
            text = "The one participant answered the post-meeting survey"
    else:
        people = "person" if answered == 1 else "people"
        text = f"{upper_first(number_word(answered))} {people} answered the post-meeting survey"
    headlines = [clause(h) for h in survey.headlines]
    headlines = [h for h in headlines if h]
    if headlines:
        text += "; " + join_and(headlines)
    return [sentence(text)]


def _call(addressed_to: str | None, text: str, first: bool) -> str:
    """A recommendation as a sentence of the draft.

    Its text completes "participants called for <addressed to> to ...": 'Finally,
    participants called for the governments to monitor labour conditions.' A text written as
    a whole sentence ('The government should ...') cannot: it is printed as written, after
    'participants recommended (to <addressed to>):'.
    """
    subject = "Finally, participants" if first else "They also"
    whom = label_in_prose(unstopped(addressed_to))
    if is_sentence(text):
        words = fragment(text)
        to_whom = f" to {whom}" if whom and not _mentions(words, whom) else ""
        return f"{subject} recommended{to_whom}: {words}"
    action = clause(text)
    if action.lower().startswith("to "):
        action = action[3:].lstrip()
    if not action:
        return ""
    target = f"called for {whom} to" if whom else "called on all stakeholders to"
    return sentence(f"{subject} {target} {action}")


def _recommendations(facts: PressReleaseFacts) -> list[str]:
    calls: list[str] = []
    for outcome in facts.outcomes:
        if outcome.kind == OutcomeKind.RECOMMENDATION:
            text = _call(outcome.addressed_to, outcome.text, first=not calls)
            if text:
                calls.append(text)
    steps = [sentence(o.text) for o in facts.outcomes if o.kind == OutcomeKind.NEXT_STEP]
    steps = [s for s in steps if s]
    result = []
    if calls:
        result.append(" ".join(calls))
    if steps:
        result.append(" ".join(steps))
    return result


def _about(facts: PressReleaseFacts) -> list[str]:
    result = _prose(facts.organisation_about)
    website = fragment(facts.organisation_website)
    if website:
        result.append(f"For more information about {_org_short(facts)}, please visit {website}.")
    return result


def _short_forms(organisation: str, facts: PressReleaseFacts) -> list[str]:
    """The names `organisation` also goes by: itself, the acronym it gives in brackets
    ("Legal Support for Children and Women (LSCW)"), and the convening organisation's short
    name when it is that organisation."""
    forms = [organisation]
    bracketed = re.search(r"\(([^()]+)\)\s*$", organisation)
    if bracketed:
        forms.append(bracketed.group(1).strip())
    short = fragment(facts.organisation_short_name)
    if short and organisation.casefold() == fragment(facts.organisation_name).casefold():
        forms.append(short)
    return forms


def _contact_line(contact: ContactFacts, facts: PressReleaseFacts) -> str:
    name = _honorific_and_name(contact)
    if not name:
        return ""
    role = fragment(contact.role)
    organisation = fragment(contact.organisation)
    # "MMN Regional Coordinator" already says where Ms Harima works.
    if (
        organisation
        and role
        and any(_mentions(role, form) for form in _short_forms(organisation, facts))
    ):
        organisation = ""
    head = ", ".join(p for p in (name, role, organisation) if p)
    ways = []
    if fragment(contact.email):
        ways.append(f"at {fragment(contact.email)}")
    if fragment(contact.phone):
        ways.append(f"by phone on {fragment(contact.phone)}")
    line = head + (f", {join_or(ways)}" if ways else "")
    languages = unique(fragment(language_name(code, "en")) for code in contact.languages)
    if languages:
        line += f" ({join_or(languages)})"
    return line


def _contacts(facts: PressReleaseFacts) -> list[str]:
    lines = [line for line in (_contact_line(c, facts) for c in facts.contacts) if line]
    if not lines:
        return []
    intro = "For more information about the meeting, please contact:"
    if len(lines) == 1:
        intro = "For more information about the meeting, please contact"
        return [f"{intro} {lines[0]}."]
    return [intro, *lines]


# --- loading ---------------------------------------------------------------------------------


def _survey_facts(meeting: Meeting) -> SurveyFacts | None:
    """The survey's headline results, from the surveys capability when it is installed."""
    try:
        from meetapp.surveys.services import survey_highlights
    except ImportError:
        return None
    highlights = survey_highlights(meeting)
    if highlights is None:
        return None
    # Only the questions the organiser marked as quotable, each figure naming its question:
    # satisfaction figures belong in the summary, not in the news. Without one, the survey
    # is left out of the release (how many answered is no news either).
    quoted_figures = [
        (figure, clause)
        for figure in highlights.quotable
        if (clause := figure_clause(figure.kind, figure.question, figure.value))
    ]
    if not quoted_figures:
        return None
    return SurveyFacts(
        response_count=highlights.responses,
        participant_count=highlights.audience,
        headlines=tuple(clause for _figure, clause in quoted_figures),
        sources=tuple(
            Source(
                "survey_question",
                figure.question_id,
                f"Survey question: {_excerpt(figure.question)}",
            )
            for figure, _clause in quoted_figures
        ),
    )


def _group_counts(meeting: Meeting) -> tuple[int, int, tuple[GroupCount, ...]]:
    registered = Participant.status == Status.REGISTERED
    rows = db.session.execute(
        select(
            Participant.stakeholder_group_id,
            func.sum(case((registered, 1), else_=0), type_=Integer),
            func.sum(case((Participant.attended.is_(True), 1), else_=0), type_=Integer),
        )
        .where(Participant.meeting_id == meeting.id)
        .group_by(Participant.stakeholder_group_id)
    ).all()
    by_group = {group_id: (reg or 0, att or 0) for group_id, reg, att in rows}
    groups = tuple(
        GroupCount(group.label, *by_group[group.id])
        for group in sorted(meeting.stakeholder_groups, key=lambda g: (g.position, g.id))
        if group.id in by_group
    )
    total_registered = sum(reg for reg, _att in by_group.values())
    total_attended = sum(att for _reg, att in by_group.values())
    return total_registered, total_attended, groups


def _speaker(speaker: Speaker, **values: object) -> SpeakerFacts:
    return SpeakerFacts(
        name=speaker.name,
        honorific=speaker.honorific,
        position=speaker.position,
        organisation=speaker.organisation,
        id=speaker.id,
        family_name=speaker.family_name,
        name_order=speaker.name_order,
        **values,  # type: ignore[arg-type]
    )


def _speaker_facts(
    meeting: Meeting,
) -> tuple[tuple[SpeakerFacts, ...], tuple[StatementFacts, ...], NewsFacts | None]:
    """Highlighted statements grouped by speaker: keynote speakers first, then in the order of
    the agenda (a speaker's place is that of their first highlighted statement); the
    statements of the crowd; and the statement marked as the news (left out of the others:
    the lead carries it).

    "Keynote" is a property of the session a statement was made in: a keynote session, or
    the speaker's keynote role in that session. A speaker who gave a keynote and also spoke
    on a panel is not called keynote for what they said on the panel: their statements are
    split in two entries, the keynote one first."""
    session = aliased(AgendaSession)
    role = aliased(SessionSpeaker)
    rows = db.session.execute(
        select(Statement, Speaker, session.kind, session.title, role.role)
        .outerjoin(Speaker, Statement.speaker_id == Speaker.id)
        .outerjoin(session, Statement.session_id == session.id)
        .outerjoin(
            role,
            (role.session_id == Statement.session_id) & (role.speaker_id == Statement.speaker_id),
        )
        .where(
            Statement.meeting_id == meeting.id,
            Statement.highlight.is_(True) | Statement.is_news.is_(True),
        )
        .order_by(
            session.starts_at.is_(None),
            session.starts_at,
            session.id,
            Statement.sort_order,
            Statement.id,
        )
    ).all()
    speakers: dict[int, Speaker] = {}
    # (speaker id, said in a keynote) -> statements, in the order first met.
    statements: dict[tuple[int, bool], list[StatementFacts]] = {}
    crowd: list[StatementFacts] = []
    news: NewsFacts | None = None
    for statement, speaker, session_kind, session_title, speaker_role in rows:
        if statement.is_news and news is None:
            news = NewsFacts(
                source="statement",
                kind=statement.kind,
                text=statement.text,
                id=statement.id,
                speaker=_speaker(speaker) if speaker is not None else None,
            )
            continue
        if not statement.highlight:
            continue
        facts = StatementFacts(
            kind=statement.kind,
            text=statement.text,
            id=statement.id,
            session_id=statement.session_id,
            session_title=session_title,
        )
        if speaker is None:
            crowd.append(facts)
            continue
        keynote = session_kind == SessionKind.KEYNOTE or speaker_role == SpeakerRole.KEYNOTE
        speakers.setdefault(speaker.id, speaker)
        statements.setdefault((speaker.id, keynote), []).append(facts)
    first_seen = list(statements)
    order = sorted(first_seen, key=lambda k: (not k[1], first_seen.index(k)))
    return (
        tuple(
            _speaker(speakers[sid], keynote=keynote, statements=tuple(statements[(sid, keynote)]))
            for sid, keynote in order
        ),
        tuple(crowd),
        news,
    )


_NAMED_ROLES = (SpeakerRole.KEYNOTE, SpeakerRole.SPEAKER, SpeakerRole.PANELIST)


def _agenda_speakers(meeting: Meeting) -> tuple[SpeakerFacts, ...]:
    """Keynote speakers, speakers and panellists of the agenda, in its order, each once: the
    draft names those it does not quote ("Speakers included ...")."""
    rows = db.session.execute(
        select(Speaker, SessionSpeaker.role)
        .join(SessionSpeaker, SessionSpeaker.speaker_id == Speaker.id)
        .join(AgendaSession, SessionSpeaker.session_id == AgendaSession.id)
        .where(AgendaSession.meeting_id == meeting.id, SessionSpeaker.role.in_(_NAMED_ROLES))
        .order_by(
            AgendaSession.starts_at.is_(None),
            AgendaSession.starts_at,
            AgendaSession.id,
            SessionSpeaker.sort_order,
            SessionSpeaker.id,
        )
    ).all()
    seen: dict[int, SpeakerFacts] = {}
    for speaker, role in rows:
        if speaker.id not in seen:
            seen[speaker.id] = _speaker(speaker, keynote=role == SpeakerRole.KEYNOTE)
    # Keynote speakers first, as in the speakers' paragraphs.
    return tuple(sorted(seen.values(), key=lambda s: not s.keynote))


def _organisations_present(meeting: Meeting, attended: bool) -> tuple[str, ...]:
    """The organisations of the participants (who came, else who registered) and of the
    speakers, the most represented first; the convening organisation left out."""
    present = (
        Participant.attended.is_(True) if attended else Participant.status == Status.REGISTERED
    )
    name = func.trim(Participant.organisation)
    rows = db.session.execute(
        select(name, func.count())
        .where(Participant.meeting_id == meeting.id, present, name != "")
        .group_by(name)
        .order_by(func.count().desc(), func.min(Participant.id))
    ).all()
    names = [fragment(row[0]) for row in rows]
    names += [
        fragment(org)
        for org in db.session.scalars(
            select(Speaker.organisation)
            .where(Speaker.meeting_id == meeting.id, Speaker.organisation.is_not(None))
            .order_by(Speaker.id)
        )
    ]
    organisation = meeting.organisation
    own = {fragment(organisation.name).casefold(), fragment(organisation.short_name).casefold()}
    kept: dict[str, str] = {}
    for value in names:
        bare = re.sub(r"\s*\([^()]*\)\s*$", "", value).casefold()
        if value and value.casefold() not in own and bare not in own:
            kept.setdefault(value.casefold(), value)
    return tuple(kept.values())


def _news_outcome(outcomes: list[Outcome]) -> NewsFacts | None:
    for outcome in outcomes:
        if outcome.is_news:
            return NewsFacts(
                source="outcome",
                kind=outcome.kind,
                text=outcome.text,
                id=outcome.id,
                addressed_to=outcome.addressed_to,
            )
    return None


def load_overrides(meeting: Meeting) -> dict[str, OverrideFacts]:
    rows = db.session.execute(
        select(PressReleaseOverride, User.name)
        .outerjoin(User, PressReleaseOverride.updated_by_id == User.id)
        .where(PressReleaseOverride.meeting_id == meeting.id)
    ).all()
    return {
        row.section: OverrideFacts(text=row.text, updated_by=name, updated_at=row.updated_at)
        for row, name in rows
    }


def load_press_release_facts(meeting: Meeting) -> PressReleaseFacts:
    organisation = meeting.organisation
    registered, attended, groups = _group_counts(meeting)
    speakers, crowd, news = _speaker_facts(meeting)
    outcomes = list(
        db.session.scalars(
            select(Outcome)
            .where(Outcome.meeting_id == meeting.id)
            .order_by(Outcome.position, Outcome.id)
        )
    )
    news = _news_outcome(outcomes) or news
    partners = db.session.scalars(
        select(Partner)
        .where(Partner.meeting_id == meeting.id)
        .order_by(Partner.position, Partner.id)
    )
    contacts = db.session.scalars(
        select(Contact)
        .where(Contact.meeting_id == meeting.id)
        .order_by(Contact.position, Contact.id)
    )
    release_date = db.session.scalar(
        select(PressRelease.release_date).where(PressRelease.meeting_id == meeting.id)
    )
    return PressReleaseFacts(
        organisation_name=organisation.name,
        organisation_short_name=organisation.short_name,
        organisation_about=organisation.about,
        organisation_website=organisation.website,
        title=meeting.title,
        kind=meeting.kind,
        topic=meeting.topic,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        timezone=meeting.timezone,
        city=meeting.city,
        country=meeting.country,
        background=meeting.background,
        registered=registered,
        attended=attended,
        groups=groups,
        speakers=speakers,
        participant_statements=crowd,
        outcomes=tuple(
            OutcomeFacts(o.kind, o.text, o.addressed_to, o.id)
            for o in outcomes
            if not (news is not None and news.source == "outcome" and news.id == o.id)
        ),
        survey=_survey_facts(meeting),
        contacts=tuple(
            ContactFacts(
                name=c.name,
                honorific=c.honorific,
                role=c.role,
                organisation=c.organisation,
                email=c.email,
                phone=c.phone,
                languages=tuple(str(code) for code in c.languages or []),
                id=c.id,
            )
            for c in contacts
        ),
        release_date=release_date,
        overrides=load_overrides(meeting),
        meeting_id=meeting.id,
        venue=meeting.venue,
        online=meeting.online,
        partners=tuple(PartnerFacts(p.role, p.name, p.short_name, p.id) for p in partners),
        news=news,
        other_speakers=_agenda_speakers(meeting),
        organisations=_organisations_present(meeting, attended > 0),
        release_end=organisation.release_end,
    )


# --- sources ---------------------------------------------------------------------------------


def _excerpt(text: str | None, limit: int = 60) -> str:
    value = fragment(text)
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _statement_source(statement: StatementFacts, who: str) -> Source:
    label = f"Statement by {who}" if who else "Statement"
    session = fragment(statement.session_title)
    if session:
        label += f" ({session})"
    return Source("statement", statement.id, f"{label}: {_excerpt(statement.text)}")


def _outcome_source(outcome: OutcomeFacts) -> Source:
    label = OutcomeKind(outcome.kind).value.replace("_", " ").capitalize()
    return Source("outcome", outcome.id, f"{label}: {_excerpt(outcome.text)}")


def facts_sources(facts: PressReleaseFacts) -> dict[str, list[Source]]:
    """The records behind each section of the draft composed from `facts` (see
    `draft_sources`); a section with nothing to say has no sources."""
    meeting = Source("meeting", facts.meeting_id, f"Meeting: {_excerpt(facts.title)}")
    sections = {section.name: section for section in compose_sections(facts)}
    result: dict[str, list[Source]] = {name: [] for name in PRESS_RELEASE_SECTIONS}

    def add(name: str, *sources: Source) -> None:
        if sections[name].generated:
            result[name].extend(source for source in sources if source not in result[name])

    news: list[Source] = []
    if facts.news is not None and fragment(facts.news.text):
        if facts.news.source == "outcome":
            news.append(
                _outcome_source(
                    OutcomeFacts(
                        facts.news.kind, facts.news.text, facts.news.addressed_to, facts.news.id
                    )
                )
            )
        else:
            who = _honorific_and_name(facts.news.speaker) if facts.news.speaker else ""
            statement = StatementFacts(facts.news.kind, facts.news.text, facts.news.id)
            news.append(_statement_source(statement, who or "participants"))
    add("headline", *news, meeting)
    add("lead", *news, meeting)
    for partner in facts.partners:
        role = PartnerRole(partner.role).value.replace("_", "-").capitalize()
        add("lead", Source("partner", partner.id, f"{role}: {_excerpt(partner.name)}"))
    add("background", meeting)
    count = facts.attended or facts.registered
    add("participation", Source("participants", None, f"Participants: {count}"))
    for speaker in facts.speakers:
        who = _honorific_and_name(speaker)
        for statement in speaker.statements:
            if statement.session_id is not None:
                add(
                    "speakers",
                    Source(
                        "session",
                        statement.session_id,
                        f"Session: {_excerpt(statement.session_title)}",
                    ),
                )
            add("speakers", _statement_source(statement, who))
    for statement in facts.participant_statements:
        add("speakers", _statement_source(statement, "a participant"))
    for outcome in facts.outcomes:
        kind = outcome.kind
        if kind in (OutcomeKind.FINDING, OutcomeKind.CONCERN):
            add("findings", _outcome_source(outcome))
        else:
            add("recommendations", _outcome_source(outcome))
    if facts.survey is not None:
        add("survey", *facts.survey.sources)
    add("about", Source("meeting", facts.meeting_id, "Organisation: About"))
    for contact in facts.contacts:
        add("contacts", Source("contact", contact.id, f"Contact: {_honorific_and_name(contact)}"))
    return result


def draft_sources(meeting: Meeting) -> dict[str, list[Source]]:
    """The records each section of `meeting`'s draft is composed from, by section name (every
    name of `PRESS_RELEASE_SECTIONS`; an empty list for a section with nothing to say), so
    that staff can check a sentence against its record in one click. The sources are those
    of the generated text, whether or not the section was rewritten by hand."""
    return facts_sources(load_press_release_facts(meeting))
