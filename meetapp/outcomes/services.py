"""Outcomes and media contacts: listing, saving, ordering.

Functions take plain data and models, flush and never commit; a rule that refuses an
operation raises `DomainError` naming the form field concerned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, update

from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.models import Contact, Meeting, Outcome, OutcomeKind, Statement

MAX_OUTCOMES = 200
MAX_CONTACTS = 50
_MAX_ID = 2**31


# --- outcomes ---------------------------------------------------------------------------------


@dataclass
class OutcomeRow:
    """One row of the outcomes screen: an existing outcome (id) or a new one (id None)."""

    id: int | None
    kind: str
    text: str
    addressed_to: str | None = None
    remove: bool = False
    is_news: bool = False


def list_outcomes(meeting: Meeting) -> list[Outcome]:
    return list(
        db.session.scalars(
            select(Outcome)
            .where(Outcome.meeting_id == meeting.id)
            .order_by(Outcome.position, Outcome.id)
        )
    )


def save_outcomes(
    meeting: Meeting, rows: list[OutcomeRow], move: tuple[int, str] | None = None
) -> None:
    """Store the outcomes as listed in `rows`, in that order.

    Rows without an id and without text are blank lines of the form and are skipped; rows
    marked `remove` are deleted. `move` = (row index, "up" | "down") swaps that row with its
    neighbour. Outcomes missing from `rows` (added meanwhile by someone else) are kept, last.
    """
    existing = {outcome.id: outcome for outcome in list_outcomes(meeting)}
    news = [index for index, row in enumerate(rows) if row.is_news and not row.remove]
    if len(news) > 1:
        raise DomainError(
            "Only one outcome can be the news of the meeting.", field=f"rows-{news[1]}-is_news"
        )
    seen: set[int] = set()
    kept: list[tuple[int, Outcome]] = []
    for index, row in enumerate(rows):
        if row.id is not None:
            if row.id in seen or row.id not in existing:
                raise DomainError(
                    "An outcome on this page no longer exists; reload the page and try again."
                )
            seen.add(row.id)
        if row.kind not in {kind.value for kind in OutcomeKind}:
            raise DomainError("Choose a kind of outcome.", field=f"rows-{index}-kind")
        text = row.text.strip()
        if row.remove:
            if row.id is not None:
                db.session.delete(existing[row.id])
            continue
        if not text:
            if row.id is None:
                continue  # a blank line of the form
            raise DomainError("Enter the text, or tick “Remove”.", field=f"rows-{index}-text")
        addressed_to = (row.addressed_to or "").strip() or None
        if addressed_to and row.kind != OutcomeKind.RECOMMENDATION:
            raise DomainError(
                "Only recommendations are addressed to someone; clear this field or make "
                "the outcome a recommendation.",
                field=f"rows-{index}-addressed_to",
            )
        outcome = existing[row.id] if row.id is not None else Outcome(meeting_id=meeting.id)
        outcome.kind = row.kind
        outcome.text = text
        outcome.addressed_to = addressed_to
        outcome.is_news = row.is_news
        if row.id is None:
            db.session.add(outcome)
        kept.append((index, outcome))
    ordered = [outcome for _index, outcome in kept]
    if move is not None:
        row_index, direction = move
        at = next((i for i, (index, _o) in enumerate(kept) if index == row_index), None)
        if at is not None:
            other = at - 1 if direction == "up" else at + 1
            if 0 <= other < len(ordered):
                ordered[at], ordered[other] = ordered[other], ordered[at]
    ordered += [outcome for outcome_id, outcome in existing.items() if outcome_id not in seen]
    if len(ordered) > MAX_OUTCOMES:
        raise DomainError(f"A meeting can have at most {MAX_OUTCOMES} outcomes.")
    for position, outcome in enumerate(ordered):
        outcome.position = position
    db.session.flush()
    if news and any(outcome.is_news for outcome in ordered):
        # One piece of news per meeting: the statement that was the news no longer is.
        clear_news(meeting, keep=next(o for o in ordered if o.is_news))
    db.session.flush()


def clear_news(meeting: Meeting, keep: Outcome | Statement | None = None) -> None:
    """Unmark every outcome and statement of `meeting` as the news, but `keep`."""
    for model in (Outcome, Statement):
        query = update(model).where(model.meeting_id == meeting.id, model.is_news.is_(True))
        if isinstance(keep, model) and keep.id is not None:
            query = query.where(model.id != keep.id)
        db.session.execute(query.values(is_news=False).execution_options(synchronize_session=False))


# --- media contacts ---------------------------------------------------------------------------


@dataclass
class ContactData:
    name: str
    honorific: str | None = None
    role: str | None = None
    organisation: str | None = None
    email: str | None = None
    phone: str | None = None
    languages: list[str] = field(default_factory=list)


def list_contacts(meeting: Meeting) -> list[Contact]:
    return list(
        db.session.scalars(
            select(Contact)
            .where(Contact.meeting_id == meeting.id)
            .order_by(Contact.position, Contact.id)
        )
    )


def find_contact(meeting: Meeting, contact_id: int) -> Contact | None:
    """The contact with this id if it belongs to `meeting`."""
    if not 0 < contact_id < _MAX_ID:
        return None
    return db.session.scalar(
        select(Contact).where(Contact.id == contact_id, Contact.meeting_id == meeting.id)
    )


def _apply(contact: Contact, data: ContactData) -> None:
    contact.name = data.name.strip()
    contact.honorific = (data.honorific or "").strip() or None
    contact.role = (data.role or "").strip() or None
    contact.organisation = (data.organisation or "").strip() or None
    contact.email = (data.email or "").strip() or None
    contact.phone = (data.phone or "").strip() or None
    contact.languages = list(dict.fromkeys(data.languages))
    if not contact.name:
        raise DomainError("Enter the contact's name.", field="name")


def create_contact(meeting: Meeting, data: ContactData) -> Contact:
    count = db.session.scalar(
        select(func.count()).select_from(Contact).where(Contact.meeting_id == meeting.id)
    )
    if (count or 0) >= MAX_CONTACTS:
        raise DomainError(f"A meeting can have at most {MAX_CONTACTS} media contacts.")
    last = db.session.scalar(
        select(func.max(Contact.position)).where(Contact.meeting_id == meeting.id)
    )
    contact = Contact(meeting_id=meeting.id, position=(last + 1) if last is not None else 0)
    _apply(contact, data)
    db.session.add(contact)
    db.session.flush()
    return contact


def update_contact(contact: Contact, data: ContactData) -> None:
    _apply(contact, data)
    db.session.flush()


def delete_contact(contact: Contact) -> None:
    db.session.delete(contact)
    db.session.flush()


def move_contact(meeting: Meeting, contact: Contact, direction: str) -> None:
    """Swap the contact with its neighbour above ("up") or below ("down")."""
    if direction not in ("up", "down"):
        raise DomainError("Move a contact up or down.", field="direction")
    contacts = list_contacts(meeting)
    index = next(i for i, c in enumerate(contacts) if c.id == contact.id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(contacts):
        contacts[index], contacts[other] = contacts[other], contacts[index]
    for position, item in enumerate(contacts):
        item.position = position
    db.session.flush()
