"""Safeguarding: a disclosure in any channel records a concern and tells the lead and the person."""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.channels.base import Inbound
from app.engine import Prompt
from app.models import Concern, Conversation, Response
from app.services import safeguarding
from app.services.runtime import Runtime
from app.services.turns import TurnResult, open_conversation, run_turn
from tests.staff_support import add_person, add_user, sign_in

DISCLOSURE = "My son is hurting me and I am scared of him"
PHONE = "+447700900123"


class Inbox:
    """An aiosmtpd handler that keeps every message it is sent."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app: Flask) -> Iterator[Inbox]:
    """A real SMTP server on localhost, and the app configured to use it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_FROM="heard@review.example")
    yield inbox
    controller.stop()


def _review(rt: Runtime) -> int:
    from app.services.participants import create_review

    with rt.db.writing() as session:
        return create_review(session, "Northshire Council", "Strengths-based practice").id


def _texts(result: TurnResult) -> list[Prompt]:
    return list(result.replies)


def _sms_to_first_free_text(rt: Runtime, review_id: int, **fields: Any) -> tuple[int, list[str]]:
    person_id, _ = add_person(rt, review_id, "A1", first_name="Sam", channel="sms", phone=PHONE, **fields)
    open_conversation(rt, person_id, "sms")
    for n, reply in enumerate(("yes", "yes", "4")):  # consent, quotes, how well they listened
        run_turn(rt, Inbound("sms", PHONE, reply, f"SM{n}"))
    return person_id, []


def test_a_disclosure_by_sms_emails_the_lead_and_tells_the_person_who_to_call(
    app: Flask, rt: Runtime, smtp: Inbox
) -> None:
    review_id = _review(rt)
    add_user(rt, "lead@example.org", "psw", (review_id,), lead=True)
    add_user(rt, "coord@example.org", "coordinator")
    person_id, _ = _sms_to_first_free_text(rt, review_id, variant="standard")

    result = run_turn(rt, Inbound("sms", PHONE, DISCLOSURE, "SM-disclosure"))
    assert safeguarding.join_pending(timeout=30)  # the email goes off the request path

    kinds = [(p.kind, p.node) for p in result.replies]
    helpline = next(p for p in result.replies if p.kind == "notice")
    assert (
        "0300 123 4567" in helpline.text and "Someone from the review team will be in touch" in helpline.text
    )
    assert "999" in helpline.text
    # Kindly onward: the helpline first, then the next question, and the conversation is still running.
    assert kinds.index(("notice", "what_matters")) < kinds.index(("ask", "strengths"))
    with rt.db.reading() as session:
        concern = session.scalars(select(Concern)).one()
        assert (concern.source, concern.channel, concern.node) == ("phrase", "sms", "what_matters")
        assert concern.matched in ("hurting me", "scared of") and concern.participant_id == person_id
        assert concern.notified_via == "email" and concern.notify_error is None
        assert session.scalars(select(Conversation)).one().status == "active"
        answer = session.scalars(select(Response).where(Response.node == "what_matters")).one()
        assert answer.raw_text == DISCLOSURE  # saved as given
    assert len(smtp.messages) == 1
    to, email = smtp.messages[0]
    assert to == ["lead@example.org"]  # the review's lead, not every coordinator
    body = email.get_content()
    assert "audit ref A1" in email["Subject"] and f"/concerns/{concern.id}" in body
    assert "hurting" not in body and "Sam" not in body  # no one's words or name by email

    carried_on = run_turn(rt, Inbound("sms", PHONE, "5", "SM-next"))
    assert carried_on.replies and carried_on.replies[-1].kind == "ask"


def _web_answer(client: FlaskClient, token: str, text: str) -> str:
    client.post(f"/c/{token}", data={"answer": text, "nonce": uuid.uuid4().hex})
    return client.get(f"/c/{token}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "variant", "words", "expected"),
    [
        (
            "en",
            "easy_read",
            "There is no food in the house most days",
            "A person from the team will contact you soon.",
        ),
        (
            "cy",
            "standard",
            "Does dim bwyd yn y tŷ ac mae gen i ofn",
            "Bydd rhywun o dîm yr adolygiad yn cysylltu",
        ),
        (
            "cy",
            "easy_read",
            "Dydw i ddim yn ddiogel gartref",
            "Bydd person o'r tîm yn cysylltu â chi cyn bo hir.",
        ),
    ],
)
def test_a_disclosure_in_the_web_chat_answers_in_the_persons_language_and_wording(
    app: Flask,
    rt: Runtime,
    client: FlaskClient,
    smtp: Inbox,
    language: str,
    variant: str,
    words: str,
    expected: str,
) -> None:
    review_id = _review(rt)
    add_user(rt, "coord@example.org", "coordinator")  # no lead: the coordinators hear
    _, token = add_person(rt, review_id, "A2", first_name="Gareth", language=language, variant=variant)
    client.get(f"/c/{token}")
    for reply in ("yes", "yes", "4"):
        _web_answer(client, token, reply)
    page = _web_answer(client, token, words)
    assert safeguarding.join_pending(timeout=30)
    text = re.sub(r"\s+", " ", page).replace("&#39;", "'")
    assert expected in text and "0300 123 4567" in text
    with rt.db.reading() as session:
        concern = session.scalars(select(Concern)).one()
        assert concern.channel == "web" and concern.notified_via == "email"
    assert [to for to, _ in smtp.messages] == [["coord@example.org"]]


