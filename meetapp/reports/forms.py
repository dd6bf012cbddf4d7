"""The form of the press-release editor: every section and the release date, saved together.

Each section's text is the field `<section>-text`; beside it, `<section>-loaded` holds a
fingerprint of the text the page showed (`services.fingerprint`). A section whose text comes
back unchanged is left alone, whatever happened to it meanwhile; one that was changed in the
form while someone else (or a change of the data) changed it too is refused, never overwritten
silently. `release_date_loaded` does the same for the date.
"""

from __future__ import annotations

from typing import Any

from wtforms import DateField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from meetapp.forms import AppForm, plausible_year
from meetapp.models import PRESS_RELEASE_SECTIONS
from meetapp.models.outcomes import OVERRIDE_MAX_LENGTH


class DraftForm(AppForm):
    release_date = DateField(
        "Release date",
        validators=[Optional(), plausible_year],
        description="Leave empty to date it the day after the meeting ended.",
    )
    release_date_loaded = HiddenField()
    # The section whose "Reset to the generated text" button was pressed (the button is a
    # submit button of the whole form: the other sections are saved with it).
    reset = StringField(validators=[Optional(), AnyOf(PRESS_RELEASE_SECTIONS)])
    submit = SubmitField("Save the draft")

    def text_field(self, section: str) -> Any:
        return self[f"{section}-text"]

    def loaded_field(self, section: str) -> Any:
        return self[f"{section}-loaded"]

    def incomplete(self) -> bool:
        """Whether what the page put in the form came back incomplete (not typed by anyone:
        the page was not sent whole)."""
        return any(
            self.loaded_field(section).errors or self.text_field(section).raw_data is None
            for section in PRESS_RELEASE_SECTIONS
        )


for _section in PRESS_RELEASE_SECTIONS:
    setattr(
        DraftForm,
        f"{_section}-text",
        TextAreaField(
            "Text",
            validators=[Length(max=OVERRIDE_MAX_LENGTH)],
            description="Paragraphs are separated by line breaks.",
        ),
    )
    setattr(
        DraftForm,
        f"{_section}-loaded",
        HiddenField(validators=[InputRequired(), Length(max=64)]),
    )
