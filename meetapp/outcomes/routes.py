"""Views of the outcomes screen and the media contacts screens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.meetings.access import can_edit, meeting_view
from meetapp.models import Contact, Meeting
from meetapp.outcomes import services
from meetapp.outcomes.forms import BLANK_ROWS, ContactForm, MoveForm, OutcomesForm
from meetapp.validation import is_id_text

bp = Blueprint("outcomes", __name__)


def _show_error(form: FlaskForm, error: DomainError) -> None:
    """The message beside its field: `rows-3-text` names a field of the fourth row."""
    target = None
    if error.field:
        parts = error.field.split("-")
        if len(parts) == 3 and parts[0] == "rows" and is_id_text(parts[1]):
            index = int(parts[1])
            rows = form["rows"]
            if index < len(rows.entries):
                target = rows.entries[index].form[parts[2]]
        elif error.field in form:
            target = form[error.field]
    if target is not None:
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)


# --- outcomes ---------------------------------------------------------------------------------


def _outcome_rows(form: OutcomesForm) -> list[services.OutcomeRow]:
    rows = []
    for entry in form.rows:
        data = entry.form
        rows.append(
            services.OutcomeRow(
                id=int(data.id.data) if data.id.data else None,
                kind=data.kind.data or "",
                text=data.text.data or "",
                addressed_to=data.addressed_to.data or None,
                is_news=bool(data.is_news.data),
                remove=bool(data.remove.data),
            )
        )
    return rows


@bp.route("/meetings/<slug>/outcomes", methods=["GET", "POST"])
@meeting_view
def outcomes(meeting: Meeting) -> ResponseReturnValue:
    if request.method == "GET":
        existing = services.list_outcomes(meeting)
        rows = [
            {
                "id": str(outcome.id),
                "kind": outcome.kind,
                "text": outcome.text,
                "addressed_to": outcome.addressed_to or "",
                "is_news": outcome.is_news,
            }
            for outcome in existing
        ]
        form = OutcomesForm(data={"rows": [*rows, *({} for _ in range(BLANK_ROWS))]})
    else:
        form = OutcomesForm()
        if form.validate_on_submit():
            try:
                services.save_outcomes(meeting, _outcome_rows(form), move=form.move_request())
            except DomainError as error:
                db.session.rollback()
                _show_error(form, error)
            else:
                db.session.commit()
                if not form.move.data:
                    flash("The outcomes were saved.", "success")
                return redirect(url_for(".outcomes", slug=meeting.slug))
    return render_template(
        "outcomes/outcomes.html",
        meeting=meeting,
        form=form,
        may_edit=can_edit(current_user, meeting),
    )


# --- media contacts ---------------------------------------------------------------------------


def _contact_or_404(meeting: Meeting, contact_id: int) -> Contact:
    contact = services.find_contact(meeting, contact_id)
    if contact is None:
        abort(404)
    return contact


def _contact_data(form: ContactForm) -> services.ContactData:
    return services.ContactData(
        name=form.name.data or "",
        honorific=form.honorific.data,
        role=form.role.data,
        organisation=form.organisation.data,
        email=form.email.data,
        phone=form.phone.data,
        languages=list(form.languages.data or []),
    )


@bp.route("/meetings/<slug>/contacts")
@meeting_view
def contacts(meeting: Meeting) -> ResponseReturnValue:
    return render_template(
        "outcomes/contacts.html",
        meeting=meeting,
        contacts=services.list_contacts(meeting),
        may_edit=can_edit(current_user, meeting),
    )


@bp.route("/meetings/<slug>/contacts/new", methods=["GET", "POST"])
@meeting_view(write=True)
def contact_new(meeting: Meeting) -> ResponseReturnValue:
    form = ContactForm()
    if form.validate_on_submit():
        try:
            services.create_contact(meeting, _contact_data(form))
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash("The contact was added.", "success")
            return redirect(url_for(".contacts", slug=meeting.slug))
    return render_template("outcomes/contact_form.html", meeting=meeting, form=form, contact=None)


@bp.route("/meetings/<slug>/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@meeting_view(write=True)
def contact_edit(meeting: Meeting, contact_id: int) -> ResponseReturnValue:
    contact = _contact_or_404(meeting, contact_id)
    form = ContactForm(obj=contact if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.update_contact(contact, _contact_data(form))
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash("The contact was saved.", "success")
            return redirect(url_for(".contacts", slug=meeting.slug))
    return render_template(
        "outcomes/contact_form.html", meeting=meeting, form=form, contact=contact
    )


@bp.route("/meetings/<slug>/contacts/<int:contact_id>/delete", methods=["POST"])
@meeting_view
def contact_delete(meeting: Meeting, contact_id: int) -> ResponseReturnValue:
    contact = _contact_or_404(meeting, contact_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.delete_contact(contact)
    db.session.commit()
    flash("The contact was removed.", "success")
    return redirect(url_for(".contacts", slug=meeting.slug))


@bp.route("/meetings/<slug>/contacts/<int:contact_id>/move", methods=["POST"])
@meeting_view
def contact_move(meeting: Meeting, contact_id: int) -> ResponseReturnValue:
    contact = _contact_or_404(meeting, contact_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    services.move_contact(meeting, contact, form.direction.data or "")
    db.session.commit()
    return redirect(url_for(".contacts", slug=meeting.slug))
