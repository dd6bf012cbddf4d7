"""Flask commands: create-user, import-meeting, export-meeting, demo, send-mail,
press-release."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from meetapp.errors import DomainError
from meetapp.extensions import db

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "mmn-2019-cambodia-japan.json"
DEMO_ORGANISER = "organiser@example.org"


def register_commands(app: Flask) -> None:
    from meetapp.jobs.worker import worker_command

    for command in (
        worker_command,
        create_user_command,
        import_meeting_command,
        export_meeting_command,
        demo_command,
        send_mail_command,
        press_release_command,
    ):
        app.cli.add_command(command)


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "organiser", "staff"]), required=True)
@click.option("--name", help="Display name (defaults to the part of the e-mail before @).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email: str, role: str, name: str | None, password_stdin: bool) -> None:
    """Create a user account; asks for the password unless --password-stdin."""
    from meetapp.accounts.services import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, password, role, name=name)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@click.command("import-meeting")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_meeting_command(file: Path) -> None:
    """Import one meeting from a meetapp/1 JSON FILE (all or nothing)."""
    from meetapp.interchange.services import InterchangeError, import_meeting, parse_document

    try:
        report = import_meeting(parse_document(file.read_bytes()))
    except InterchangeError as exc:
        db.session.rollback()
        lines = "\n".join(f"  {problem}" for problem in exc.problems)
        raise click.ClickException(
            f"{file} was not imported; nothing was written:\n{lines}"
        ) from exc
    db.session.commit()
    click.echo(f"Imported meeting {report.meeting.slug!r} ({report.summary()}).")


@click.command("export-meeting")
@with_appcontext
@click.argument("slug")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def export_meeting_command(slug: str, output: Path | None) -> None:
    """Export the meeting SLUG as meetapp/1 JSON."""
    from meetapp.interchange.export import meeting_json
    from meetapp.models import Meeting

    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
    if meeting is None:
        raise click.ClickException(f"No meeting with the slug {slug!r}.")
    export = meeting_json(meeting)
    if output is None:
        for chunk in export.chunks():
            click.echo(chunk, nl=False)
    else:
        with output.open("wb") as file:
            export.write(file)
        click.echo(f"Wrote {output}.", err=True)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo meeting and create a demo organiser whose password is printed."""
    from meetapp.accounts.services import change_password, create_user, find_user_by_email
    from meetapp.interchange.services import import_meeting, parse_document
    from meetapp.meetings.services import add_team_member
    from meetapp.models import Meeting

    document = parse_document(DEMO_FILE.read_bytes())
    slug = document["meeting"]["slug"]
    if db.session.scalar(select(Meeting).where(Meeting.slug == slug)) is not None:
        raise click.ClickException(
            f"The demo meeting {slug!r} is already loaded; start from an empty database "
            "(delete instance/meetapp.db and run `flask --app meetapp db upgrade`)."
        )
    report = import_meeting(document)
    password = secrets.token_urlsafe(12)
    user = find_user_by_email(DEMO_ORGANISER)
    if user is None:
        user = create_user(DEMO_ORGANISER, password, "organiser", name="Demo Organiser")
    else:
        change_password(user, password)
    add_team_member(report.meeting, user)
    db.session.commit()
    click.echo(f"Loaded the demo meeting {slug!r} ({report.summary()}).")
    click.echo(f"Log in as {DEMO_ORGANISER} with the password {password}")


@click.command("send-mail")
def send_mail_command() -> None:
    """Send (or retry) the queued, failed and abandoned messages of the outbox."""
    from meetapp.outbox.services import deliver_queued, sending_elsewhere

    sent, failed = deliver_queued()
    db.session.commit()
    click.echo(f"{sent} sent, {failed} failed.")
    busy = sending_elsewhere()
    db.session.commit()
    if busy:
        # Being sent by a request (or another run of this command) right now: left to it.
        click.echo(f"{busy} being sent by another process.")


@click.command("press-release")
@with_appcontext
@click.argument("slug")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The file to write: .pdf, .html, .md or .docx (the extension picks the format).",
)
def press_release_command(slug: str, output: Path) -> None:
    """Write the press-release draft of the meeting SLUG to a file."""
    from meetapp.models import Meeting
    from meetapp.reports.documents import PRESS_RELEASE_FORMATS, press_release_document
    from meetapp.reports.fonts import missing_fonts

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in PRESS_RELEASE_FORMATS:
        raise click.ClickException(
            f"Cannot tell the format from {output.name!r}: end the file name with "
            + ", ".join(f".{ext}" for ext in PRESS_RELEASE_FORMATS)
            + "."
        )
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == slug))
    if meeting is None:
        raise click.ClickException(f"No meeting with the slug {slug!r}.")
    if fmt == "pdf":
        for warning in missing_fonts():
            click.echo(f"Warning: {warning}", err=True)
    output.write_bytes(press_release_document(meeting, fmt))
    click.echo(f"Wrote {output}.", err=True)
