"""The compose form: filters, one subject and body per meeting language, and the preview."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from meetapp.formatting import language_choices, language_name
from meetapp.forms import AppForm, optional_id, strip_text
from meetapp.messages.services import RecipientFilter, Version, message_languages
from meetapp.models import Meeting, StakeholderGroup, Status, Survey
from meetapp.registration.questions import (
    answer_filter_choices,
    form_questions,
    parse_answer_filter,
)
from meetapp.validation import SingleLine

STATUS_LABELS = {
    Status.REGISTERED.value: "Registered",
    Status.WAITLISTED.value: "Waiting list",
    Status.CANCELLED.value: "Cancelled",
}
YES_NO = {"": "Any", "yes": "Yes", "no": "No"}
ANSWERED = {"": "Any", "answered": "Answered it", "not_answered": "Not answered it"}


class ComposeForm(AppForm):
    statuses = SelectMultipleField(
        "Status",
        choices=[SelectChoice(key, label) for key, label in STATUS_LABELS.items()],
        default=[Status.REGISTERED.value],
    )
    group = SelectField("Stakeholder group", coerce=optional_id, validate_choice=False)
    attended = SelectField(
        "Attended", choices=[SelectChoice(key, label) for key, label in YES_NO.items()]
    )
    language = SelectField("Speaks", validate_choice=False)
    survey = SelectField("Survey", coerce=optional_id, validate_choice=False)
    answered = SelectField(
        "Of that survey", choices=[SelectChoice(key, label) for key, label in ANSWERED.items()]
    )
    answer = SelectField("Answered at registration", validate_choice=False)
    attach_ics = BooleanField("Attach the meeting's calendar file (.ics)")
    preview_for = SelectField("Preview as", coerce=optional_id, validate_choice=False)
    # The number of people the page showed: a message is sent only to as many as were shown.
    expected = HiddenField()
    preview = SubmitField("Preview")
    send = SubmitField("Send")

    def __init__(
        self,
        meeting: Meeting,
        groups: list[StakeholderGroup],
        surveys: list[Survey],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.group_ids = {group.id for group in groups}
        self.survey_by_id = {survey.id: survey for survey in surveys}
        self.group.choices = [
            SelectChoice("", "Any"),
            *[SelectChoice(str(group.id), group.label) for group in groups],
        ]
        self.survey.choices = [
            SelectChoice("", "None"),
            *[SelectChoice(str(survey.id), survey.title) for survey in surveys],
        ]
        own = message_languages(meeting)
        self.language_codes = {code for code, _ in language_choices("en")} | set(own)
        self.language.choices = [
            SelectChoice("", "Any language"),
            *[SelectChoice(code, language_name(code, "en")) for code in own],
            *[SelectChoice(code, name) for code, name in language_choices("en") if code not in own],
        ]
        self.languages = own
        self.questions = form_questions(meeting.id, archived=True)
        self.answer.choices = [
            SelectChoice("", "Any answer"),
            *[SelectChoice(value, text) for value, text in answer_filter_choices(self.questions)],
        ]

    def version_fields(self) -> list[tuple[str, Any, Any]]:
        """(language, subject field, body field) in the meeting's order of languages."""
        return [
            (code, self[f"subject_{index}"], self[f"body_{index}"])
            for index, code in enumerate(self.languages)
        ]

    def versions(self) -> list[Version]:
        return [
            Version(code, subject.data or "", body.data or "")
            for code, subject, body in self.version_fields()
        ]

    def validate_statuses(self, field: Any) -> None:
        if not field.data:
            raise ValidationError("Tick at least one status.")

    def validate_group(self, field: Any) -> None:
        if field.data is not None and field.data not in self.group_ids:
            raise ValidationError("Choose one of the meeting's stakeholder groups.")

    def validate_survey(self, field: Any) -> None:
        if field.data is not None and field.data not in self.survey_by_id:
            raise ValidationError("Choose one of the meeting's surveys.")

    def validate_language(self, field: Any) -> None:
        if field.data and field.data not in self.language_codes:
            raise ValidationError("Choose a language from the list.")

    def validate_answer(self, field: Any) -> None:
        if field.data and parse_answer_filter(field.data, self.questions) is None:
            raise ValidationError("Choose a question and answer from the list.")

    def validate_answered(self, field: Any) -> None:
        if field.data and self.survey.data is None:
            raise ValidationError("Choose the survey under Survey.")

    def chosen_survey(self) -> Survey | None:
        return self.survey_by_id.get(self.survey.data) if self.survey.data else None

    def filters(self) -> RecipientFilter:
        chosen = parse_answer_filter(self.answer.data, self.questions)
        return RecipientFilter(
            statuses=[s for s in STATUS_LABELS if s in (self.statuses.data or [])],
            group_id=self.group.data,
            attended={"yes": True, "no": False}.get(self.attended.data or ""),
            language=self.language.data or None,
            survey_id=self.survey.data,
            answered={"answered": True, "not_answered": False}.get(self.answered.data or "")
            if self.survey.data
            else None,
            question_id=chosen[0] if chosen else None,
            option_key=chosen[1] if chosen else None,
        )


def compose_form(
    meeting: Meeting, groups: list[StakeholderGroup], surveys: list[Survey], **kwargs: Any
) -> ComposeForm:
    """A ComposeForm with a subject and a body for each of the meeting's languages."""
    languages = message_languages(meeting)
    attributes: dict[str, Any] = {}
    for index, code in enumerate(languages):
        name = language_name(code, "en")
        attributes[f"subject_{index}"] = StringField(
            f"Subject ({name})", filters=[strip_text], validators=[SingleLine()]
        )
        attributes[f"body_{index}"] = TextAreaField(f"Body ({name})")
    form_class = type("MeetingComposeForm", (ComposeForm,), attributes)
    form: ComposeForm = form_class(meeting, groups, surveys, **kwargs)
    return form
