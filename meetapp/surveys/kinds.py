"""One class per kind of survey question: everything that depends on the kind, in one place.

A kind's class (Indico's survey fields are the model) says which settings a question of it
takes (`clean_options` for the organiser's form, `document_option_problems` for a meetapp/1
document), how an answer is read and checked (`check`), the rows of `survey_answers` it is
stored as and how they read back (`rows`, `read`), which of the results' statements count it
and the figures made of their counts (`tallies`, `summarise`), the one figure a press release
may quote and its words (`release_figure`, `release_clause`), and the template of its answer on
the answer page (`template`).

The rest of the code asks `kind_of(question.kind)` and does not branch on a kind's name, so a
new kind is one class here (registered with `@register`) and one template under
templates/surveys/kinds/ (docs/surveys.md, "Adding a question kind"). Its name is also part of
two contracts: the database accepts only the kinds it knows (`QuestionKind`, which
`survey_questions.kind` is checked against; a migration widens the check), and the meetapp/1
format lists them (`meetapp.interchange.schema.QuestionDoc`).

A kind runs no query of its own: the results are a few GROUP BY statements shared by all the
questions of a survey (`meetapp.surveys.results`), and a kind says which of them count its
answers (`Tally`) and makes its figures from those counts. So the number of statements does
not grow with the number of questions, or of kinds.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from flask_babel import gettext

from meetapp.errors import DomainError
from meetapp.formatting import number as format_number
from meetapp.formatting import signed
from meetapp.models.surveys import (
    LIKERT_LABELS,
    LIKERT_VALUES,
    OPTION_MAX,
    OPTIONS_MAX_COUNT,
    TEXT_ANSWER_MAX,
    YES_NO_LABELS,
    YES_NO_VALUES,
    QuestionKind,
)

if TYPE_CHECKING:
    from meetapp.models import SurveyQuestion
    from meetapp.surveys.results import HeadlineFigures

# A checked answer: an option key or fixed value, a number, a text, or several option keys.
Answer = str | int | list[str]
# One row of `survey_answers` as far as the kind decides it: its choice, number and text.
Stored = dict[str, Any]

# ASCII digits only: `\d` also matches other scripts' digits (Arabic-Indic, fullwidth...),
# which int() would read but the answer page never offers.
_NUMBER_SHAPE = re.compile(r"[0-9]{1,2}")
AGREE = ("agree", "strongly_agree")


class NotOffered(ValueError):
    """A value that is none of the answers a question offers."""


class Tally(enum.Enum):
    """The statements of the results that count a kind's answers (each one GROUP BY for every
    question that takes part in it)."""

    # Answers counted per stored value (choice or number) and stakeholder group; each row is a
    # respondent's answer unless RESPONDENTS counts them apart.
    VALUES = "values"
    # Respondents counted apart, per stakeholder group: for kinds whose answer may take
    # several rows (several choices), or whose values are not counted (free text).
    RESPONDENTS = "respondents"
    # The answers' texts are listed (the first `texts_shown` of each question).
    TEXTS = "texts"


@dataclass
class OptionCount:
    value: str
    label: str
    count: int
    percent: float  # of those who answered the question


@dataclass
class Figures:
    """What a kind makes of a question's counted values (overall, or one stakeholder
    group's)."""

    options: list[OptionCount] = field(default_factory=list)
    mean: float | None = None
    nps: float | None = None
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    agree_percent: float | None = None


def percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def option_counts(
    question: SurveyQuestion, counts: Mapping[str, int], answered: int, locale: str | None
) -> list[OptionCount]:
    """The count of each answer offered, by its stored value (a choice question's option
    key, whatever language it was chosen in), labelled in `locale`."""
    offered = question.choices_in(locale)
    options = [
        OptionCount(value, label, counts.get(value, 0), percent(counts.get(value, 0), answered))
        for value, label in offered
    ]
    # Answers to options since removed cannot exist (the builder refuses); list any anyway.
    known = {value for value, _label in offered}
    options.extend(
        OptionCount(value, value, count, percent(count, answered))
        for value, count in counts.items()
        if value not in known
    )
    return options


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


