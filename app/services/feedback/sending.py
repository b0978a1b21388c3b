"""Sending approved feedback, with the database as the record of what must be sent.

Each message goes claim -> send -> mark:

1. *claim*: one transaction moves one due row (queued, or deferred and now
   due) to ``sending`` with the worker's ``host:pid``;
2. *send*: the eligibility check runs again, then the channel: SMS, a call
   and Telegram through :func:`app.services.outbound.send` (its own checks,
   quiet hours, the outbound message row carrying this row's id in its
   payload); the web page and the letter are published in one transaction;
3. *mark*: the row takes the outcome, only if it is still our claim.

A claim whose worker died (its pid is gone on this host, or the claim is
older than FEEDBACK_CLAIM_MINUTES) is settled from what the database shows:
no outbound message yet -> nothing left us, so it is queued again; an
outbound message still ``sending`` -> the provider may or may not have it,
so the row is flagged ``unknown`` for a person to check, never resent
blindly; an outbound message with an outcome -> that outcome is recorded.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.models import FeedbackMessage, Message, Participant, Review
from app.services.feedback.drafting import EDITABLE, current_round, has_errors
from app.services.feedback.eligibility import verdict
from app.services.feedback.letter import LetterContent, letter_pdf
from app.services.outbound import send
from app.services.runtime import Runtime

log = logging.getLogger(__name__)

WAITING = ("queued", "deferred")  # due to be sent
ACCEPTED = ("outbox", "queued", "accepted", "sending", "sent", "delivered", "initiated", "ringing", "read")
_NOT_SENT = {
    "not_contactable": "opted out, withdrawn or not to be contacted",
    "suppressed": "the number opted out (STOP)",
    "no_phone": "no phone number",
    "no_chat": "no Telegram chat linked",
}
UNKNOWN_REASON = (
    "The worker stopped while the provider was being asked: check whether it arrived before sending again."
)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# -- approve and queue ------------------------------------------------------------------


def approve(rt: Runtime, review_id: int, by: str) -> tuple[int, list[int]]:
    """Approve the current round's drafts that have no error; returns (approved, refused ids).

    The drafts' problems are read (and, on PostgreSQL, locked against an edit
    meanwhile) as plain rows; the clean ones are approved by UPDATE statements
    of up to 5,000 ids each, not row by row.
    """
    approved, refused, clean = 0, [], []
    with rt.db.writing() as session:
        round_ = current_round(session, review_id)
        draft = (
            (FeedbackMessage.review_id == review_id)
            & (FeedbackMessage.round == round_)
            & (FeedbackMessage.status == "draft")
        )
        rows = session.execute(
            select(FeedbackMessage.id, FeedbackMessage.problems)
            .where(draft)
            .order_by(FeedbackMessage.id)
            .with_for_update()
        ).all()
        for row_id, problems in rows:
            (refused if has_errors(problems) else clean).append(row_id)
        now = rt.clock()
        for start in range(0, len(clean), 5000):
            result = session.execute(
                update(FeedbackMessage)
                .where(draft, FeedbackMessage.id.in_(clean[start : start + 5000]))
                .values(status="approved", approved_by=by, approved_at=now)
                .execution_options(synchronize_session=False)
            )
            approved += result.rowcount  # type: ignore[attr-defined]
    return approved, refused


def queue_approved(rt: Runtime, review_id: int) -> int:
    with rt.db.writing() as session:
        result = session.execute(
            update(FeedbackMessage)
            .where(FeedbackMessage.review_id == review_id, FeedbackMessage.status == "approved")
            .values(status="queued", reason=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


# -- claim -> send -> mark ---------------------------------------------------------------


def _due(now: datetime) -> Any:
    return or_(
        FeedbackMessage.status == "queued",
        (FeedbackMessage.status == "deferred") & (FeedbackMessage.not_before <= now),
    )


def claim_next(rt: Runtime, me: str, review_id: int | None = None) -> int | None:
    """Take one due message for this worker, or None when nothing is due."""
    now = rt.clock()
    with rt.db.writing() as session:
        query = select(FeedbackMessage).where(_due(now)).order_by(FeedbackMessage.id).limit(1)
        if review_id is not None:
            query = query.where(FeedbackMessage.review_id == review_id)
        # PostgreSQL: two workers skip each other's rows; SQLite: BEGIN IMMEDIATE serialises them.
        row = session.scalars(query.with_for_update(skip_locked=True)).first()
        if row is None:
            return None
        row.status, row.claimed_by, row.claimed_at = "sending", me, now
        row.attempts = (row.attempts or 0) + 1
        return row.id


def deliver_one(rt: Runtime, feedback_id: int, me: str) -> str:
    """Send one claimed message by its channel; returns the status it ends in."""
    with rt.db.reading() as session:
        row = session.get(FeedbackMessage, feedback_id)
        if row is None:
            return "erased"  # the person withdrew between the claim and now: nothing to send
        participant = session.get_one(Participant, row.participant_id)
        ruling = verdict(session, participant)  # asked again, right before the send
        channel, body = row.channel, row.body or ""
        mark = {"feedback_message_id": feedback_id, "attempt": row.attempts}
        letter = LetterContent(
            row.review.council.name, row.language, row.variant, list(row.blocks or []), rt.clock().date()
        )
        participant_id = participant.id
    if not ruling.eligible:
        return _mark(rt, feedback_id, me, "not_sent", reason=ruling.reason)
    if ruling.channel != channel:
        return _mark(
            rt, feedback_id, me, "not_sent", reason=f"they now prefer {ruling.channel}: draft it again"
        )
    if channel == "web":
        return _publish(rt, feedback_id, me, participant_id, "web", "page", "sent", body, mark)
    if channel == "post":
        letter_pdf(letter, rt.config["CONTENT_DIR"])  # it must render before it is queued for printing
        return _publish(rt, feedback_id, me, participant_id, "post", "letter", "to_post", body, mark)
    outcome = send(rt, participant_id, body, purpose="feedback", payload=mark, channel=channel)
    if outcome.status == "deferred":
        return _mark(rt, feedback_id, me, "deferred", reason="quiet hours", not_before=outcome.not_before)
    if outcome.status in _NOT_SENT:
        return _mark(rt, feedback_id, me, "not_sent", reason=_NOT_SENT[outcome.status])
    if outcome.status == "failed" or outcome.message_id is None:
        return _mark(
            rt,
            feedback_id,
            me,
            "failed",
            reason=outcome.error_code or outcome.status,
            message_id=outcome.message_id,
        )
    return _mark(rt, feedback_id, me, "sent", message_id=outcome.message_id)


def _ours(session: Session, feedback_id: int, me: str) -> FeedbackMessage | None:
    row = session.get(FeedbackMessage, feedback_id, with_for_update=True, populate_existing=True)
    # A claim settled by someone else meanwhile (it looked stale) is theirs now.
    return row if row is not None and row.status == "sending" and row.claimed_by == me else None


def _mark(
    rt: Runtime,
    feedback_id: int,
    me: str,
    status: str,
    *,
    reason: str | None = None,
    message_id: int | None = None,
    not_before: datetime | None = None,
) -> str:
    with rt.db.writing() as session:
        row = _ours(session, feedback_id, me)
        if row is None:
            return "lost_claim"
        _apply(row, status, rt.clock(), reason=reason, message_id=message_id, not_before=not_before)
        return status


def _apply(
    row: FeedbackMessage,
    status: str,
    now: datetime,
    *,
    reason: str | None = None,
    message_id: int | None = None,
    not_before: datetime | None = None,
) -> None:
    row.status, row.reason, row.not_before = status, reason, not_before
    row.claimed_by = row.claimed_by if status == "unknown" else None
    if message_id is not None:
        row.message_id = message_id
    if status in ("sent", "to_post"):
        row.sent_at = now
    row.updated_at = now


def _publish(
    rt: Runtime,
    feedback_id: int,
    me: str,
    participant_id: int,
    channel: str,
    transport: str,
    status: str,
    body: str,
    mark: dict[str, int],
) -> str:
    """The web page and the letter: the outbound record and the mark in one transaction."""
    with rt.db.writing() as session:
        row = _ours(session, feedback_id, me)
        if row is None:
            return "lost_claim"
        message = Message(
            direction="out",
            channel=channel,
            participant_id=participant_id,
            body=body or None,
            payload=mark,
            purpose="feedback",
            transport=transport,
            status=status,
            status_at=rt.clock(),
            created_at=rt.clock(),
        )
        session.add(message)
        session.flush()
        _apply(row, status, rt.clock(), message_id=message.id)
        return status


def deliver_due(rt: Runtime, review_id: int | None = None, *, me: str | None = None) -> int:
    """Send everything due (optionally of one review), one claim at a time; returns how many."""
    me = me or worker_id()
    recover_stale(rt)
    interval = float(rt.config.get("FEEDBACK_SEND_INTERVAL") or 0)
    handled = 0
    while (feedback_id := claim_next(rt, me, review_id)) is not None:
        try:
            deliver_one(rt, feedback_id, me)
        except Exception:  # one bad message must not stop the batch; its row says what happened
            log.exception("feedback message %s: sending failed", feedback_id)
            with rt.db.writing() as session:
                row = _ours(session, feedback_id, me)
                if row is not None:
                    _settle(session, row, rt.clock())
        handled += 1
        if interval:
            time.sleep(interval)  # a long-code number sends about one text a second
    return handled


# -- after a crash ------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim_is_dead(row: FeedbackMessage, now: datetime, config: dict[str, Any]) -> bool:
    host, _, pid = (row.claimed_by or "").rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return not _pid_alive(int(pid))
    timeout = timedelta(minutes=float(config.get("FEEDBACK_CLAIM_MINUTES") or 10))
    return row.claimed_at is None or row.claimed_at < now - timeout


def outbound_for(session: Session, row: FeedbackMessage) -> Message | None:
    """The outbound message this claim (this attempt) of the row became, if any."""
    candidates = session.scalars(
        select(Message)
        .where(
            Message.direction == "out",
            Message.purpose == "feedback",
            Message.participant_id == row.participant_id,
        )
        .order_by(Message.id.desc())
    ).all()
    mark = {"feedback_message_id": row.id, "attempt": row.attempts}
    return next((m for m in candidates if {k: (m.payload or {}).get(k) for k in mark} == mark), None)


def _settle(session: Session, row: FeedbackMessage, now: datetime) -> str:
    """A claim nobody will finish: decide from the outbound message this attempt left, if any."""
    message = outbound_for(session, row)
    if message is None:
        _apply(row, "queued", now, reason="queued again: the worker stopped before sending")
    elif message.status == "sending":
        _apply(row, "unknown", now, reason=UNKNOWN_REASON, message_id=message.id)
    elif message.status == "to_post":
        _apply(row, "to_post", now, message_id=message.id)
    elif message.status in ACCEPTED:
        _apply(row, "sent", now, message_id=message.id)
    else:
        _apply(row, "failed", now, reason=message.error_code or message.status, message_id=message.id)
    return row.status


def recover_stale(rt: Runtime) -> list[tuple[int, str]]:
    """Settle the claims of workers that died; returns (feedback id, new status) for each."""
    now = rt.clock()
    settled = []
    with rt.db.writing() as session:
        rows = session.scalars(
            select(FeedbackMessage)
            .where(FeedbackMessage.status == "sending")
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            if claim_is_dead(row, now, rt.config):
                settled.append((row.id, _settle(session, row, now)))
    return settled


def resolve(rt: Runtime, feedback_id: int, decision: str) -> str:
    """A person's decision: an unknown message did arrive ("sent"), or send it again ("resend");
    a letter was posted ("posted")."""
    allowed = {"sent": ("unknown",), "resend": ("unknown", "failed", "deferred"), "posted": ("to_post",)}
    if decision not in allowed:
        raise ValueError(f"Unknown decision {decision!r}.")
    with rt.db.writing() as session:
        row = session.get_one(FeedbackMessage, feedback_id, with_for_update=True)
        if row.status not in allowed[decision]:
            raise ValueError(f"A message that is {row.status} can't be marked {decision}.")
        if decision == "resend":
            _apply(row, "queued", rt.clock(), reason="sent again after a person checked")
        else:
            _apply(row, "sent", rt.clock(), reason=row.reason if decision == "sent" else None)
            if decision == "posted" and row.message_id:
                session.get_one(Message, row.message_id).status = "sent"
        return row.status


# -- what happened, per participant ---------------------------------------------------------


@dataclass(frozen=True)
class SendLine:
    participant_id: int
    audit_ref: str
    channel: str | None
    status: str
    reason: str | None
    feedback_message_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def shown_status(row: FeedbackMessage, message: Message | None) -> str:
    """The row's status, moved on by what the provider said later (delivered, undelivered)."""
    if row.status == "sent" and message is not None:
        if message.status in ("delivered", "read"):
            return "delivered"
        if message.status in ("undelivered", "failed", "busy", "no-answer", "canceled"):
            return "failed"
    return row.status


