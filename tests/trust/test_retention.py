"""Retention: people's data goes RETENTION_MONTHS after their review closes; the audit stays."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import func, select

from app.channels.base import Inbound
from app.cli import main
from app.models import AccessLog, AuditRecord, Concern, Conversation, Message, Participant, Response, Review
from app.services.erasure import withdraw
from app.services.retention import apply, months_before
from app.services.runtime import Runtime
from app.services.safeguarding import raise_concern
from app.services.turns import run_turn
from tests.staff_support import add_user
from tests.trust.trust_support import add_person

CLOSED = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


def _count(rt: Runtime, model: type) -> int:
    with rt.db.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _answered(rt: Runtime, review_id: int | None, ref: str) -> int:
    pid = add_person(rt, review_id, audit_ref=ref)
    with rt.db.reading() as session:
        token = session.get_one(Participant, pid).chat_token
    for index, text in enumerate(["hi", "yes", "yes", "4", "Zanzibar"]):
        run_turn(rt, Inbound("web", token, text, f"{ref}-{index}"))
    return pid


def test_months_before_is_calendar_months() -> None:
    assert months_before(datetime(2027, 3, 31, tzinfo=UTC), 1) == datetime(2027, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2027, 1, 15, tzinfo=UTC), 12) == datetime(2026, 1, 15, tzinfo=UTC)


def test_retention_removes_closed_reviews_people_after_n_months_with_a_frozen_clock(
    trt: Runtime, trust_app: Flask
) -> None:
    trt.config["RETENTION_MONTHS"] = 6
    trt.clock = lambda: datetime(2026, 1, 10, tzinfo=UTC)
    kept_pid = _answered(trt, None, "K1")  # a review still open
    gone_pid = _answered(trt, None, "G1")
    with trt.db.reading() as session:
        old_review = session.get_one(Participant, gone_pid).review_id
    withdrawn_pid = add_person(trt, old_review, audit_ref="G2")
    withdraw(trt, withdrawn_pid, "coordinator")  # a tombstone: it follows the same rule
    raise_concern(trt, gone_pid, "peer@example.org", "worried")
    user_id = add_user(trt, "coord@example.org", "coordinator")
    with trt.db.writing() as session:
        session.add(AccessLog(user_id=user_id, role="coordinator", action="answers", participant_id=gone_pid))
        review = session.get_one(Review, old_review)
        review.status, review.closed_at = "closed", CLOSED
    trt.clock = lambda: datetime(2026, 7, 1, tzinfo=UTC)
    run_turn(trt, Inbound("sms", "+447700900888", "a stranger's text", "SM-stranger"))
    responses_kept = 4

    trt.clock = lambda: datetime(2026, 7, 30, tzinfo=UTC)  # a day short of six months
    assert apply(trt).participants == 0
    assert _count(trt, Response) == 2 * responses_kept

    trt.clock = lambda: datetime(2026, 7, 31, 9, 0, tzinfo=UTC)  # six months to the minute
    dry = trust_app.test_cli_runner().invoke(main, ["retention", "apply", "--dry-run"])
    assert dry.exit_code == 0 and "would remove 2 participants" in dry.output, dry.output
    assert _count(trt, Response) == 2 * responses_kept  # a dry run removes nothing

    result = trust_app.test_cli_runner().invoke(main, ["retention", "apply"])
    assert result.exit_code == 0 and "removed 2 participants" in result.output, result.output
    with trt.db.reading() as session:
        assert set(session.scalars(select(Participant.id))) == {kept_pid}
        assert {r.participant_id for r in session.scalars(select(Response))} == {kept_pid}
        assert {c.participant_id for c in session.scalars(select(Conversation))} == {kept_pid}
        assert session.scalar(select(func.count()).select_from(Concern)) == 0
        # The review and its audit refs stay (the PSWs' audit); the access trail stays, without the person.
        assert session.get(Review, old_review) is not None
        assert (
            session.scalar(
                select(func.count()).select_from(AuditRecord).where(AuditRecord.review_id == old_review)
            )
            == 2
        )
        log = session.scalars(select(AccessLog)).one()
        assert log.participant_id is None
        assert (
            session.scalars(select(Message).where(Message.provider_id == "SM-stranger")).first() is not None
        )
    # Unmatched messages follow the same number of months from when they came.
    trt.clock = lambda: datetime(2027, 1, 2, tzinfo=UTC)
    assert apply(trt).unmatched_messages == 1
