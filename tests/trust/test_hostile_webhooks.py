"""Hostile and random input into every webhook: never a 5xx, never a lost message, a kind reply or a 4xx.

Each example is cheap (SQLite, the test client) so CI can run 2,000 per webhook
(HEARD_HYPOTHESIS_EXAMPLES). Senders are a mix of a participant mid-conversation,
one whose conversation has ended, one who said STOP, and strangers. WITHDRAW is
left out here (it erases the sender's earlier messages, so rows would fall, by
design); tests/trust/test_erasure.py covers it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import pytest
from flask import Flask
from hypothesis import assume, given
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import update

from app import create_app
from app.engine import match_command
from app.models import Conversation, Message, Participant
from app.services.outbound import send
from app.services.runtime import Runtime
from tests.trust.hostile import NASTY, SETTINGS, any_text, form_text, maybe
from tests.trust.trust_support import (
    AUTH_TOKEN,
    NOON,
    TG_SECRET,
    add_person,
    inbound_count,
    post_signed,
    post_telegram,
)

ACTIVE, ENDED, STOPPED = "+447700900101", "+447700900102", "+447700900103"
CHATS = {"active": 7001, "ended": 7002}
_ids = itertools.count(1)


@pytest.fixture
def world(sqlite_url: str, data_key: str) -> Iterator[tuple[Flask, Runtime, dict[str, Any]]]:
    app = create_app(
        {
            "DATABASE_URL": sqlite_url,
            "SECRET_KEY": "t",
            "HEARD_DATA_KEY": data_key,
            "TESTING": True,
            "PUBLIC_BASE_URL": "http://localhost",
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
            "WEBHOOK_BURST": 10**9,  # the limiter has its own test; here every post must be answered
        }
    )
    rt: Runtime = app.extensions["heard_runtime"]
    rt.clock = lambda: NOON
    people = {
        "active": add_person(rt, channel="sms", phone=ACTIVE, telegram_chat_id=str(CHATS["active"])),
        "ended": add_person(
            rt, channel="sms", phone=ENDED, telegram_chat_id=str(CHATS["ended"]), audit_ref="T2"
        ),
        "stopped": add_person(rt, channel="sms", phone=STOPPED, audit_ref="T3"),
    }
    client = app.test_client()
    for name, phone in (("active", ACTIVE), ("ended", ENDED), ("stopped", STOPPED)):
        post_signed(client, "/webhooks/twilio/sms", _sms(phone, "YES", f"SM-setup-{name}"))
    post_signed(client, "/webhooks/twilio/sms", _sms(STOPPED, "STOP", "SM-setup-stop"))
    with rt.db.writing() as session:
        session.execute(
            update(Conversation)
            .where(Conversation.participant_id == people["ended"])
            .values(status="completed")
        )
        tokens = {name: session.get_one(Participant, pid).chat_token for name, pid in people.items()}
    outbox = send(rt, people["active"], "a reminder", purpose="prompt")
    sent_sid = "SM" + "k" * 32  # as if Twilio had sent it, so status callbacks find a message
    with rt.db.writing() as session:
        session.get_one(Message, outbox.message_id).provider_id = sent_sid
    yield app, rt, {"tokens": tokens, "people": people, "sent_sid": sent_sid}
    rt.db.dispose()


def _sms(sender: str | None, body: str | None, sid: str | None, **extra: str) -> dict[str, str]:
    form = {"To": "+447700900999", "AccountSid": "AC" + "0" * 32, **extra}
    for key, value in (("From", sender), ("Body", body), ("MessageSid", sid)):
        if value is not None:
            form[key] = value
    return form


def _never_5xx(response: Any) -> None:
    assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])


def _twiml(response: Any) -> str:
    root = ElementTree.fromstring(response.get_data(as_text=True))
    assert root.tag == "Response"
    return "".join(m.text or "" for m in root.iter("Message"))


senders = st.one_of(st.sampled_from([ACTIVE, ENDED, STOPPED, "07700 900101", "+447700900999"]), maybe)


@SETTINGS
@given(sender=senders, body=maybe, sid=maybe, extra=form_text)
def test_sms_webhook(world, sender: str | None, body: str | None, sid: str | None, extra: str) -> None:  # type: ignore[no-untyped-def]
    app, rt, _ = world
    assume(match_command(body or "") != "withdraw")
    unique_sid = None if sid is None else f"SM{next(_ids)}-{sid}"
    valid = bool((sender or "").strip()) and unique_sid is not None
    before = inbound_count(rt)
    response = post_signed(
        app.test_client(), "/webhooks/twilio/sms", _sms(sender, body, unique_sid, Extra=extra)
    )
    _never_5xx(response)
    if valid:
        assert response.status_code == 200
        _twiml(response)  # well-formed TwiML, with a reply or deliberately none
        assert inbound_count(rt) == before + 1
    else:
        assert response.status_code == 400 and inbound_count(rt) == before


@SETTINGS
@given(sid=st.one_of(st.just("known"), maybe), status=maybe, error=maybe)
def test_sms_status_callback(world, sid: str | None, status: str | None, error: str | None) -> None:  # type: ignore[no-untyped-def]
    app, _, data = world
    form = {
        k: v
        for k, v in (("MessageSid", sid), ("MessageStatus", status), ("ErrorCode", error))
        if v is not None
    }
    if sid == "known":
        form["MessageSid"] = data["sent_sid"] or "none"
    response = post_signed(app.test_client(), "/webhooks/twilio/status", form)
    _never_5xx(response)
    assert response.status_code == 204


chat_ids = st.one_of(st.sampled_from(list(CHATS.values())), st.integers(), st.text(max_size=20), st.none())
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), any_text)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def telegram_updates(draw: st.DrawFn) -> tuple[Any, bool]:
    """An update and whether it is a private text message we must keep."""
    shape = draw(st.sampled_from(["message", "message", "garbage", "no_id", "callback"]))
    update_id = next(_ids) + 10**6
    if shape == "garbage":
        return draw(json_value), False
    if shape == "no_id":
        return {"message": {"text": draw(any_text)}}, False
    if shape == "callback":
        return {"update_id": update_id, "callback_query": draw(json_value)}, False
    chat_id = draw(chat_ids)
    text = draw(st.one_of(any_text, st.none()))
    chat = {"id": chat_id, "type": draw(st.sampled_from(["private", "private", "group"])), "first_name": "T"}
    message = {
        "message_id": 1,
        "date": 1764158400,
        "chat": chat,
        "text": text,
        **draw(st.dictionaries(st.sampled_from(["caption", "entities", "from"]), json_value, max_size=2)),
    }
    keep = (
        isinstance(chat_id, int) and chat["type"] == "private" and isinstance(text, str) and len(message) == 4
    )
    return {"update_id": update_id, "message": message}, keep


@SETTINGS
@given(update=telegram_updates())
def test_telegram_webhook(world, update: tuple[Any, bool]) -> None:  # type: ignore[no-untyped-def]
    app, rt, _ = world
    body, keep = update
    if keep:
        assume(
            match_command(body["message"]["text"]) != "withdraw"
            and not body["message"]["text"].startswith("/")
        )
    before = inbound_count(rt, "telegram")
    response = post_telegram(app.test_client(), body)
    _never_5xx(response)
    assert response.status_code in (200, 400)
    if keep:
        assert response.status_code == 200 and inbound_count(rt, "telegram") == before + 1


@SETTINGS
@given(token=st.one_of(st.sampled_from(["active", "ended", "stopped"]), form_text), answer=maybe, nonce=maybe)
def test_web_chat_form(world, token: str, answer: str | None, nonce: str | None) -> None:  # type: ignore[no-untyped-def]
    app, rt, data = world
    assume(match_command(answer or "") != "withdraw")
    real = data["tokens"].get(token)
    path_token = real or "x" + "".join(c for c in token if c.isalnum())[:40]
    form = {
        k: v
        for k, v in (("answer", answer), ("nonce", None if nonce is None else f"{next(_ids)}-{nonce}"))
        if v is not None
    }
    client = app.test_client()
    before = inbound_count(rt, "web")
    response = client.post(f"/c/{path_token}", data=form)
    _never_5xx(response)
    if real is None:
        assert response.status_code == 404 and inbound_count(rt, "web") == before
        return
    assert response.status_code == 303
    kept = bool((answer or "").strip())
    assert inbound_count(rt, "web") == before + int(kept)
    page = client.get(f"/c/{real}")
    assert page.status_code == 200
    if kept and any(c in (answer or "") for c in "<>&\"'"):
        html = page.get_data(as_text=True)
        shown = (answer or "").strip()[:5000].replace("\x00", "\ufffd")
        # What the person typed, as the page shows it in their bubble: escaped, never markup.
        # (A bare '<' can't be looked for in the whole page: every tag has one.)
        bubbles = re.findall(
            r'<p class="msg-text"><span class="visually-hidden">[^<]*</span>(.*?)</p>', html, re.S
        )
        assert str(escape(shown)) in bubbles
        assert all("<" not in bubble for bubble in bubbles)


@SETTINGS
@given(
    path=st.sampled_from(
        [
            "/webhooks/twilio/voice",
            "/webhooks/twilio/voice/gather?step=1",
            "/webhooks/twilio/voice/gather?step=x",
            "/webhooks/twilio/voice/status",
            "/webhooks/twilio/voice/recording?step=1",
        ]
    ),
    sid=maybe,
    caller=st.one_of(st.sampled_from([ACTIVE, ENDED, STOPPED]), maybe),
    speech=maybe,
    digits=maybe,
    confidence=maybe,
    extra=st.dictionaries(
        st.sampled_from(["CallStatus", "AnsweredBy", "Direction", "RecordingUrl", "ErrorCode"]),
        form_text,
        max_size=3,
    ),
)
def test_voice_webhooks(world, path: str, sid, caller, speech, digits, confidence, extra) -> None:  # type: ignore[no-untyped-def]
    app, rt, _ = world
    assume(match_command(speech or "") != "withdraw")
    unique_sid = None if sid is None else f"CA{next(_ids)}-{sid}"
    fields = {
        "CallSid": unique_sid,
        "From": caller,
        "To": "+447700900999",
        "SpeechResult": speech,
        "Digits": digits,
        "Confidence": confidence,
    }
    form = {k: v for k, v in fields.items() if v is not None} | extra
    before = inbound_count(rt, "voice")
    response = post_signed(app.test_client(), path, form)
    _never_5xx(response)
    if response.status_code == 200:
        ElementTree.fromstring(response.get_data(as_text=True))  # well-formed TwiML
    if path == "/webhooks/twilio/voice" and response.status_code == 200 and extra.get("AnsweredBy") is None:
        # A call's first step is stored as it arrives, whoever is calling.
        assert inbound_count(rt, "voice") == before + 1


def test_the_strategies_really_are_hostile() -> None:
    """The suite would be hollow if the nasty cases never reached the webhooks."""
    assert "\x00" in NASTY and any(len(n) >= 5000 for n in NASTY) and any("<script>" in n for n in NASTY)
