"""Views of the documents: the press-release editor, its downloads, the meeting summary, the
sign-in sheet, and the Documents page that lists every download of a meeting, with the big
documents prepared by jobs (`meetapp.documents`). Staff read and
download everything, and write the press release as the meeting's organisers do (sections,
resets, release date)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from meetapp.documents.kinds import KINDS, DocumentKind, ExportKind, Params, SubjectGone
from meetapp.documents.routes import document_download, params_from, prepare_url
from meetapp.documents.services import asked_card, document_cards, keep_for
from meetapp.downloads import file_download
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.meetings.access import can_edit_press_release, meeting_view
from meetapp.models import PRESS_RELEASE_SECTIONS, Meeting
from meetapp.reports import services
from meetapp.reports.checklist import draft_checklist
from meetapp.reports.documents import (
    PRESS_RELEASE_FORMATS,
    download_name,
    press_release_document,
)
from meetapp.reports.fonts import missing_fonts
from meetapp.reports.forms import DraftForm
from meetapp.reports.press_release import (
    SECTION_LABELS,
    PressReleaseDraft,
    PressReleaseFacts,
    compose_draft,
    compose_press_release,
    load_press_release_facts,
)
from meetapp.reports.sources import editor_sources
from meetapp.surveys.batches import publish_on_close
from meetapp.surveys.services import list_surveys

bp = Blueprint("reports", __name__)


@bp.route("/meetings/<slug>/documents")
@meeting_view
def documents(meeting: Meeting) -> ResponseReturnValue:
    """Every document of the meeting a reader may download: the press release in each format,
    the summary, the sign-in sheet, the public agenda and each of its surveys' results."""
    surveys = list_surveys(meeting)
    cards = document_cards(meeting, [survey.key for survey in surveys], _asked_export(meeting))
    return render_template(
        "reports/documents.html",
        meeting=meeting,
        formats=PRESS_RELEASE_FORMATS,
        surveys=surveys,
        cards=cards,
        preparing=any(
            card.prepared is not None and card.prepared.active for card in cards.values()
        ),
        prepare_url=prepare_url,
        # The page's own query (a filtered export's card), for its reload without script.
        reload_query={key: value for key, value in request.args.items() if key != "slug"},
        keep_hours=keep_for().total_seconds() // 3600,
        font_warnings=missing_fonts(),
    )


def _asked_export(meeting: Meeting) -> tuple[DocumentKind, Params] | None:
    """The export narrowed by filters that the query string asks a card for (where a big
    filtered export sends its reader), if it names one."""
    kind = KINDS.get(request.args.get("export", ""))
    if not isinstance(kind, ExportKind):
        return None
    params = params_from(kind, request.args)
    if not asked_card(kind, params):
        return None
    try:
        kind.check(meeting, params)
    except SubjectGone:
        return None
    return kind, params


# --- the press-release editor -----------------------------------------------------------------
#
# One form holds every section and the release date; saving sends them all. A section whose
# text comes back as the page showed it is left alone; one changed in the form is saved (or,
# when it is the generated text again, follows the data again). A change made to a section
# that someone else changed since the page was loaded is refused, with nothing saved.

EDITOR_ANCHOR = "section-{}"


def _draft_form(meeting: Meeting, draft: PressReleaseDraft, release_date: date | None) -> DraftForm:
    data: dict[str, Any] = {
        "release_date": release_date,
        "release_date_loaded": services.date_fingerprint(release_date),
    }
    for section in draft.sections:
        data[f"{section.name}-text"] = section.text
        data[f"{section.name}-loaded"] = services.fingerprint(section.text)
    return DraftForm(formdata=None, data=data)


def _saved_sections() -> list[str]:
    """The sections the last save changed, named in the page's address (?saved=lead,about)."""
    names = (request.args.get("saved") or "").split(",")
    return [name for name in names if name in PRESS_RELEASE_SECTIONS or name == "release-date"]


def _composed(meeting: Meeting) -> tuple[PressReleaseDraft, PressReleaseFacts]:
    """The draft and the facts it was composed from (read once: the sources come from them)."""
    facts = load_press_release_facts(meeting)
    return compose_draft(facts), facts


def _editor(
    meeting: Meeting,
    composed: tuple[PressReleaseDraft, PressReleaseFacts],
    form: DraftForm | None = None,
    status: int = 200,
    conflicts: list[str] | None = None,
) -> ResponseReturnValue:
    draft, facts = composed
    release_date = facts.release_date
    form = form or _draft_form(meeting, draft, release_date)
    return (
        render_template(
            "reports/press_release_editor.html",
            meeting=meeting,
            draft=draft,
            form=form,
            may_edit=can_edit_press_release(current_user, meeting),
            saved=_saved_sections() if status == 200 else [],
            conflicts=conflicts or [],
            checklist=draft_checklist(meeting, draft),
            sources=editor_sources(meeting, facts),
        ),
        status,
    )


@bp.route("/meetings/<slug>/press-release")
@meeting_view
def press_release(meeting: Meeting) -> ResponseReturnValue:
    publish_on_close(meeting)
    return _editor(meeting, _composed(meeting))


@bp.route("/meetings/<slug>/press-release/preview")
@meeting_view
def press_release_preview(meeting: Meeting) -> ResponseReturnValue:
    publish_on_close(meeting)
    return render_template(
        "reports/press_release_preview.html", meeting=meeting, draft=compose_press_release(meeting)
    )


