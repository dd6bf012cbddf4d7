"""Forms of the agenda screens: speakers, sessions with their speakers, statements."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from meetapp.agenda.display import (
    ROLE_LABELS,
    SESSION_KIND_LABELS,
    speaker_name,
    speaker_title,
)
from meetapp.agenda.services import MAX_SEARCH_LENGTH
from meetapp.forms import AppForm, WallClockField, optional_id, strip_text
from meetapp.models import AgendaSession, Meeting, Speaker, SpeakerRole, StatementKind
from meetapp.models.agenda import MAX_SESSION_SPEAKERS, STATEMENT_MAX_LENGTH
from meetapp.validation import SingleLine, is_id_text

LONG_TEXT = 5000
PARTICIPANTS_CHOICE = "participants"
NO_SESSION_CHOICE = "none"


def normalise_newlines(value: Any) -> Any:
    """Browsers send CRLF from text areas; store (and count) one character per line break."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def speaker_label(speaker: Speaker) -> str:
    title = speaker_title(speaker)
    return f"{speaker_name(speaker)} ({title})" if title else speaker_name(speaker)


class SpeakerForm(AppForm):
    honorific = StringField(
        "Honorific",
        filters=[strip_text],
        validators=[Optional(), Length(max=50), SingleLine()],
        description="e.g. H.E. Ms, Dr, Associate Professor.",
    )
    name = StringField(
        "Name",
        filters=[strip_text],
        validators=[DataRequired("Enter a name."), Length(max=200), SingleLine()],
    )
    family_name = StringField(
        "Family name",
        filters=[strip_text],
        validators=[Optional(), Length(max=100), SingleLine()],
        description="How the press release names them again: “Professor Asato”, “Ms Chou”.",
    )
    name_order = SelectField(
        "Name order",
        choices=[
            SelectChoice("", "From the name"),
            SelectChoice("family_first", "Family name first (e.g. Khmer, Japanese, Chinese)"),
            SelectChoice("given_first", "Given name first"),
        ],
        validators=[Optional(), AnyOf(["", "family_first", "given_first"])],
    )
    position = StringField(
        "Position",
        filters=[strip_text],
        validators=[Optional(), Length(max=300), SingleLine()],
        description="Job title, e.g. Secretary of State.",
    )
    organisation = StringField(
        "Organisation", filters=[strip_text], validators=[Optional(), Length(max=300), SingleLine()]
    )
    stakeholder_group = SelectField("Stakeholder group", coerce=optional_id)
    bio = TextAreaField(
        "Short biography",
        filters=[normalise_newlines, strip_text],
        validators=[Optional(), Length(max=LONG_TEXT)],
        render_kw={"rows": 4},
    )
    submit = SubmitField("Save")

    def __init__(self, meeting: Meeting, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stakeholder_group.choices = [
            SelectChoice("", "—"),
            *[SelectChoice(str(group.id), group.label) for group in meeting.stakeholder_groups],
        ]


class CopySpeakerForm(FlaskForm):
    speaker = HiddenField(validators=[DataRequired(), Length(max=20)])

    def validate_speaker(self, field: Any) -> None:
        if not is_id_text(str(field.data)):
            raise ValidationError("Choose a speaker.")


class CopySearchForm(FlaskForm):
    """The search box of "add a speaker from an earlier meeting" (a GET form)."""

    class Meta:
        csrf = False

    q = StringField(
        "Name or organisation",
        filters=[strip_text],
        validators=[Optional(), Length(max=MAX_SEARCH_LENGTH)],
    )


class SessionSpeakerForm(Form):
    """One row of a session's speakers: who, and in which role."""

    speaker = SelectField("Speaker", validate_choice=True)
    role = SelectField(
        "Role",
        choices=[SelectChoice(role.value, ROLE_LABELS[role]) for role in SpeakerRole],
        default=SpeakerRole.SPEAKER.value,
    )


class SessionForm(AppForm):
    """A session: times are wall-clock times in the meeting's time zone."""

    title = StringField(
        "Title",
        filters=[strip_text],
        validators=[DataRequired("Enter a title."), Length(max=300), SingleLine()],
    )
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(kind.value, label) for kind, label in SESSION_KIND_LABELS.items()],
        default="presentation",
    )
    starts_at = WallClockField(
        "Starts",
        validators=[DataRequired("Enter when the session starts.")],
    )
    ends_at = WallClockField("Ends", validators=[Optional()])
    location = StringField(
        "Location",
        filters=[strip_text],
        validators=[Optional(), Length(max=300), SingleLine()],
        description="A room, or leave empty for the meeting's venue.",
    )
    description = TextAreaField(
        "Description",
        filters=[normalise_newlines, strip_text],
        validators=[Optional(), Length(max=LONG_TEXT)],
        render_kw={"rows": 3},
    )
    speakers = FieldList(
        FormField(SessionSpeakerForm),
        min_entries=0,
        max_entries=MAX_SESSION_SPEAKERS,
    )
    submit = SubmitField("Save")

    def __init__(self, meeting: Meeting, speakers: list[Speaker], *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.meeting = meeting
        choices = [
            SelectChoice("", "—"),
            *[SelectChoice(str(speaker.id), speaker_label(speaker)) for speaker in speakers],
        ]
        self.speaker_choices = choices
        for entry in self.speakers:
            entry.form.speaker.choices = choices

    def add_blank_rows(self, count: int) -> None:
        for _ in range(count):
            if len(self.speakers) >= MAX_SESSION_SPEAKERS:
                break
            entry = self.speakers.append_entry()
            entry.form.speaker.choices = self.speaker_choices

    def validate_ends_at(self, field: Any) -> None:
        start = self.starts_at.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError("The end is before the start.")

    def validate_speakers(self, field: Any) -> None:
        seen: set[str] = set()
        for entry in field:
            value = entry.form.speaker.data
            if not value:
                continue
            if value in seen:
                entry.form.speaker.errors = [
                    *entry.form.speaker.errors,
                    "This speaker is already listed.",
                ]
                raise ValidationError("Each speaker can be listed once.")
            seen.add(value)

    def chosen_speakers(self) -> list[tuple[int, str]]:
        return [
            (int(entry.form.speaker.data), entry.form.role.data)
            for entry in self.speakers
            if entry.form.speaker.data
        ]


class StatementForm(AppForm):
    speaker = SelectField("Who", validators=[DataRequired("Choose who said it.")])
    kind = RadioField(
        "Kind",
        choices=[
            SelectChoice(StatementKind.POINT.value, "Point (completes “<speaker> …”)"),
            SelectChoice(StatementKind.QUOTE.value, "Quote (their exact words)"),
        ],
        default=StatementKind.POINT.value,
        validators=[AnyOf([kind.value for kind in StatementKind])],
    )
    text = TextAreaField(
        "What was said",
        filters=[normalise_newlines, strip_text],
        validators=[
            DataRequired("Enter what was said."),
            Length(max=STATEMENT_MAX_LENGTH, message="At most %(max)d characters."),
        ],
        render_kw={"rows": 3},
    )
    highlight = BooleanField("Use in the press release")
    is_news = BooleanField(
        "The news",
        description="The press release's headline and first sentence carry it (one per meeting).",
    )
    session = SelectField("Session")
    submit = SubmitField("Save")

    def __init__(
        self,
        meeting: Meeting,
        speakers: list[Speaker],
        sessions: list[AgendaSession] | None = None,
        first: list[int] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        """`first`: ids of the speakers listed first (the session's own)."""
        super().__init__(*args, **kwargs)
        leading = [s for s in speakers if first and s.id in first]
        leading.sort(key=lambda s: (first or []).index(s.id))
        others = [s for s in speakers if s not in leading]
        self.speaker.choices = [
            *[SelectChoice(str(s.id), speaker_label(s)) for s in leading],
            SelectChoice(PARTICIPANTS_CHOICE, "Participants (as a whole)"),
            *[SelectChoice(str(s.id), speaker_label(s)) for s in others],
        ]
        if sessions is None:
            del self.session
        else:
            self.session.choices = [
                *[SelectChoice(str(s.id), s.title) for s in sessions],
                SelectChoice(NO_SESSION_CHOICE, "— not tied to a session"),
            ]

    @property
    def speaker_id(self) -> int | None:
        value = self.speaker.data
        return None if value in (None, "", PARTICIPANTS_CHOICE) else int(value)

    @property
    def session_id(self) -> int | None:
        value = self.session.data if hasattr(self, "session") else None
        return None if value in (None, "", NO_SESSION_CHOICE) else int(value)


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])
