"""Faults: the database goes away mid-webhook, a process dies mid-turn, twenty replies arrive at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.channels.base import Inbound
from app.cli import main
from app.config import ROOT
from app.db import normalise_url
from app.models import Conversation, Message, Participant, Response
from app.services import turns
from app.services.runtime import Runtime
from app.services.turns import open_conversation, run_turn
from tests.trust.trust_support import add_person, inbound_count, post_sms

PHONE = "+447700900414"


@contextmanager
def database_unavailable(rt: Runtime, database_url: str) -> Iterator[None]:
    """Really take the database away, then give it back.

    SQLite: close every pooled connection and move the database's directory, so no
    connection can open it. PostgreSQL: refuse new connections to the database and
    end the open ones, as a failover or a restart would.
    """
    rt.db.engine.dispose()
    if database_url.startswith("sqlite"):
        folder = Path(database_url.removeprefix("sqlite:///")).parent
        moved = folder.with_name(folder.name + "-away")
        folder.rename(moved)
        try:
            yield
        finally:
            moved.rename(folder)
        return
    name = sa.make_url(database_url).database
    admin = sa.create_engine(
        normalise_url(database_url).rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            )
        yield
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.dispose()


def _snapshot(rt: Runtime) -> tuple[int, int, int, list[str]]:
    with rt.db.reading() as session:
        return (
            session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) or 0,
            session.scalar(select(func.count()).select_from(Message).where(Message.direction == "out")) or 0,
            session.scalar(select(func.count()).select_from(Response)) or 0,
            [c.state.get("node") for c in session.scalars(select(Conversation))],
        )


def test_webhook_with_the_database_gone_is_a_503_and_stores_nothing(
    trt: Runtime, tclient: FlaskClient, database_url: str
) -> None:
    add_person(trt, channel="sms", phone=PHONE)
    assert post_sms(tclient, PHONE, "YES", "SM-1").status_code == 200
    before = _snapshot(trt)
    with database_unavailable(trt, database_url):
        response = post_sms(tclient, PHONE, "yes", "SM-2")
        assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert _snapshot(trt) == before  # not half a turn: nothing at all
    # Twilio retries (or the fallback URL does): answered once, stored once.
    assert post_sms(tclient, PHONE, "yes", "SM-2").status_code == 200
    assert inbound_count(trt) == before[0] + 1


def test_database_lost_between_store_and_process_keeps_the_message_and_the_retry_finishes_it(
    trt: Runtime, tclient: FlaskClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_person(trt, channel="sms", phone=PHONE)
    assert post_sms(tclient, PHONE, "YES", "SM-1").status_code == 200
    before = _snapshot(trt)
    real_store = turns.store_inbound
    outage: list[object] = []

    def store_then_lose_the_database(rt: Runtime, inbound: Inbound) -> tuple[int, bool]:
        stored = real_store(rt, inbound)
        cm = database_unavailable(rt, database_url)
        cm.__enter__()
        outage.append(cm)
        return stored

    monkeypatch.setattr(turns, "store_inbound", store_then_lose_the_database)
    try:
        assert post_sms(tclient, PHONE, "yes", "SM-2").status_code == 503
    finally:
        for cm in outage:
            cm.__exit__(None, None, None)  # type: ignore[attr-defined]
        monkeypatch.setattr(turns, "store_inbound", real_store)
    inbound, outbound, responses, nodes = _snapshot(trt)
    assert (inbound, outbound, responses, nodes) == (before[0] + 1, before[1], before[2], before[3])
    with trt.db.reading() as session:
        assert (
            session.scalars(select(Message.status).where(Message.provider_id == "SM-2")).one() == "received"
        )
    reply = post_sms(tclient, PHONE, "yes", "SM-2")  # the provider's retry
    assert reply.status_code == 200 and "<Message>" in reply.get_data(as_text=True)
    after = _snapshot(trt)
    assert after[0] == before[0] + 1 and after[2] == before[2] + 1 and after[3] != before[3]


CHILD = textwrap.dedent(
    """
    import sys, time
    from app import create_app
    from app.channels.base import Inbound
    from app.services import turns

    real = turns.store_inbound

    def store_then_hang(rt, inbound):
        stored = real(rt, inbound)
        print("stored", flush=True)
        time.sleep(600)  # killed here: between storing the message and processing it
        return stored

    turns.store_inbound = store_then_hang
    rt = create_app().extensions["heard_runtime"]
    turns.run_turn(rt, Inbound("web", sys.argv[1], "yes", "killed-1"))
    """
)


def _killed_mid_turn(database_url: str, data_key: str, token: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "HEARD_DATA_KEY": data_key, "SECRET_KEY": "t"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, token], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "stored"
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()


def test_a_process_killed_mid_turn_leaves_the_message_and_heard_recover_finishes_it(
    trt: Runtime, trust_app: Flask, database_url: str, data_key: str
) -> None:
    pid = add_person(trt)
    open_conversation(trt, pid, "web")
    with trt.db.reading() as session:
        token = session.get_one(Participant, pid).chat_token
    _killed_mid_turn(database_url, data_key, token)
    with trt.db.reading() as session:
        stranded = session.scalars(select(Message).where(Message.provider_id == "killed-1")).one()
        assert stranded.status == "received" and stranded.body == "yes"
        assert session.scalar(select(func.count()).select_from(Response)) == 0
    trt.config["RECOVER_AFTER_SECONDS"] = 0
    # The killed child stamped the message with the real clock; recover must look from now, not NOON.
    trt.clock = lambda: datetime.now(UTC)
    result = trust_app.test_cli_runner().invoke(main, ["recover"])
    assert result.exit_code == 0 and "Finished 1 waiting messages" in result.output, result.output
    with trt.db.reading() as session:
        stranded = session.scalars(select(Message).where(Message.provider_id == "killed-1")).one()
        assert stranded.status == "processed"
        consent = session.scalars(select(Response)).one()
        assert (consent.node, consent.value) == ("consent", "yes")
        assert (
            session.scalar(
                select(func.count()).select_from(Message).where(Message.reply_to_id == stranded.id)
            )
            > 0
        )
    assert trust_app.test_cli_runner().invoke(main, ["recover"]).output.startswith("Finished 0")


def test_after_a_kill_the_next_message_finishes_the_stranded_one_first(
    trt: Runtime, database_url: str, data_key: str
) -> None:
    pid = add_person(trt)
    open_conversation(trt, pid, "web")
    with trt.db.reading() as session:
        token = session.get_one(Participant, pid).chat_token
    _killed_mid_turn(database_url, data_key, token)
    run_turn(trt, Inbound("web", token, "no", "next-1"))  # answers the question after consent: quotes
    with trt.db.reading() as session:
        answers = {r.node: r.value for r in session.scalars(select(Response))}
    assert answers == {"consent": "yes", "consent_quotes": "no"}


def test_twenty_concurrent_replies_from_one_person_leave_one_consistent_conversation(trt: Runtime) -> None:
    trt.config["WEBHOOK_BURST"] = 100  # this is about ordering, not rate limits
    pid = add_person(trt, variant="standard")
    open_conversation(trt, pid, "web")
    with trt.db.reading() as session:
        token = session.get_one(Participant, pid).chat_token
    run_turn(trt, Inbound("web", token, "yes", "consent"))
    # Each reply fits any question ("1"/"2": yes/no, a scale point, a choice, free text).
    replies = ["1", "2"] * 10
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(replies))

    def reply(index: int, text: str) -> None:
        try:
            barrier.wait()
            run_turn(trt, Inbound("web", token, text, f"quick-{index}"))
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=reply, args=(i, t)) for i, t in enumerate(replies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with trt.db.reading() as session:
        inbound = session.scalars(select(Message).where(Message.direction == "in").order_by(Message.id)).all()
        assert len(inbound) == len(replies) + 1
        statuses = [m.status for m in inbound]
        assert set(statuses) <= {"processed", "late"} and "received" not in statuses
        conversation = session.scalars(select(Conversation)).one()  # one conversation, never two
        responses = session.scalars(select(Response).order_by(Response.id)).all()
        nodes = [r.node for r in responses]
        assert len(nodes) == len(set(nodes))  # no question answered twice
        processed = [m for m in inbound if m.status == "processed"]
        # Each processed message answered exactly one question; the rest came after the end.
        # (Not necessarily in id order: on PostgreSQL two requests can take ids 11 and 12 and
        # commit 12 first; turns follow the order messages were stored, which is what arrived.)
        assert sorted(r.message_id for r in responses) == [m.id for m in processed]
        assert statuses == sorted(statuses, key=lambda s: s == "late")
        if "late" in statuses:
            assert conversation.status == "completed"
