"""The RQ worker with a real redis-server: killed (SIGKILL) in the middle of a batch and restarted,
every eligible message is sent exactly once or flagged for a person to check, and none twice.

Skipped without /usr/bin/redis-server, unless HEARD_REQUIRE_REDIS=1 (as in CI), which fails instead.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from feedback_support import add_person, answer, outbound
from flask import Flask
from redis import Redis
from sqlalchemy import select

from app.models import FeedbackMessage
from app.services.feedback.actions import NewAction, add_action
from app.services.feedback.drafting import draft_review
from app.services.feedback.sending import approve
from app.services.feedback.worker import start_delivery
from app.services.participants import create_review
from app.services.runtime import Runtime

REDIS_SERVER = os.environ.get("HEARD_REDIS_SERVER", "/usr/bin/redis-server")
REQUIRE_REDIS = os.environ.get("HEARD_REQUIRE_REDIS") == "1"
HEARD = Path(sys.executable).with_name("heard")
PEOPLE = 12


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    if not Path(REDIS_SERVER).exists():
        if REQUIRE_REDIS:
            pytest.fail(f"HEARD_REQUIRE_REDIS=1 but there is no {REDIS_SERVER}", pytrace=False)
        pytest.skip(f"no {REDIS_SERVER}")
    port = _free_port()
    server = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = Redis(host="127.0.0.1", port=port)
    try:
        _wait(lambda: _pings(client), 10, "redis-server to start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


def _pings(client: Redis) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _statuses(rt: Runtime, review_id: int) -> dict[int, str]:
    with rt.db.reading() as session:
        rows = session.scalars(select(FeedbackMessage).where(FeedbackMessage.review_id == review_id)).all()
        return {row.participant_id: row.status for row in rows}


def _start_worker(database_url: str, data_key: str, redis_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "TELEGRAM_"))}
    env.update(
        DATABASE_URL=database_url,
        HEARD_DATA_KEY=data_key,
        SECRET_KEY="worker-test",
        REDIS_URL=redis_url,
        PUBLIC_BASE_URL="http://localhost",
        HEARD_FEEDBACK_SEND_INTERVAL="0.25",  # slow enough to be caught mid-batch
        HEARD_QUIET_HOURS="00:00-00:00",  # the worker runs on the real clock: never defer here
    )
    # Its own session, so the kill takes the whole process group, as a crashed dyno would.
    return subprocess.Popen(
        [str(HEARD), "worker"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_a_worker_killed_mid_batch_and_restarted_sends_each_message_once_or_flags_it(
    app: Flask, rt: Runtime, database_url: str, data_key: str, redis_url: str, tmp_path: Path
) -> None:
    with rt.db.writing() as session:
        review_id = create_review(session, "Northshire Council", "Carers", "practice_review_experience").id
    people = [
        add_person(
            rt,
            review_id,
            f"B{i}",
            f"Person{i}",
            channel="sms",
            phone=f"+4477009002{i:02d}",
            hear_back=True,
            hear_back_channel="text",
        )
        for i in range(PEOPLE)
    ]
    answer(rt, people[0], "timeliness", "1")
    with rt.db.writing() as session:
        add_action(
            session,
            NewAction(review_id, "Calls took too long", "We answer within two days", "done", ("timeliness",)),
            rt.clock(),
        )
    draft_review(rt, review_id)
    assert approve(rt, review_id, "test")[0] == PEOPLE
    rt.config["REDIS_URL"] = redis_url
    assert start_delivery(rt, review_id) == "worker"  # queued in the database, a job on Redis
    assert set(_statuses(rt, review_id).values()) == {"queued"}

    log = tmp_path / "worker.log"
    first = _start_worker(database_url, data_key, redis_url, log)
    try:
        _wait(lambda: list(_statuses(rt, review_id).values()).count("sent") >= 3, 60, "the first sends")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    killed_at = _statuses(rt, review_id)
    assert sum(s in ("queued", "sending") for s in killed_at.values()) >= 3, f"not mid-batch: {killed_at}"

    second = _start_worker(database_url, data_key, redis_url, log)
    try:
        _wait(
            lambda: not {"queued", "sending"} & set(_statuses(rt, review_id).values()),
            60,
            "the rest to be sent",
        )
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=20)

    final = _statuses(rt, review_id)
    assert set(final) == set(people)
    assert set(final.values()) <= {"sent", "unknown"}, log.read_text()[-3000:]
    for person in people:
        messages = outbound(rt, person)
        assert len(messages) == 1, f"participant {person}: {len(messages)} messages ({final[person]})"
        # "unknown" only when the kill fell between asking the provider and hearing back.
        expected = "sending" if final[person] == "unknown" else "outbox"
        assert messages[0].status == expected
    assert list(final.values()).count("sent") >= PEOPLE - 1
