"""SMS by Twilio: a webhook's form becomes an Inbound; prompts become TwiML.

Translation only: who may be texted, and what a keyword means, are decided in
app/services. Easy-read pictures are not sent by text (no MMS): the words
stand on their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from twilio.twiml.messaging_response import MessagingResponse

from app.channels.base import Inbound
from app.engine import Prompt
from app.engine.segments import to_gsm7

MAX_BODY = 1600  # Twilio's own limit on one message's body


def inbound_from_form(form: Mapping[str, str]) -> Inbound | None:
    """Twilio's webhook fields as an Inbound; None when they can't be a message."""
    sender = (form.get("From") or "").strip()
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    if not sender or not sid:
        return None
    # An empty body (a picture message, say) is still something they sent: keep it.
    return Inbound(channel="sms", sender=sender, text=(form.get("Body") or "")[:MAX_BODY], provider_id=sid)


def render_prompt(prompt: Prompt) -> str:
    """One prompt as text: the engine already lists a choice's options by number for SMS."""
    return to_gsm7(prompt.text).strip()


def render_reply(prompts: Iterable[Prompt]) -> str:
    """A turn's prompts as one text, so they arrive together and in order."""
    return "\n\n".join(text for text in (render_prompt(p) for p in prompts) if text)


def twiml(prompts: Iterable[Prompt]) -> str:
    """The webhook's answer: one <Message> holding the turn's prompts, or none."""
    response = MessagingResponse()
    body = render_reply(prompts)
    if body:
        response.message(body)
    return str(response)


@dataclass(frozen=True)
class StatusReport:
    """A status callback: which message, what happened, and any error code."""

    message_sid: str
    status: str
    error_code: str | None
    to: str | None


def status_from_form(form: Mapping[str, str]) -> StatusReport | None:
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    if not sid or not status:
        return None
    return StatusReport(sid, status, (form.get("ErrorCode") or "").strip() or None, form.get("To"))
