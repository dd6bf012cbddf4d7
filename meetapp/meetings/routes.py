"""Views of the meetings capability: dashboard, organisations, meetings, groups and teams."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from meetapp.errors import DomainError
from meetapp.extensions import db
from meetapp.formatting import from_local, language_name, to_local
from meetapp.forms import show_domain_error
from meetapp.locking import lock_meeting
from meetapp.meetings import mail_intros, mail_templates, notifications, services, translations
from meetapp.meetings.access import (
    can_edit,
    meeting_view,
    require_organisation,
    roles_required,
)
from meetapp.meetings.forms import (
    GroupForm,
    MeetingForm,
    MoveGroupForm,
    NewMeetingForm,
    NotifyForm,
    OrganisationForm,
    RenameGroupForm,
    TeamMemberForm,
)
from meetapp.models import Meeting, Participant, Role, StakeholderGroup
from meetapp.outbox.intros import INTRO_PLACEHOLDERS, intro_languages
from meetapp.outbox.mail_templates import Written, template_languages
from meetapp.outbox.services import send_later
from meetapp.registration.notifications import notify_promoted
from meetapp.validation import is_id_text

bp = Blueprint("meetings", __name__)

CREATORS = (Role.ADMIN, Role.ORGANISER)


# --- dashboard --------------------------------------------------------------------------------


@bp.route("/")
@login_required
def dashboard() -> ResponseReturnValue:
    summaries = services.dashboard_summaries(current_user)
    return render_template(
        "meetings/dashboard.html",
        summaries=summaries,
        missing=translations.missing_by_meeting([summary.meeting for summary in summaries]),
        can_create=current_user.role in CREATORS,
    )


# --- organisations ----------------------------------------------------------------------------


def _organisation_data(form: OrganisationForm) -> services.OrganisationData:
    return services.OrganisationData(
        name=form.name.data or "",
        short_name=form.short_name.data,
        about=form.about.data,
        website=form.website.data,
        release_end=form.release_end.data or None,
        privacy_url=form.privacy_url.data,
    )


@bp.route("/organisations")
@roles_required(*CREATORS)
def organisations() -> ResponseReturnValue:
    return render_template(
        "meetings/organisations.html",
        organisations=services.usable_organisations(current_user),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@roles_required(*CREATORS)
def organisation_new() -> ResponseReturnValue:
    form = OrganisationForm()
    then_meeting = request.args.get("then") == "meeting"
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(
                _organisation_data(form), creator=current_user
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(f"The organisation “{organisation.name}” was created.", "success")
            if then_meeting:
                return redirect(url_for(".meeting_new", organisation=organisation.id))
            return redirect(url_for(".organisations"))
    return render_template("meetings/organisation_form.html", form=form, organisation=None)


@bp.route("/organisations/<int:org_id>/edit", methods=["GET", "POST"])
@roles_required(*CREATORS)
def organisation_edit(org_id: int) -> ResponseReturnValue:
    organisation = require_organisation(org_id)
    form = OrganisationForm(obj=organisation if request.method == "GET" else None)
    if request.method == "GET":
        form.release_end.data = organisation.release_end or ""
    if form.validate_on_submit():
        try:
            services.update_organisation(organisation, _organisation_data(form))
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("The organisation was saved.", "success")
            return redirect(url_for(".organisations"))
    return render_template("meetings/organisation_form.html", form=form, organisation=organisation)


# --- meetings ---------------------------------------------------------------------------------


def _set_organisation_choices(form: MeetingForm) -> None:
    form.organisation.choices = [
        SelectChoice(str(organisation.id), organisation.name)
        for organisation in services.usable_organisations(current_user)
    ]


def _meeting_data(form: MeetingForm) -> services.MeetingData:
    zone = form.timezone.data or "UTC"
    starts_at = from_local(form.starts_at.data, zone)
    if starts_at is None:  # the form requires it
        abort(400)
    return services.MeetingData(
        slug=form.slug.data or "",
        title=form.title.data or "",
        starts_at=starts_at,
        timezone=zone,
        organisation_id=form.organisation.data,
        kind=form.kind.data,
        topic=form.topic.data,
        ends_at=from_local(form.ends_at.data, zone),
        venue=form.venue.data,
        city=form.city.data,
        country=form.country.data or None,
        languages=list(form.languages.data or []),
        background=form.background.data,
        capacity=form.capacity.data,
        registration_opens_at=from_local(form.registration_opens_at.data, zone),
        registration_closes_at=from_local(form.registration_closes_at.data, zone),
        online=bool(form.online.data),
        partners=services.parse_partners(form.partners.data),
    )


def _meeting_initial(meeting: Meeting) -> dict[str, object]:
    zone = meeting.timezone
    return {
        "title": meeting.title,
        "slug": meeting.slug,
        "organisation": meeting.organisation_id,
        "kind": meeting.kind,
        "topic": meeting.topic,
        "timezone": zone,
        "starts_at": to_local(meeting.starts_at, zone),
        "ends_at": to_local(meeting.ends_at, zone),
        "venue": meeting.venue,
        "city": meeting.city,
        "country": meeting.country or "",
        "languages": list(meeting.languages or []),
        "background": meeting.background,
        "capacity": meeting.capacity,
        "registration_opens_at": to_local(meeting.registration_opens_at, zone),
        "registration_closes_at": to_local(meeting.registration_closes_at, zone),
        "online": meeting.online,
        "partners": services.partner_lines(meeting),
    }


@bp.route("/meetings/new", methods=["GET", "POST"])
@roles_required(*CREATORS)
def meeting_new() -> ResponseReturnValue:
    form = NewMeetingForm()
    _set_organisation_choices(form)
    if request.method == "GET":
        wanted = request.args.get("organisation", type=int)
        if wanted in {int(choice.value) for choice in form.organisation.choices or []}:
            form.organisation.data = wanted
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(
                _meeting_data(form),
                groups=services.parse_group_labels(form.groups.data),
                creator=current_user,
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            slug = meeting.slug
            db.session.commit()
            flash("The meeting was created.", "success")
            return redirect(url_for(".meeting_show", slug=slug))
    return render_template("meetings/meeting_form.html", form=form, meeting=None)


@bp.route("/meetings/<slug>")
@meeting_view
def meeting_show(meeting: Meeting) -> ResponseReturnValue:
    return render_template(
        "meetings/meeting_show.html",
        meeting=meeting,
        counts=services.meeting_counts(meeting),
        missing=translations.missing_counts(meeting),
        may_edit=can_edit(current_user, meeting),
    )


@bp.route("/meetings/<slug>/edit", methods=["GET", "POST"])
@meeting_view(write=True)
def meeting_edit(meeting: Meeting) -> ResponseReturnValue:
    form = MeetingForm(data=_meeting_initial(meeting) if request.method == "GET" else None)
    _set_organisation_choices(form)
    if form.validate_on_submit():
        try:
            promoted = services.update_meeting(meeting, _meeting_data(form))
            message_ids = notify_promoted(promoted)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            slug = meeting.slug
            db.session.commit()
            send_later(message_ids)
            flash("The meeting was saved.", "success")
            if promoted:
                people = "person moves" if len(promoted) == 1 else "people move"
                flash(f"{len(promoted)} {people} from the waiting list to registered.", "info")
            return redirect(url_for(".meeting_show", slug=slug))
    return render_template("meetings/meeting_form.html", form=form, meeting=meeting)


@bp.route("/meetings/<slug>/delete", methods=["POST"])
@meeting_view
def meeting_delete(meeting: Meeting) -> ResponseReturnValue:
    if not FlaskForm().validate_on_submit():
        abort(400)
    title = meeting.title
    services.delete_meeting(meeting)
    db.session.commit()
    flash(f"The meeting “{title}” was deleted.", "success")
    return redirect(url_for(".dashboard"))


# --- stakeholder groups -----------------------------------------------------------------------


def _group_or_404(meeting: Meeting, group_id: int) -> StakeholderGroup:
    group = services.find_group(meeting, group_id)
    if group is None:
        abort(404)
    return group


def _render_groups(
    meeting: Meeting,
    form: GroupForm | None = None,
    rename_forms: dict[int, RenameGroupForm] | None = None,
) -> ResponseReturnValue:
    counts = services.meeting_counts(meeting)
    groups = services.meeting_groups(meeting)
    forms = {
        group.id: RenameGroupForm(formdata=None, data={"label": group.label}) for group in groups
    }
    forms.update(rename_forms or {})
    return render_template(
        "meetings/groups.html",
        meeting=meeting,
        groups=groups,
        counts=counts,
        form=form or GroupForm(formdata=None),
        rename_forms=forms,
        may_edit=can_edit(current_user, meeting),
    )


@bp.route("/meetings/<slug>/groups", methods=["GET", "POST"])
@meeting_view
def groups(meeting: Meeting) -> ResponseReturnValue:
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = services.add_group(meeting, form.label.data or "")
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            label = group.label
            db.session.commit()
            flash(f"The group “{label}” was added.", "success")
            return redirect(url_for(".groups", slug=meeting.slug))
    return _render_groups(meeting, form=form)


@bp.route("/meetings/<slug>/groups/<int:group_id>/rename", methods=["POST"])
@meeting_view
def group_rename(meeting: Meeting, group_id: int) -> ResponseReturnValue:
    group = _group_or_404(meeting, group_id)
    form = RenameGroupForm()
    if form.validate_on_submit():
        try:
            services.rename_group(group, form.label.data or "")
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("The group was renamed.", "success")
            return redirect(url_for(".groups", slug=meeting.slug))
    return _render_groups(meeting, rename_forms={group_id: form})


@bp.route("/meetings/<slug>/groups/<int:group_id>/move", methods=["POST"])
@meeting_view
def group_move(meeting: Meeting, group_id: int) -> ResponseReturnValue:
    group = _group_or_404(meeting, group_id)
    form = MoveGroupForm()
    if not form.validate_on_submit():
        abort(400)
    services.move_group(group, form.direction.data or "")
    db.session.commit()
    return redirect(url_for(".groups", slug=meeting.slug))


@bp.route("/meetings/<slug>/groups/<int:group_id>/delete", methods=["POST"])
@meeting_view
def group_delete(meeting: Meeting, group_id: int) -> ResponseReturnValue:
    group = _group_or_404(meeting, group_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    label = group.label
    try:
        services.delete_group(group)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"The group “{label}” was removed.", "success")
    return redirect(url_for(".groups", slug=meeting.slug))


# --- organiser team ---------------------------------------------------------------------------


@bp.route("/meetings/<slug>/team", methods=["GET", "POST"])
@meeting_view
def team(meeting: Meeting) -> ResponseReturnValue:
    form = TeamMemberForm()
    if form.validate_on_submit():
        try:
            user = services.add_team_member_by_email(meeting, form.email.data or "")
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            name = user.name
            db.session.commit()
            flash(f"{name} joined the team.", "success")
            return redirect(url_for(".team", slug=meeting.slug))
    return _team_page(meeting, form, NotifyForm(prefix="notify"))


def _team_page(meeting: Meeting, form: TeamMemberForm, notify_form: NotifyForm) -> str:
    choice = notifications.notify_choice(meeting, current_user)
    if choice is not None and not notify_form.is_submitted():
        notify_form.notify.data = choice
    return render_template(
        "meetings/team.html",
        meeting=meeting,
        members=services.team_members(meeting),
        form=form,
        notify_form=notify_form,
        # Only those who may change the meeting hear of it (someone made staff since may not).
        on_team=choice is not None and can_edit(current_user, meeting),
        may_edit=can_edit(current_user, meeting),
    )


@bp.route("/meetings/<slug>/team/notifications", methods=["POST"])
@meeting_view
def team_notifications(meeting: Meeting) -> ResponseReturnValue:
    """An organiser on the team chooses what they hear about registrations (their own choice:
    nobody chooses for another)."""
    notify_form = NotifyForm(prefix="notify")
    if notifications.notify_choice(meeting, current_user) is None:
        abort(403)
    if not notify_form.validate_on_submit():
        return _team_page(meeting, TeamMemberForm(formdata=None), notify_form), 400
    notifications.set_notify_choice(meeting, current_user, notify_form.notify.data or "off")
    db.session.commit()
    flash("Your choice of e-mails is saved.", "success")
    return redirect(url_for(".team", slug=meeting.slug))


@bp.route("/meetings/<slug>/team/<int:user_id>/remove", methods=["POST"])
@meeting_view
def team_remove(meeting: Meeting, user_id: int) -> ResponseReturnValue:
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        removed = services.remove_team_member(meeting, user_id, acting_user=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".team", slug=meeting.slug))
    if removed is None:
        abort(404)
    name, slug = removed.name, meeting.slug
    db.session.commit()
    flash(f"{name} left the team.", "success")
    if not can_edit(current_user, meeting):
        return redirect(url_for(".dashboard"))
    return redirect(url_for(".team", slug=slug))


# --- translations -----------------------------------------------------------------------------

# The prefixes of the form's text fields (`translations.Text.name`).
TEXT_FIELDS = (
    "meeting-",
    "stakeholder-",
    "session-",
    "survey-",
    "question-",
    "registration-question-",
)


def _render_translations(
    meeting: Meeting,
    sections: list[translations.Section],
    *,
    posted: tuple[str, dict[str, str]] | None = None,
    problems: dict[str, str] | None = None,
    message: str | None = None,
    conflict: bool = False,
    status: int = 200,
) -> ResponseReturnValue:
    """The page; after a refused save, the form of the posted language shows what was typed."""
    languages = translations.other_languages(meeting)
    return render_template(
        "meetings/translations.html",
        meeting=meeting,
        sections=sections,
        languages=languages,
        unread=translations.unread_languages(meeting),
        missing=translations.missing_counts(meeting, sections),
        fingerprints={code: translations.fingerprint(sections, code) for code in languages},
        posted=posted,
        problems=problems or {},
        message=message,
        conflict=conflict,
    ), status


@bp.route("/meetings/<slug>/translations", methods=["GET", "POST"])
@meeting_view(write=True)
def translations_page(meeting: Meeting) -> ResponseReturnValue:
    """The texts participants read, in each language of the meeting but its first."""
    if request.method == "GET":
        return _render_translations(meeting, translations.meeting_sections(meeting))
    if not FlaskForm().validate_on_submit():
        abort(400)
    language = request.form.get("language", "")
    if language not in translations.other_languages(meeting):
        abort(404)
    values = {name: value for name, value in request.form.items() if name.startswith(TEXT_FIELDS)}
    known = {
        text.name for section in translations.meeting_sections(meeting) for text in section.texts
    }
    if set(values) - known:
        # A text of another meeting, or one removed since the page was opened.
        db.session.rollback()
        return _render_translations(
            meeting,
            translations.meeting_sections(meeting),
            posted=(language, values),
            message="The form names texts that are not in this meeting (removed since you "
            "opened the page?). Nothing was saved: your entries are kept below.",
            status=409,
        )
    try:
        problems = translations.save_translations(
            meeting, language, values, request.form.get("fingerprint", "")
        )
    except translations.TranslationsChanged as error:
        db.session.rollback()
        return _render_translations(
            meeting,
            translations.meeting_sections(meeting),
            posted=(language, values),
            message=error.message,
            conflict=True,
            status=409,
        )
    if problems:
        db.session.rollback()
        return _render_translations(
            meeting,
            translations.meeting_sections(meeting),
            posted=(language, values),
            problems=problems,
            message="Nothing was saved: put right the texts marked below.",
            status=422,
        )
    slug = meeting.slug
    db.session.commit()
    flash(f"The translations into {language_name(language)} were saved.", "success")
    return redirect(url_for(".translations_page", slug=slug, _anchor=f"language-{language}"))


# --- the automatic e-mails: introductions, and whole e-mails per language -----------------------


@dataclass(frozen=True)
class PostedTemplate:
    """A template as posted, shown again in its form (after a refused save, or a preview)."""

    kind: str
    language: str
    subject: str
    body: str


def _render_emails(
    meeting: Meeting,
    *,
    posted: tuple[str, dict[str, str]] | None = None,
    problems: dict[str, str] | None = None,
    preview: mail_intros.Preview | None = None,
    posted_template: PostedTemplate | None = None,
    template_problems: dict[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The page; after a refused save, the form of the posted kind shows what was typed."""
    languages, written_in = intro_languages(meeting), template_languages(meeting)
    return render_template(
        "meetings/emails.html",
        meeting=meeting,
        kinds=list(mail_intros.KINDS.values()),
        languages=languages,
        stored=mail_intros.stored(meeting),
        placeholders=INTRO_PLACEHOLDERS,
        limit=mail_intros.INTRO_MAX,
        posted=posted,
        problems=problems or {},
        preview=preview,
        templates=mail_templates.stored(meeting),
        template_languages=written_in,
        defaults={
            kind: {code: mail_templates.default(meeting, kind, code) for code in written_in}
            for kind in mail_intros.KINDS
        },
        rules=mail_templates.RULES,
        subject_max=mail_templates.SUBJECT_MAX,
        body_max=mail_templates.BODY_MAX,
        posted_template=posted_template,
        template_problems=template_problems or {},
        people=mail_intros.participants_to_preview(meeting),
    ), status


