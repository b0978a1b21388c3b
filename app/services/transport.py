"""How an outbound text leaves: Twilio's REST API when configured, else the local outbox.

Only :func:`app.services.outbound.send` calls these, after its checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client


@dataclass(frozen=True)
class Delivery:
    """What the transport said: the provider's id and status, or why it failed."""

    status: str  # outbox | queued | accepted | sent ... | failed
    provider_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None


class Transport(Protocol):
    name: str

    def deliver(self, to: str, body: str) -> Delivery: ...


class OutboxTransport:
    """No credentials: the text waits in the message table, where the sandbox phone shows it."""

    name = "outbox"

    def deliver(self, to: str, body: str) -> Delivery:
        return Delivery(status="outbox")


class TwilioTransport:
    name = "twilio"

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.client = Client(config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"])
        self.sender = {"from_": config["TWILIO_FROM"]} if config.get("TWILIO_FROM") else {}
        if config.get("TWILIO_MESSAGING_SERVICE_SID"):
            self.sender = {"messaging_service_sid": config["TWILIO_MESSAGING_SERVICE_SID"]}
        self.status_callback = f"{config['PUBLIC_BASE_URL']}/webhooks/twilio/status"

    def deliver(self, to: str, body: str) -> Delivery:
        try:
            message = self.client.messages.create(
                to=to, body=body, status_callback=self.status_callback, **self.sender
            )
        except TwilioRestException as error:
            # Kept on the message (21610: they replied STOP to the provider); a batch carries on.
            code = str(error.code) if error.code is not None else str(error.status)
            return Delivery(status="failed", error_code=code, error_message=str(error.msg)[:500])
        except (TwilioException, requests.RequestException) as error:
            return Delivery(status="failed", error_code="network", error_message=str(error)[:500])
        return Delivery(status=str(message.status or "queued"), provider_id=message.sid)


def twilio_configured(config: Mapping[str, Any]) -> bool:
    has_sender = config.get("TWILIO_FROM") or config.get("TWILIO_MESSAGING_SERVICE_SID")
    return bool(config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN") and has_sender)


def transport_for(config: Mapping[str, Any]) -> Transport:
    return TwilioTransport(config) if twilio_configured(config) else OutboxTransport()
