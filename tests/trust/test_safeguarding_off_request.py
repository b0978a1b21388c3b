"""The safeguarding email never holds up the reply: the webhook answers, then the lead is told.

A real SMTP server (aiosmtpd) that holds each message until the test lets it
go, and a socket that accepts and never speaks: either way the SMS webhook has
answered, and the concern is stored, before the mail server has finished.
No wall-clock thresholds: the servers wait on events the test sets after the
webhook has returned.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.models import Concern, Message, Participant
from app.services import safeguarding
from app.services.invitations import invite_review
from app.services.runtime import Runtime
from tests.staff_support import add_user
from tests.trust.trust_support import add_person, post_sms

PHONE = "+447700900463"
DISCLOSURE = "My son is hurting me and I am scared of him"


class HeldInbox:
    """An aiosmtpd handler that takes each message only once ``release`` is set."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.reached = threading.Event()  # a message's DATA has arrived and is being held
        self.messages: list[tuple[list[str], Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.reached.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted for delivery"


class Silent:
    """A TCP server that accepts and says nothing (no SMTP greeting) until released, then hangs up."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.accepted = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return
        with connection:
            self.accepted.set()
            self.release.wait(60)

    def close(self) -> None:
        self.release.set()
        self.listener.close()
        self.thread.join(10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def held(trust_app: Flask) -> Iterator[HeldInbox]:
    inbox = HeldInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    trust_app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_FROM="heard@review.example"
    )
    yield inbox
    inbox.release.set()
    safeguarding.join_pending(timeout=30)
    controller.stop()


@pytest.fixture
def silent(trust_app: Flask) -> Iterator[Silent]:
    server = Silent()
    trust_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_FROM="heard@review.example")
    yield server
    server.close()
    safeguarding.join_pending(timeout=30)


def _at_the_free_text_question(rt: Runtime, client: FlaskClient) -> int:
    pid = add_person(rt, channel="sms", phone=PHONE)
    with rt.db.reading() as session:
        review_id = session.get_one(Participant, pid).review_id
    add_user(rt, "lead@example.org", "psw", (review_id,), lead=True)
    assert invite_review(rt, review_id)[0].action == "invite"
    for index, text in enumerate(["YES", "yes", "yes", "4"]):
        assert post_sms(client, PHONE, text, f"SM-{index}").status_code == 200
    return pid


def _concern(rt: Runtime) -> Concern:
    with rt.db.reading() as session:
        return session.scalars(select(Concern)).one()


def test_the_reply_goes_before_the_mail_server_has_taken_the_email(
    trt: Runtime, tclient: FlaskClient, held: HeldInbox
) -> None:
    pid = _at_the_free_text_question(trt, tclient)

    response = post_sms(tclient, PHONE, DISCLOSURE, "SM-disclosure")

    # The webhook has answered, with the helpline, while the mail server still holds the email.
    assert response.status_code == 200 and "0300 123 4567" in response.get_data(as_text=True)
    assert not held.release.is_set() and held.messages == []
    concern = _concern(trt)
    assert concern.participant_id == pid and concern.notified_via is None  # "pending" on the dashboard
    with trt.db.reading() as session:
        stored = session.scalars(select(Message).where(Message.provider_id == "SM-disclosure")).one()
        assert stored.processed_at is not None

    held.release.set()
    assert safeguarding.join_pending(timeout=30)
    assert held.reached.is_set() and [to for to, _ in held.messages] == [["lead@example.org"]]
    concern = _concern(trt)
    assert (
        concern.notified_via == "email" and concern.notify_error is None and concern.notified_at is not None
    )


def test_a_mail_server_that_never_answers_does_not_hold_the_reply_and_the_failure_is_kept(
    trt: Runtime, tclient: FlaskClient, silent: Silent
) -> None:
    _at_the_free_text_question(trt, tclient)

    response = post_sms(tclient, PHONE, "He threatened me last week", "SM-threat")

    assert response.status_code == 200 and "0300 123 4567" in response.get_data(as_text=True)
    assert not silent.release.is_set()
    assert _concern(trt).notified_via is None  # still waiting on the server, not on the reply

    assert silent.accepted.wait(30)  # the email was being tried all along
    silent.release.set()  # the server hangs up without a word
    assert safeguarding.join_pending(timeout=30)
    concern = _concern(trt)
    assert concern.notified_via == "dashboard" and concern.notified_at is not None
    assert "SMTPServerDisconnected" in (concern.notify_error or "")
