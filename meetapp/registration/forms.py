"""Forms of the public registration pages: register, and update through the personal link.
The organiser's add/edit form (participants) shares their fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from meetapp.forms import (
    AppForm,
    LanguagesField,
    country_select_choices,
    language_select_choices,
    optional_id,
    strip_text,
)
from meetapp.i18n import in_language, locale_code
from meetapp.models import Meeting
from meetapp.models.questions import TEXT_ANSWER_MAX, QuestionKind, RegistrationQuestion
from meetapp.registration.questions import (
    Answer,
    Posted,
    field_name,
    form_data,
    form_questions,
    held_options,
    places_left,
    yes_no_label,
)
from meetapp.registration.services import NEEDS_MAX_LENGTH, RegistrationData
from meetapp.validation import SingleLine, is_web_url


def group_choices(meeting: Meeting) -> list[SelectChoice]:
    """The meeting's stakeholder groups in their order, after a "—" for none."""
    return [
        SelectChoice("", "—"),
        *(
            SelectChoice(str(group.id), in_language(group, "label"))
            for group in meeting.stakeholder_groups
        ),
    ]


def email_field() -> EmailField:
    """The participant's e-mail address, as the registration and "send me my link again"
    forms ask for it."""
    return EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254),
            SingleLine(),
            Email(_l("Enter a valid e-mail address.")),
        ],
        filters=[strip_text],
    )


class ChoicesField(SelectMultipleField):
    """Several options, as checkboxes (a multiple-choice question)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _option_label(label: str, places: int | None) -> str:
    if places is None:
        return label
    if places <= 0:
        return gettext("%(option)s (full)", option=label)
    return gettext("%(option)s (%(places)s places left)", option=label, places=places)


def question_field(
    question: RegistrationQuestion, places: dict[str, int | None], groups: dict[int, str]
) -> Field:
    """The form field of a registration question, labelled in the page's language. Its answer
    is checked by `check_answers`, not here: whether it is asked, and so required, depends on
    the stakeholder group chosen in the same form. `places` are the places left of limited
    options; `groups` names the meeting's groups, for a question asked of some only."""
    locale = locale_code()
    label = in_language(question, "label")
    help_text = in_language(question, "help") or ""
    if question.groups:
        names = ", ".join(groups.get(group.id, "") for group in question.groups)
        only = gettext("Only for: %(groups)s.", groups=names)
        help_text = f"{help_text} {only}".strip()
    common: dict[str, Any] = {"description": help_text, "filters": [strip_text]}
    kind = question.kind
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        choices = [
            SelectChoice(key, _option_label(question.option_label(key, locale), places.get(key)))
            for key in question.option_keys()
        ]
        if kind == QuestionKind.SINGLE_CHOICE:
            return RadioField(label, choices=choices, validate_choice=False, **common)
        return ChoicesField(label, choices=choices, validate_choice=False, **common)
    if kind == QuestionKind.YES_NO:
        choices = [SelectChoice(key, yes_no_label(key)) for key in question.option_keys()]
        return RadioField(label, choices=choices, validate_choice=False, **common)
    if kind == QuestionKind.COUNTRY:
        return SelectField(label, choices=country_select_choices(), validate_choice=False, **common)
    if kind == QuestionKind.LONG_TEXT:
        return TextAreaField(label, render_kw={"rows": 3}, **common)
    render_kw: dict[str, Any] = {}
    if kind == QuestionKind.SHORT_TEXT:
        render_kw["maxlength"] = TEXT_ANSWER_MAX[kind]
    elif kind == QuestionKind.NUMBER:
        render_kw["inputmode"] = "decimal"
    elif kind == QuestionKind.DATE:
        render_kw["type"] = "date"
    return StringField(label, render_kw=render_kw, **common)


FormT = TypeVar("FormT", bound="RegistrationDetailsForm")


def with_questions(
    form_class: type[FormT],
    meeting: Meeting,
    questions: list[RegistrationQuestion],
    places: dict[int, dict[str, int | None]] | None = None,
) -> type[FormT]:
    """`form_class` with a field for each of the meeting's registration `questions`, after the
    fixed ones (a class made per request: the questions are the organiser's)."""
    if not questions:
        return form_class
    groups = {group.id: in_language(group, "label") for group in meeting.stakeholder_groups}
    fields = {
        field_name(question): question_field(question, (places or {}).get(question.id, {}), groups)
        for question in questions
    }
    fields["questions"] = questions
    return type(form_class.__name__, (form_class,), fields)


