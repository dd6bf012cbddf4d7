"""The `meetapp/1` document as pydantic models: the shape, types and lengths of every field,
and how an export writes them (`meetapp.interchange.export` dumps these models): the order of
the keys, the optional keys left out when they hold nothing, times with their offsets,
single-line texts on one line.

Checks that need more than one field (an end before its start, a participant's stakeholder group,
duplicate e-mail addresses) or the database (a slug already in use) live in `checks`.
Lengths follow the database columns, so whatever passes here fits the tables.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    FieldSerializationInfo,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    field_serializer,
)
from pydantic_core import PydanticCustomError

from meetapp.accounts.services import normalise_email
from meetapp.errors import DomainError
from meetapp.formatting import country_codes, is_timezone, language_codes
from meetapp.meetings.mail_intros import KINDS as MAIL_KINDS
from meetapp.meetings.mail_intros import problem as mail_intro_problem
from meetapp.meetings.mail_templates import clean as clean_mail_template
from meetapp.meetings.mail_templates import problems as mail_template_problems
from meetapp.meetings.translations import OPTION_PREFIX, problem, rule_of
from meetapp.models import Meeting, StakeholderGroup
from meetapp.models.agenda import MAX_SESSION_SPEAKERS, STATEMENT_MAX_LENGTH, AgendaSession
from meetapp.models.outcomes import (
    ADDRESSED_TO_MAX_LENGTH,
    OUTCOME_MAX_LENGTH,
    OVERRIDE_MAX_LENGTH,
    PRESS_RELEASE_SECTIONS,
)
from meetapp.models.questions import (
    OPTION_LABEL_MAX,
    QUESTION_HELP_MAX,
    QUESTION_LABEL_MAX,
    RegistrationQuestion,
)
from meetapp.models.surveys import Survey, SurveyQuestion
from meetapp.models.texts import Translatable
from meetapp.registration.questions import CAPACITY_MAX, OPTIONS_MAX
from meetapp.validation import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    SINGLE_LINE_CHECK,
    WEB_URL_CHECK,
    has_control_characters,
    one_line,
    plausible_date,
)

FORMAT = "meetapp/1"

# The sections of the format in the order of its table; exports keep this order.
SECTIONS = (
    "format",
    "organisation",
    "meeting",
    "speakers",
    "sessions",
    "statements",
    "outcomes",
    "contacts",
    "participants",
    "surveys",
    "press_release",
)

SLUG_PATTERN = r"^[a-z0-9-]+$"
SESSION_KEY_PATTERN = r"^[A-Za-z0-9_-]+$"
LONG_TEXT = 100_000
TIME_EXAMPLE = "2019-02-18T09:00:00+07:00"

Loc = tuple[str | int, ...]


def parse_time(value: Any) -> datetime:
    """An ISO 8601 time with an offset; naive times are refused, not guessed."""
    if not isinstance(value, str):
        raise PydanticCustomError(
            "time_type",
            "expected an ISO 8601 time with offset, e.g. {example}",
            {"example": TIME_EXAMPLE},
        )
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "time_format",
            "not an ISO 8601 time with offset, e.g. {example}",
            {"example": TIME_EXAMPLE},
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise PydanticCustomError(
            "time_naive",
            "the time has no offset; write it like {example}",
            {"example": TIME_EXAMPLE},
        )
    if not plausible_date(parsed):
        raise PydanticCustomError(
            "time_range",
            "the year must lie between {earliest} and {latest}",
            {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
        )
    return parsed


def _empty_to_none(value: str | None) -> str | None:
    return value or None


class EmailCache:
    """The normal form (`normalise_email`) of each address of a document, worked out once
    however often the address appears and is checked: it is the costliest check of an import.
    Pass it to validation as the context's `EMAILS`."""

    def __init__(self) -> None:
        self._known: dict[str, str | None] = {}

    def normalised(self, value: Any) -> str | None:
        """`value` in its normal form; None when it is not an e-mail address."""
        if not isinstance(value, str):
            return None
        try:
            return self._known[value]
        except KeyError:
            pass
        try:
            normalised: str | None = normalise_email(value)
        except DomainError:
            normalised = None
        self._known[value] = normalised
        return normalised


EMAILS = "emails"


def _check_email(value: str, info: ValidationInfo) -> str:
    emails = (info.context or {}).get(EMAILS) or EmailCache()
    if emails.normalised(value) is None:
        raise PydanticCustomError("email", "not an email address")
    return value


