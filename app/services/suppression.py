"""Our own opt-out list: a number that said STOP gets nothing until it says START.

It does not rely on the provider's own blocking, so it holds for the local
outbox, for every provider, and for numbers we never knew.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Conversation, Participant, Suppression
from app.services.crypto import Crypto, normalise_phone


def phone_lookup(crypto: Crypto, number: str) -> str:
    return crypto.lookup(normalise_phone(number)) or ""


def is_suppressed(session: Session, lookup: str | None) -> bool:
    if not lookup:
        return False
    row = session.scalar(select(Suppression).where(Suppression.phone_lookup == lookup))
    return row is not None and row.active


def participants_with(session: Session, lookup: str) -> list[Participant]:
    return list(
        session.scalars(select(Participant).where(Participant.phone_lookup == lookup).with_for_update()).all()
    )


def suppress(session: Session, lookup: str, reason: str, now: datetime) -> list[Participant]:
    """Put the number on the list and opt out everyone who uses it; returns them."""
    row = session.scalar(select(Suppression).where(Suppression.phone_lookup == lookup))
    if row is None:
        try:
            with session.begin_nested():  # another request may be adding the same number
                session.add(Suppression(phone_lookup=lookup, reason=reason, opted_out_at=now))
        except IntegrityError:
            row = session.scalars(select(Suppression).where(Suppression.phone_lookup == lookup)).one()
    if row is not None and not row.active:
        row.reason, row.opted_out_at, row.lifted_at = reason, now, None
    people = participants_with(session, lookup)
    for participant in people:
        participant.opted_out_at = participant.opted_out_at or now
        _end_conversations(session, participant.id, now)
    return people


def lift(session: Session, lookup: str, now: datetime) -> list[Participant]:
    """START / UNSTOP: take the number off the list and opt its people back in."""
    row = session.scalar(select(Suppression).where(Suppression.phone_lookup == lookup))
    if row is not None and row.active:
        row.lifted_at = now
    people = participants_with(session, lookup)
    for participant in people:
        participant.opted_out_at = None
    return people


def _end_conversations(session: Session, participant_id: int, now: datetime) -> None:
    """As the engine ends a conversation on STOP: opted out, nothing more asked."""
    running = session.scalars(
        select(Conversation).where(
            Conversation.participant_id == participant_id, Conversation.status == "active"
        )
    ).all()
    for conversation in running:
        conversation.status = "opted_out"
        conversation.ended_at = now
        conversation.state = {**conversation.state, "status": "opted_out", "node": None, "reasks": 0}