class Kind:
    """A kind of question; the defaults are those of a kind without options whose answer is
    one value, counted per value."""

    name: ClassVar[str]
    # What the organiser's question editor calls it.
    label: ClassVar[str]
    # The answer page's template of a question of this kind (inside its fieldset, see
    # templates/surveys/_answer_question.html).
    template: ClassVar[str]
    # Whether the organiser lists options (kept as {key, label}, answers store the key).
    has_options: ClassVar[bool] = False
    # Whether one answer may hold several values (a list; a row per value).
    several: ClassVar[bool] = False
    # The results' statements that count its answers.
    tallies: ClassVar[frozenset[Tally]] = frozenset({Tally.VALUES})
    # Whether its results give one figure a press release may quote (`release_figure`).
    quotable: ClassVar[bool] = False
    # Whether a later question may be shown only when its answer matches (`conditions`): is,
    # is not, any of its `choices`. A kind that offers no choices (free text) cannot.
    can_be_condition: ClassVar[bool] = True
    # Whether its values are on a scale (`score` orders them), so that a condition may also
    # ask for an answer of at least, or at most, one of them.
    ordered: ClassVar[bool] = False

    # --- settings ---------------------------------------------------------------------------

    def clean_options(
        self, labels: Sequence[str], keys: Sequence[str | None]
    ) -> tuple[list[str], list[str | None]]:
        """The options (labels, and the key of the existing option each is for) a question of
        this kind keeps of those in the organiser's form; DomainError when they do not do.
        A kind without options keeps none, whatever the form held."""
        return [], []

    def document_option_problems(
        self, texts: Sequence[str], options: Any, option_keys: Any
    ) -> tuple[list[tuple[str, str]], Any]:
        """The problems (field, message) of a document question's `options` and `option_keys`
        (`texts`: the options as stripped strings), and the option keys to use (None: derived
        from the labels)."""
        problems: list[tuple[str, str]] = []
        if options:
            problems.append(("options", _only_choices_have_options()))
        if option_keys is not None:
            problems.append(("option_keys", _only_choices_have_options()))
        return problems, None

    # --- answers ----------------------------------------------------------------------------

    def choices(self, question: SurveyQuestion) -> list[tuple[str, str]]:
        """(stored value, label) of every answer the question offers; none for an answer
        that is not chosen (a text)."""
        return []

    def choices_in(self, question: SurveyQuestion, locale: str | None) -> list[tuple[str, str]]:
        """`choices`, with labels the organiser wrote in `locale` (falling back to the
        meeting's first language); labels from the catalogue stay as they are, for the caller
        to translate."""
        return self.choices(question)

    def check(self, question: SurveyQuestion, value: Any) -> Answer | None:
        """The answer `value` gives (from a form: strings, or a list of them; from a document:
        JSON values); None when it is blank. ValueError (NotOffered for a value the page does
        not offer) with a message for the participant otherwise."""
        if isinstance(value, list):
            value = [item for item in value if not (isinstance(item, str) and not item.strip())]
        if _blank(value):
            return None
        if self.several:
            return self.parse_several(question, value if isinstance(value, list) else [value])
        if isinstance(value, list):
            if len(value) != 1:
                raise ValueError(gettext("Choose one answer."))
            value = value[0]
        return self.parse(question, value)

    def parse(self, question: SurveyQuestion, value: Any) -> Answer | None:
        """One value, not blank (see `check`)."""
        raise NotImplementedError

    def parse_several(self, question: SurveyQuestion, values: list[Any]) -> Answer | None:
        """The values of a kind that takes `several` (see `check`)."""
        raise NotImplementedError

    def rows(self, answer: Answer) -> list[Stored]:
        """The rows of `survey_answers` a checked answer is stored as (the choice, number and
        text of each; exactly one of them is set)."""
        if isinstance(answer, list):
            return [_stored(choice=item) for item in answer]
        if isinstance(answer, int):
            return [_stored(number=answer)]
        return [_stored(choice=answer)]

    def read(
        self, earlier: Answer | None, choice: str | None, number: int | None, text: str | None
    ) -> Answer:
        """The answer with one more of its stored rows read (`earlier`: what its rows read
        before gave, None before the first)."""
        if number is not None:
            return number
        return choice if choice is not None else (text or "")

    def score(self, value: str) -> float:
        """Where a stored value (as text) lies on the scale of an `ordered` kind."""
        raise NotImplementedError

    # --- results ----------------------------------------------------------------------------

    def summarise(
        self,
        question: SurveyQuestion,
        counts: Mapping[str, int],
        answered: int,
        locale: str | None,
    ) -> Figures:
        """The figures of a question's counted values (`counts`: stored value -> count), of
        `answered` respondents; the same for one stakeholder group's."""
        if Tally.VALUES not in self.tallies:
            return Figures()
        return Figures(options=option_counts(question, counts, answered, locale))

    def release_figure(self, found: HeadlineFigures) -> float:
        """The one figure of a `quotable` kind a press release may quote."""
        raise NotImplementedError

    def release_clause(self, question: str, statement: str, value: float) -> str:
        """The press release's clause that gives that figure, naming its question (`question`
        as words of a sentence, `statement` the same quoted; see
        `meetapp.reports.survey_figures`); "" for a kind without one."""
        return ""


