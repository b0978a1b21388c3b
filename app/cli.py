"""The `heard` command: set up reviews and participants, check flows, run the app."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup

from app import create_app
from app.engine import Audience, check_flow, load_flow
from app.engine.segments import sms_problems
from app.engine.transcript import default_replies, replay
from app.engine.types import CHANNELS, LANGUAGES, VARIANTS
from app.models import ROLES, Participant
from app.services import demo as demo_service
from app.services.participants import NewParticipant, SetupError, add_participant, create_review
from app.services.runtime import Runtime, runtime
from app.services.telegram_links import new_deep_link


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True)
def main() -> None:
    """Heard: hear from people who draw on care, and tell them what changed."""


def _rt() -> Runtime:
    return runtime()


def _emit(data: dict[str, object], as_json: bool, lines: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
    else:
        for line in lines:
            click.echo(line)


# -- database -----------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from app.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at {revision}.")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION (e.g. base)."""
    from app.migrate import downgrade

    downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at {revision}.")


# -- demo ---------------------------------------------------------------------


@main.command()
def demo() -> None:
    """Seed a demo review with staff, an audit, answers and actions (once), then print how to see it all."""
    rt = _rt()
    try:
        result = demo_service.seed(rt)
    except demo_service.DemoRefused as refused:
        raise click.ClickException(str(refused)) from refused
    if result.made:
        click.echo("Seeded the demo: " + "; ".join(result.made) + ".")
    else:
        click.echo("The demo is already there: nothing was changed.")
    click.echo("")
    click.echo("Try these conversations in your browser:")
    for line in result.links:
        click.echo(f"  {line}")
    if result.answered:
        click.echo(f"Already answered, to show on the staff pages: {', '.join(result.answered)}.")
    click.echo("")
    click.echo(f"Staff sign in at {result.sign_in_url}")
    click.echo(f"  (demo passwords, made for this machine and kept in {result.passwords_file};")
    click.echo("   no password change is asked for)")
    width = max(len(login.label) for login in result.logins)
    email_width = max(len(login.email) for login in result.logins)
    for login in result.logins:
        click.echo(f"  {login.label:<{width}}  {login.email:<{email_width}}  {login.password}")
    click.echo("")
    click.echo("Then open:")
    width = max(len(label) for label, _ in result.pages)
    for label, url in result.pages:
        click.echo(f"  {label:<{width}}  {url}")
    click.echo("")
    # The sandbox phone (issue 3) is on when HEARD_SANDBOX=1, as `make run` sets it.
    click.echo(f"Text or call as Priya or Margaret on the sandbox phone: {result.sandbox_url}")
    click.echo("  (on when HEARD_SANDBOX=1, as `make run` sets it)")


# -- reviews and participants -----------------------------------------------------


@main.group()
def review() -> None:
    """Practice Reviews."""


@review.command("create")
@click.option("--council", required=True, help="The council being reviewed.")
@click.option("--theme", required=True, help="The review's theme, e.g. strengths-based practice.")
@click.option("--flow", "flow_id", default=None, help="The conversation flow (default from config).")
@click.option("--json", "as_json", is_flag=True)
def review_create(council: str, theme: str, flow_id: str | None, as_json: bool) -> None:
    rt = _rt()
    with rt.db.writing() as session:
        created = create_review(session, council, theme, flow_id or rt.config["DEFAULT_FLOW"])
        data = {"id": created.id, "council": council, "theme": created.theme, "flow": created.flow_id}
    _emit(data, as_json, [f"Review {data['id']} created for {council}: {theme}"])


@main.group()
def participant() -> None:
    """People linked to an audit ref."""


@participant.command("add")
@click.option("--review", "review_id", type=int, required=True)
@click.option("--audit-ref", required=True, help="The review's own reference, e.g. A1 (never a case number).")
@click.option("--name", "first_name", required=True, help="First name only.")
@click.option("--role", type=click.Choice(ROLES), default="person", show_default=True)
@click.option(
    "--channel", type=click.Choice(["sms", "voice", "telegram", "web", "peer", "post"]), default="web"
)
@click.option("--phone", default=None, help="E.164 phone number, for sms and voice.")
@click.option("--variant", type=click.Choice(VARIANTS), default="standard", show_default=True)
@click.option("--lang", "language", type=click.Choice(LANGUAGES), default="en", show_default=True)
@click.option("--need", "needs", multiple=True, help="A communication need (repeatable).")
@click.option("--json", "as_json", is_flag=True)
def participant_add(
    review_id: int,
    audit_ref: str,
    first_name: str,
    role: str,
    channel: str,
    phone: str | None,
    variant: str,
    language: str,
    needs: tuple[str, ...],
    as_json: bool,
) -> None:
    rt = _rt()
    new = NewParticipant(
        review_id=review_id,
        audit_ref=audit_ref,
        first_name=first_name,
        role=role,
        channel=channel,
        variant=variant,
        language=language,
        phone=phone,
        communication_needs=needs,
    )
    try:
        with rt.db.writing() as session:
            added = add_participant(session, rt.crypto, new)
            data = {
                "id": added.id,
                "review_id": review_id,
                "audit_ref": added.audit_record.audit_ref,
                "channel": channel,
                "chat_url": rt.chat_url(added.chat_token),
            }
            if channel == "telegram":
                data["telegram_link"] = new_deep_link(session, rt, added.id)
    except SetupError as error:
        raise click.ClickException(str(error)) from error
    lines = [f"Participant {data['id']} ({data['audit_ref']}): {data['chat_url']}"]
    if "telegram_link" in data:
        lines.append(f"  Telegram (one use, send it to them): {data['telegram_link']}")
    _emit(data, as_json, lines)