def _preview_participant(meeting: Meeting, value: str | None) -> Participant | None:
    """The participant chosen to preview as ("" or None: none chosen); 404 for an id that
    names none of the meeting's participants."""
    if not value:
        return None
    if not is_id_text(value):
        abort(404)
    participant = mail_intros.chosen_participant(meeting, int(value))
    if participant is None:
        abort(404)
    return participant


def _kind_and_language(
    meeting: Meeting, values: Mapping[str, str], languages: list[str]
) -> tuple[str, str]:
    """The kind of e-mail and the language (one of `languages`) a request names; 404 for any
    other."""
    kind, language = values.get("kind", ""), values.get("language", "")
    if kind not in mail_intros.KINDS or language not in languages:
        abort(404)
    return kind, language


@bp.route("/meetings/<slug>/emails", methods=["GET", "POST"])
@meeting_view(write=True)
def emails(meeting: Meeting) -> ResponseReturnValue:
    """The introduction of each automatic e-mail in each meeting language; `?preview=<kind>
    &language=<code>[&participant=<id>]` shows that e-mail whole, as saved."""
    if request.method == "GET":
        shown = None
        if request.args.get("preview") is not None:
            kind, language = _kind_and_language(
                meeting, {**request.args, "kind": request.args["preview"]}, intro_languages(meeting)
            )
            participant = _preview_participant(meeting, request.args.get("participant"))
            shown = mail_intros.preview(meeting, kind, language, participant)
        return _render_emails(meeting, preview=shown)
    if not FlaskForm().validate_on_submit():
        abort(400)
    kind = request.form.get("kind", "")
    if kind not in mail_intros.KINDS:
        abort(404)
    texts = {code: request.form.get(f"intro-{code}", "") for code in intro_languages(meeting)}
    lock_meeting(meeting.id)
    problems = mail_intros.save(meeting, kind, texts, current_user)
    if problems:
        db.session.rollback()
        return _render_emails(meeting, posted=(kind, texts), problems=problems, status=422)
    slug = meeting.slug
    db.session.commit()
    flash(f"The introduction of “{mail_intros.KINDS[kind].label}” was saved.", "success")
    return redirect(url_for(".emails", slug=slug, _anchor=f"kind-{kind}"))