KINDS: dict[str, Kind] = {}


K = TypeVar("K", bound=type[Kind])


def register(cls: K) -> K:
    """Make a kind known by its name (`kind_of`)."""
    KINDS[cls.name] = cls()
    return cls


def kind_of(name: str) -> Kind:
    """The kind a question's `kind` names (KeyError: none does; the database accepts only
    known names)."""
    return KINDS[name]


def find_kind(name: Any) -> Kind | None:
    """The kind named, None for anything else (as from a form or a document)."""
    return KINDS.get(name) if isinstance(name, str) else None


def kind_labels() -> dict[str, str]:
    """Each kind's name and what the question editor calls it, in the order they are
    offered."""
    return {name: kind.label for name, kind in KINDS.items()}


def _only_choices_have_options() -> str:
    names = [name for name, kind in KINDS.items() if kind.has_options]
    return f"only {' and '.join(names)} questions have options"


def _stored(
    choice: str | None = None, number: int | None = None, text: str | None = None
) -> Stored:
    return {"choice": choice, "number": number, "text": text}


# --- answers on a scale --------------------------------------------------------------------


class _ScoredKind(Kind):
    """A kind whose values have a mean, and so an order."""

    ordered = True

    def summarise(
        self,
        question: SurveyQuestion,
        counts: Mapping[str, int],
        answered: int,
        locale: str | None,
    ) -> Figures:
        figures = super().summarise(question, counts, answered, locale)
        total = sum(counts.values())
        if total:
            figures.mean = sum(self.score(value) * count for value, count in counts.items()) / total
        return figures


class _FixedValuesKind(Kind):
    """A kind whose answers are one of fixed values, labelled from the catalogue."""

    values: ClassVar[tuple[str, ...]]
    labels: ClassVar[Mapping[str, str]]

    def choices(self, question: SurveyQuestion) -> list[tuple[str, str]]:
        return [(value, self.labels[value]) for value in self.values]

    def parse(self, question: SurveyQuestion, value: Any) -> Answer | None:
        if not isinstance(value, str):
            raise ValueError(gettext("Expected text."))
        if value not in self.values:
            raise NotOffered(gettext("Choose one of the answers offered."))
        return value


@register
class LikertKind(_FixedValuesKind, _ScoredKind):
    name = QuestionKind.LIKERT.value
    label = "Agreement (5-point scale, strongly disagree … strongly agree)"
    template = "surveys/kinds/likert.html"
    values = LIKERT_VALUES
    labels = LIKERT_LABELS
    quotable = True

    def score(self, value: str) -> float:
        return float(LIKERT_VALUES.index(value) + 1)

    def summarise(
        self,
        question: SurveyQuestion,
        counts: Mapping[str, int],
        answered: int,
        locale: str | None,
    ) -> Figures:
        figures = super().summarise(question, counts, answered, locale)
        if answered:
            figures.agree_percent = percent(sum(counts.get(v, 0) for v in AGREE), answered)
        return figures

    def release_figure(self, found: HeadlineFigures) -> float:
        return found.agree_percent

    def release_clause(self, question: str, statement: str, value: float) -> str:
        return f"{round(value)}% agreed with the statement {statement}"