# -- flows ----------------------------------------------------------------------


@main.group()
def flows() -> None:
    """Conversation scripts in flows/."""


@flows.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def flows_check(paths: tuple[Path, ...]) -> None:
    """Check flows (default: every flows/*.yaml); exit 1 if any has an error."""
    registry = _rt().flows
    files = list(paths) or sorted(registry.flows_dir.glob("*.yaml"))
    pictures = registry.pictures()
    errors = 0
    for path in files:
        problems = check_flow(path, pictures=pictures)
        if not any(p.severity == "error" for p in problems):
            # Texts that cost too many SMS segments, or fall to UCS-2 in English (issue 3).
            problems += sms_problems(load_flow(path, pictures=pictures))
        for problem in problems:
            click.echo(f"{problem.severity}: {problem}", err=problem.severity == "error")
        file_errors = sum(1 for p in problems if p.severity == "error")
        errors += file_errors
        warnings = len(problems) - file_errors
        click.echo(
            f"{path}: {'OK' if not file_errors else 'REFUSED'} ({file_errors} errors, {warnings} warnings)"
        )
    sys.exit(1 if errors else 0)


@flows.command("preview")
@click.argument("flow_ref")
@click.option("--variant", type=click.Choice(VARIANTS), default="standard", show_default=True)
@click.option("--channel", type=click.Choice(CHANNELS), default="web", show_default=True)
@click.option("--lang", "language", type=click.Choice(LANGUAGES), default="en", show_default=True)
@click.option(
    "--reply", "replies", multiple=True, help="A reply to give (repeatable); default: a happy path."
)
@click.option("--name", "first_name", default="Sam", show_default=True)
def flows_preview(
    flow_ref: str, variant: str, channel: str, language: str, replies: tuple[str, ...], first_name: str
) -> None:
    """Print FLOW (an id in flows/ or a path) as a readable transcript."""
    registry = _rt().flows
    path = Path(flow_ref) if flow_ref.endswith(".yaml") else registry.path(flow_ref)
    flow = load_flow(path, pictures=registry.pictures())
    audience = Audience(
        variant=variant,
        channel=channel,
        language=language,
        fields={"first_name": first_name, "council": "Demo Borough Council", "review_theme": "your support"},
    )
    click.echo(replay(flow, audience, list(replies) or default_replies(flow, audience)), nl=False)


# -- telegram -------------------------------------------------------------------


@main.group()
def telegram() -> None:
    """The Telegram bot (TELEGRAM_BOT_TOKEN)."""


@telegram.command("poll")
@click.option("--once", is_flag=True, help="Handle what is waiting, then stop.")
@click.option("--timeout", default=30, show_default=True, help="Seconds each long poll waits.")
def telegram_poll(once: bool, timeout: int) -> None:
    """Fetch updates by long polling (for deployments without a public URL)."""
    from app.services.telegram_updates import poll

    try:
        handled = poll(_rt(), timeout=timeout, once=once)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Handled {handled} Telegram updates.")


@telegram.command("set-webhook")
@click.option("--url", default=None, help="Default: PUBLIC_BASE_URL + /webhooks/telegram.")
def telegram_set_webhook(url: str | None) -> None:
    """Tell Telegram to send updates to this app, with TELEGRAM_WEBHOOK_SECRET."""
    from app.services.telegram_updates import set_webhook

    try:
        registered = set_webhook(_rt(), url)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Telegram will send updates to {registered}.")