def send_lines(session: Session, review_id: int) -> list[SendLine]:
    round_ = current_round(session, review_id)
    rows = {
        row.participant_id: row
        for row in session.scalars(
            select(FeedbackMessage).where(
                FeedbackMessage.review_id == review_id, FeedbackMessage.round == round_
            )
        )
    }
    lines = []
    for participant in session.scalars(
        select(Participant).where(Participant.review_id == review_id).order_by(Participant.id)
    ):
        row = rows.get(participant.id)
        if row is None:
            ruling = verdict(session, participant)
            reason = ruling.reason or "no draft yet: run `heard feedback draft`"
            lines.append(
                SendLine(participant.id, participant.audit_ref, ruling.channel, "not_sent", reason, None)
            )
            continue
        message = session.get(Message, row.message_id) if row.message_id else None
        reason = row.reason
        if row.status in EDITABLE:
            reason = reason or ("waiting for approval" if row.status == "draft" else "approved, not sent yet")
        if message is not None and message.error_code and not reason:
            reason = f"provider error {message.error_code}"
        lines.append(
            SendLine(
                participant.id, participant.audit_ref, row.channel, shown_status(row, message), reason, row.id
            )
        )
    return lines


@dataclass(frozen=True)
class Progress:
    total: int
    finished: int
    counts: dict[str, int]

    @property
    def running(self) -> bool:
        return any(self.counts.get(s, 0) for s in ("queued", "sending"))


def progress(session: Session, review_id: int) -> Progress:
    lines = [line for line in send_lines(session, review_id) if line.feedback_message_id is not None]
    counts = Counter(line.status for line in lines)
    waiting = sum(counts.get(s, 0) for s in ("draft", "approved", "queued", "sending", "deferred"))
    return Progress(len(lines), len(lines) - waiting, dict(counts))


def next_deferred(session: Session, review_id: int | None = None) -> datetime | None:
    query = (
        select(FeedbackMessage.not_before)
        .where(FeedbackMessage.status == "deferred")
        .order_by(FeedbackMessage.not_before)
    )
    if review_id is not None:
        query = query.where(FeedbackMessage.review_id == review_id)
    return session.scalars(query.limit(1)).first()


def review_exists(session: Session, review_id: int) -> bool:
    return session.get(Review, review_id) is not None