@bp.route("/meetings/<slug>/emails/reset", methods=["POST"])
@meeting_view
def emails_reset(meeting: Meeting) -> ResponseReturnValue:
    """The kind's introductions in every language removed (a whole e-mail written for a
    language stays: it has its own reset)."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    kind = request.form.get("kind", "")
    if kind not in mail_intros.KINDS:
        abort(404)
    mail_intros.reset(meeting, kind)
    slug = meeting.slug
    db.session.commit()
    flash(f"The introductions of “{mail_intros.KINDS[kind].label}” were removed.", "success")
    return redirect(url_for(".emails", slug=slug, _anchor=f"kind-{kind}"))


@bp.route("/meetings/<slug>/emails/template", methods=["POST"])
@meeting_view
def emails_template(meeting: Meeting) -> ResponseReturnValue:
    """Save the whole e-mail of a kind in one language (`action=save`), or show it as a
    participant would get it without saving (`action=preview`). As on the introductions, the
    meeting is locked while saving: two organisers saving at once are written one after the
    other, and the last one's text is the one kept."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    kind, language = _kind_and_language(meeting, request.form, template_languages(meeting))
    posted = PostedTemplate(
        kind, language, request.form.get("subject", ""), request.form.get("body", "")
    )
    # Checked whatever the action: a form naming someone else's participant is refused.
    participant = _preview_participant(meeting, request.form.get("participant"))
    if request.form.get("action") == "preview":
        subject, body = mail_templates.clean(posted.subject, posted.body)
        found = mail_templates.problems(kind, subject, body)
        shown = None
        if not found:
            shown = mail_intros.preview(
                meeting, kind, language, participant, draft=Written(subject, body)
            )
        return _render_emails(
            meeting,
            preview=shown,
            posted_template=posted,
            template_problems=found,
            status=422 if found else 200,
        )
    lock_meeting(meeting.id)
    found = mail_templates.save(meeting, kind, language, posted.subject, posted.body, current_user)
    if found:
        db.session.rollback()
        return _render_emails(meeting, posted_template=posted, template_problems=found, status=422)
    slug = meeting.slug
    db.session.commit()
    flash(
        f"“{mail_intros.KINDS[kind].label}” in {language_name(language)} was saved: its "
        "readers get this e-mail instead of the default.",
        "success",
    )
    return redirect(url_for(".emails", slug=slug, _anchor=f"template-{kind}-{language}"))


@bp.route("/meetings/<slug>/emails/template/reset", methods=["POST"])
@meeting_view
def emails_template_reset(meeting: Meeting) -> ResponseReturnValue:
    """Back to the app's own e-mail for one kind and language: the template removed."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    kind, language = _kind_and_language(meeting, request.form, template_languages(meeting))
    mail_templates.reset(meeting, kind, language)
    slug = meeting.slug
    db.session.commit()
    flash(
        f"“{mail_intros.KINDS[kind].label}” in {language_name(language)} is back to the "
        "default e-mail.",
        "success",
    )
    return redirect(url_for(".emails", slug=slug, _anchor=f"template-{kind}-{language}"))