@telegram.command("link")
@click.argument("participant_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def telegram_link(participant_id: int, as_json: bool) -> None:
    """A new one-time deep link for a participant (any earlier unused link stops working)."""
    rt = _rt()
    with rt.db.writing() as session:
        if session.get(Participant, participant_id) is None:
            raise click.ClickException(f"There is no participant {participant_id}.")
        link = new_deep_link(session, rt, participant_id)
    _emit({"id": participant_id, "telegram_link": link}, as_json, [link])


# -- SMS --------------------------------------------------------------------------


@participant.command("consent")
@click.argument("participant_id", type=int)
@click.option("--contact/--no-contact", "given", required=True, help="Whether they agreed to be contacted.")
@click.option("--by", "recorded_by", required=True, help="Who recorded it (the coordinator).")
def participant_consent(participant_id: int, given: bool, recorded_by: str) -> None:
    """Record whether a participant agreed to be contacted (needed before `heard invite`)."""
    _record_coordinator_consent(participant_id, "contact", given, recorded_by)
    click.echo(f"Participant {participant_id}: consent to be contacted {'given' if given else 'refused'}.")


def _record_coordinator_consent(participant_id: int, scope: str, given: bool, recorded_by: str) -> None:
    """A consent a coordinator took down (on paper, in person), through the one consent service."""
    from app.services.consent import ConsentError, record_consent

    rt = _rt()
    try:
        with rt.db.writing() as session:
            record_consent(
                session, participant_id, scope, given,
                channel="coordinator", recorded_by=recorded_by, now=rt.clock(),
            )  # fmt: skip
    except ConsentError as error:
        raise click.ClickException(str(error)) from error


@main.command()
@click.option("--review", "review_id", type=int, required=True)
@click.option("--dry-run", is_flag=True, help="Show what would go to whom (numbers masked); send nothing.")
@click.option("--json", "as_json", is_flag=True)
def invite(review_id: int, dry_run: bool, as_json: bool) -> None:
    """Invite the review's SMS participants by text; remind once; then let it lapse."""
    from app.services.invitations import invite_review

    lines = invite_review(_rt(), review_id, dry_run=dry_run)
    data = {"review_id": review_id, "dry_run": dry_run, "participants": [line.as_dict() for line in lines]}
    text = [
        f"{line.audit_ref} {line.first_name} {line.to}: {line.action}"
        + (f" ({line.detail})" if line.detail else "")
        + (f"\n    {line.text}" if dry_run and line.text else "")
        for line in lines
    ] or [f"Review {review_id} has no participants who prefer SMS."]
    _emit(data, as_json, ["Dry run: nothing is sent.", *text] if dry_run else text)


# -- phone calls (issue 4) ----------------------------------------------------------


@main.group()
def audio() -> None:
    """Prompts spoken ahead of time (gTTS; espeak-ng offline), for calls and read-aloud."""


@audio.command("build")
@click.option("--flow", "flow_ids", multiple=True, help="A flow id (repeatable); default: every flow.")
@click.option("--lang", "languages", multiple=True, type=click.Choice(LANGUAGES), help="Default: all.")
def audio_build(flow_ids: tuple[str, ...], languages: tuple[str, ...]) -> None:
    """Speak every voice prompt into AUDIO_CACHE_DIR; what is there already is kept."""
    from app.services import audio as audio_cache
    from app.services.audio_texts import texts_to_build

    rt = _rt()
    texts = texts_to_build(rt, flow_ids or None, languages or None)
    with click.progressbar(length=len(texts), label="Speaking prompts", file=sys.stderr) as bar:
        report = audio_cache.build(rt.config, texts, on_each=lambda: bar.update(1))
    engines = {engine: sum(1 for e, _, _ in report.built if e == engine) for engine in audio_cache.ENGINES}
    click.echo(
        f"{len(texts)} prompts: {len(report.built)} made now (gTTS {engines['gtts']}, "
        f"espeak-ng {engines['espeak']}), {report.cached} already cached, "
        f"{len(report.left_to_say)} left to <Say>. Cache: {audio_cache.cache_dir(rt.config)}"
    )
    if report.gtts_error:
        click.echo(f"gTTS could not be reached ({report.gtts_error}); the offline engine stood in.", err=True)


@participant.command("recording-consent")
@click.argument("participant_id", type=int)
@click.option("--given/--refused", "given", required=True, help="Whether answers may be recorded.")
@click.option("--by", "recorded_by", required=True, help="Who recorded it.")
def participant_recording_consent(participant_id: int, given: bool, recorded_by: str) -> None:
    """Record whether a caller's spoken answers may be recorded (kept by reference) for the team."""
    _record_coordinator_consent(participant_id, "recording", given, recorded_by)
    click.echo(f"Participant {participant_id}: consent to recording {'given' if given else 'refused'}.")


# -- accounts (issue 6) -------------------------------------------------------------

from app.cli_accounts import peer as _peer_commands  # noqa: E402
from app.cli_accounts import user as _user_commands  # noqa: E402

main.add_command(_user_commands)
main.add_command(_peer_commands)

# -- the audit, the PSW view's numbers and exports (issue 7) -------------------------

from app.cli_audit import audit as _audit_commands  # noqa: E402
from app.cli_audit import export_command as _export_command  # noqa: E402

main.add_command(_audit_commands)
main.add_command(_export_command)

# -- "you said, we did" (issue 8) ---------------------------------------------------------

from app.cli_feedback import action as _action_commands  # noqa: E402
from app.cli_feedback import feedback as _feedback_commands  # noqa: E402
from app.cli_feedback import participant_update as _participant_update  # noqa: E402
from app.cli_feedback import worker as _worker_command  # noqa: E402

main.add_command(_action_commands)
main.add_command(_feedback_commands)
main.add_command(_worker_command)
participant.add_command(_participant_update)

# -- trust: consent, withdrawal, subject access, keys, retention, recovery (issue 9) -------

from app import cli_trust as _trust  # noqa: E402

for _command in (_trust.consent_record, _trust.participant_withdraw, _trust.participant_export):
    participant.add_command(_command)
review.add_command(_trust.review_close)
for _command in (_trust.keys, _trust.retention, _trust.recover):
    main.add_command(_command)
