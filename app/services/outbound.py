"""The one way a text leaves Heard on our own initiative.

Invitations, reminders, conversation prompts sent outside a webhook's reply,
and later "you said, we did" feedback all go through :func:`send`, which looks
again, right before sending, at whether this person may be texted at all: not
opted out, withdrawn or marked do-not-contact, not on the suppression list,
and not inside quiet hours. Replies inside a webhook are TwiML, not sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.engine.segments import to_gsm7
from app.models import Message, Participant
from app.services.quiet_hours import quiet_until
from app.services.runtime import Runtime
from app.services.suppression import is_suppressed, suppress
from app.services.transport import Transport, transport_for

OPTED_OUT_AT_PROVIDER = "21610"  # Twilio: the recipient replied STOP to the provider


@dataclass(frozen=True)
class SendOutcome:
    status: str  # outbox | queued | accepted | failed | suppressed | not_contactable | no_phone | deferred
    message_id: int | None = None
    not_before: datetime | None = None  # for deferred: when quiet hours end
    error_code: str | None = None

    @property
    def sent(self) -> bool:
        return self.message_id is not None and self.status != "failed"


def send(
    rt: Runtime,
    participant_id: int,
    text: str,
    *,
    purpose: str,
    conversation_id: int | None = None,
    payload: dict[str, Any] | None = None,
    transport: Transport | None = None,
    channel: str | None = None,
) -> SendOutcome:
    """Message ``participant_id`` unless they must not be contacted now; store what happened.

    Texts go by SMS; a participant who talks to us on Telegram gets the words there.
    ``channel="voice"`` places a phone call instead (app/services/calling.py), and
    ``channel="sms"`` texts whatever channel they prefer (a caller asking for the link).
    """
    now = rt.clock()
    with rt.db.writing() as session:
        participant = session.get(Participant, participant_id, with_for_update=True)
        if participant is None or not participant.contactable:
            return SendOutcome("not_contactable")
        channel = channel or ("telegram" if participant.channel == "telegram" else "sms")
        address = participant.telegram_encrypted if channel == "telegram" else participant.phone_encrypted
        if not address:
            return SendOutcome("no_chat" if channel == "telegram" else "no_phone")
        if channel in ("sms", "voice") and is_suppressed(session, participant.phone_lookup):
            return SendOutcome("suppressed")
        until = quiet_until(now, rt.config)
        if until is not None:
            return SendOutcome("deferred", not_before=until)
        to = rt.crypto.decrypt(address) or ""
        carrier = transport or _transport(rt, channel)
        message = Message(
            direction="out",
            channel=channel,
            participant_id=participant.id,
            conversation_id=conversation_id,
            body=to_gsm7(text) if channel == "sms" else text,
            payload=payload,
            purpose=purpose,
            transport=carrier.name,
            status="sending",
            created_at=now,
        )
        session.add(message)
        session.flush()
        message_id, body = message.id, message.body or ""
        lookup = participant.phone_lookup if channel in ("sms", "voice") else None
    # The provider is called outside the transaction: a slow API must not hold the database.
    delivery = carrier.deliver(to, body)
    with rt.db.writing() as session:
        message = session.get_one(Message, message_id)
        message.status = delivery.status
        message.provider_id = delivery.provider_id
        message.error_code = delivery.error_code
        message.error_message = delivery.error_message
        message.status_at = rt.clock()
        if delivery.error_code == OPTED_OUT_AT_PROVIDER and lookup:
            suppress(session, lookup, "provider_21610", rt.clock())
    return SendOutcome(delivery.status, message_id, error_code=delivery.error_code)


def _transport(rt: Runtime, channel: str) -> Transport:
    if channel == "telegram":
        from app.services.telegram_outbound import telegram_transport_for  # the bot only when needed

        return telegram_transport_for(rt.config)
    if channel == "voice":
        from app.services.calling import voice_transport_for

        return voice_transport_for(rt.config)
    return transport_for(rt.config)


# Twilio's statuses in the order they happen; callbacks can arrive out of order.
_STATUS_ORDER = {
    "sending": 1, "accepted": 1, "queued": 1, "scheduled": 1,
    "sent": 2,
    "delivered": 3, "undelivered": 3, "failed": 3, "read": 4,
}  # fmt: skip


def record_status(rt: Runtime, message_sid: str, status: str, error_code: str | None) -> bool:
    """A status callback: move the message on (never back); 21610 opts the number out."""
    now = rt.clock()
    with rt.db.writing() as session:
        message = session.scalar(
            select(Message).where(
                Message.channel == "sms", Message.direction == "out", Message.provider_id == message_sid
            )
        )
        if message is None:
            return False
        if _STATUS_ORDER.get(status, 0) >= _STATUS_ORDER.get(message.status, 0):
            message.status = status[:20]
            message.status_at = now
        if error_code:
            message.error_code = error_code[:20]
        if error_code == OPTED_OUT_AT_PROVIDER and message.participant_id is not None:
            participant = session.get_one(Participant, message.participant_id)
            if participant.phone_lookup:
                suppress(session, participant.phone_lookup, "provider_21610", now)
        return True
