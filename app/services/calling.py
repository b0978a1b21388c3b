"""Placing phone calls: `heard invite` for people who prefer a call, and what became of each call.

A call attempt is an outbound message (channel ``voice``), sent through the
one :func:`app.services.outbound.send`, so the same checks apply (opted out,
suppressed, quiet hours) and, without Twilio, the call waits in the outbox
where the sandbox phone can take it. Busy, no answer, failed and voicemail
are kept on the message; the next `heard invite` after VOICE_RETRY_MINUTES
calls again, up to VOICE_MAX_ATTEMPTS calls, then the invitation lapses.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from app.models import Conversation, Invitation, Message, Participant
from app.services.invitations import InviteLine, has_contact_consent, invite_line, mask, record_invitation
from app.services.outbound import send
from app.services.quiet_hours import quiet_until
from app.services.runtime import Runtime
from app.services.suppression import is_suppressed
from app.services.transport import Delivery, OutboxTransport, Transport, twilio_configured

CALL_BODY = "Phone call from Heard (invitation)"
IN_FLIGHT = ("sending", "outbox", "queued", "initiated", "ringing", "in-progress")
# Twilio's call statuses in the order they happen; a voicemail is known last (from AnsweredBy).
_ORDER = {
    "sending": 0, "outbox": 0, "queued": 1, "initiated": 1, "ringing": 2, "in-progress": 3,
    "completed": 4, "busy": 4, "no-answer": 4, "failed": 4, "canceled": 4, "voicemail": 5,
}  # fmt: skip


class VoiceTransport:
    """Twilio's Calls API: when they answer, Twilio asks the voice webhook what to say."""

    name = "twilio"

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.client = Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"])
        self.sender = str(config["TWILIO_FROM"])
        base = config["PUBLIC_BASE_URL"]
        self.url = f"{base}/webhooks/twilio/voice"
        self.status_callback = f"{base}/webhooks/twilio/voice/status"

    def deliver(self, to: str, body: str) -> Delivery:
        try:
            call = self.client.calls.create(
                to=to,
                from_=self.sender,
                url=self.url,
                method="POST",
                status_callback=self.status_callback,
                status_callback_method="POST",
                status_callback_event=["initiated", "ringing", "answered", "completed"],
                machine_detection="Enable",  # AnsweredBy tells a voicemail from a person
            )
        except TwilioRestException as error:
            code = str(error.code) if error.code is not None else str(error.status)
            return Delivery(status="failed", error_code=code, error_message=str(error.msg)[:500])
        except (TwilioException, requests.RequestException) as error:
            return Delivery(status="failed", error_code="network", error_message=str(error)[:500])
        return Delivery(status=str(call.status or "queued"), provider_id=call.sid)


def voice_transport_for(config: Mapping[str, Any]) -> Transport:
    # A Messaging Service can't place calls: a caller id (TWILIO_FROM) is needed.
    return (
        VoiceTransport(config)
        if twilio_configured(config) and config.get("TWILIO_FROM")
        else OutboxTransport()
    )


def callback_number(config: Mapping[str, Any]) -> str:
    """The number a voicemail asks them to call: the review's own line, else the help line."""
    return str(config.get("VOICE_CALLBACK_NUMBER") or config.get("TWILIO_FROM") or config["HELP_PHONE"])


def record_call_status(rt: Runtime, call_sid: str, status: str, error_code: str | None) -> bool:
    """A status callback: move the call attempt on (never back)."""
    with rt.db.writing() as session:
        message = _attempt(session, call_sid)
        if message is None:
            return False  # a call they made to us: nothing was sent
        if _ORDER.get(status, -1) >= _ORDER.get(message.status, 0):
            message.status = status[:20]
            message.status_at = rt.clock()
        if error_code:
            message.error_code = error_code[:20]
        return True


