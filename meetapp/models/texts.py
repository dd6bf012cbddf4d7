"""Texts the organiser writes in each of the meeting's languages.

A translatable row keeps its texts in the meeting's first language in its own columns, and
the other languages in `translations`: ``{"km": {"title": "...", "option:visa": "..."}}``.
Keys are the names of the translated columns, or ``option:<option key>`` for the labels of a
question's options. A text missing in a language falls back to the column (the meeting's
first language), so a page is never blank while a translation is being written.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import JSON, text
from sqlalchemy.orm import Mapped, mapped_column

Translations = dict[str, dict[str, str]]


class Translatable:
    # The columns whose text can be given in other languages, in the order an editor shows them.
    TRANSLATED: ClassVar[tuple[str, ...]] = ()

    translations: Mapped[Translations] = mapped_column(
        JSON, default=dict, server_default=text("'{}'")
    )

    def translation(self, locale: str | None, field: str) -> str | None:
        """The text of `field` written for `locale`, or None if there is none."""
        if not locale:
            return None
        return ((self.translations or {}).get(locale) or {}).get(field) or None

    def text_in(self, locale: str | None, field: str) -> Any:
        """Column `field` in `locale`, falling back to the column itself (the meeting's first
        language)."""
        found = self.translation(locale, field)
        return found if found is not None else getattr(self, field)
