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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import aliased

from meetapp.database import utcnow
from meetapp.extensions import db
from meetapp.formatting import country_name, language_name, to_zone
from meetapp.models import (
    PRESS_RELEASE_SECTIONS,
    AgendaSession,
    Contact,
    Meeting,
    Outcome,
    OutcomeKind,
    Participant,
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
from meetapp.reports.wording import (
    a_or_an,
    approximate_count,
    clause,
    date_span,
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
    sentence,
    smart_quotes,
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


@dataclass(frozen=True)
class StatementFacts:
    kind: str  # "quote" (verbatim) or "point" (completes "<speaker> ...")
    text: str


@dataclass(frozen=True)
class SpeakerFacts:
    name: str
    honorific: str | None = None
    position: str | None = None
    organisation: str | None = None
    keynote: bool = False
    statements: tuple[StatementFacts, ...] = ()


@dataclass(frozen=True)
class OutcomeFacts:
    kind: str
    text: str
    addressed_to: str | None = None


@dataclass(frozen=True)
class ContactFacts:
    name: str
    honorific: str | None = None
    role: str | None = None
    organisation: str | None = None
    email: str | None = None
    phone: str | None = None
    languages: tuple[str, ...] = ()


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


@dataclass(frozen=True)
class PressReleaseDraft:
    organisation: str
    short_name: str
    release_date: date
    sections: tuple[Section, ...]

    def section(self, name: str) -> Section:
        return next(section for section in self.sections if section.name == name)

    @property
    def headline(self) -> str:
        return " ".join(self.section("headline").paragraphs)

    @property
    def release_date_text(self) -> str:
        return long_date(self.release_date)

    @property
    def body(self) -> tuple[Section, ...]:
        """The sections printed under the headline, those with nothing to say left out."""
        return tuple(s for s in self.sections if s.name != "headline" and s.paragraphs)

    def markdown(self) -> str:
        """Plain text to paste into an e-mail: Markdown headings and nothing else, every text
        escaped (`markdown_text`) so that no tag, link or list comes out of what users typed."""
        md = markdown_text
        lines = [md(f"{self.organisation} · Press Release"), "", f"# {md(self.headline)}", ""]
        lines += [md(self.release_date_text), ""]
        for section in self.body:
            if section.heading:
                lines += [f"## {md(section.heading)}", ""]
            for paragraph in section.paragraphs:
                lines += [md(paragraph), ""]
        return "\n".join(lines).rstrip("\n") + "\n"

    def plain_text(self) -> str:
        lines = [f"{self.organisation} · Press Release", "", self.headline, ""]
        lines += [self.release_date_text, ""]
        for section in self.body:
            if section.heading:
                lines += [section.heading, ""]
            for paragraph in section.paragraphs:
                lines += [paragraph, ""]
        return "\n".join(lines).rstrip("\n") + "\n"


def compose_press_release(meeting: Meeting, *, today: date | None = None) -> PressReleaseDraft:
    """The draft of `meeting`'s press release, overrides applied."""
    return compose_draft(load_press_release_facts(meeting), today=today)


def compose_draft(facts: PressReleaseFacts, *, today: date | None = None) -> PressReleaseDraft:
    release_date = facts.release_date or today or to_zone(utcnow(), facts.timezone).date()
    return PressReleaseDraft(
        organisation=fragment(facts.organisation_name),
        short_name=_org_short(facts),
        release_date=release_date,
        sections=compose_sections(facts),
    )


def compose_sections(facts: PressReleaseFacts) -> tuple[Section, ...]:
    """Every section of the draft, in order; a section with nothing to say has no paragraphs."""
    generated: dict[str, list[str]] = {
        "headline": [_headline(facts)],
        "lead": [_lead(facts)],
        "background": _prose(facts.background),
        "participation": _participation(facts),
        "speakers": _speakers(facts),
        "findings": _findings(facts),
        "survey": _survey(facts.survey),
        "recommendations": _recommendations(facts),
        "about": _about(facts),
        "contacts": _contacts(facts),
    }
    headings = {"about": smart_quotes(f"About {_org_short(facts)}"), "contacts": "Media contacts"}
    return tuple(
        Section(
            name=name,
            heading=headings.get(name),
            generated=tuple(smart_quotes(p) for p in generated[name] if p),
            override=facts.overrides.get(name),
        )
        for name in PRESS_RELEASE_SECTIONS
    )


# --- sections ---------------------------------------------------------------------------------


def _prose(text: str | None) -> list[str]:
    """Paragraphs typed in a box, each ending as a sentence does (a full stop is added to a
    paragraph without final punctuation)."""
    return [sentence(paragraph) for paragraph in paragraphs(text)]


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


def _kind(facts: PressReleaseFacts) -> str:
    return fragment(facts.kind) or "meeting"


def _headline(facts: PressReleaseFacts) -> str:
    organisation = _org_short(facts)
    kind = headline_case(_kind(facts))
    topic = fragment(facts.topic)
    if topic:
        return f"{organisation} Convenes {kind} to Discuss {headline_case(topic)}"
    title = fragment(facts.title)
    return (
        f"{organisation} Convenes {kind}: {title}" if title else f"{organisation} Convenes {kind}"
    )


def _place(facts: PressReleaseFacts) -> str:
    """'Phnom Penh, Cambodia'; the country alone would read oddly after most topics."""
    city = fragment(facts.city)
    if not city:
        return ""
    country = fragment(country_name(facts.country, "en")) if facts.country else ""
    return f"{city}, {country}" if country and country.casefold() != city.casefold() else city


def _lead(facts: PressReleaseFacts) -> str:
    when = date_span(facts.starts_at, facts.ends_at, facts.timezone)
    what = a_or_an(lower_first(_kind(facts)))
    topic = fragment(facts.topic)
    if topic:
        what += f" on {topic}"
    else:
        title = fragment(facts.title)
        if title:
            what += f" entitled {quoted(title, continues=True)}"
    place = _place(facts)
    if place:
        what += f" in {place}"
    return sentence(f"{when}, {_org_in_sentence(facts)} held {what}")


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
    if count == 1:
        text = "One participant took part in the event"
        if labels:
            text += f", representing {labels[0]}"
        return [sentence(text)]
    text = f"{approximate_count(count, start=True)} participants exchanged views at the event"
    if labels:
        text += f", including representatives of {join_and(labels)}"
    return [sentence(text)]


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


def _introduction(speaker: SpeakerFacts) -> tuple[str, bool]:
    """The speaker presented once: ('H.E. Ms X, Secretary of State, Royal Government', True),
    or ('Associate Professor Y from Kyoto University', False). The flag says whether a comma
    must close the introduction before the verb."""
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
        return ", ".join([name, position, *([organisation] if organisation else [])]), True
    if organisation:
        return f"{name} from {organisation}", False
    return name, False


def _name_alone(speaker: SpeakerFacts) -> str:
    """The name without the honorific, even when the name begins with it: 'Asato Wako'."""
    name = fragment(speaker.name)
    title = _words(fragment(speaker.honorific))
    if title and _words(name)[: len(title)] == title:
        name = " ".join(name.split()[len(title) :])
    return name or _honorific_and_name(speaker)


def _pronoun(speaker: SpeakerFacts) -> str:
    """How a speaker already introduced is named again: 'They' for a group, 'She' or 'He'
    when the honorific tells (Ms, Mrs, H.E. Ms; Mr), else the name alone, not the whole
    introduction again ('Asato Wako also stated ...')."""
    name = _words(fragment(speaker.name))
    if name[:1] and name[0] in _GROUP_WORDS:
        return "They"
    words = {*_words(fragment(speaker.honorific)), *name[:1]}
    if words & _SHE:
        return "She"
    if words & _HE:
        return "He"
    return _name_alone(speaker)


def _statement_sentence(subject: str, statement: StatementFacts, also: bool) -> str:
    if statement.kind == StatementKind.QUOTE:
        # A quotation without its own final punctuation gets a full stop after the closing
        # mark: 'remarked, “We want fair migration”.'
        words = quoted(statement.text)
        return sentence(f"{subject} remarked, {words}") if words else ""
    point = clause(statement.text)
    if not point:
        return ""
    return sentence(f"{subject} {'also ' if also else ''}{point}")


def _speaker_paragraph(speaker: SpeakerFacts) -> str:
    statements = [s for s in speaker.statements if fragment(s.text).strip("\"'“”‘’„«» ")]
    if not statements:
        return ""
    introduction, comma = _introduction(speaker)
    subject = introduction + ("," if comma else "")
    if speaker.keynote:
        subject = f"In a keynote speech, {subject}"
    sentences = []
    points = 0
    for index, statement in enumerate(statements):
        who = subject if index == 0 else _pronoun(speaker)
        also = statement.kind == StatementKind.POINT and points == 1
        text = _statement_sentence(who, statement, also)
        if statement.kind == StatementKind.POINT:
            points += 1
        if text:
            sentences.append(text)
    return " ".join(sentences)


def _speakers(facts: PressReleaseFacts) -> list[str]:
    result = [_speaker_paragraph(speaker) for speaker in facts.speakers]
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
    return [p for p in result if p]


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
    headlines = []
    # The sentence goes on after the statement: its own full stop is dropped.
    statement = quoted(highlights.agreement_question, continues=True)
    if statement and highlights.agreement_percent is not None:
        headlines.append(
            f"{round(highlights.agreement_percent)}% agreed with the statement {statement}"
        )
    if highlights.rating_mean is not None:
        headlines.append(f"the average rating was {highlights.rating_mean:.1f} out of 5")
    return SurveyFacts(
        response_count=highlights.responses,
        participant_count=highlights.audience,
        headlines=tuple(headlines),
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


def _speaker_facts(meeting: Meeting) -> tuple[tuple[SpeakerFacts, ...], tuple[StatementFacts, ...]]:
    """Highlighted statements grouped by speaker: keynote speakers first, then in the order of
    the agenda (a speaker's place is that of their first highlighted statement)."""
    session = aliased(AgendaSession)
    rows = db.session.execute(
        select(Statement, Speaker, session.kind)
        .outerjoin(Speaker, Statement.speaker_id == Speaker.id)
        .outerjoin(session, Statement.session_id == session.id)
        .where(Statement.meeting_id == meeting.id, Statement.highlight.is_(True))
        .order_by(
            session.starts_at.is_(None),
            session.starts_at,
            session.id,
            Statement.sort_order,
            Statement.id,
        )
    ).all()
    keynote_ids = set(
        db.session.scalars(
            select(SessionSpeaker.speaker_id)
            .join(AgendaSession, SessionSpeaker.session_id == AgendaSession.id)
            .where(
                AgendaSession.meeting_id == meeting.id, SessionSpeaker.role == SpeakerRole.KEYNOTE
            )
        )
    )
    speakers: dict[int, Speaker] = {}
    keynote: set[int] = set(keynote_ids)
    statements: dict[int, list[StatementFacts]] = {}
    crowd: list[StatementFacts] = []
    for statement, speaker, session_kind in rows:
        facts = StatementFacts(kind=statement.kind, text=statement.text)
        if speaker is None:
            crowd.append(facts)
            continue
        speakers.setdefault(speaker.id, speaker)
        statements.setdefault(speaker.id, []).append(facts)
        if session_kind == SessionKind.KEYNOTE:
            keynote.add(speaker.id)
    order = sorted(speakers, key=lambda sid: (sid not in keynote, list(speakers).index(sid)))
    return (
        tuple(
            SpeakerFacts(
                name=speakers[sid].name,
                honorific=speakers[sid].honorific,
                position=speakers[sid].position,
                organisation=speakers[sid].organisation,
                keynote=sid in keynote,
                statements=tuple(statements[sid]),
            )
            for sid in order
        ),
        tuple(crowd),
    )


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
    speakers, crowd = _speaker_facts(meeting)
    outcomes = db.session.scalars(
        select(Outcome)
        .where(Outcome.meeting_id == meeting.id)
        .order_by(Outcome.position, Outcome.id)
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
        outcomes=tuple(OutcomeFacts(o.kind, o.text, o.addressed_to) for o in outcomes),
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
            )
            for c in contacts
        ),
        release_date=release_date,
        overrides=load_overrides(meeting),
    )
