"""Helpers for the Telegram tests: a linked participant, and posting an update to the webhook."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from app.models import Participant
from app.services.participants import NewParticipant, add_participant, create_review
from app.services.runtime import Runtime
from app.services.telegram_links import new_deep_link

SECRET = "webhook-secret_0123456789"


def make_participant(rt: Runtime, **overrides: Any) -> tuple[Participant, str]:
    """A Telegram participant and the token of their deep link."""
    fields: dict[str, Any] = {
        "audit_ref": "A7",
        "first_name": "Priya",
        "channel": "telegram",
        "variant": "standard",
    } | overrides
    with rt.db.writing() as session:
        review = create_review(session, "Northshire Council", "Strengths-based practice")
        participant = add_participant(session, rt.crypto, NewParticipant(review_id=review.id, **fields))
        link = new_deep_link(session, rt, participant.id)
        session.expunge(participant)
    assert link.startswith(f"https://t.me/{rt.config['TELEGRAM_BOT_USERNAME']}?start=")
    return participant, link.split("start=", 1)[1]


def post_update(client: FlaskClient, update: dict[str, Any], secret: str | None = SECRET) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return client.post("/webhooks/telegram", json=update, headers=headers).status_code