def _changes(
    form: DraftForm, draft: PressReleaseDraft, stored_date: date | None
) -> tuple[dict[str, str], bool, list[str]]:
    """What the form changes: the sections whose text differs from what the page showed
    (name -> text), whether the date changed, and the conflicts: what was changed both in the
    form and, since the page was loaded, in the draft (labels)."""
    changed: dict[str, str] = {}
    conflicts: list[str] = []
    for section in draft.sections:
        text = form.text_field(section.name).data or ""
        loaded = form.loaded_field(section.name).data or ""
        if section.name == form.reset.data:
            if services.fingerprint(section.text) != loaded:
                conflicts.append(section.label)
            continue
        if services.fingerprint(text) == loaded:
            continue  # as the page showed it
        changed[section.name] = text
        if services.fingerprint(section.text) != loaded:
            conflicts.append(section.label)
    date_loaded = form.release_date_loaded.data or ""
    date_changed = services.date_fingerprint(form.release_date.data) != date_loaded
    if date_changed and services.date_fingerprint(stored_date) != date_loaded:
        conflicts.append("Release date")
    return changed, date_changed, conflicts


def _after_conflict(form: DraftForm, draft: PressReleaseDraft, stored_date: date | None) -> None:
    """The form shown again after a conflict: what the organiser typed is kept, the sections
    they had not touched show the draft as it is now, and every fingerprint is the current one
    (saving again then keeps what is in the boxes)."""
    for section in draft.sections:
        text_field = form.text_field(section.name)
        loaded_field = form.loaded_field(section.name)
        if services.fingerprint(text_field.data or "") == (loaded_field.data or ""):
            text_field.data = section.text
        loaded_field.data = services.fingerprint(section.text)
    if services.date_fingerprint(form.release_date.data) == (form.release_date_loaded.data or ""):
        form.release_date.data = stored_date
    form.release_date_loaded.data = services.date_fingerprint(stored_date)
    form.reset.data = ""


@bp.route("/meetings/<slug>/press-release", methods=["POST"])
@meeting_view(may_change=can_edit_press_release)
def press_release_save(meeting: Meeting) -> ResponseReturnValue:
    """Save the whole editor: every changed section, a reset, the release date."""
    form = DraftForm()
    composed = _composed(meeting)
    draft, facts = composed
    stored_date = facts.release_date
    if not form.validate_on_submit():
        return _editor(meeting, composed, form=form, status=422)
    changed, date_changed, conflicts = _changes(form, draft, stored_date)
    if conflicts:
        _after_conflict(form, draft, stored_date)
        flash(
            "The draft was changed since you opened it ("
            + ", ".join(conflicts)
            + "). Nothing was saved: your text is kept below, beside the draft as it is now; "
            "check it and save again.",
            "danger",
        )
        return _editor(meeting, composed, form=form, status=409, conflicts=conflicts)
    saved: list[str] = []
    failed = False
    for name, text in changed.items():
        field = form.text_field(name)
        if not (text or "").strip():
            field.errors = [
                *field.errors,
                "Enter the text of the section, or reset it to the generated text.",
            ]
            failed = True
            continue
        try:
            services.save_override(
                meeting, name, text, draft.section(name).generated_text, current_user
            )
        except DomainError as error:
            field.errors = [*field.errors, error.message]
            failed = True
        else:
            saved.append(name)
    if failed:
        db.session.rollback()
        return _editor(meeting, _composed(meeting), form=form, status=422)
    if form.reset.data:
        services.reset_override(meeting, form.reset.data)
        saved.append(form.reset.data)
    if date_changed:
        services.set_release_date(meeting, form.release_date.data, current_user)
        saved.append("release-date")
    db.session.commit()
    url = url_for(".press_release", slug=meeting.slug)
    if not saved:
        flash("Nothing was changed: the draft is as it was.", "info")
        return redirect(url)
    labels = ["Release date" if name == "release-date" else SECTION_LABELS[name] for name in saved]
    reset_label = SECTION_LABELS[form.reset.data] if form.reset.data else None
    message = "Saved: " + ", ".join(labels) + "."
    if reset_label:
        message += f" {reset_label} is the generated text again."
    flash(message + " The saved sections are marked below.", "success")
    order = ["release-date", *PRESS_RELEASE_SECTIONS]
    first = min(saved, key=order.index)
    return redirect(
        url_for(".press_release", slug=meeting.slug, saved=",".join(saved))
        + "#"
        + EDITOR_ANCHOR.format(first)
    )


# --- downloads --------------------------------------------------------------------------------


def _press_release_download(meeting: Meeting, fmt: str) -> Response:
    mimetype, _label = PRESS_RELEASE_FORMATS[fmt]
    publish_on_close(meeting)
    body = press_release_document(meeting, fmt)
    return file_download(body, mimetype, download_name(meeting, "press-release", fmt))


@bp.route("/meetings/<slug>/press-release.pdf")
@meeting_view
def press_release_pdf(meeting: Meeting) -> ResponseReturnValue:
    return _press_release_download(meeting, "pdf")


@bp.route("/meetings/<slug>/press-release.html")
@meeting_view
def press_release_html(meeting: Meeting) -> ResponseReturnValue:
    return _press_release_download(meeting, "html")


@bp.route("/meetings/<slug>/press-release.md")
@meeting_view
def press_release_md(meeting: Meeting) -> ResponseReturnValue:
    return _press_release_download(meeting, "md")


@bp.route("/meetings/<slug>/press-release.docx")
@meeting_view
def press_release_docx(meeting: Meeting) -> ResponseReturnValue:
    return _press_release_download(meeting, "docx")


@bp.route("/meetings/<slug>/summary.pdf")
@meeting_view
def summary(meeting: Meeting) -> ResponseReturnValue:
    return document_download(meeting, "summary", {})


@bp.route("/meetings/<slug>/sign-in-sheet.pdf")
@meeting_view
def sign_in_sheet(meeting: Meeting) -> ResponseReturnValue:
    return document_download(meeting, "sign-in-sheet", {})
