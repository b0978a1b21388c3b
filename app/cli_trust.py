"""Trust commands (issue 9): consent on paper, withdrawal, subject access, keys, retention, recovery."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup, with_appcontext

from app.models import ROLES
from app.services.consent import OFFLINE_CHANNELS, SCOPES, ConsentError, record_consent
from app.services.runtime import Runtime, runtime


def _rt() -> Runtime:
    return runtime()


@click.command("consent-record")
@with_appcontext
@click.argument("participant_id", type=int)
@click.option("--scope", type=click.Choice(list(SCOPES)), required=True, help="What they agreed (or not) to.")
@click.option("--given/--refused", "given", required=True)
@click.option("--how", "channel", type=click.Choice(OFFLINE_CHANNELS), default="paper", show_default=True)
@click.option(
    "--proxy-role", type=click.Choice(ROLES[1:]), default=None, help="Given by a proxy, not the person."
)
@click.option("--wording", default=None, help="The words of the form or what was read out.")
@click.option("--by", "recorded_by", required=True, help="Who took it (the coordinator).")
def consent_record(
    participant_id: int,
    scope: str,
    given: bool,
    channel: str,
    proxy_role: str | None,
    wording: str | None,
    recorded_by: str,
) -> None:
    """Record a consent decision taken on paper, in person or by phone."""
    rt = _rt()
    try:
        with rt.db.writing() as session:
            record_consent(
                session,
                participant_id,
                scope,
                given,
                channel=channel,
                recorded_by=recorded_by,
                now=rt.clock(),
                proxy_role=proxy_role,
                wording=wording,
            )
    except ConsentError as error:
        raise click.ClickException(str(error)) from error
    who = f"a {proxy_role} for them" if proxy_role else "them"
    click.echo(
        f"Participant {participant_id}: {scope} {'given' if given else 'refused'} by {who} ({channel})."
    )


@click.command("withdraw")
@with_appcontext
@click.option("--id", "participant_id", type=int, required=True)
@click.option("--yes", is_flag=True, help="Don't ask for confirmation.")
def participant_withdraw(participant_id: int, yes: bool) -> None:
    """Withdraw a participant: erase their answers, messages and contact details for good."""
    from app.services.erasure import withdraw

    if not yes:
        click.confirm(
            f"This erases everything participant {participant_id} said and how to reach them. It can't be"
            " undone. Go on?",
            abort=True,
        )
    try:
        erased = withdraw(_rt(), participant_id, "coordinator")
    except LookupError as error:
        raise click.ClickException(str(error)) from error
    rows = (
        ", ".join(f"{table} {count}" for table, count in sorted(erased.rows.items())) or "nothing else held"
    )
    click.echo(f"Participant {participant_id} withdrawn. Erased: {rows}.")
    if erased.concerns_kept:
        click.echo(f"Kept, without their words: {erased.concerns_kept} safeguarding concern record(s).")


@click.command("export")
@with_appcontext
@click.option("--id", "participant_id", type=int, required=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True), default=None, help="Default: print it."
)
def participant_export(participant_id: int, out: str | None) -> None:
    """Everything held about one person, as JSON (for a subject access request)."""
    from app.services.subject_access import export

    rt = _rt()
    with rt.db.reading() as session:
        try:
            held = export(session, rt.crypto, participant_id, rt.clock())
        except LookupError as error:
            raise click.ClickException(str(error)) from error
    text = json.dumps(held, indent=2, ensure_ascii=False, default=str)
    if out:
        with open(out, "w", encoding="utf-8") as file:
            file.write(text + "\n")
        click.echo(f"Written to {out}.", err=True)
    else:
        click.echo(text)


@click.group(cls=AppGroup)
def keys() -> None:
    """The data keys in HEARD_DATA_KEY."""


@keys.command("rotate")
@click.option("--dry-run", is_flag=True, help="Count what would change; change nothing.")
def keys_rotate(dry_run: bool) -> None:
    """Re-encrypt contact details with the first key in HEARD_DATA_KEY, and re-hash their look-ups."""
    from app.services.key_rotation import rotate

    report = rotate(_rt(), dry_run=dry_run)
    done = ", ".join(f"{name} {count}" for name, count in report.reencrypted.items())
    click.echo(("Dry run: nothing changed. " if dry_run else "") + f"Re-encrypted: {done}.")
    click.echo(
        f"Look-ups recomputed {report.lookups_recomputed}, remapped {report.lookups_remapped}, "
        f"left under an older key {report.lookups_unmapped}."
    )
    if not dry_run:
        click.echo("Now remove the old key from HEARD_DATA_KEY and restart.")


@click.group(cls=AppGroup)
def retention() -> None:
    """Removing people's data RETENTION_MONTHS after their review closes."""


@retention.command("apply")
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
@click.option("--json", "as_json", is_flag=True)
def retention_apply(dry_run: bool, as_json: bool) -> None:
    from app.services.retention import apply

    report = apply(_rt(), dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(report.__dict__, indent=2, default=str))
        return
    verb = "would remove" if dry_run else "removed"
    click.echo(
        f"Reviews closed on or before {report.cutoff:%Y-%m-%d}: {len(report.reviews)}; "
        f"{verb} {report.participants} participants' data and {report.unmatched_messages} unmatched messages."
    )
    for table, count in sorted(report.rows.items()):
        click.echo(f"  {table}: {count}")


@click.command()
@with_appcontext
def recover() -> None:
    """Finish turns a crash left half done (inbound messages stored but never answered)."""
    from app.services.recovery import recover as run_recovery

    done = run_recovery(_rt())
    click.echo(f"Finished {len(done.finished)} waiting messages; sent {done.texts_sent} texts.")


@click.command("close")
@with_appcontext
@click.argument("review_id", type=int)
def review_close(review_id: int) -> None:
    """Close a review: its retention clock starts now."""
    from app.models import Review

    rt = _rt()
    with rt.db.writing() as session:
        found = session.get(Review, review_id)
        if found is None:
            raise click.ClickException(f"There is no review {review_id}.")
        if found.closed_at is None:
            found.status, found.closed_at = "closed", rt.clock()
        closed_at = found.closed_at
    click.echo(f"Review {review_id} closed on {closed_at:%Y-%m-%d}.")