class _NumberKind(_ScoredKind):
    """A whole number from `low` to `high`."""

    low: ClassVar[int]
    high: ClassVar[int]

    def choices(self, question: SurveyQuestion) -> list[tuple[str, str]]:
        return [(str(n), str(n)) for n in range(self.low, self.high + 1)]

    def parse(self, question: SurveyQuestion, value: Any) -> Answer | None:
        number: int | None = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, str) and _NUMBER_SHAPE.fullmatch(value.strip()):
            number = int(value.strip())
        if number is None or not self.low <= number <= self.high:
            raise ValueError(
                gettext(
                    "Choose a whole number from %(low)s to %(high)s.", low=self.low, high=self.high
                )
            )
        return number

    def score(self, value: str) -> float:
        return float(value)


# "How would you rate the venue?", "Please rate the meeting's usefulness" -> what was rated.
_RATE = re.compile(
    r"^(?:overall,?\s+)?(?:how (?:would|do|did) you rate|please rate|rate)"
    r"\s+(?P<what>[^?]+?)\s*[?.:]?$",
    re.IGNORECASE,
)
_YOUR = re.compile(r"(?<!\w)your(?!\w)", re.IGNORECASE)


def _rated(question: str) -> str | None:
    """What a rating question asks about, as words of a sentence, or None when the question is
    not worded "How would you rate …" (the question is then quoted whole)."""
    match = _RATE.match(question.strip())
    if match is None:
        return None
    what = _YOUR.sub("their", match.group("what")).strip()
    if not what or "“" in what or '"' in what or "\n" in what:
        return None
    return what


@register
class RatingKind(_NumberKind):
    name = QuestionKind.RATING.value
    label = "Rating (1 to 5)"
    template = "surveys/kinds/rating.html"
    low, high = 1, 5
    quotable = True

    def release_figure(self, found: HeadlineFigures) -> float:
        return found.mean

    def release_clause(self, question: str, statement: str, value: float) -> str:
        what = _rated(question)
        if what:
            return f"respondents rated {what} {value:.1f} out of 5 on average"
        return f"the average answer to the question {statement} was {value:.1f} out of 5"


@register
class NpsKind(_NumberKind):
    name = QuestionKind.NPS.value
    label = "Likelihood to recommend (0 to 10)"
    template = "surveys/kinds/nps.html"
    low, high = 0, 10
    quotable = True

    def summarise(
        self,
        question: SurveyQuestion,
        counts: Mapping[str, int],
        answered: int,
        locale: str | None,
    ) -> Figures:
        figures = super().summarise(question, counts, answered, locale)
        total = sum(counts.values())
        if total:
            figures.promoters = sum(c for v, c in counts.items() if int(v) >= 9)
            figures.detractors = sum(c for v, c in counts.items() if int(v) <= 6)
            figures.passives = total - figures.promoters - figures.detractors
            figures.nps = percent(figures.promoters, total) - percent(figures.detractors, total)
        return figures

    def release_figure(self, found: HeadlineFigures) -> float:
        return found.nps

    def release_clause(self, question: str, statement: str, value: float) -> str:
        return f"the net promoter score for the question {statement} was {signed(value)}"


# --- choices from the organiser's options ---------------------------------------------------


class _ChoiceKind(Kind):
    """Options the organiser lists: answers store their keys."""

    has_options = True

    def clean_options(
        self, labels: Sequence[str], keys: Sequence[str | None]
    ) -> tuple[list[str], list[str | None]]:
        options: list[str] = []
        kept: list[str | None] = []
        for option, key in zip(labels, keys, strict=True):
            option = " ".join(option.split())
            if not option:
                continue
            if len(option) > OPTION_MAX:
                raise DomainError(
                    f"An option may have at most {OPTION_MAX} characters.", field="options"
                )
            if option in options:
                raise DomainError(f"The option {option!r} is listed twice.", field="options")
            options.append(option)
            kept.append(key)
        if len(options) < 2:
            raise DomainError(
                "A choice question needs at least two options, one per line.", field="options"
            )
        if len(options) > OPTIONS_MAX_COUNT:
            raise DomainError(f"At most {OPTIONS_MAX_COUNT} options.", field="options")
        return options, kept

    def document_option_problems(
        self, texts: Sequence[str], options: Any, option_keys: Any
    ) -> tuple[list[tuple[str, str]], Any]:
        problems: list[tuple[str, str]] = []
        if len(set(texts)) < 2:
            problems.append(("options", "a choice question needs at least two options"))
        elif len(set(texts)) != len(texts):
            problems.append(("options", "an option is listed twice"))
        if option_keys is not None:
            if not isinstance(option_keys, list) or len(option_keys) != len(texts):
                problems.append(("option_keys", "must give one key per option, in order"))
                option_keys = None
            elif len(set(map(str, option_keys))) != len(option_keys):
                problems.append(("option_keys", "a key is listed twice"))
        return problems, option_keys

    def choices(self, question: SurveyQuestion) -> list[tuple[str, str]]:
        return [(option["key"], option["label"]) for option in question.options or []]

    def choices_in(self, question: SurveyQuestion, locale: str | None) -> list[tuple[str, str]]:
        return [(key, question.option_label(key, locale)) for key in question.option_keys()]


