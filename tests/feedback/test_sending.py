"""Claim -> send -> mark: checked again right before each send, quiet hours, and what a crash leaves."""

from __future__ import annotations

import os
import socket
import subprocess
from datetime import UTC, datetime

import pytest
from feedback_support import build_world, outbound
from sqlalchemy import select

from app.models import FeedbackMessage, Message, Participant
from app.services.erasure import withdraw
from app.services.feedback.drafting import draft_review
from app.services.feedback.sending import (
    UNKNOWN_REASON,
    approve,
    claim_next,
    deliver_due,
    deliver_one,
    queue_approved,
    recover_stale,
    resolve,
    send_lines,
)
from app.services.runtime import Runtime
from app.services.suppression import suppress


@pytest.fixture(autouse=True)
def _outbox(frt: Runtime) -> None:
    frt.config["TWILIO_ACCOUNT_SID"] = None  # texts and calls wait in the outbox: no provider here


def _ready(rt: Runtime) -> tuple[object, dict[str, FeedbackMessage]]:
    world = build_world(rt)
    draft_review(rt, world.review_id)
    approve(rt, world.review_id, "test")
    queue_approved(rt, world.review_id)
    return world, _rows(rt, world.review_id)


def _rows(rt: Runtime, review_id: int) -> dict[str, FeedbackMessage]:
    with rt.db.reading() as session:
        rows = session.scalars(select(FeedbackMessage).where(FeedbackMessage.review_id == review_id)).all()
        return {row.participant.first_name: row for row in rows}


def test_eligibility_is_checked_again_right_before_each_send(frt: Runtime) -> None:
    world, _ = _ready(frt)
    # After approval: Priya withdraws, Margaret's number says STOP, Gareth is marked bereaved.
    with frt.db.writing() as session:
        session.get_one(Participant, world.people["Priya"]).withdrawn_at = frt.clock()
        margaret = session.get_one(Participant, world.people["Margaret"])
        suppress(session, margaret.phone_lookup, "keyword", frt.clock())
        session.get_one(Participant, world.people["Gareth"]).do_not_contact = "bereaved"
    deliver_due(frt, world.review_id)
    rows = _rows(frt, world.review_id)
    assert (rows["Priya"].status, rows["Priya"].reason) == ("not_sent", "withdrawn from the review")
    assert (rows["Margaret"].status, rows["Margaret"].reason) == ("not_sent", "opted out (STOP)")
    assert (rows["Gareth"].status, rows["Gareth"].reason) == ("not_sent", "not to be contacted (bereaved)")
    for name in ("Priya", "Margaret", "Gareth"):
        assert outbound(frt, world.people[name]) == []
    assert rows["Sam"].status == "sent"  # the others still went


def test_a_claimed_message_erased_by_a_withdrawal_is_not_sent(frt: Runtime) -> None:
    world, _ = _ready(frt)
    claimed = claim_next(frt, "worker-1", world.review_id)
    assert claimed is not None
    with frt.db.reading() as session:
        participant_id = session.get_one(FeedbackMessage, claimed).participant_id
    withdraw(frt, participant_id, how="coordinator")
    assert deliver_one(frt, claimed, "worker-1") == "erased"
    assert outbound(frt, participant_id) == []


def test_quiet_hours_defer_a_text_until_morning(frt: Runtime) -> None:
    world, _ = _ready(frt)
    frt.clock = lambda: datetime(2026, 11, 26, 22, 30, tzinfo=UTC)
    deliver_due(frt, world.review_id)
    rows = _rows(frt, world.review_id)
    assert rows["Priya"].status == "deferred" and rows["Priya"].reason == "quiet hours"
    assert rows["Priya"].not_before == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert outbound(frt, world.people["Priya"]) == []
    assert rows["Sam"].status == "sent"  # a web page isn't a knock at the door
    deliver_due(frt, world.review_id)  # still night: nothing is due
    assert _rows(frt, world.review_id)["Priya"].status == "deferred"
    frt.clock = lambda: datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    deliver_due(frt, world.review_id)
    assert _rows(frt, world.review_id)["Priya"].status == "sent"
    assert len(outbound(frt, world.people["Priya"])) == 1


def _dead_claim() -> str:
    """host:pid of a process that has exited."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    return f"{socket.gethostname()}:{gone.pid}"


def _claim_as(rt: Runtime, feedback_id: int, claimed_by: str) -> None:
    with rt.db.writing() as session:
        row = session.get_one(FeedbackMessage, feedback_id)
        row.status, row.claimed_by, row.claimed_at, row.attempts = "sending", claimed_by, rt.clock(), 1


def _left_mid_send(rt: Runtime, row: FeedbackMessage, status: str) -> None:
    """The outbound row outbound.send writes before (``sending``) and after asking the provider."""
    with rt.db.writing() as session:
        session.add(
            Message(
                direction="out",
                channel=row.channel,
                participant_id=row.participant_id,
                body=row.body,
                payload={"feedback_message_id": row.id, "attempt": 1},
                purpose="feedback",
                status=status,
                transport="outbox",
            )
        )


@pytest.mark.parametrize("left", ["nothing", "sending", "outbox"])
def test_a_dead_workers_claim_is_settled_from_what_the_database_shows(frt: Runtime, left: str) -> None:
    world, rows = _ready(frt)
    priya = rows["Priya"]
    _claim_as(frt, priya.id, _dead_claim())
    if left != "nothing":
        _left_mid_send(frt, priya, left)
    assert recover_stale(frt) == [
        (priya.id, {"nothing": "queued", "sending": "unknown", "outbox": "sent"}[left])
    ]
    deliver_due(frt, world.review_id)
    after = _rows(frt, world.review_id)["Priya"]
    messages = outbound(frt, world.people["Priya"])
    assert len(messages) == 1  # never a second one
    if left == "sending":
        assert (after.status, after.reason) == ("unknown", UNKNOWN_REASON)
        line = next(
            x for x in send_lines_of(frt, world.review_id) if x.participant_id == world.people["Priya"]
        )
        assert line.status == "unknown"
        # A person checks with the provider and decides: it did not arrive, so send it again.
        resolve(frt, priya.id, "resend")
        deliver_due(frt, world.review_id)
        assert _rows(frt, world.review_id)["Priya"].status == "sent"
        assert len(outbound(frt, world.people["Priya"])) == 2
    else:
        assert after.status == "sent" and messages[0].status == "outbox"


def send_lines_of(rt: Runtime, review_id: int):  # type: ignore[no-untyped-def]
    with rt.db.reading() as session:
        return send_lines(session, review_id)


def test_a_live_workers_claim_is_left_alone_and_never_claimed_twice(frt: Runtime) -> None:
    world, _ = _ready(frt)
    me = f"{socket.gethostname()}:{os.getpid()}"
    first = claim_next(frt, me, world.review_id)
    second = claim_next(frt, me, world.review_id)
    assert first is not None and second is not None and first != second
    assert recover_stale(frt) == []  # this process is alive: its claims stand
    with frt.db.reading() as session:
        assert session.get_one(FeedbackMessage, first).status == "sending"


def test_the_unique_constraint_refuses_a_second_message_for_the_same_feedback(frt: Runtime) -> None:
    _world, rows = _ready(frt)
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), frt.db.writing() as session:
        priya = rows["Priya"]
        session.add(
            FeedbackMessage(
                review_id=priya.review_id,
                round=priya.round,
                participant_id=priya.participant_id,
                token="another",
                channel="sms",
                language="en",
                variant="standard",
                basis="headline",
            )
        )
