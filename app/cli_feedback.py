"""`heard action`, `heard feedback`, `heard participant update` and `heard worker` (issue 8)."""

from __future__ import annotations

import getpass
import json

import click
from flask.cli import AppGroup, with_appcontext

from app.models import ACTION_STATUSES, Consent, Participant
from app.services.feedback import actions as action_service
from app.services.feedback.drafting import draft_review
from app.services.feedback.eligibility import HEAR_BACK_CHANNELS, SEND_CHANNELS, hear_back_key
from app.services.feedback.sending import approve, review_exists, send_lines
from app.services.feedback.worker import run_worker, start_delivery
from app.services.runtime import runtime


def _emit(data: object, as_json: bool, lines: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
    else:
        for line in lines:
            click.echo(line)


def _need_review(review_id: int) -> None:
    with runtime().db.reading() as session:
        if not review_exists(session, review_id):
            raise click.ClickException(f"There is no review {review_id}.")


# -- actions ----------------------------------------------------------------------------------


@click.group(cls=AppGroup)
def action() -> None:
    """What the council did or will do ("you said, we did")."""


@action.command("add")
@click.option("--review", "review_id", type=int, required=True)
@click.option("--theme", "themes", multiple=True, help="A theme it answers, e.g. timeliness (repeatable).")
@click.option("--you-said", required=True, help="What people told us.")
@click.option("--we-did", default=None, help="What was done, or will be (needed for done).")
@click.option("--status", type=click.Choice(ACTION_STATUSES), default="planned", show_default=True)
@click.option("--audit-ref", "audit_refs", multiple=True, help="An audit ref it answers (repeatable).")
@click.option("--response", "response_ids", type=int, multiple=True, help="An answer's id that prompted it.")
@click.option("--owner", default=None, help="Who owns it: a role or team.")
@click.option("--date", "action_on", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Done or due.")
@click.option("--headline", is_flag=True, help="Tell it to people whose words no action is linked to.")
@click.option("--easy-read-you-said", default=None)
@click.option("--easy-read-we-did", default=None)
@click.option("--json", "as_json", is_flag=True)
def action_add(
    review_id: int,
    themes: tuple[str, ...],
    you_said: str,
    we_did: str | None,
    status: str,
    audit_refs: tuple[str, ...],
    response_ids: tuple[int, ...],
    owner: str | None,
    action_on: object,
    headline: bool,
    easy_read_you_said: str | None,
    easy_read_we_did: str | None,
    as_json: bool,
) -> None:
    """Record an action for a review."""
    rt = runtime()
    wording = {
        key: {"easy_read": text}
        for key, text in (("you_said", easy_read_you_said), ("we_did", easy_read_we_did))
        if text
    }
    new = action_service.NewAction(
        review_id=review_id,
        you_said=you_said,
        we_did=we_did,
        status=status,
        themes=themes,
        audit_refs=audit_refs,
        response_ids=response_ids,
        owner=owner,
        action_on=action_on.date() if action_on else None,  # type: ignore[attr-defined]
        headline=headline,
        wording=wording,
        created_by=f"cli:{getpass.getuser()}",
    )
    try:
        with rt.db.writing() as session:
            added = action_service.add_action(session, new, rt.clock())
            data = action_service.action_dict(added, response_ids)
    except action_service.ActionError as error:
        raise click.ClickException(str(error)) from error
    _emit(data, as_json, [f"Action {data['id']} recorded for review {review_id} ({status})."])


# -- participants' wish to hear back ---------------------------------------------------------


@click.command("update")
@with_appcontext
@click.option("--id", "participant_id", type=int, required=True)
@click.option("--hear-back", type=click.Choice(["yes", "no"]), required=True)
@click.option(
    "--hear-back-channel",
    default=None,
    type=click.Choice(sorted({*HEAR_BACK_CHANNELS, *SEND_CHANNELS})),
    help="How they want to hear: text/sms, phone/voice, telegram, web, letter/post.",
)
@click.option("--by", "recorded_by", default=None, help="Who recorded it (default: you).")
def participant_update(
    participant_id: int, hear_back: str, hear_back_channel: str | None, recorded_by: str | None
) -> None:
    """Record whether a participant wants to hear what changed (wishes given on paper or in person)."""
    rt = runtime()
    with rt.db.writing() as session:
        participant = session.get(Participant, participant_id)
        if participant is None:
            raise click.ClickException(f"There is no participant {participant_id}.")
        participant.hear_back = hear_back == "yes"
        if hear_back_channel:
            participant.hear_back_channel = hear_back_key(hear_back_channel)
        session.add(
            Consent(
                participant_id=participant.id,
                scope="hear_back",
                given=participant.hear_back,
                channel="coordinator",
                recorded_by=recorded_by or f"cli:{getpass.getuser()}",
                recorded_at=rt.clock(),
            )
        )
        channel = participant.hear_back_channel
    click.echo(
        f"Participant {participant_id}: hear back {hear_back}" + (f" by {channel}." if channel else ".")
    )


# -- feedback ---------------------------------------------------------------------------------


@click.group(cls=AppGroup)
def feedback() -> None:
    """Each person's "you said, we did": draft, approve, send."""


@feedback.command("draft")
@click.option("--review", "review_id", type=int, required=True)
@click.option("--new-round", is_flag=True, help="A new round of feedback (after an earlier one was sent).")
@click.option("--json", "as_json", is_flag=True)
def feedback_draft(review_id: int, new_round: bool, as_json: bool) -> None:
    """Draft each eligible participant's message from the actions (staff edits are kept)."""
    _need_review(review_id)
    lines = draft_review(runtime(), review_id, new_round=new_round)
    text = [
        f"{line.audit_ref} {line.channel or '-'}: {line.status}"
        + (f" ({line.reason})" if line.reason else "")
        + (f" [{line.errors} to fix before approval]" if line.errors else "")
        for line in lines
    ]
    _emit({"review_id": review_id, "participants": [line.as_dict() for line in lines]}, as_json, text)


@feedback.command("approve")
@click.option("--review", "review_id", type=int, required=True)
@click.option("--by", "approved_by", default=None, help="Who approves (default: you).")
def feedback_approve(review_id: int, approved_by: str | None) -> None:
    """Approve every draft that passes its checks."""
    _need_review(review_id)
    approved, refused = approve(runtime(), review_id, approved_by or f"cli:{getpass.getuser()}")
    click.echo(f"{approved} approved.")
    if refused:
        click.echo(f"{len(refused)} not approved: they have problems to fix (messages {refused}).", err=True)


@feedback.command("send")
@click.option("--review", "review_id", type=int, required=True)
@click.option("--json", "as_json", is_flag=True)
def feedback_send(review_id: int, as_json: bool) -> None:
    """Send the approved messages; print each participant's channel and status, or why nothing was sent."""
    _need_review(review_id)
    rt = runtime()
    how = start_delivery(rt, review_id)
    with rt.db.reading() as session:
        lines = send_lines(session, review_id)
    text = [
        f"{line.audit_ref} {line.channel or '-'}: {line.status}"
        + (f" ({line.reason})" if line.reason else "")
        for line in lines
    ]
    data = {"review_id": review_id, "sending": how, "participants": [line.as_dict() for line in lines]}
    _emit(data, as_json, [f"Sending: {how}.", *text])


# -- the worker -------------------------------------------------------------------------------


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Send queued feedback from the RQ queue (REDIS_URL); settles what a stopped worker left."""
    try:
        run_worker(runtime(), burst=burst)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error


__all__ = ["action", "feedback", "participant_update", "worker"]
