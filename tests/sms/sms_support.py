"""Helpers for the SMS tests: participants, signed webhooks, and Twilio's REST URL."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

from flask.testing import FlaskClient
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from app.models import Consent, Message, Participant
from app.services.participants import NewParticipant, add_participant, create_review
from app.services.runtime import Runtime

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "0" * 32
FROM = "+447700900999"
BASE_URL = "http://localhost"  # the app fixture's PUBLIC_BASE_URL
SMS_URL = f"{BASE_URL}/webhooks/twilio/sms"
STATUS_URL = f"{BASE_URL}/webhooks/twilio/status"
MESSAGES_API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday, outside quiet hours


def make_participant(rt: Runtime, *, contact_consent: bool = True, **overrides: Any) -> Participant:
    fields: dict[str, Any] = {
        "audit_ref": "B3",
        "first_name": "Priya",
        "channel": "sms",
        "variant": "easy_read",
        "phone": "07700 900123",
    } | overrides
    review_id = fields.pop("review_id", None)
    with rt.db.writing() as session:
        if review_id is None:
            review_id = create_review(
                session, "Northshire Council", "Strengths-based practice", "practice_review_experience"
            ).id
        participant = add_participant(session, rt.crypto, NewParticipant(review_id=review_id, **fields))
        if contact_consent:
            session.add(
                Consent(participant_id=participant.id, scope="contact", given=True, channel="coordinator")
            )
        session.flush()
        participant.audit_record  # noqa: B018 - loaded before the session closes
        session.expunge(participant)
    return participant


def sign(url: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


def sms_form(sender: str, body: str, sid: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "To": FROM,
        "Body": body,
        "NumMedia": "0",
    }


def post_sms(
    client: FlaskClient, sender: str, body: str, sid: str, *, signature: str | None = None
) -> tuple[int, str]:
    form = sms_form(sender, body, sid)
    signature = sign(SMS_URL, form) if signature is None else signature
    response = client.post("/webhooks/twilio/sms", data=form, headers={"X-Twilio-Signature": signature})
    return response.status_code, response.get_data(as_text=True)


def post_status(client: FlaskClient, form: dict[str, str], *, token: str = AUTH_TOKEN) -> int:
    headers = {"X-Twilio-Signature": sign(STATUS_URL, form, token)}
    return client.post("/webhooks/twilio/status", data=form, headers=headers).status_code


def reply_text(twiml: str) -> str:
    """The text of the TwiML's <Message>, or "" when it sends nothing."""
    root = ElementTree.fromstring(twiml)
    assert root.tag == "Response"
    return "\n".join(m.text or "" for m in root.findall("Message"))


def outbound(rt: Runtime) -> list[Message]:
    """Every text sent on our initiative (not a webhook's reply)."""
    with rt.db.reading() as session:
        return list(
            session.scalars(
                select(Message).where(Message.direction == "out", Message.transport.is_not(None))
            ).all()
        )


def twilio_message(sid: str = "SM" + "a" * 32, status: str = "queued", to: str = "+447700900123") -> dict:
    """Twilio's JSON for a created message (the fields the client reads)."""
    return {
        "sid": sid,
        "account_sid": ACCOUNT_SID,
        "to": to,
        "from": FROM,
        "body": "",
        "status": status,
        "num_segments": "1",
        "direction": "outbound-api",
        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
    }


def masked(text: str) -> bool:
    return re.search(r"\+44 7\*\*\* \*\*\*\d{3}", text) is not None


def stored(rt: Runtime, model: type, **where: Any) -> list[Any]:
    with rt.db.reading() as session:
        query = select(model).filter_by(**where).order_by(model.id)
        return list(session.scalars(query).all())


def participant_row(rt: Runtime, participant_id: int) -> Participant:
    with rt.db.reading() as session:
        return session.get_one(Participant, participant_id)