class RegistrationDetailsForm(AppForm):
    """Everything a person tells about themselves; the choices depend on the meeting."""

    # The organiser's questions this form asks (`with_questions`); None: the form has none.
    questions: list[RegistrationQuestion] | None = None

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200), SingleLine()],
        filters=[strip_text],
    )
    honorific = StringField(
        _l("Honorific"),
        validators=[Optional(), Length(max=50), SingleLine()],
        filters=[strip_text],
        description=_l("For example Ms, Mr, Dr, H.E."),
    )
    email = email_field()
    organisation = StringField(
        _l("Organisation"),
        validators=[Optional(), Length(max=300), SingleLine()],
        filters=[strip_text],
    )
    position = StringField(
        _l("Position"), validators=[Optional(), Length(max=200), SingleLine()], filters=[strip_text]
    )
    stakeholder_group = SelectField(
        _l("Stakeholder group"), coerce=optional_id, validate_choice=True, choices=[]
    )
    country = SelectField(_l("Country"), validators=[Optional()], choices=[])
    languages = LanguagesField(
        _l("Languages"),
        choices=[],
        description=_l("The languages you can follow the meeting in."),
    )
    needs = TextAreaField(
        _l("Accessibility or dietary needs"),
        validators=[Optional(), Length(max=NEEDS_MAX_LENGTH)],
        filters=[strip_text],
        render_kw={"rows": 3},
    )

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stakeholder_group.choices = group_choices(meeting)
        self.country.choices = country_select_choices()
        # The meeting's own languages come first: most registrants pick among them.
        self.languages.choices = language_select_choices(tuple(meeting.languages or ()))
        self.languages.first = tuple(meeting.languages or ())
        # (field, the ids of the groups it is asked of, "" for all), read now: a refused
        # save rolls the session back, after which the questions' groups are not loaded.
        self.question_rows: list[tuple[Field, str]] = []
        for question in self.questions or ():
            groups = " ".join(str(group.id) for group in question.groups)
            self.question_rows.append((self[field_name(question)], groups))
            # Marked, not checked, here: the forms do not let the browser check (novalidate),
            # and the server checks a required question only of the people it is asked of.
            # (A flag rather than a validator: the boxes of a multiple choice would each get it.)
            if question.required:
                self[field_name(question)].flags.required = True

    def asks_by_group(self) -> bool:
        return any(groups for _field, groups in self.question_rows)

    def posted_answers(self) -> dict[int, Posted]:
        return {question.id: self[field_name(question)].data for question in self.questions or ()}

    def registration_data(self, consent: bool = False) -> RegistrationData:
        return RegistrationData(
            name=self.name.data or "",
            email=self.email.data or "",
            honorific=self.honorific.data or None,
            organisation=self.organisation.data or None,
            position=self.position.data or None,
            stakeholder_group_id=self.stakeholder_group.data,
            country=self.country.data or None,
            languages=list(self.languages.data or []),
            needs=self.needs.data or None,
            consent=consent,
            questions=self.questions,
            answers=self.posted_answers(),
        )


def form_with_questions(
    form_class: type[FormT],
    meeting: Meeting,
    answers: Mapping[int, Answer] | None = None,
    **kwargs: Any,
) -> FormT:
    """A `form_class` for `meeting` with its current registration questions, filled with the
    stored `answers` of the participant it is for (their held places stay theirs)."""
    questions = form_questions(meeting.id)
    answers = answers or {}
    places = places_left(questions, held_options(answers))
    if answers and "data" in kwargs:
        kwargs["data"] = {**kwargs["data"], **form_data(questions, answers)}
    return with_questions(form_class, meeting, questions, places)(meeting, **kwargs)


class RegisterForm(RegistrationDetailsForm):
    consent = BooleanField(
        _l("I agree that the organisers store and use these details to run this meeting."),
        validators=[DataRequired(_l("Please agree to the processing of your data."))],
    )
    submit = SubmitField(_l("Register"))

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(meeting, *args, **kwargs)
        privacy_url = meeting.organisation.privacy_url
        if privacy_url and is_web_url(privacy_url):
            self.consent.description = Markup(
                '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>'
            ).format(privacy_url, gettext("Read the organisers' privacy notice"))


class ResendLinkForm(AppForm):
    """ "Send me my link again": the address the person registered with."""

    email = email_field()
    submit = SubmitField(_l("Send me my link"))


class UpdateRegistrationForm(RegistrationDetailsForm):
    submit = SubmitField(_l("Save changes"))
