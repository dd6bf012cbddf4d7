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
    GRID_SCALE_MAX,
    GRID_SCALES,
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
    from werkzeug.datastructures import MultiDict

    from meetapp.models import SurveyQuestion
    from meetapp.surveys.results import HeadlineFigures

# A checked answer: an option key or fixed value, a number, a text, several option keys, or a
# grid's rows (row key -> point of its scale, 1-5).
Answer = str | int | list[str] | dict[str, int]
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
    # A grid question's figures, row by row.
    rows: list[RowFigures] = field(default_factory=list)


@dataclass
class RowFigures:
    """One row of a grid question: its figures as those of a question on the grid's scale,
    `answered` being how many answered that row."""

    key: str
    label: str
    answered: int
    options: list[OptionCount] = field(default_factory=list)
    mean: float | None = None
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
    # Whether the organiser chooses a scale for it (`clean_scale`; the question's `scale`).
    has_scale: ClassVar[bool] = False
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

    def clean_scale(self, scale: Any) -> str | None:
        """The scale a question of this kind keeps (its `scale`); DomainError when `scale` is
        not one it takes. A kind without a scale keeps none, whatever was given."""
        return None

    # --- answers ----------------------------------------------------------------------------

    def form_value(self, question: SurveyQuestion, form: MultiDict[str, str]) -> Any:
        """What the answer page sent for the question (`form`: the request's form), for
        `check`: the values of its field, a list of strings."""
        return form.getlist(f"q-{question.key}")

    def incomplete(self, question: SurveyQuestion, answer: Answer) -> bool:
        """Whether a checked answer leaves part of a required question unanswered."""
        return False

    def document_answer(self, question: SurveyQuestion, answer: Answer) -> Any:
        """The answer as a meetapp/1 document writes it (what `check` reads back)."""
        return answer

    def export_columns(self, question: SurveyQuestion) -> list[str]:
        """The headings of the question's columns in a response export: its text."""
        return [question.text]

    def export_cells(self, question: SurveyQuestion, answer: Answer | None) -> list[str] | None:
        """An answer's cells in those columns; None: its stored values, labelled, in one."""
        return None

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
        return [_stored(choice=str(answer))]

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
    listed = " and ".join(names) if len(names) < 3 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"only {listed} questions have options"


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
    # What the organiser's messages call an option, and the one for too few of them.
    item: ClassVar[str] = "option"
    an_item: ClassVar[str] = "an option"
    too_few: ClassVar[str] = "A choice question needs at least two options, one per line."
    too_few_in_document: ClassVar[str] = "a choice question needs at least two options"

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
                    f"{self.an_item.capitalize()} may have at most {OPTION_MAX} characters.",
                    field="options",
                )
            if option in options:
                raise DomainError(f"The {self.item} {option!r} is listed twice.", field="options")
            options.append(option)
            kept.append(key)
        if len(options) < 2:
            raise DomainError(self.too_few, field="options")
        if len(options) > OPTIONS_MAX_COUNT:
            raise DomainError(f"At most {OPTIONS_MAX_COUNT} {self.item}s.", field="options")
        return options, kept

    def document_option_problems(
        self, texts: Sequence[str], options: Any, option_keys: Any
    ) -> tuple[list[tuple[str, str]], Any]:
        problems: list[tuple[str, str]] = []
        if len(set(texts)) < 2:
            problems.append(("options", self.too_few_in_document))
        elif len(set(texts)) != len(texts):
            problems.append(("options", f"{self.an_item} is listed twice"))
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


# --- one scale over several rows -------------------------------------------------------------


# Each point of a grid's scales, 1 to GRID_SCALE_MAX, and its label (the likert and rating
# questions' own texts, so that the catalogue translates them once).
GRID_SCALE_LABELS: dict[str, tuple[str, ...]] = {
    "likert": tuple(LIKERT_LABELS[value] for value in LIKERT_VALUES),
    "rating": tuple(str(n) for n in range(1, GRID_SCALE_MAX + 1)),
}
GRID_SCALE_NAMES = {
    "likert": "Agreement (strongly disagree … strongly agree)",
    "rating": "Rating (1 to 5)",
}