@register
class SingleKind(_ChoiceKind):
    name = QuestionKind.SINGLE.value
    label = "One choice from a list"
    template = "surveys/kinds/single.html"

    def parse(self, question: SurveyQuestion, value: Any) -> Answer | None:
        if not isinstance(value, str):
            raise ValueError(gettext("Expected text."))
        if value not in question.option_keys():
            raise NotOffered(gettext("Choose one of the answers offered."))
        return value


@register
class MultipleKind(_ChoiceKind):
    name = QuestionKind.MULTIPLE.value
    label = "Several choices from a list"
    template = "surveys/kinds/multiple.html"
    several = True
    # A respondent's choices are several rows: respondents are counted apart, so that the
    # percentages are of those who answered the question.
    tallies = frozenset({Tally.VALUES, Tally.RESPONDENTS})

    def parse_several(self, question: SurveyQuestion, values: list[Any]) -> Answer | None:
        chosen: list[str] = []
        for item in values:
            if not isinstance(item, str) or item not in question.option_keys():
                raise NotOffered(gettext("Choose only among the options offered."))
            if item not in chosen:
                chosen.append(item)
        return chosen

    def read(
        self, earlier: Answer | None, choice: str | None, number: int | None, text: str | None
    ) -> Answer:
        chosen = earlier if isinstance(earlier, list) else []
        chosen.append(choice or "")
        return chosen


@register
class YesNoKind(_FixedValuesKind):
    name = QuestionKind.YES_NO.value
    label = "Yes or no"
    template = "surveys/kinds/yes_no.html"
    values = YES_NO_VALUES
    labels = YES_NO_LABELS
    quotable = True

    def parse(self, question: SurveyQuestion, value: Any) -> Answer | None:
        if isinstance(value, bool):  # as a JSON document may give it
            return "yes" if value else "no"
        return super().parse(question, value)

    def release_figure(self, found: HeadlineFigures) -> float:
        return found.yes_percent

    def release_clause(self, question: str, statement: str, value: float) -> str:
        return f"{round(value)}% answered yes to the question {statement}"


# --- free text -----------------------------------------------------------------------------


@register
class TextKind(Kind):
    name = QuestionKind.TEXT.value
    label = "Free text"
    template = "surveys/kinds/text.html"
    tallies = frozenset({Tally.RESPONDENTS, Tally.TEXTS})
    can_be_condition = False

    def parse(self, question: SurveyQuestion, value: Any) -> Answer | None:
        if not isinstance(value, str):
            raise ValueError(gettext("Expected text."))
        if "\x00" in value:
            raise ValueError(gettext("The answer contains a character that is not allowed."))
        text = value.replace("\r\n", "\n").strip()
        if len(text) > TEXT_ANSWER_MAX:
            raise ValueError(
                gettext(
                    "Please keep your answer under %(most)s characters (it has %(count)s).",
                    most=format_number(TEXT_ANSWER_MAX),
                    count=format_number(len(text)),
                )
            )
        return text or None

    def rows(self, answer: Answer) -> list[Stored]:
        return [_stored(text=str(answer))]


def quotable_kinds() -> tuple[str, ...]:
    """The names of the kinds whose results give a figure a press release may quote."""
    return tuple(name for name, kind in KINDS.items() if kind.quotable)


def answer_template(question: SurveyQuestion) -> str:
    """The answer page's template of `question` (a template global)."""
    return kind_of(question.kind).template
