"""Views of the surveys capability: the builder, invitations, results and exports for staff,
and the answer page behind each participant's personal link `/s/<token>` (no login; lookups
rate-limited per address)."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from meetapp.database import utcnow
from meetapp.documents.routes import document_download
from meetapp.downloads import file_download as _download
from meetapp.errors import DomainError
from meetapp.extensions import db, limiter, personal_link_limit
from meetapp.formatting import from_local, to_local
from meetapp.i18n import (
    N_,
    language_name,
    locale_code,
    use_meeting_languages,
    use_participant_language,
)
from meetapp.meetings.access import can_edit, get_meeting_or_404, meeting_view
from meetapp.models import Meeting, Survey, SurveyQuestion, SurveyState
from meetapp.models.surveys import BATCH_SIZE_DEFAULT, GRID_SCALES
from meetapp.outbox.services import mail_configured, send_later
from meetapp.public_urls import public_url
from meetapp.qr import qr_svg
from meetapp.surveys import copies, open_link, publication, services
from meetapp.surveys import invitations as invites
from meetapp.surveys import results as survey_results
from meetapp.surveys.batches import publish_on_close
from meetapp.surveys.conditions import condition_of, condition_summary, page_condition
from meetapp.surveys.forms import (
    ActionForm,
    AnswerForm,
    InviteForm,
    MoveForm,
    NewFromForm,
    OpenCodeForm,
    OpenLinkForm,
    PublishForm,
    QuestionForm,
    SurveyForm,
)
from meetapp.surveys.kinds import answer_template, kind_labels, kind_of, question_kind
from meetapp.surveys.services import (
    AnswerProblems,
    LinkUsedUp,
    QuestionData,
    SurveyData,
    SurveyNotOpen,
    SurveyVisit,
)

bp = Blueprint("surveys", __name__)
# A record's id as a form sends it: ASCII digits only (str.isdigit takes "²"), within 64 bits.
_ID = re.compile(r"[0-9]{1,18}")
# The answer page shows each question with the template its kind names.
bp.add_app_template_global(answer_template, "answer_template")
# A grid's template asks its kind for the question's rows and scale.
bp.add_app_template_global(question_kind, "question_kind")
# And says when a question is shown only for some earlier answer (`conditions`).
bp.add_app_template_global(page_condition, "page_condition")
bp.add_app_template_global(condition_summary, "condition_summary")

BAD_LINK = N_(
    "This survey link does not work. It may be incomplete (check that you copied the whole "
    "link) or it may have expired. If you think you should be able to answer, ask the "
    "organisers for a new link."
)


# --- helpers ---------------------------------------------------------------------------------


def _survey_or_404(meeting: Meeting, key: str) -> Survey:
    survey = services.get_survey(meeting, key)
    if survey is None:
        abort(404)
    return survey


def _results_survey_or_404(meeting: Meeting, key: str) -> Survey:
    """The survey whose results a view shows, after publishing what its close made due."""
    publish_on_close(meeting)
    return _survey_or_404(meeting, key)


def _question_or_404(survey: Survey, question_id: int) -> SurveyQuestion:
    question = services.get_question(survey, question_id)
    if question is None:
        abort(404)
    return question


def _show_error(form: FlaskForm, error: DomainError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        form.form_errors.append(error.message)


def _survey_data(
    form: SurveyForm, meeting: Meeting, batch_size: int = BATCH_SIZE_DEFAULT
) -> SurveyData:
    """The settings sent; an empty batch size keeps `batch_size`."""
    return SurveyData(
        title=form.title.data or "",
        intro=form.intro.data or None,
        anonymous=bool(form.anonymous.data),
        opens_at=from_local(form.opens_at.data, meeting.timezone),
        closes_at=from_local(form.closes_at.data, meeting.timezone),
        batch_size=batch_size if form.batch_size.data is None else form.batch_size.data,
    )


def _survey_initial(survey: Survey, meeting: Meeting) -> dict[str, Any]:
    return {
        "title": survey.title,
        "intro": survey.intro,
        "anonymous": survey.anonymous,
        "opens_at": to_local(survey.opens_at, meeting.timezone),
        "closes_at": to_local(survey.closes_at, meeting.timezone),
        "batch_size": survey.batch_size,
    }


def _question_data(form: QuestionForm, question: SurveyQuestion | None = None) -> QuestionData:
    """The question sent; editing one, the options' lines are matched to its options
    (`services.match_option_lines`), so that a reworded option keeps its answers."""
    labels = form.option_list()
    keys = None
    if question is not None:
        shown = (form.option_keys.data or "").split()
        keys = services.match_option_lines(question.options or [], labels, shown)
    return QuestionData(
        text=form.text.data or "",
        kind=form.kind.data or "",
        required=bool(form.required.data),
        options=labels,
        quotable_in_release=bool(form.quotable_in_release.data),
        option_keys=keys,
        scale=form.scale.data or None,
        show_if=_show_if_sent(form),
    )


def _show_if_sent(form: QuestionForm) -> dict[str, Any] | None:
    """The condition sent: the answers ticked under the question chosen (those under the
    others are for other choices of question)."""
    key = form.show_if_question.data or ""
    if not key:
        return None
    return {
        "question": key,
        "op": form.show_if_op.data,
        "value": request.form.getlist(f"show_if_value-{key}"),
    }


def _condition_editor(
    form: QuestionForm, survey: Survey, question: SurveyQuestion | None = None
) -> dict[str, Any]:
    """What the question editor's condition needs: the earlier questions it may depend on
    (as choices of `form.show_if_question`) and the answers ticked under each."""
    earlier = []
    for item in survey.questions:
        if question is not None and item.id == question.id:
            break
        if kind_of(item.kind).can_be_condition:
            earlier.append(item)
    form.show_if_question.choices = [
        ("", "(always show it)"),
        *[(item.key, f"{survey.questions.index(item) + 1}. {item.text}") for item in earlier],
    ]
    ticked: dict[str, list[str]] = {}
    if request.method == "POST":
        ticked = {item.key: request.form.getlist(f"show_if_value-{item.key}") for item in earlier}
    elif question is not None and (condition := condition_of(question)) is not None:
        ticked = {condition.question: list(condition.values)}
    return {"condition_questions": earlier, "condition_values": ticked}


def _edit_url(meeting: Meeting, survey: Survey) -> str:
    return url_for("surveys.edit", slug=meeting.slug, key=survey.key)


# --- list and builder ------------------------------------------------------------------------


@bp.route("/meetings/<slug>/surveys")
@meeting_view
def index(meeting: Meeting) -> ResponseReturnValue:
    surveys = services.list_surveys(meeting)
    counts = services.response_counts(meeting)
    return render_template(
        "surveys/index.html",
        meeting=meeting,
        surveys=surveys,
        counts=counts,
        may_edit=can_edit(current_user, meeting),
        now=utcnow(),
    )


@bp.route("/meetings/<slug>/surveys/new", methods=["GET", "POST"])
@meeting_view(write=True)
def new(meeting: Meeting) -> ResponseReturnValue:
    form = SurveyForm()
    if form.validate_on_submit():
        try:
            survey = services.create_survey(meeting, _survey_data(form, meeting))
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            url = _edit_url(meeting, survey)
            db.session.commit()
            flash("The survey is created. Now add its questions.", "success")
            return redirect(url)
    return render_template("surveys/new.html", meeting=meeting, form=form)


@bp.route("/meetings/<slug>/surveys/new-from", methods=["GET", "POST"])
@meeting_view(write=True)
def new_from(meeting: Meeting) -> ResponseReturnValue:
    """A new draft survey copied from a survey of another meeting the user may read, or made
    from a built-in template (`copies`). Staff make no surveys (403)."""
    form = NewFromForm()
    groups = copies.choices_for(current_user, meeting)
    form.source.choices = {label: options for label, options in groups}
    status = 200
    if form.validate_on_submit():
        value = form.source.data or ""
        try:
            if value.startswith(copies.SURVEY_PREFIX):
                number = value[len(copies.SURVEY_PREFIX) :]
                if not _ID.fullmatch(number):
                    abort(404)
                source = copies.readable_survey(current_user, int(number), meeting)
                if source is None:
                    abort(404)
                survey = copies.copy_survey(meeting, source)
            elif value.startswith(copies.TEMPLATE_PREFIX):
                survey = copies.from_template(meeting, value[len(copies.TEMPLATE_PREFIX) :])
            else:
                raise DomainError("Choose what to copy.", field="source")
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
            status = 422
        else:
            url = _edit_url(meeting, survey)
            db.session.commit()
            flash(
                "The survey is created as a draft, without dates: check its settings and "
                "questions, then set when it opens.",
                "success",
            )
            return redirect(url)
    elif form.is_submitted():
        status = 422
    return render_template("surveys/new_from.html", meeting=meeting, form=form), status


def _render_builder(
    meeting: Meeting,
    survey: Survey,
    form: SurveyForm | None = None,
    question_form: QuestionForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    counts = services.answer_counts([q.id for q in survey.questions])
    question_form = question_form or QuestionForm(formdata=None)
    return render_template(
        "surveys/edit.html",
        meeting=meeting,
        survey=survey,
        form=form or SurveyForm(formdata=None, data=_survey_initial(survey, meeting)),
        question_form=question_form,
        **_condition_editor(question_form, survey),
        answered={qid: sum(c.values()) for qid, c in counts.items()},
        responses=services.response_count(survey),
        kind_labels=kind_labels(),
        may_edit=can_edit(current_user, meeting),
        action_form=ActionForm(),
    ), status


@bp.route("/meetings/<slug>/surveys/<key>", methods=["GET", "POST"])
@meeting_view
def edit(meeting: Meeting, key: str) -> ResponseReturnValue:
    survey = _survey_or_404(meeting, key)
    if request.method == "GET":
        return _render_builder(meeting, survey)
    form = SurveyForm()
    if form.validate_on_submit():
        try:
            services.update_survey(survey, _survey_data(form, meeting, survey.batch_size))
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash("The survey's settings are saved.", "success")
            return redirect(_edit_url(meeting, survey))
        survey = _survey_or_404(meeting, key)
    return _render_builder(meeting, survey, form=form)


@bp.route("/meetings/<slug>/surveys/<key>/delete", methods=["POST"])
@meeting_view
def delete(meeting: Meeting, key: str) -> ResponseReturnValue:
    survey = _survey_or_404(meeting, key)
    if not ActionForm().validate_on_submit():
        abort(400)
    title = survey.title
    try:
        services.delete_survey(survey)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(_edit_url(meeting, survey))
    db.session.commit()
    flash(f"The survey “{title}” was deleted.", "success")
    return redirect(url_for("surveys.index", slug=meeting.slug))


@bp.route("/meetings/<slug>/surveys/<key>/questions", methods=["POST"])
@meeting_view
def question_add(meeting: Meeting, key: str) -> ResponseReturnValue:
    survey = _survey_or_404(meeting, key)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            services.add_question(survey, _question_data(form))
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash("The question is added.", "success")
            return redirect(_edit_url(meeting, survey) + "#questions")
        survey = _survey_or_404(meeting, key)
    return _render_builder(meeting, survey, question_form=form)


@bp.route("/meetings/<slug>/surveys/<key>/questions/<int:question_id>", methods=["GET", "POST"])
@meeting_view(write=True)
def question_edit(meeting: Meeting, key: str, question_id: int) -> ResponseReturnValue:
    survey = _survey_or_404(meeting, key)
    question = _question_or_404(survey, question_id)
    if request.method == "POST":
        form = QuestionForm()
    else:
        form = QuestionForm(
            data={
                "text": question.text,
                "kind": question.kind,
                "required": question.required,
                "quotable_in_release": question.quotable_in_release,
                "options": "\n".join(question.option_labels()),
                "option_keys": " ".join(question.option_keys()),
                "scale": question.scale or GRID_SCALES[0],
                "show_if_question": (question.show_if or {}).get("question", ""),
                "show_if_op": (question.show_if or {}).get("op", "is"),
            }
        )
    if form.validate_on_submit():
        try:
            services.update_question(question, _question_data(form, question))
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
            survey = _survey_or_404(meeting, key)
            question = _question_or_404(survey, question_id)
        else:
            db.session.commit()
            flash("The question is saved.", "success")
            return redirect(_edit_url(meeting, survey) + "#questions")
    answered = sum(services.answer_counts([question_id])[question_id].values())
    return render_template(
        "surveys/question.html",
        meeting=meeting,
        survey=survey,
        question_id=question_id,
        form=form,
        answered=answered,
        **_condition_editor(form, survey, question),
    )


@bp.route("/meetings/<slug>/surveys/<key>/questions/<int:question_id>/delete", methods=["POST"])
@meeting_view
def question_delete(meeting: Meeting, key: str, question_id: int) -> ResponseReturnValue:
    survey = _survey_or_404(meeting, key)
    question = _question_or_404(survey, question_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.delete_question(survey, question)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("The question was deleted.", "success")
    return redirect(_edit_url(meeting, survey) + "#questions")


@bp.route("/meetings/<slug>/surveys/<key>/questions/<int:question_id>/move", methods=["POST"])
@meeting_view
def question_move(meeting: Meeting, key: str, question_id: int) -> ResponseReturnValue:
    survey = _survey_or_404(meeting, key)
    question = _question_or_404(survey, question_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.move_question(survey, question, -1 if form.direction.data == "up" else 1)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
    return redirect(_edit_url(meeting, survey) + "#questions")


@bp.route("/meetings/<slug>/surveys/<key>/preview")
@meeting_view
def preview(meeting: Meeting, key: str) -> ResponseReturnValue:
    survey = _survey_or_404(meeting, key)
    return render_template(
        "surveys/answer.html",
        meeting=meeting,
        survey=survey,
        form=None,
        values={},
        problems={},
        preview=True,
        answered_before=False,
    )


# --- invitations -----------------------------------------------------------------------------


def _render_invitations(
    meeting: Meeting, survey: Survey, form: InviteForm | None = None
) -> ResponseReturnValue:
    return render_template(
        "surveys/invitations.html",
        meeting=meeting,
        survey=survey,
        form=form or InviteForm(meeting, formdata=None),
        overview=invites.invitation_overview(survey),
        mail_on=mail_configured(),
        may_edit=can_edit(current_user, meeting),
        action_form=ActionForm(),
    )


@bp.route("/meetings/<slug>/surveys/<key>/invitations", methods=["GET", "POST"])
@meeting_view
def invitations(meeting: Meeting, key: str) -> ResponseReturnValue:
    survey = _survey_or_404(meeting, key)
    if request.method == "GET":
        return _render_invitations(meeting, survey)
    form = InviteForm(meeting)
    if form.validate_on_submit():
        try:
            links = invites.invite(survey, form.audience.data or "", form.group.data)
            message_ids = invites.queue_mails(meeting, survey, links, reminder=False)
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            count = len(links)
            csv = None if mail_configured() or not links else invites.links_csv(links)
            db.session.commit()
            if csv is not None:
                return _download(csv, "text/csv; charset=utf-8", f"{survey.key}-links.csv")
            send_later(message_ids)
            _flash_delivery("invited", count)
            return redirect(url_for("surveys.invitations", slug=meeting.slug, key=survey.key))
    return _render_invitations(meeting, survey, form)


def _flash_delivery(verb: str, count: int) -> None:
    if count == 0:
        flash("Nobody new to reach: everyone chosen is already invited or has answered.", "info")
        return
    people = "person" if count == 1 else "people"
    flash(
        f"{count} {people} {verb}: the e-mails are on their way. The list shows each one's "
        "status; reload the page to follow it.",
        "success",
    )


@bp.route("/meetings/<slug>/surveys/<key>/invitations/remind", methods=["POST"])
@meeting_view
def remind(meeting: Meeting, key: str) -> ResponseReturnValue:
    """A reminder with a new link to everyone invited who has not answered; without SMTP,
    the CSV of those links."""
    survey = _survey_or_404(meeting, key)
    if not ActionForm().validate_on_submit():
        abort(400)
    links = invites.unanswered_links(survey)
    message_ids = invites.queue_mails(meeting, survey, links, reminder=True)
    csv = None if mail_configured() or not links else invites.links_csv(links)
    db.session.commit()
    if csv is not None:
        return _download(csv, "text/csv; charset=utf-8", f"{survey.key}-links.csv")
    send_later(message_ids)
    _flash_delivery("reminded", len(links))
    return redirect(url_for("surveys.invitations", slug=meeting.slug, key=survey.key))


@bp.route("/meetings/<slug>/surveys/<key>/invitations/retry", methods=["POST"])
@meeting_view
def retry(meeting: Meeting, key: str) -> ResponseReturnValue:
    """Send again the invitations and reminders still queued or failed, or left 'sending' by
    a deliverer that died; not those being sent right now."""
    survey = _survey_or_404(meeting, key)
    if not ActionForm().validate_on_submit():
        abort(400)
    pending = invites.invitation_overview(survey).pending_message_ids
    db.session.commit()
    if pending:
        send_later(pending)
        flash(
            f"{len(pending)} e-mail(s) are being sent again: reload the page to see how it went.",
            "success",
        )
    else:
        flash("Nothing is waiting to be sent.", "info")
    return redirect(url_for("surveys.invitations", slug=meeting.slug, key=survey.key))


# --- results and exports ---------------------------------------------------------------------


@bp.route("/meetings/<slug>/surveys/<key>/results")
@meeting_view
def results(meeting: Meeting, key: str) -> ResponseReturnValue:
    """The results, options labelled in the meeting language the organiser chooses
    (`?language=`; the first by default). Answers count together whatever language they were
    given in: choices are counted by option key."""
    survey = _results_survey_or_404(meeting, key)
    page = request.args.get("missing_page", 1, type=int) or 1
    languages = [code for code in meeting.languages or [] if isinstance(code, str)]
    chosen = request.args.get("language")
    if chosen not in languages:
        chosen = languages[0] if languages else None
    return _render_results(meeting, survey, page, chosen, languages)


def _render_results(
    meeting: Meeting,
    survey: Survey,
    page: int,
    chosen: str | None,
    languages: list[str],
    publish_form: PublishForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    may_edit = can_edit(current_user, meeting)
    if publish_form is None:
        publish_form = PublishForm(
            formdata=None,
            data={
                "published": survey.results_published,
                "questions": list(survey.published_questions or []),
                "by_group": survey.published_by_group,
            },
        )
    publish_form.questions.choices = _publishable_choices(survey)
    return render_template(
        "surveys/results.html",
        meeting=meeting,
        survey=survey,
        results=survey_results.survey_results(survey, missing_page=page, locale=chosen),
        languages=[(code, language_name(code)) for code in languages],
        chosen_language=chosen,
        language_name=language_name,
        may_edit=may_edit,
        publish_form=publish_form,
        action_form=ActionForm(),
        published_texts=publication.published_text_ids(survey) if may_edit else set(),
        public_url=url_for("surveys.public_results", slug=meeting.slug, key=survey.key),
        small_group=survey_results.SMALL_GROUP,
    ), status


def _publishable_choices(survey: Survey) -> list[tuple[str, str]]:
    return [(q.key, q.text) for q in publication.publishable_questions(survey)]


def _results_url(meeting: Meeting, survey: Survey, anchor: str = "") -> str:
    return url_for("surveys.results", slug=meeting.slug, key=survey.key) + anchor


@bp.route("/meetings/<slug>/surveys/<key>/publication", methods=["POST"])
@meeting_view
def publication_settings(meeting: Meeting, key: str) -> ResponseReturnValue:
    """Turn the public results page on or off and choose what it shows (organisers only)."""
    survey = _results_survey_or_404(meeting, key)
    form = PublishForm()
    form.questions.choices = _publishable_choices(survey)
    if form.validate_on_submit():
        try:
            publication.save_settings(
                survey,
                published=bool(form.published.data),
                question_keys=form.questions.data or [],
                by_group=bool(form.by_group.data),
            )
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(
                "The results are published: the page shows what you chose."
                if survey.results_published
                else "The results are not published: the public page is off.",
                "success",
            )
            return redirect(_results_url(meeting, survey, "#publish"))
        survey = _survey_or_404(meeting, key)
    languages = [code for code in meeting.languages or [] if isinstance(code, str)]
    return _render_results(
        meeting, survey, 1, languages[0] if languages else None, languages, form, 422
    )


def _ids(name: str) -> list[int]:
    values = request.form.getlist(name)
    if not all(_ID.fullmatch(value) for value in values):
        abort(400)
    return [int(value) for value in values]


@bp.route("/meetings/<slug>/surveys/<key>/published-texts", methods=["POST"])
@meeting_view
def published_texts(meeting: Meeting, key: str) -> ResponseReturnValue:
    """Choose, one by one, the free-text answers the public results page shows."""
    survey = _results_survey_or_404(meeting, key)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        count = publication.choose_texts(survey, _ids("shown"), _ids("chosen"))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        survey = _survey_or_404(meeting, key)
        languages = [code for code in meeting.languages or [] if isinstance(code, str)]
        first = languages[0] if languages else None
        return _render_results(meeting, survey, 1, first, languages, status=422)
    db.session.commit()
    flash(
        f"{count} free-text answer{'s' if count != 1 else ''} of those listed "
        f"{'are' if count != 1 else 'is'} chosen for the published results.",
        "success",
    )
    return redirect(_results_url(meeting, survey, "#texts"))


@bp.route("/m/<slug>/surveys/<key>/results")
def public_results(slug: str, key: str) -> ResponseReturnValue:
    """The results the organiser published (`publication`): no login; 404 unless published.
    Cached by the reader's browser for a minute at most (the page follows the language
    cookie, and a withdrawal must take effect soon)."""
    meeting = get_meeting_or_404(slug)
    publish_on_close(meeting)
    survey = _survey_or_404(meeting, key)
    if not survey.results_published:
        abort(404)
    use_meeting_languages(meeting.languages)
    shown = publication.public_results(survey, locale_code())
    response = make_response(
        render_template(
            "surveys/public_results.html",
            meeting=meeting,
            survey=survey,
            shown=shown,
            small_group=survey_results.SMALL_GROUP,
        )
    )
    response.headers["Cache-Control"] = "private, max-age=60"
    response.headers["Vary"] = "Cookie"
    return response


@bp.route("/meetings/<slug>/surveys/<key>/results.json")
@meeting_view
def results_json(meeting: Meeting, key: str) -> ResponseReturnValue:
    survey = _results_survey_or_404(meeting, key)
    summary = survey_results.results_summary(
        survey_results.survey_results(survey, with_texts=False), meeting
    )
    response = Response(
        json.dumps(summary, ensure_ascii=False, indent=2), mimetype="application/json"
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/meetings/<slug>/surveys/<key>/responses.csv")
@meeting_view
def responses_csv(meeting: Meeting, key: str) -> ResponseReturnValue:
    """Streamed when small; many responses are prepared by a job (see `document_download`)."""
    _results_survey_or_404(meeting, key)
    return document_download(meeting, "responses-csv", {"survey": key})


@bp.route("/meetings/<slug>/surveys/<key>/responses.xlsx")
@meeting_view
def responses_xlsx(meeting: Meeting, key: str) -> ResponseReturnValue:
    _results_survey_or_404(meeting, key)
    return document_download(meeting, "responses-xlsx", {"survey": key})


@bp.route("/meetings/<slug>/surveys/<key>/results.pdf")
@meeting_view
def results_pdf(meeting: Meeting, key: str) -> ResponseReturnValue:
    return document_download(meeting, "survey-results", {"survey": key})


# --- the answer page -------------------------------------------------------------------------


@bp.after_request
def _keep_personal_pages_private(response: Response) -> Response:
    if request.endpoint in ("surveys.answer", "surveys.open_answer", "surveys.open_code"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _bad_link() -> ResponseReturnValue:
    return render_template(
        "surveys/bad_link.html", message=gettext(BAD_LINK), language_back=None
    ), 404


def _answered_elsewhere(visit: SurveyVisit) -> ResponseReturnValue:
    """An anonymous survey answered through another link of the same invitation: only that
    link can open (and change) those answers."""
    return render_template(
        "surveys/answered_elsewhere.html", meeting=visit.meeting, survey=visit.survey
    ), (200 if request.method == "GET" else 409)


def _form_values(survey: Survey) -> dict[str, Any]:
    """What was sent, question key -> list of values (a grid's: row key -> value), kept to
    fill the form in again; each kind reads its fields (`Kind.form_value`)."""
    return {
        question.key: kind_of(question.kind).form_value(question, request.form)
        for question in survey.questions
    }


def _page(
    visit: SurveyVisit,
    form: AnswerForm,
    values: dict[str, Any],
    problems: dict[str, str],
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "surveys/answer.html",
        meeting=visit.meeting,
        survey=visit.survey,
        participant=visit.participant,
        form=form,
        values=values,
        problems=problems,
        preview=False,
        answered_before=services.has_answered(visit),
    ), status


def _as_lists(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers as the form's values: lists of strings (a grid's: row key -> string)."""
    return {
        key: [str(v) for v in value]
        if isinstance(value, list)
        else {str(k): str(v) for k, v in value.items()}
        if isinstance(value, dict)
        else [str(value)]
        for key, value in answers.items()
    }


@bp.route("/s/<token>", methods=["GET", "POST"])
@personal_link_limit()
def answer(token: str) -> ResponseReturnValue:
    visit = services.find_visit(token)
    if visit is None:
        return _bad_link()
    survey = visit.survey
    use_meeting_languages(visit.meeting.languages)
    if visit.participant is not None:
        use_participant_language(visit.participant.languages)
    state = survey.state(utcnow())
    if state != SurveyState.OPEN:
        return render_template(
            "surveys/closed.html", meeting=visit.meeting, survey=survey, state=state
        ), (200 if request.method == "GET" else 403)
    if visit.answered_elsewhere:
        return _answered_elsewhere(visit)
    form = AnswerForm()
    if request.method == "GET":
        return _page(visit, form, _as_lists(services.current_answers(visit)), {})
    if not form.validate_on_submit():
        abort(400)
    values = _form_values(survey)
    try:
        created = services.submit_response(visit, values, language=locale_code())
        anonymous = survey.anonymous
        db.session.commit()
    except AnswerProblems as problems:
        db.session.rollback()
        visit = services.find_visit(token)
        if visit is None:
            return _bad_link()
        if visit.answered_elsewhere:
            return _answered_elsewhere(visit)
        # A value the page never offers (an unknown option key) is refused as such.
        status = 422 if problems.not_offered else 200
        return _page(visit, form, values, problems.problems, status)
    except LinkUsedUp:
        db.session.rollback()
        return _answered_elsewhere(visit)
    except SurveyNotOpen:
        db.session.rollback()
        return render_template(
            "surveys/closed.html", meeting=visit.meeting, survey=survey, state=SurveyState.CLOSED
        ), 403
    except IntegrityError:
        # Another submission of this invitation won the race (the locks make this rare).
        db.session.rollback()
        flash(gettext("Your answers were already received."), "info")
        return redirect(url_for(".answer", token=token))
    if anonymous:
        saved = (
            gettext("Thank you: your answers are saved, without your name.")
            if created
            else gettext("Thank you: your changed answers are saved, without your name.")
        )
    else:
        saved = (
            gettext("Thank you: your answers are saved.")
            if created
            else gettext("Thank you: your changed answers are saved.")
        )
    flash(saved, "success")
    return redirect(url_for(".answer", token=token))


# --- the open link for the room --------------------------------------------------------------

OPEN_LINK_OFF = N_(
    "This survey link does not work: the organisers may have closed it, or it may be "
    "incomplete (check that you typed the whole address)."
)


def _open_url(survey: Survey) -> str:
    return public_url("surveys.open_answer", open_key=survey.open_key)


def _short_url(url: str) -> str:
    """The address as it is typed from a screen: without its scheme.

    >>> _short_url("https://meet.example.org/o/k7f3m2q9xa")
    'meet.example.org/o/k7f3m2q9xa'
    """
    return url.split("://", 1)[-1]


def _render_open_settings(
    meeting: Meeting, survey: Survey, form: OpenLinkForm | None = None, status: int = 200
) -> ResponseReturnValue:
    url = _open_url(survey) if survey.open_key else None
    return render_template(
        "surveys/open_link.html",
        meeting=meeting,
        survey=survey,
        form=form
        or OpenLinkForm(
            formdata=None,
            data={
                "enabled": survey.open_link,
                "code": survey.open_code,
                "counts_with_invited": survey.open_counts_with_invited,
            },
        ),
        url=url,
        short_url=_short_url(url) if url else None,
        open_responses=open_link.open_response_count(survey),
        may_edit=can_edit(current_user, meeting),
        languages=[(code, language_name(code)) for code in meeting.languages or []],
    ), status


@bp.route("/meetings/<slug>/surveys/<key>/open-link", methods=["GET", "POST"])
@meeting_view
def open_link_settings(meeting: Meeting, key: str) -> ResponseReturnValue:
    """The open link's settings: organisers change them; staff see them and the projector
    page."""
    survey = _survey_or_404(meeting, key)
    if request.method == "GET":
        return _render_open_settings(meeting, survey)
    form = OpenLinkForm()
    if form.validate_on_submit():
        try:
            open_link.update_open_link(
                survey,
                open_link.OpenLinkSettings(
                    enabled=bool(form.enabled.data),
                    code=form.code.data,
                    counts_with_invited=bool(form.counts_with_invited.data),
                ),
            )
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(
                "The open link takes answers."
                if survey.open_link
                else "The open link is off: it takes no answers.",
                "success",
            )
            return redirect(url_for("surveys.open_link_settings", slug=meeting.slug, key=key))
        survey = _survey_or_404(meeting, key)
    return _render_open_settings(meeting, survey, form, 422)


@bp.route("/meetings/<slug>/surveys/<key>/open-link/screen")
@meeting_view
def open_link_screen(meeting: Meeting, key: str) -> ResponseReturnValue:
    """The page for the projector: the open link's QR code and short address, large, with no
    navigation; in the meeting's first language (`?lang=` another)."""
    survey = _survey_or_404(meeting, key)
    if not survey.open_link or not survey.open_key:
        flash("Turn the open link on first.", "info")
        return redirect(url_for("surveys.open_link_settings", slug=meeting.slug, key=key))
    use_meeting_languages(meeting.languages)
    use_participant_language(meeting.languages)
    url = _open_url(survey)
    return render_template(
        "surveys/open_screen.html",
        meeting=meeting,
        survey=survey,
        short_url=_short_url(url),
        qr=qr_svg(url, gettext("QR code of the survey's address"), scale=10, sized=False),
        state=survey.state(utcnow()),
    )


def _open_address_limit() -> str:
    return str(current_app.config["OPEN_SURVEY_RATE_LIMIT"])


def _open_browser_limit() -> str:
    return str(current_app.config["OPEN_SURVEY_BROWSER_RATE_LIMIT"])


def _open_code_limit() -> str:
    return str(current_app.config["OPEN_SURVEY_CODE_RATE_LIMIT"])


def _request_browser() -> open_link.OpenBrowser | None:
    """The browser the request's cookie for this open link names, if any."""
    open_key = str((request.view_args or {}).get("open_key", ""))
    return open_link.read_browser(request.cookies.get(open_link.cookie_name(open_key)), open_key)


def _browser_limit_key() -> str:
    browser = _request_browser()
    return f"browser:{browser.key}" if browser else "no-browser"


def _without_browser() -> bool:
    """A request without the link's cookie is counted only per address (a room's first
    requests all come without one)."""
    return _request_browser() is None


def _wrong_code(response: Any) -> bool:
    return getattr(response, "status_code", 200) == 422


# Every request to an open link counts per address (generously: a room shares one) and, once
# the browser has its cookie, per browser; wrong codes count apart, per address.
_open_limits = [
    limiter.shared_limit(_open_address_limit, scope="open-survey-address"),
    limiter.shared_limit(
        _open_browser_limit,
        scope="open-survey-browser",
        key_func=_browser_limit_key,
        exempt_when=_without_browser,
    ),
]


def _open_limited(view: Any) -> Any:
    for limit in _open_limits:
        view = limit(view)
    return view


def _open_page(
    template: str, status: int, survey: Survey, meeting: Meeting, **context: Any
) -> ResponseReturnValue:
    return render_template(
        template, meeting=meeting, survey=survey, open_key=survey.open_key, **context
    ), status


def _with_cookie(
    body: ResponseReturnValue, browser: open_link.OpenBrowser, open_key: str
) -> Response:
    """The response, setting the browser's cookie for this open link (only its path)."""
    response = make_response(body)
    response.set_cookie(
        open_link.cookie_name(open_key),
        open_link.browser_cookie(browser, open_key),
        max_age=open_link.COOKIE_DAYS * 86400,
        path=url_for("surveys.open_answer", open_key=open_key),
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response


def _open_bad_link() -> ResponseReturnValue:
    return render_template(
        "surveys/bad_link.html", message=gettext(OPEN_LINK_OFF), language_back=None
    ), 404


@bp.route("/o/<open_key>", methods=["GET", "POST"])
@_open_limited
def open_answer(open_key: str) -> ResponseReturnValue:
    """A survey answered through its open link: the code first when it has one, then the
    questions; one response per browser (see `open_link`)."""
    found = open_link.find_open_survey(open_key)
    if found is None:
        return _open_bad_link()
    survey, meeting = found
    use_meeting_languages(meeting.languages)
    browser = _request_browser()
    if browser is None:
        if request.method == "POST":
            # Answers come only from a browser that has the link's cookie: one response each.
            return _open_page("surveys/open_cookies.html", 400, survey, meeting)
        browser = open_link.new_browser()
    state = survey.state(utcnow())
    if state != SurveyState.OPEN:
        body = render_template("surveys/closed.html", meeting=meeting, survey=survey, state=state)
        return _with_cookie((body, 200 if request.method == "GET" else 403), browser, open_key)
    if not browser.let_in(survey):
        if request.method == "POST":
            abort(403)
        page = _open_page(
            "surveys/open_code.html", 200, survey, meeting, form=OpenCodeForm(formdata=None)
        )
        return _with_cookie(page, browser, open_key)
    if open_link.has_answered(survey, browser):
        page = _open_page(
            "surveys/open_answered.html", 200 if request.method == "GET" else 409, survey, meeting
        )
        return _with_cookie(page, browser, open_key)
    form = AnswerForm()
    if request.method == "GET":
        page = _open_answer_page(survey, meeting, form, {}, {})
        return _with_cookie(page, browser, open_key)
    if not form.validate_on_submit():
        abort(400)
    values = _form_values(survey)
    try:
        open_link.submit_open_response(survey, browser, values, language=locale_code())
        anonymous = survey.anonymous
        db.session.commit()
    except AnswerProblems as problems:
        db.session.rollback()
        found = open_link.find_open_survey(open_key)
        if found is None:
            return _open_bad_link()
        survey, meeting = found
        status = 422 if problems.not_offered else 200
        return _open_answer_page(survey, meeting, form, values, problems.problems, status)
    except (open_link.AlreadyAnswered, IntegrityError):
        # Answered before, or by another request of this browser that won the race.
        db.session.rollback()
        return _open_page("surveys/open_answered.html", 409, survey, meeting)
    except SurveyNotOpen:
        db.session.rollback()
        return render_template(
            "surveys/closed.html", meeting=meeting, survey=survey, state=SurveyState.CLOSED
        ), 403
    flash(
        gettext("Thank you: your answers are saved, without your name.")
        if anonymous
        else gettext("Thank you: your answers are saved."),
        "success",
    )
    return redirect(url_for(".open_answer", open_key=open_key))


def _open_answer_page(
    survey: Survey,
    meeting: Meeting,
    form: AnswerForm,
    values: dict[str, Any],
    problems: dict[str, str],
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "surveys/answer.html",
        meeting=meeting,
        survey=survey,
        participant=None,
        form=form,
        values=values,
        problems=problems,
        preview=False,
        answered_before=False,
        open_link=True,
    ), status


@bp.route("/o/<open_key>/code", methods=["GET", "POST"])
@limiter.shared_limit(_open_code_limit, scope="open-survey-code", deduct_when=_wrong_code)
@_open_limited
def open_code(open_key: str) -> ResponseReturnValue:
    """The code an open link asks for (the open page shows the same form): right, the browser
    is let in (its cookie says so) and goes on to the questions; wrong, the page says so by the
    field (422, counted per address)."""
    found = open_link.find_open_survey(open_key)
    if found is None:
        return _open_bad_link()
    survey, meeting = found
    use_meeting_languages(meeting.languages)
    browser = _request_browser() or open_link.new_browser()
    if not survey.open_code:
        return redirect(url_for(".open_answer", open_key=open_key))
    if request.method == "GET":
        page = _open_page(
            "surveys/open_code.html", 200, survey, meeting, form=OpenCodeForm(formdata=None)
        )
        return _with_cookie(page, browser, open_key)
    form = OpenCodeForm()
    if form.validate_on_submit():
        if open_link.code_matches(survey.open_code, form.code.data or ""):
            browser.code_digest = open_link.code_digest(survey)
            target = redirect(url_for(".open_answer", open_key=open_key))
            return _with_cookie(target, browser, open_key)
        form.code.errors = [
            gettext("This is not the code. Check it with the organisers and try again.")
        ]
    page = _open_page("surveys/open_code.html", 422, survey, meeting, form=form)
    return _with_cookie(page, browser, open_key)