@register
class GridKind(_ChoiceKind):
    """One scale over several rows ("How useful was each session?"). The organiser lists the
    rows as options (so they have keys, are reworded and translated like options, and an
    answered row cannot be removed) and chooses the scale (`GRID_SCALES`).

    An answer is {row key: point of the scale, 1-5}; each answered row is one row of
    `survey_answers` with the row's key as its choice and the point as its number. So the
    results' statement that counts values per (question, group, choice, number) counts each
    point of each row, and respondents are counted apart (one answer is several rows)."""

    name = QuestionKind.GRID.value
    label = "Grid: one scale over several rows (agreement or rating 1 to 5)"
    # Its answer is one point per row: no single answer for a later question to depend on.
    can_be_condition = False
    template = "surveys/kinds/grid.html"
    has_scale = True
    tallies = frozenset({Tally.VALUES, Tally.RESPONDENTS})

    item = "row"
    an_item = "a row"
    too_few = "A grid needs at least two rows, one per line."
    too_few_in_document = "a grid question needs at least two rows"

    def clean_scale(self, scale: Any) -> str | None:
        if scale not in GRID_SCALES:
            raise DomainError(
                f"Choose the grid's scale: {' or '.join(GRID_SCALES)}.", field="scale"
            )
        return str(scale)

    def choices(self, question: SurveyQuestion) -> list[tuple[str, str]]:
        # A grid offers no answer of its own: its rows are `rows_in`, its scale `scale_of`.
        return []

    def choices_in(self, question: SurveyQuestion, locale: str | None) -> list[tuple[str, str]]:
        return []

    def rows_in(self, question: SurveyQuestion, locale: str | None) -> list[tuple[str, str]]:
        """(row key, label in `locale`) of each row, in order."""
        return _ChoiceKind.choices_in(self, question, locale)

    def scale_of(self, question: SurveyQuestion) -> list[tuple[int, str]]:
        """(point, label) of each point of the question's scale; the labels are the
        catalogue's, for the caller to translate."""
        labels = GRID_SCALE_LABELS.get(question.scale or "", GRID_SCALE_LABELS["rating"])
        return list(enumerate(labels, start=1))

    def form_value(self, question: SurveyQuestion, form: MultiDict[str, str]) -> Any:
        # One radio group per row, named after the question and the row.
        return {key: form.get(f"q-{question.key}-{key}", "") for key in question.option_keys()}

    def check(self, question: SurveyQuestion, value: Any) -> Answer | None:
        if _blank(value):
            return None
        if not isinstance(value, Mapping):
            raise ValueError(gettext("Choose one answer for each row."))
        rows = question.option_keys()
        answer: dict[str, int] = {}
        for key, given in value.items():
            if key not in rows:
                raise NotOffered(gettext("Choose only among the rows and answers offered."))
            if _blank(given) or (isinstance(given, str) and not given.strip()):
                continue
            answer[key] = self._point(question, given)
        # In the order of the rows, whatever order they came in.
        return {key: answer[key] for key in rows if key in answer} or None

    def _point(self, question: SurveyQuestion, given: Any) -> int:
        """The point of the scale a row's value names: 1-5, as a number or its digits, or on
        the agreement scale also the answer's name ("agree")."""
        if question.scale == "likert" and isinstance(given, str) and given in LIKERT_VALUES:
            return LIKERT_VALUES.index(given) + 1
        point: int | None = None
        if isinstance(given, int) and not isinstance(given, bool):
            point = given
        elif isinstance(given, str) and _NUMBER_SHAPE.fullmatch(given.strip()):
            point = int(given.strip())
        if point is None or not 1 <= point <= GRID_SCALE_MAX:
            raise NotOffered(gettext("Choose only among the rows and answers offered."))
        return point

    def incomplete(self, question: SurveyQuestion, answer: Answer) -> bool:
        return isinstance(answer, dict) and len(answer) < len(question.option_keys())

    def rows(self, answer: Answer) -> list[Stored]:
        if not isinstance(answer, dict):
            return super().rows(answer)
        return [_stored(choice=key, number=point) for key, point in answer.items()]

    def read(
        self, earlier: Answer | None, choice: str | None, number: int | None, text: str | None
    ) -> Answer:
        answer = earlier if isinstance(earlier, dict) else {}
        answer[choice or ""] = number or 0
        return answer

    def document_answer(self, question: SurveyQuestion, answer: Answer) -> Any:
        if question.scale == "likert" and isinstance(answer, dict):
            return {key: LIKERT_VALUES[point - 1] for key, point in answer.items()}
        return answer

    def export_columns(self, question: SurveyQuestion) -> list[str]:
        return [f"{question.text}: {label}" for _key, label in self.rows_in(question, None)]

    def export_cells(self, question: SurveyQuestion, answer: Answer | None) -> list[str] | None:
        given = answer if isinstance(answer, dict) else {}
        labels = dict(self.scale_of(question))
        return [
            labels.get(given[key], str(given[key])) if key in given else ""
            for key in question.option_keys()
        ]

    def summarise(
        self,
        question: SurveyQuestion,
        counts: Mapping[str, int],
        answered: int,
        locale: str | None,
    ) -> Figures:
        """Each row's counts per point (`counts`: "<row key>:<point>" -> count), mean and,
        on the agreement scale, the share who agreed, of those who answered the row."""
        per_row: dict[str, dict[int, int]] = {}
        for value, count in counts.items():
            key, _sep, point = value.rpartition(":")
            if point.isdigit():
                per_row.setdefault(key, {})[int(point)] = count
        scale = self.scale_of(question)
        figures = Figures()
        for key, label in self.rows_in(question, locale):
            given = per_row.get(key, {})
            row_answered = sum(given.values())
            row = RowFigures(
                key=key,
                label=label,
                answered=row_answered,
                options=[
                    OptionCount(
                        str(point),
                        point_label,
                        given.get(point, 0),
                        percent(given.get(point, 0), row_answered),
                    )
                    for point, point_label in scale
                ],
            )
            if row_answered:
                row.mean = sum(point * count for point, count in given.items()) / row_answered
                if question.scale == "likert":
                    row.agree_percent = percent(
                        sum(given.get(LIKERT_VALUES.index(v) + 1, 0) for v in AGREE), row_answered
                    )
            figures.rows.append(row)
        return figures


def grid_value(choice: str | None, number: int | None) -> str:
    """The value the results count a stored answer by: its choice, or its number; a grid
    row's both ("<row key>:<point>", which `GridKind.summarise` reads)."""
    if choice is not None and number is not None:
        return f"{choice}:{number}"
    return choice if choice is not None else str(number)


def quotable_kinds() -> tuple[str, ...]:
    """The names of the kinds whose results give a figure a press release may quote."""
    return tuple(name for name, kind in KINDS.items() if kind.quotable)


def answer_template(question: SurveyQuestion) -> str:
    """The answer page's template of `question` (a template global)."""
    return kind_of(question.kind).template


def question_kind(question: SurveyQuestion) -> Kind:
    """The kind of `question` (a template global, for templates that ask it more, as a
    grid's for its rows and scale)."""
    return kind_of(question.kind)
