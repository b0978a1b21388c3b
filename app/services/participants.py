"""Setting up a review: councils, reviews, audit refs and participants."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine.types import LANGUAGES, VARIANTS
from app.models import PARTICIPANT_CHANNELS, ROLES, AuditRecord, Council, Participant, Review
from app.services.crypto import Crypto, normalise_phone


class SetupError(ValueError):
    """A coordinator's input we can't accept, with a message that says why."""


def get_or_create_council(session: Session, name: str) -> Council:
    council = session.scalar(select(Council).where(Council.name == name))
    if council is None:
        council = Council(name=name)
        session.add(council)
        session.flush()
    return council


def create_review(session: Session, council_name: str, theme: str, flow_id: str | None = None) -> Review:
    council = get_or_create_council(session, council_name.strip())
    review = Review(council_id=council.id, theme=theme.strip())
    if flow_id:
        review.flow_id = flow_id
    session.add(review)
    session.flush()
    return review


def get_or_create_audit_record(session: Session, review: Review, audit_ref: str) -> AuditRecord:
    ref = audit_ref.strip().upper()
    if not ref or len(ref) > 20:
        raise SetupError("An audit ref is a short reference such as A1, never a case record number.")
    record = session.scalar(
        select(AuditRecord).where(AuditRecord.review_id == review.id, AuditRecord.audit_ref == ref)
    )
    if record is None:
        record = AuditRecord(review_id=review.id, audit_ref=ref)
        session.add(record)
        session.flush()
    return record


@dataclass(frozen=True)
class NewParticipant:
    review_id: int
    audit_ref: str
    first_name: str
    role: str = "person"
    channel: str = "web"
    variant: str = "standard"
    language: str = "en"
    phone: str | None = None
    telegram_chat_id: str | None = None
    communication_needs: tuple[str, ...] = ()


def add_participant(session: Session, crypto: Crypto, new: NewParticipant) -> Participant:
    review = session.get(Review, new.review_id)
    if review is None:
        raise SetupError(f"There is no review {new.review_id}.")
    for value, allowed, what in (
        (new.role, ROLES, "role"),
        (new.channel, PARTICIPANT_CHANNELS, "channel"),
        (new.variant, VARIANTS, "variant"),
        (new.language, LANGUAGES, "language"),
    ):
        if value not in allowed:
            raise SetupError(f"Unknown {what} {value!r}: use one of {', '.join(allowed)}.")
    if new.channel in ("sms", "voice") and not new.phone:
        raise SetupError(f"A participant reached by {new.channel} needs a phone number.")
    record = get_or_create_audit_record(session, review, new.audit_ref)
    participant = Participant(
        review_id=review.id,
        audit_record_id=record.id,
        first_name=new.first_name.strip(),
        role=new.role,
        channel=new.channel,
        variant=new.variant,
        language=new.language,
        communication_needs=list(new.communication_needs),
        chat_token=secrets.token_urlsafe(24),
    )
    if new.phone:
        phone = normalise_phone(new.phone)
        participant.phone_encrypted = crypto.encrypt(phone)
        participant.phone_lookup = crypto.lookup(phone)
    if new.telegram_chat_id:
        participant.telegram_encrypted = crypto.encrypt(new.telegram_chat_id)
        participant.telegram_lookup = crypto.lookup(new.telegram_chat_id)
    session.add(participant)
    session.flush()
    return participant


def find_participant(session: Session, crypto: Crypto, channel: str, sender: str) -> Participant | None:
    """Who sent this, by what the channel knows them by."""
    if channel == "web":
        return session.scalar(select(Participant).where(Participant.chat_token == sender))
    if channel == "peer":
        return session.get(Participant, int(sender)) if sender.isdigit() else None
    if channel in ("sms", "voice"):
        column, key = Participant.phone_lookup, crypto.lookup(normalise_phone(sender))
    elif channel == "telegram":
        column, key = Participant.telegram_lookup, crypto.lookup(sender)
    else:
        return None
    # Newest first: the same number may be a participant in more than one review.
    return session.scalars(select(Participant).where(column == key).order_by(Participant.id.desc())).first()