def note_voicemail(rt: Runtime, call_sid: str) -> None:
    with rt.db.writing() as session:
        message = _attempt(session, call_sid)
        if message is not None:
            message.status, message.status_at = "voicemail", rt.clock()


def _attempt(session: Session, call_sid: str) -> Message | None:
    return session.scalar(
        select(Message).where(
            Message.channel == "voice", Message.direction == "out", Message.provider_id == call_sid
        )
    )


# -- invitations by phone -------------------------------------------------------------


def carry_on_call(rt: Runtime, participant_id: int, dry_run: bool) -> InviteLine:
    """Call, call again after a missed call, or let the invitation lapse, as is due."""
    now = rt.clock()
    with rt.db.reading() as session:
        participant = session.get_one(Participant, participant_id)
        number = rt.crypto.decrypt(participant.phone_encrypted) or ""
        line = InviteLine(participant.id, participant.audit_ref, participant.first_name, mask(number), "skip")
        action, detail = _due(session, rt, participant, now)
    if action == "call":
        until = quiet_until(now, rt.config)
        if until is not None:
            if not dry_run:
                record_invitation(rt, participant_id, "deferred", deferred_until=until)
            return invite_line(line, "deferred", f"quiet hours: call after {until.isoformat()}")
    if dry_run or action == "skip":
        return invite_line(line, action, detail, CALL_BODY if action == "call" else None)
    if action == "lapse":
        record_invitation(rt, participant_id, "lapsed", lapsed_at=now)
        return invite_line(line, "lapse", detail)
    outcome = send(rt, participant_id, CALL_BODY, purpose="invitation", channel="voice")
    if outcome.status == "deferred":
        return invite_line(line, "deferred", f"quiet hours: until {outcome.not_before}")
    if not outcome.sent:
        record_invitation(rt, participant_id, "failed")
        return invite_line(line, "failed", outcome.error_code or outcome.status)
    with rt.db.reading() as session:
        first = session.scalar(
            select(Invitation.invited_at).where(Invitation.participant_id == participant_id)
        )
    record_invitation(rt, participant_id, "invited", invited_at=first or now, deferred_until=None)
    return invite_line(line, "call", f"{outcome.status} (message {outcome.message_id}{detail})")


def _due(session: Session, rt: Runtime, participant: Participant, now: datetime) -> tuple[str, str]:
    if not participant.contactable:
        return "skip", "opted out, withdrawn or not to be contacted"
    if not participant.phone_encrypted:
        return "skip", "no phone number"
    if "no_phone_calls" in (participant.communication_needs or []):
        return "skip", "prefers not to use the telephone"
    if is_suppressed(session, participant.phone_lookup):
        return "skip", "the number opted out (STOP)"
    if not has_contact_consent(session, participant.id):
        return "skip", "no consent to be contacted recorded"
    if session.scalar(select(Conversation.id).where(Conversation.participant_id == participant.id)):
        return "skip", "already answered"
    attempts = session.scalars(
        select(Message)
        .where(
            Message.participant_id == participant.id,
            Message.channel == "voice",
            Message.direction == "out",
            Message.purpose == "invitation",
        )
        .order_by(Message.id)
    ).all()
    if not attempts:
        return "call", ""
    last = attempts[-1]
    if last.status in IN_FLIGHT:
        return "skip", f"waiting for the call ({last.status})"
    if len(attempts) >= int(rt.config["VOICE_MAX_ATTEMPTS"]):
        invitation = session.scalar(select(Invitation).where(Invitation.participant_id == participant.id))
        if invitation is not None and invitation.status == "lapsed":
            return "skip", "the invitation lapsed"
        return "lapse", f"no answer after {len(attempts)} calls"
    again = (last.status_at or last.created_at) + timedelta(minutes=float(rt.config["VOICE_RETRY_MINUTES"]))
    if now < again:
        return "skip", f"last call {last.status}; next call after {again.isoformat()}"
    return "call", f", call {len(attempts) + 1} after {last.status}"