def test_commands_are_never_screened(app: Flask, rt: Runtime, tmp_path: Path) -> None:
    rules = tmp_path / "safeguarding.yaml"
    rules.write_text('phrases:\n  en: [help, stop]\nreply:\n  standard: "Call {phone}."\n')
    app.config["SAFEGUARDING_FILE"] = str(rules)
    review_id = _review(rt)
    _sms_to_first_free_text(rt, review_id)
    for n, command in enumerate(("HELP", "help me", "Help please")):
        run_turn(rt, Inbound("sms", PHONE, command, f"cmd{n}"))
    with rt.db.reading() as session:
        assert session.scalars(select(Concern)).all() == []
    run_turn(rt, Inbound("sms", PHONE, "I need help with money", "SM-words"))
    with rt.db.reading() as session:
        assert [c.matched for c in session.scalars(select(Concern))] == ["help"]
    # The matcher alone would match a bare command ("STOP" ends the conversation, so it is
    # shown here); it is run_turn, screening answers only, that keeps commands out.
    assert safeguarding.match("STOP", safeguarding.load_rules(rules)) == "stop"


def test_without_smtp_the_concern_waits_on_the_coordinators_dashboard(app: Flask, rt: Runtime) -> None:
    review_id = _review(rt)
    add_user(rt, "coord@example.org", "coordinator")
    _sms_to_first_free_text(rt, review_id)
    result = run_turn(rt, Inbound("sms", PHONE, "Nobody listens and I feel unsafe", "SM-x"))
    assert safeguarding.join_pending(timeout=30)
    assert any(p.kind == "notice" and "0300 123 4567" in p.text for p in result.replies)
    with rt.db.reading() as session:
        concern = session.scalars(select(Concern)).one()
        assert concern.notified_via == "dashboard" and concern.notified_at is not None
    client = app.test_client()
    sign_in(client, "coord@example.org")
    page = client.get("/coordinator/").get_data(as_text=True)
    assert "Safeguarding: 1 concern to follow up" in page and "not emailed" in page


def test_an_smtp_server_that_is_down_falls_back_to_the_dashboard_and_the_turn_still_answers(
    app: Flask, rt: Runtime
) -> None:
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port())  # nothing listens there
    review_id = _review(rt)
    add_user(rt, "coord@example.org", "coordinator")
    _sms_to_first_free_text(rt, review_id)
    result = run_turn(rt, Inbound("sms", PHONE, "He threatened me last week", "SM-y"))
    assert safeguarding.join_pending(timeout=30)
    assert any(p.kind == "notice" for p in result.replies)
    with rt.db.reading() as session:
        concern = session.scalars(select(Concern)).one()
        assert concern.notified_via == "dashboard" and "ConnectionRefused" in (concern.notify_error or "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She was harmless and kind", None),
        ("I was abused by the carer", "abus*"),
        ("I don't feel safe at home", "dont feel safe"),
        ("NO FOOD!!", "no food"),
        ("Mae o'n fy mrifo i", "fy mrifo"),
        ("Dw i ddim yn ddiogel", "ddim yn ddiogel"),
        ("Roedd e'n ofnadwy o dda", None),  # "ofnadwy" (awful, or very) is not "ofn" (fear)
        ("Roedd gen i ofn", "ofn"),
        ("The social worker was brilliant", None),
    ],
)
def test_the_shipped_phrases_match_whole_words_in_english_and_welsh(
    rt: Runtime, text: str, expected: str | None
) -> None:
    rules = safeguarding.load_rules(rt.config["SAFEGUARDING_FILE"])
    assert safeguarding.match(text, rules) == expected


def test_the_helpline_wording_exists_for_every_language_and_variant_and_easy_read_is_short(
    rt: Runtime,
) -> None:
    from app.engine.easy_read import long_sentences

    seen = set()
    for language in ("en", "cy"):
        for variant in ("standard", "easy_read"):
            text = safeguarding.helpline_text(rt, language, variant, "sms")
            assert "0300 123 4567" in text and "999" in text and "{" not in text
            if variant == "easy_read":
                assert long_sentences(text) == []
            seen.add(text)
    assert len(seen) == 4
    from app.engine.segments import count_segments

    assert count_segments(safeguarding.helpline_text(rt, "en", "easy_read", "sms")).segments == 1
