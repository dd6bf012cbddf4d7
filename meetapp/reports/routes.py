"""Views of the documents: the press-release editor, its downloads, the meeting summary, the
sign-in sheet, and the Documents page that lists every download of a meeting, with the big
documents prepared by jobs (`meetapp.documents`). Staff read and
download everything, and write the press release as the meeting's organisers do (sections,
resets, release date)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from meetapp.documents.kinds import KINDS, DocumentKind, ExportKind, Params, SubjectGone
from meetapp.documents.routes import document_download, params_from, prepare_url
from meetapp.documents.services import asked_card, document_cards, keep_for
from meetapp.downloads import file_download
from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.meetings.access import can_edit_press_release, meeting_view
from meetapp.models import PRESS_RELEASE_SECTIONS, Meeting
from meetapp.reports import services
from meetapp.reports.documents import (
    PRESS_RELEASE_FORMATS,
    download_name,
    press_release_document,
)
from meetapp.reports.fonts import missing_fonts
from meetapp.reports.forms import ReleaseDateForm, SectionForm
from meetapp.reports.press_release import (
    SECTION_LABELS,
    PressReleaseDraft,
    compose_press_release,
)
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


def _section_forms(draft: PressReleaseDraft) -> dict[str, SectionForm]:
    return {
        section.name: SectionForm(prefix=section.name, formdata=None, data={"text": section.text})
        for section in draft.sections
    }


def _editor(
    meeting: Meeting,
    draft: PressReleaseDraft,
    forms: dict[str, SectionForm] | None = None,
    date_form: ReleaseDateForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    forms = forms or _section_forms(draft)
    if date_form is None:
        date_form = ReleaseDateForm(
            formdata=None, data={"release_date": services.stored_release_date(meeting)}
        )
    return (
        render_template(
            "reports/press_release_editor.html",
            meeting=meeting,
            draft=draft,
            forms=forms,
            date_form=date_form,
            may_edit=can_edit_press_release(current_user, meeting),
        ),
        status,
    )


@bp.route("/meetings/<slug>/press-release")
@meeting_view
def press_release(meeting: Meeting) -> ResponseReturnValue:
    publish_on_close(meeting)
    return _editor(meeting, compose_press_release(meeting))


@bp.route("/meetings/<slug>/press-release/preview")
@meeting_view
def press_release_preview(meeting: Meeting) -> ResponseReturnValue:
    publish_on_close(meeting)
    return render_template(
        "reports/press_release_preview.html", meeting=meeting, draft=compose_press_release(meeting)
    )


def _section_or_404(section: str) -> str:
    if section not in PRESS_RELEASE_SECTIONS:
        abort(404)
    return section


@bp.route("/meetings/<slug>/press-release/sections/<section>", methods=["POST"])
@meeting_view(may_change=can_edit_press_release)
def press_release_section(meeting: Meeting, section: str) -> ResponseReturnValue:
    _section_or_404(section)
    form = SectionForm(prefix=section)
    draft = compose_press_release(meeting)
    if form.validate_on_submit():
        try:
            override = services.save_override(
                meeting,
                section,
                form.text.data or "",
                draft.section(section).generated_text,
                current_user,
            )
        except DomainError as error:
            db.session.rollback()
            form.text.errors = [*form.text.errors, error.message]
        else:
            db.session.commit()
            label = draft.section(section).label
            flash(
                f"{label}: your text was saved."
                if override is not None
                else f"{label}: the text is the generated one again.",
                "success",
            )
            return redirect(url_for(".press_release", slug=meeting.slug) + f"#section-{section}")
    forms = _section_forms(draft)
    forms[section] = form
    return _editor(meeting, draft, forms=forms, status=422)


@bp.route("/meetings/<slug>/press-release/sections/<section>/reset", methods=["POST"])
@meeting_view(may_change=can_edit_press_release)
def press_release_reset(meeting: Meeting, section: str) -> ResponseReturnValue:
    _section_or_404(section)
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.reset_override(meeting, section)
    db.session.commit()
    flash(f"{SECTION_LABELS[section]}: back to the generated text.", "success")
    return redirect(url_for(".press_release", slug=meeting.slug) + f"#section-{section}")


@bp.route("/meetings/<slug>/press-release/date", methods=["POST"])
@meeting_view(may_change=can_edit_press_release)
def press_release_date(meeting: Meeting) -> ResponseReturnValue:
    form = ReleaseDateForm()
    if form.validate_on_submit():
        services.set_release_date(meeting, form.release_date.data, current_user)
        db.session.commit()
        flash("The release date was saved.", "success")
        return redirect(url_for(".press_release", slug=meeting.slug))
    return _editor(meeting, compose_press_release(meeting), date_form=form, status=422)


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
