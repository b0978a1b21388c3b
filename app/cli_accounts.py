"""`heard user ...` and `heard peer ...`: accounts are made on the server, never by sign-up."""

from __future__ import annotations

import sys

import click

from app.models import USER_ROLES
from app.services import accounts
from app.services.runtime import runtime


@click.group()
def user() -> None:
    """Staff accounts."""


@user.command("add")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(USER_ROLES), required=True)
@click.option("--review", "review_ids", type=int, multiple=True, help="A review they work on (repeatable).")
@click.option(
    "--lead", is_flag=True, help="They are the lead for these reviews: safeguarding concerns go to them."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_add(email: str, role: str, review_ids: tuple[int, ...], lead: bool, password_stdin: bool) -> None:
    """Add an account; without --password-stdin, print a one-time password to change at first sign-in.

    This is also how the first coordinator is made: only someone with the server can.
    """
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    rt = runtime()
    try:
        with rt.db.writing() as session:
            made, generated = accounts.create_user(session, email, role, password)
            for review_id in review_ids:
                accounts.add_member(session, made, review_id, lead=lead)
            made_email = made.email
    except accounts.AccountError as problem:
        raise click.ClickException(str(problem)) from problem
    click.echo(
        f"Added {role} {made_email}"
        + (f" to review(s) {', '.join(map(str, review_ids))}" if review_ids else "")
    )
    if generated:
        click.echo(f"One-time password (shown once; they choose their own at first sign-in): {generated}")


@click.group()
def peer() -> None:
    """Peer reviewers and the people they talk with."""


@peer.command("assign")
@click.option("--peer", "peer_email", required=True, help="The peer's account email.")
@click.option("--participant", "participant_id", type=int, required=True)
def peer_assign(peer_email: str, participant_id: int) -> None:
    """Let a peer see and talk with one participant (and join that participant's review)."""
    rt = runtime()
    try:
        with rt.db.writing() as session:
            accounts.assign_peer(session, peer_email, participant_id)
    except accounts.AccountError as problem:
        raise click.ClickException(str(problem)) from problem
    click.echo(f"{accounts.normalise_email(peer_email)} can now talk with participant {participant_id}.")
