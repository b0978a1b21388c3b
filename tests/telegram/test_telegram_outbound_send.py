"""Messages we start (feedback, reminders) reach a Telegram participant through the one send()."""

from __future__ import annotations

from datetime import UTC, datetime

from fake_bot_api import FakeBotApi
from sqlalchemy import select
from tg_support import make_participant

from app.models import Message, Participant
from app.services.outbound import send
from app.services.runtime import Runtime


def _link_chat(rt: Runtime, participant_id: int, chat_id: str) -> None:
    with rt.db.writing() as session:
        participant = session.get_one(Participant, participant_id)
        participant.telegram_encrypted = rt.crypto.encrypt(chat_id)
        participant.telegram_lookup = rt.crypto.lookup(chat_id)


def _daytime(rt: Runtime) -> None:
    rt.clock = lambda: datetime(2026, 6, 3, 12, 0, tzinfo=UTC)


def test_send_goes_through_the_bot_api_to_the_linked_chat(rt: Runtime, telegram: FakeBotApi) -> None:
    participant, _ = make_participant(rt)
    _link_chat(rt, participant.id, "5551234")
    _daytime(rt)
    outcome = send(rt, participant.id, "We changed how we answer the phone – thank you.", purpose="feedback")
    assert outcome.status == "sent"
    [call] = telegram.sent("5551234")
    assert call.params["text"] == "We changed how we answer the phone – thank you."
    with rt.db.reading() as session:
        stored = session.get_one(Message, outcome.message_id)
        assert (stored.channel, stored.transport, stored.status) == ("telegram", "telegram", "sent")


def test_without_a_bot_token_the_message_waits_in_the_outbox(rt: Runtime) -> None:
    participant, _ = make_participant(rt)
    _daytime(rt)
    assert send(rt, participant.id, "Hello", purpose="feedback").status == "no_chat"
    _link_chat(rt, participant.id, "5551234")
    outcome = send(rt, participant.id, "Hello", purpose="feedback")
    assert outcome.status == "outbox"
    with rt.db.reading() as session:
        stored = session.scalars(select(Message).where(Message.direction == "out")).one()
        assert (stored.channel, stored.body) == ("telegram", "Hello")
