"""Erasure deletes the audio of a person's recorded answers at Twilio, after the erasure commits.

Twilio's API is intercepted with ``responses`` at its real address, so the real
twilio client builds and sends the DELETE.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.channels.base import Inbound
from app.models import Message, Participant, RecordingDeletion, Review
from app.services import background
from app.services.erasure import withdraw
from app.services.retention import apply
from app.services.runtime import Runtime
from app.services.turns import run_turn
from tests.trust.trust_support import add_person, post_signed

ACCOUNT = "AC" + "0" * 32
PHONE = "+447700900462"
CALL = "CA" + "e" * 32
RECORDING = "RE" + "f" * 32
TWILIO_DELETE = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}.json"


@pytest.fixture
def twilio(trust_app: Flask) -> Flask:
    trust_app.config.update(TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_FROM="+447700900999")
    return trust_app


def _recorded_answer(rt: Runtime, client: FlaskClient, review_id: int | None = None) -> int:
    """A person who answered by phone, with Twilio's recording of the answer kept by address."""
    pid = add_person(rt, review_id, channel="voice", phone=PHONE)
    run_turn(rt, Inbound("voice", PHONE, "Zanzibar spoken", f"{CALL}:1", details={"call_sid": CALL}))
    form = {
        "CallSid": CALL,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}",
        "RecordingSid": RECORDING,
        "RecordingStatus": "completed",
    }
    assert post_signed(client, "/webhooks/twilio/voice/recording?step=1", form).status_code == 204
    with rt.db.reading() as session:
        payloads = session.scalars(select(Message.payload).where(Message.participant_id == pid)).all()
    assert any((p or {}).get("recording_sid") == RECORDING for p in payloads)
    return pid


def _deletions(rt: Runtime) -> list[RecordingDeletion]:
    with rt.db.reading() as session:
        return list(session.scalars(select(RecordingDeletion)))


def _messages(rt: Runtime) -> int:
    with rt.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Message)) or 0


@responses.activate
def test_withdrawal_deletes_the_recording_at_twilio(
    twilio: Flask, trt: Runtime, tclient: FlaskClient
) -> None:
    pid = _recorded_answer(trt, tclient)
    deleted = responses.delete(TWILIO_DELETE, status=204)

    erased = withdraw(trt, pid, "coordinator")
    assert background.join_pending(timeout=30)

    assert erased.recordings == [RECORDING]
    assert deleted.call_count == 1
    assert responses.calls[0].request.method == "DELETE"
    assert _deletions(trt) == []  # done: nothing left to retry
    with trt.db.reading() as session:
        assert session.get_one(Participant, pid).withdrawn_at is not None
    assert _messages(trt) == 0


@responses.activate
def test_a_twilio_failure_leaves_the_erasure_committed_and_the_deletion_to_retry(
    twilio: Flask, trt: Runtime, tclient: FlaskClient
) -> None:
    trt.config["RETENTION_MONTHS"] = 6
    pid = _recorded_answer(trt, tclient)
    failing = responses.delete(
        TWILIO_DELETE, status=500, json={"code": 20500, "message": "Internal Server Error"}
    )

    withdraw(trt, pid, "voice")
    assert background.join_pending(timeout=30)

    assert failing.call_count == 1
    with trt.db.reading() as session:
        tombstone = session.get_one(Participant, pid)
        assert tombstone.withdrawn_at is not None and tombstone.phone_lookup is None
    assert _messages(trt) == 0  # the recording's address went with the erasure all the same
    [left] = _deletions(trt)
    assert left.recording_sid == RECORDING and left.attempts == 1
    assert left.last_error and "500" in left.last_error and left.last_tried_at is not None

    # The next retention run tries again, and Twilio has recovered.
    responses.replace(responses.DELETE, TWILIO_DELETE, status=204)
    report = apply(trt)
    assert report.recordings_not_deleted == 0
    assert _deletions(trt) == []
    assert len([c for c in responses.calls if c.request.method == "DELETE"]) == 2


@responses.activate
def test_retention_deletes_the_recordings_of_the_people_it_erases(
    twilio: Flask, trt: Runtime, tclient: FlaskClient
) -> None:
    trt.config["RETENTION_MONTHS"] = 6
    trt.clock = lambda: datetime(2026, 1, 10, tzinfo=UTC)
    pid = _recorded_answer(trt, tclient)
    with trt.db.writing() as session:
        review = session.get_one(Review, session.get_one(Participant, pid).review_id)
        review.status, review.closed_at = "closed", datetime(2026, 1, 31, tzinfo=UTC)
    deleted = responses.delete(TWILIO_DELETE, status=204)
    trt.clock = lambda: datetime(2026, 8, 1, tzinfo=UTC)

    assert apply(trt, dry_run=True).participants == 1
    assert deleted.call_count == 0 and _deletions(trt) == []  # a dry run deletes nothing anywhere

    report = apply(trt)
    assert report.participants == 1 and report.recordings_not_deleted == 0
    assert deleted.call_count == 1 and _deletions(trt) == []


def test_without_twilio_credentials_nothing_is_called(
    trust_app: Flask, trt: Runtime, tclient: FlaskClient
) -> None:
    pid = _recorded_answer(trt, tclient)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:  # any request would fail
        erased = withdraw(trt, pid, "coordinator")
        assert background.join_pending(timeout=30)
        assert len(mock.calls) == 0
    assert erased.recordings == [] and _deletions(trt) == []
    assert _messages(trt) == 0
