"""The checklist of the press-release editor: what the draft lacks, or what staff should check
before it goes out. It is advice: the downloads stay possible whatever it says.

- no media contacts, no "About" text, no quotation;
- a release date more than `LATE_AFTER_DAYS` days after the meeting ended (the day after it
  ended is suggested), or before it began;
- highlighted statements whose speaker has no family name or no role (position) recorded;
- figures in text rewritten by hand that no record gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from meetapp.extensions import db
from meetapp.formatting import to_zone
from meetapp.models import Meeting, Speaker, Statement, StatementKind
from meetapp.reports.press_release import PressReleaseDraft
from meetapp.reports.wording import long_date

LATE_AFTER_DAYS = 14

# The speaker's family name, once speakers have one (the press names people by it: "Professor
# Asato"). While the model has no such attribute, only the role is checked.
FAMILY_NAME_ATTRIBUTE = "family_name"

# A speaker who is a group ("Representatives of the Ministry of Labour") has no family name or
# role of its own.
_GROUP_WORDS = ("representatives", "members", "delegates", "delegation", "officials")

_FIGURE = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class CheckItem:
    """One thing to check: what, and where to put it right (a section of the editor, and the
    page where the record is edited)."""

    key: str
    message: str
    section: str | None = None
    url: str | None = None
    link_text: str | None = None


def speaker_family_name(speaker: Speaker) -> str | None:
    """The family name recorded for `speaker`; "" when there is none, None when the model does
    not record family names at all (nothing to check then)."""
    if not hasattr(Speaker, FAMILY_NAME_ATTRIBUTE):
        return None
    value = getattr(speaker, FAMILY_NAME_ATTRIBUTE, None)
    return (value or "").strip()


def _figures(text: str) -> set[str]:
    """The figures of a text, written alike: "1,200" and "1200" are one figure."""
    return {match.replace(",", "") for match in _FIGURE.findall(text)}


def _release_date_checks(meeting: Meeting, draft: PressReleaseDraft) -> list[CheckItem]:
    """The date the draft prints (the one recorded, else the draft's default) against the
    meeting's days, in the meeting's time zone."""
    starts = to_zone(meeting.starts_at, meeting.timezone).date()
    ends = to_zone(meeting.ends_at or meeting.starts_at, meeting.timezone).date()
    release = draft.release_date
    suggested = long_date(ends + timedelta(days=1))
    if (release - ends).days > LATE_AFTER_DAYS:
        return [
            CheckItem(
                "late",
                f"The release is dated {long_date(release)}: {(release - ends).days} days "
                f"after the meeting ended. A release usually goes out the day after, "
                f"{suggested}.",
                section="release-date",
            )
        ]
    if release < starts:
        return [
            CheckItem(
                "early",
                f"The release is dated {long_date(release)}, before the meeting began. "
                f"Suggested: {suggested}.",
                section="release-date",
            )
        ]
    return []


def draft_checklist(meeting: Meeting, draft: PressReleaseDraft) -> list[CheckItem]:
    """What to check before the draft goes out, in the order of the editor; [] when nothing."""
    slug = meeting.slug
    items: list[CheckItem] = []
    items += _release_date_checks(meeting, draft)

    rows = db.session.execute(
        select(Statement.id, Statement.kind, Speaker)
        .outerjoin(Speaker, Statement.speaker_id == Speaker.id)
        .where(Statement.meeting_id == meeting.id, Statement.highlight.is_(True))
        .order_by(Statement.id)
    ).all()
    if not any(kind == StatementKind.QUOTE for _id, kind, _speaker in rows):
        items.append(
            CheckItem(
                "no-quotes",
                "No quotation: highlight a statement recorded word for word (a quote).",
                section="speakers",
                url=url_for("agenda.statements", slug=slug),
                link_text="Statements",
            )
        )
    seen: set[int] = set()
    for _id, _kind, speaker in rows:
        if speaker is None or speaker.id in seen:
            continue
        seen.add(speaker.id)
        if speaker.name.split()[:1] and speaker.name.split()[0].casefold() in _GROUP_WORDS:
            continue
        missing = []
        if speaker_family_name(speaker) == "":
            missing.append("family name")
        if not (speaker.position or "").strip():
            missing.append("role")
        if missing:
            items.append(
                CheckItem(
                    f"speaker-{speaker.id}",
                    f"{speaker.name} speaks in the draft, but no "
                    f"{' or '.join(missing)} is recorded.",
                    section="speakers",
                    url=url_for("agenda.speaker_edit", slug=slug, speaker_id=speaker.id),
                    link_text="Edit the speaker",
                )
            )

    known = _figures(" ".join(section.generated_text for section in draft.sections))
    for section in draft.sections:
        if section.override is None:
            continue
        unsourced = sorted(_figures(section.override.text) - known, key=lambda f: (len(f), f))
        if unsourced:
            items.append(
                CheckItem(
                    f"figures-{section.name}",
                    f"{section.label}: {', '.join(unsourced)} "
                    f"{'is' if len(unsourced) == 1 else 'are'} in your text but in no record "
                    "the draft is written from. Check the figure, or record its source.",
                    section=section.name,
                )
            )

    if not draft.section("about").paragraphs:
        items.append(
            CheckItem(
                "no-about",
                "No “About” text: the release ends without saying who the organisation is.",
                section="about",
                url=url_for("meetings.organisation_edit", org_id=meeting.organisation_id),
                link_text="Edit the organisation",
            )
        )
    if not draft.section("contacts").paragraphs:
        items.append(
            CheckItem(
                "no-contacts",
                "No media contacts: journalists will not know whom to call.",
                section="contacts",
                url=url_for("outcomes.contacts", slug=slug),
                link_text="Media contacts",
            )
        )
    return items