def _check_language(value: str) -> str:
    if value not in language_codes():
        raise PydanticCustomError(
            "language", "not an ISO 639-1 language code: {value}", {"value": json.dumps(value)}
        )
    return value


def _check_country(value: str) -> str:
    if value not in country_codes():
        raise PydanticCustomError(
            "country",
            "not an ISO 3166-1 alpha-2 country code (upper case, e.g. KH): {value}",
            {"value": json.dumps(value)},
        )
    return value


def _check_timezone(value: str) -> str:
    if not is_timezone(value):
        raise PydanticCustomError(
            "timezone",
            "not an IANA time zone name (e.g. Asia/Phnom_Penh): {value}",
            {"value": json.dumps(value)},
        )
    return value


def parse_date(value: Any) -> date:
    """A calendar date written YYYY-MM-DD."""
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "expected a date written YYYY-MM-DD")
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "date_format", "not a date written YYYY-MM-DD, e.g. 2019-02-21"
        ) from None


def parse_time_or_day(value: Any) -> datetime:
    """An ISO 8601 time with an offset, or a date written YYYY-MM-DD, taken as its midnight
    UTC (an anonymous survey's responses keep only their day)."""
    if isinstance(value, str) and len(value) == 10:
        day = parse_date(value)
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        if not plausible_date(moment):
            raise PydanticCustomError(
                "time_range",
                "the year must lie between {earliest} and {latest}",
                {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
            )
        return moment
    return parse_time(value)


def _translations_check(model: type[Translatable]) -> AfterValidator:
    """The check of an object's optional `translations`: ``{"km": {"title": "..."}}``, each
    language an ISO 639-1 code, each key one of the object's translatable texts (for
    questions also ``option:<option key>``, whose keys the importer checks against the
    options), each text within its column's limits (`meetapp.meetings.translations.RULES`).
    Empty texts are missing translations: they are dropped, as are languages left empty."""
    fields = ", ".join(model.TRANSLATED)
    if model is SurveyQuestion:
        fields += f", {OPTION_PREFIX}<option key>"

    def check(value: dict[str, dict[str, str]] | None) -> dict[str, dict[str, str]] | None:
        if value is None:
            return None
        kept: dict[str, dict[str, str]] = {}
        for language, texts in value.items():
            if language not in language_codes():
                raise PydanticCustomError(
                    "translation_language",
                    "not an ISO 639-1 language code: {value}",
                    {"value": json.dumps(language)},
                )
            for key, text in texts.items():
                rule = rule_of(model, key)
                if rule is None or key == OPTION_PREFIX:
                    raise PydanticCustomError(
                        "translation_key",
                        "{language}: {key} is not a translatable text here ({fields})",
                        {"language": language, "key": json.dumps(key), "fields": fields},
                    )
                wrong = problem(text.strip(), rule)
                if wrong:
                    raise PydanticCustomError(
                        "translation_text",
                        "{language}.{key}: {problem}",
                        {"language": language, "key": key, "problem": wrong},
                    )
                if text.strip():
                    kept.setdefault(language, {})[key] = text.strip()
        return kept

    return AfterValidator(check)


# The optional `translations` of the objects whose texts participants read.
TranslationsMap = dict[str, dict[str, str]] | None
MeetingTranslations = Annotated[TranslationsMap, _translations_check(Meeting)]
GroupTranslations = Annotated[TranslationsMap, _translations_check(StakeholderGroup)]
SessionTranslations = Annotated[TranslationsMap, _translations_check(AgendaSession)]
SurveyTranslations = Annotated[TranslationsMap, _translations_check(Survey)]
QuestionTranslations = Annotated[TranslationsMap, _translations_check(SurveyQuestion)]
RegistrationQuestionTranslations = Annotated[
    TranslationsMap, _translations_check(RegistrationQuestion)
]


def _check_mail_intros(
    value: dict[str, dict[str, str]] | None,
) -> dict[str, dict[str, str]] | None:
    """The meeting's optional `mail_intros`: ``{kind: {language: text}}``, each kind one of the
    automatic e-mails (`meetapp.meetings.mail_intros.KINDS`), each language an ISO 639-1
    code, each text checked as on the "E-mails" page (length, placeholders). Empty texts are
    no introduction: they are dropped, as are kinds left empty."""
    if value is None:
        return None
    kept: dict[str, dict[str, str]] = {}
    for kind, texts in value.items():
        if kind not in MAIL_KINDS:
            raise PydanticCustomError(
                "mail_intro_kind",
                "{kind} is not an automatic e-mail ({kinds})",
                {"kind": json.dumps(kind), "kinds": ", ".join(MAIL_KINDS)},
            )
        for language, text in texts.items():
            if language not in language_codes():
                raise PydanticCustomError(
                    "mail_intro_language",
                    "{kind}: not an ISO 639-1 language code: {value}",
                    {"kind": kind, "value": json.dumps(language)},
                )
            wrong = mail_intro_problem(text.strip())
            if wrong:
                raise PydanticCustomError(
                    "mail_intro_text",
                    "{kind}.{language}: {problem}",
                    {"kind": kind, "language": language, "problem": wrong},
                )
            if text.strip():
                kept.setdefault(kind, {})[language] = text.strip()
    return kept


MailIntros = Annotated[dict[str, dict[str, str]] | None, AfterValidator(_check_mail_intros)]


def _check_mail_templates(
    value: dict[str, dict[str, MailTemplateDoc]] | None,
) -> dict[str, dict[str, MailTemplateDoc]] | None:
    """The meeting's optional `mail_templates`: ``{kind: {language: {"subject", "body"}}}``,
    each kind one of the automatic e-mails, each language an ISO 639-1 code, each template
    checked as on the "E-mails" page (`meetapp.meetings.mail_templates.problems`: its
    placeholders, the link its kind brings, no link in the subject)."""
    if value is None:
        return None
    for kind, by_language in value.items():
        if kind not in MAIL_KINDS:
            raise PydanticCustomError(
                "mail_template_kind",
                "{kind} is not an automatic e-mail ({kinds})",
                {"kind": json.dumps(kind), "kinds": ", ".join(MAIL_KINDS)},
            )
        for language, template in by_language.items():
            if language not in language_codes():
                raise PydanticCustomError(
                    "mail_template_language",
                    "{kind}: not an ISO 639-1 language code: {value}",
                    {"kind": kind, "value": json.dumps(language)},
                )
            template.subject, template.body = clean_mail_template(template.subject, template.body)
            for field, wrong in mail_template_problems(
                kind, template.subject, template.body
            ).items():
                raise PydanticCustomError(
                    "mail_template_text",
                    "{kind}.{language}.{field}: {problem}",
                    {"kind": kind, "language": language, "field": field, "problem": wrong},
                )
    return value


def _iso(value: date) -> str:
    """A time as ISO 8601 with its offset as it is (`+00:00`, never `Z`), to the microsecond
    when it has any; a date as YYYY-MM-DD."""
    return value.isoformat()


def _nothing(value: Any) -> bool:
    """Whether an optional key added after the format's first version holds nothing (null,
    false, empty): an export leaves such a key out, so that a document written before it
    existed reads the same. The first version's keys are always written, null or empty."""
    return not value


WRITTEN_AS_ISO = PlainSerializer(_iso, return_type=str, when_used="json")
# Rows stored before line breaks were refused in single-line fields are exported with each run
# of line breaks made a space, so that the file imports again.
WRITTEN_ON_ONE_LINE = PlainSerializer(one_line, return_type=str, when_used="unless-none")
# For `model_dump(context=...)`: write a `ResponseDoc`'s time as its day (UTC) only, as an
# anonymous survey's responses are exported.
DAYS_ONLY = "days_only"

Time = Annotated[datetime, BeforeValidator(parse_time), WRITTEN_AS_ISO]
# Written by `ResponseDoc`, as a time or as a day.
TimeOrDay = Annotated[datetime, BeforeValidator(parse_time_or_day)]
Day = Annotated[date, BeforeValidator(parse_date), WRITTEN_AS_ISO]
# Text fields follow the rules of the forms' fields (meetapp.validation): a Line is single-line
# text (names, titles, labels...), a Text may hold line breaks (about, descriptions, quotes...).
# Absent, null and blank are all "nothing" for the optional ones; lengths are given per field
# with Field(max_length).
# Single-line texts are written out on one line (`WRITTEN_ON_ONE_LINE`).
Line = Annotated[str, SINGLE_LINE_CHECK, WRITTEN_ON_ONE_LINE]
OptionalLine = Annotated[
    str | None, AfterValidator(_empty_to_none), SINGLE_LINE_CHECK, WRITTEN_ON_ONE_LINE
]
OptionalText = Annotated[str | None, AfterValidator(_empty_to_none)]
OptionalWebUrl = Annotated[str | None, AfterValidator(_empty_to_none), WEB_URL_CHECK]
Email = Annotated[str, Field(max_length=254), AfterValidator(_check_email)]
Language = Annotated[str, AfterValidator(_check_language)]
Country = Annotated[str, AfterValidator(_check_country)]
TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
Key = Annotated[str, Field(min_length=1, max_length=50), SINGLE_LINE_CHECK, WRITTEN_ON_ONE_LINE]
SpeakerKey = Annotated[
    str, Field(min_length=1, max_length=80), SINGLE_LINE_CHECK, WRITTEN_ON_ONE_LINE
]
# Session keys appear in addresses (/m/<slug>/sessions/<key>.ics).
SessionKey = Annotated[str, Field(min_length=1, max_length=80, pattern=SESSION_KEY_PATTERN)]


class Strict(BaseModel):
    """No coercion ("60" is not a number), no unknown keys, white space around text removed."""

    model_config = ConfigDict(strict=True, extra="forbid", str_strip_whitespace=True)


class MailTemplateDoc(Strict):
    """An automatic e-mail written whole in one language (`meetapp.models.MailTemplate`)."""

    subject: str
    body: str


MailTemplates = Annotated[
    dict[str, dict[str, MailTemplateDoc]] | None, AfterValidator(_check_mail_templates)
]


class OrganisationDoc(Strict):
    name: Line = Field(min_length=1, max_length=200)
    short_name: OptionalLine = Field(None, max_length=50)
    about: OptionalText = Field(None, max_length=LONG_TEXT)
    website: OptionalWebUrl = Field(None, max_length=500)
    # How its press releases end (optional; "ENDS" when absent).
    release_end: Literal["ENDS", "###"] | None = Field(None, exclude_if=_nothing)
    privacy_url: OptionalWebUrl = Field(None, max_length=500)


class StakeholderGroupDoc(Strict):
    key: Key
    label: Line = Field(min_length=1, max_length=200)
    translations: GroupTranslations = Field(None, exclude_if=_nothing)


class PartnerDoc(Strict):
    """A co-organiser, host or funder of the meeting, named in the press release's lead."""

    role: Literal["co_organiser", "host", "funder"]
    name: Line = Field(min_length=1, max_length=300)
    short_name: OptionalLine = Field(None, max_length=50)


class RegistrationOptionDoc(Strict):
    key: Key
    label: Line = Field(min_length=1, max_length=OPTION_LABEL_MAX)
    capacity: int | None = Field(None, ge=1, le=CAPACITY_MAX, exclude_if=_nothing)


class RegistrationQuestionDoc(Strict):
    """A question of the organiser's on the registration form
    (`meetapp.models.questions.RegistrationQuestion`)."""

    key: Key
    label: Line = Field(min_length=1, max_length=QUESTION_LABEL_MAX)
    kind: Literal[
        "short_text",
        "long_text",
        "single_choice",
        "multiple_choice",
        "yes_no",
        "number",
        "date",
        "country",
    ]
    # The optional keys of a question are written only when set, as the keys added to the
    # format after its first version are.
    help: OptionalText = Field(None, max_length=QUESTION_HELP_MAX, exclude_if=_nothing)
    required: bool | None = Field(None, exclude_if=_nothing)
    options: list[RegistrationOptionDoc] | None = Field(
        None, max_length=OPTIONS_MAX, exclude_if=_nothing
    )
    # Keys of meeting.stakeholder_groups: asked of these groups only.
    groups: list[Key] | None = Field(None, exclude_if=_nothing)
    show_at_desk: bool | None = Field(None, exclude_if=_nothing)
    # Off the form, its answers kept.
    archived: bool | None = Field(None, exclude_if=_nothing)
    translations: RegistrationQuestionTranslations = Field(None, exclude_if=_nothing)


class MeetingDoc(Strict):
    slug: str = Field(min_length=1, max_length=80, pattern=SLUG_PATTERN)
    title: Line = Field(min_length=1, max_length=300)
    kind: OptionalLine = Field(None, max_length=100)
    topic: OptionalLine = Field(None, max_length=300)
    starts_at: Time
    ends_at: Time | None = None
    timezone: TimeZoneName | None = None
    venue: OptionalLine = Field(None, max_length=300)
    city: OptionalLine = Field(None, max_length=100)
    country: Country | None = None
    languages: list[Language] | None = None
    background: OptionalText = Field(None, max_length=LONG_TEXT)
    capacity: int | None = Field(None, ge=0, le=1_000_000)
    registration_opens_at: Time | None = None
    registration_closes_at: Time | None = None
    stakeholder_groups: list[StakeholderGroupDoc] | None = None
    # The keys added since the first version, after its keys (exports keep this order).
    online: bool | None = Field(None, exclude_if=_nothing)
    partners: list[PartnerDoc] | None = Field(None, max_length=50, exclude_if=_nothing)
    translations: MeetingTranslations = Field(None, exclude_if=_nothing)
    # The introductions of the automatic e-mails ({kind: {language: text}}).
    mail_intros: MailIntros = Field(None, exclude_if=_nothing)
    # The automatic e-mails written whole ({kind: {language: {subject, body}}}).
    mail_templates: MailTemplates = Field(None, exclude_if=_nothing)
    registration_questions: list[RegistrationQuestionDoc] | None = Field(
        None, max_length=200, exclude_if=_nothing
    )


class ContactDoc(Strict):
    honorific: OptionalLine = Field(None, max_length=50)
    name: Line = Field(min_length=1, max_length=200)
    role: OptionalLine = Field(None, max_length=200)
    organisation: OptionalLine = Field(None, max_length=300)
    email: Email | None = None
    phone: OptionalLine = Field(None, max_length=50)
    languages: list[Language] | None = None


class SpeakerDoc(Strict):
    key: SpeakerKey
    honorific: OptionalLine = Field(None, max_length=50)
    name: Line = Field(min_length=1, max_length=200)
    family_name: OptionalLine = Field(None, max_length=100)
    name_order: Literal["family_first", "given_first"] | None = None
    position: OptionalLine = Field(None, max_length=300)
    organisation: OptionalLine = Field(None, max_length=300)
    stakeholder_group: Key | None = None
    bio: OptionalText = Field(None, max_length=LONG_TEXT)


class SessionSpeakerDoc(Strict):
    speaker: SpeakerKey
    role: Literal["keynote", "speaker", "panelist", "moderator", "chair"] | None = None


class SessionDoc(Strict):
    key: SessionKey | None = None
    title: Line = Field(min_length=1, max_length=300)
    kind: Literal["keynote", "presentation", "panel", "discussion", "break", "other"] | None = None
    starts_at: Time | None = None
    ends_at: Time | None = None
    location: OptionalLine = Field(None, max_length=300)
    description: OptionalText = Field(None, max_length=LONG_TEXT)
    speakers: list[SessionSpeakerDoc] | None = Field(None, max_length=MAX_SESSION_SPEAKERS)
    translations: SessionTranslations = Field(None, exclude_if=_nothing)


class StatementDoc(Strict):
    speaker: SpeakerKey | None = None
    session: SessionKey | None = None
    kind: Literal["quote", "point"] | None = None
    text: str = Field(min_length=1, max_length=STATEMENT_MAX_LENGTH)
    highlight: bool | None = None
    news: bool | None = Field(None, exclude_if=_nothing)


class OutcomeDoc(Strict):
    kind: Literal["finding", "concern", "recommendation", "next_step"]
    text: str = Field(min_length=1, max_length=OUTCOME_MAX_LENGTH)
    addressed_to: OptionalLine = Field(None, max_length=ADDRESSED_TO_MAX_LENGTH)
    news: bool | None = Field(None, exclude_if=_nothing)


class PressReleaseDoc(Strict):
    """The release date and the sections staff rewrote by hand (the others are generated)."""

    release_date: Day | None = None
    headline: OptionalText = Field(None, max_length=OVERRIDE_MAX_LENGTH, exclude_if=_nothing)
    lead: OptionalText = Field(None, max_length=OVERRIDE_MAX_LENGTH, exclude_if=_nothing)
    background: OptionalText = Field(None, max_length=OVERRIDE_MAX_LENGTH, exclude_if=_nothing)
    participation: OptionalText = Field(None, max_length=OVERRIDE_MAX_LENGTH, exclude_if=_nothing)
    speakers: OptionalText = Field(None, max_length=OVERRIDE_MAX_LENGTH, exclude_if=_nothing)
    findings: OptionalText = Field(None, max_length=OVERRIDE_MAX_LENGTH, exclude_if=_nothing)
    survey: OptionalText = Field(None, max_length=OVERRIDE_MAX_LENGTH, exclude_if=_nothing)
    recommendations: OptionalText = Field(None, max_length=OVERRIDE_MAX_LENGTH, exclude_if=_nothing)
    about: OptionalText = Field(None, max_length=OVERRIDE_MAX_LENGTH, exclude_if=_nothing)
    contacts: OptionalText = Field(None, max_length=OVERRIDE_MAX_LENGTH, exclude_if=_nothing)

    def overrides(self) -> dict[str, str]:
        """The rewritten sections by name, in the order of the draft."""
        return {
            name: text
            for name in PRESS_RELEASE_SECTIONS
            if isinstance(text := getattr(self, name), str) and text
        }


class ParticipantDoc(Strict):
    name: Line = Field(min_length=1, max_length=200)
    honorific: OptionalLine = Field(None, max_length=50)
    email: Email
    organisation: OptionalLine = Field(None, max_length=300)
    position: OptionalLine = Field(None, max_length=200)
    stakeholder_group: Key | None = None
    country: Country | None = None
    languages: list[Language] | None = None
    status: Literal["registered", "waitlisted", "cancelled"] | None = None
    attended: bool | None = None
    registered_at: Time | None = None
    # By question key: a list of option keys for a multiple choice, else one value (an option
    # key, "yes"/"no", a number, a date YYYY-MM-DD, a country code, text).
    answers: dict[str, str | int | float | list[str]] | None = Field(None, exclude_if=_nothing)


# Text without a line break (as `SINGLE_LINE_CHECK` wants it), as a pattern.
ONE_LINE_PATTERN = "^[^\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]*$"
# One answer a condition compares with: an option's key or label, a fixed value, on one line.
ShowIfText = Annotated[str, Field(min_length=1, max_length=200, pattern=ONE_LINE_PATTERN)]


class ShowIfDoc(Strict):
    """A question shown only when an earlier question's answer matches (checked against the
    questions by the importer: the question must come earlier, the value fit its kind)."""

    # The key of the question it depends on (as `QuestionDoc.key`; checked by the importer).
    question: str = Field(min_length=1, max_length=50, pattern=ONE_LINE_PATTERN)
    op: Literal["is", "is_not", "any_of", "at_least", "at_most"]
    # An option's key (or its label), a fixed value ("agree", "yes") or a number; a list of
    # them for any_of.
    value: ShowIfText | int | list[ShowIfText | int] = Field(union_mode="left_to_right")


class QuestionDoc(Strict):
    key: Key | None = None
    text: str = Field(min_length=1, max_length=1000)
    kind: Literal["likert", "rating", "nps", "single", "multiple", "yes_no", "text", "grid"]
    # A grid question's rows are its `options` (with their `option_keys`).
    options: list[Annotated[Line, Field(min_length=1, max_length=200)]] | None = Field(
        None, max_length=50
    )
    # A grid question's scale: agreement (answers "strongly_disagree" ... "strongly_agree") or
    # a rating (1 to 5); written for grid questions only.
    scale: Literal["likert", "rating"] | None = Field(None, exclude_if=_nothing)
    required: bool | None = None
    quotable_in_release: bool | None = None
    # Parallel to `options`: each option's key (answers and translations name it), written
    # only when one differs from the key its label gives (`derive_option_keys`).
    option_keys: (
        list[Annotated[str, Field(min_length=1, max_length=50, pattern=SLUG_PATTERN)]] | None
    ) = Field(None, max_length=50, exclude_if=_nothing)
    translations: QuestionTranslations = Field(None, exclude_if=_nothing)
    # Shown only when an earlier question's answer matches (docs/surveys.md).
    show_if: ShowIfDoc | None = Field(None, exclude_if=_nothing)


class OpenLinkDoc(Strict):
    """A survey's open link for the room. Its code is never written: `code_required` says
    only that it had one (an import turns such a link off until an organiser sets a code)."""

    enabled: bool
    counts_with_invited: bool | None = None
    code_required: bool | None = Field(None, exclude_if=_nothing)


class ResponseDoc(Strict):
    participant: Email | None = None
    # A time, or a day (anonymous surveys are exported with days only).
    submitted_at: TimeOrDay | None = None
    # Values are checked against the questions by the importer (they depend on the kind).
    answers: dict[str, Any] = Field(default_factory=dict)
    # The language of the page the answers were given on.
    language: Language | None = Field(None, exclude_if=_nothing)
    # The keys of this response's free-text answers chosen for the published results.
    published_texts: list[Key] | None = Field(None, exclude_if=_nothing)
    # Given through the survey's open link (it then names no participant).
    via_open_link: bool | None = Field(None, exclude_if=_nothing)

    @field_serializer("submitted_at", when_used="json-unless-none")
    def _time_or_day(self, value: datetime, info: FieldSerializationInfo) -> str:
        """The time, or with `DAYS_ONLY` in the context its day (UTC)."""
        if (info.context or {}).get(DAYS_ONLY):
            return _iso(value.astimezone(UTC).date())
        return _iso(value)


class PublishedResultsDoc(Strict):
    """The survey's published results: present only while they are published."""

    # The keys of the questions whose figures the public page shows (no free-text question).
    questions: list[Key] = Field(default_factory=list)
    by_group: bool | None = None


class SurveyDoc(Strict):
    key: str | None = Field(None, min_length=1, max_length=50, pattern=SLUG_PATTERN)
    title: Line = Field(min_length=1, max_length=300)
    intro: OptionalText = Field(None, max_length=5000)
    anonymous: bool | None = None
    opens_at: Time | None = None
    closes_at: Time | None = None
    questions: list[QuestionDoc] | None = None
    responses: list[ResponseDoc] | None = None
    translations: SurveyTranslations = Field(None, exclude_if=_nothing)
    published_results: PublishedResultsDoc | None = Field(None, exclude_if=_nothing)
    open_link: OpenLinkDoc | None = Field(None, exclude_if=_nothing)


class MeetingDocument(Strict):
    """A whole document. Sections owned by later versions are accepted here as anything and
    refused (or left out) by the importer, which names them."""

    format: str
    organisation: OrganisationDoc
    meeting: MeetingDoc
    speakers: list[SpeakerDoc] | None = None
    sessions: list[SessionDoc] | None = None
    statements: list[StatementDoc] | None = None
    outcomes: list[OutcomeDoc] | None = None
    contacts: list[ContactDoc] | None = None
    participants: list[ParticipantDoc] | None = None
    surveys: list[SurveyDoc] | None = None
    press_release: PressReleaseDoc | None = None


# Messages for pydantic's error types, worded for someone editing the JSON file.
_MESSAGES = {
    "extra_forbidden": "unknown key",
    "missing": "required",
    "string_type": "expected a string",
    "int_type": "expected a whole number",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "model_type": "expected an object",
    "dict_type": "expected an object",
    "model_attributes_type": "expected an object",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "only lower-case letters, digits and hyphens ([a-z0-9-]+)",
}
_PATTERN_MESSAGES = {
    SESSION_KEY_PATTERN: "only letters, digits, hyphens and underscores ([A-Za-z0-9_-]+)",
}


def json_path(loc: Loc) -> str:
    """('participants', 12, 'email') -> 'participants[12].email'; () -> '$'."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            path += f".{part}" if path else part
        else:
            path += f"[{json.dumps(part, ensure_ascii=False)}]"
    return path or "$"


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "string_too_long":
        return f"longer than {ctx.get('max_length')} characters"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERN_MESSAGES:
        return _PATTERN_MESSAGES[ctx["pattern"]]
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    return _MESSAGES.get(kind, error["msg"])


def validation_problems(error: ValidationError) -> list[tuple[Loc, str]]:
    """Every error of a failed validation as (location, message)."""
    return [(tuple(item["loc"]), _message(item)) for item in error.errors()]


def control_character_problems(document: dict[str, Any]) -> list[tuple[Loc, str]]:
    """Every text of the document that carries control characters (NUL and the like, which
    PostgreSQL refuses to store; tabs and line breaks are fine), by path."""
    problems: list[tuple[Loc, str]] = []

    def walk(value: Any, loc: Loc) -> None:
        if isinstance(value, str):
            if has_control_characters(value):
                problems.append((loc, "contains control characters (such as NUL); remove them"))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*loc, str(key)))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*loc, index))

    for section, value in document.items():
        walk(value, (str(section),))
    return problems
