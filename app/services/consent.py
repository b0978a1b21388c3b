"""Consent decisions: what a person agreed to, who said so, how, and in which words.

Each decision is a row of its own (never overwritten), so the record shows
when someone changed their mind; the latest decision on a scope is the one
that counts. A conversation records ``taking_part``, ``quotes`` and
``hear_back`` from the flow's consent questions (app/services/turns.py); a
coordinator records any scope taken on paper, in person or by phone, with
:func:`record_consent` (CLI ``heard participant consent-record``, and the
coordinator's participant page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ROLES, Consent, Participant

# What a person can agree to, each asked and recorded separately.
SCOPES: dict[str, str] = {
    "taking_part": "Taking part: answering the review's questions",
    "quotes": "Being quoted, in their own words, without their name",
    "recording": "Having spoken answers on a phone call recorded",
    "hear_back": 'Hearing back what the council did ("you said, we did")',
    "contact": "Being contacted by text or phone to be invited",
}
# How a coordinator took it, beside the channels a conversation records.
OFFLINE_CHANNELS = ("paper", "in_person", "phone")


class ConsentError(ValueError):
    """A consent decision we can't record, with a message that says why."""


@dataclass(frozen=True)
class Decision:
    scope: str
    given: bool
    given_by: str  # person | proxy
    proxy_role: str | None
    channel: str
    recorded_by: str | None
    recorded_at: datetime
    wording: str | None
    flow: str | None  # "practice_review_experience v1" when asked in a conversation


def record_consent(
    session: Session,
    participant_id: int,
    scope: str,
    given: bool,
    *,
    channel: str,
    recorded_by: str | None,
    now: datetime,
    proxy_role: str | None = None,
    wording: str | None = None,
    flow_id: str | None = None,
    flow_version: int | None = None,
) -> Consent:
    """Add one decision. A proxy (relative, carer, advocate) is labelled as such, never as the person."""
    if scope not in SCOPES:
        raise ConsentError(f"Unknown consent scope {scope!r}: use one of {', '.join(SCOPES)}.")
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise ConsentError(f"There is no participant {participant_id}.")
    if participant.withdrawn_at is not None:
        raise ConsentError(f"Participant {participant_id} has withdrawn; nothing more is recorded for them.")
    if proxy_role is not None and proxy_role not in ROLES[1:]:
        raise ConsentError(f"A proxy is one of {', '.join(ROLES[1:])}, not {proxy_role!r}.")
    if proxy_role is None and participant.role != "person":
        proxy_role = participant.role  # a relative answering for themselves is still not the person
    consent = Consent(
        participant_id=participant_id,
        scope=scope,
        given=given,
        given_by="proxy" if proxy_role else "person",
        proxy_role=proxy_role,
        channel=channel[:20],
        flow_id=flow_id,
        flow_version=flow_version,
        wording=wording,
        recorded_by=(recorded_by or "")[:200] or None,
        recorded_at=now,
    )
    session.add(consent)
    session.flush()
    return consent


def latest(session: Session, participant_id: int) -> dict[str, Decision]:
    """Each scope's latest decision (a scope never decided is absent)."""
    rows = session.scalars(
        select(Consent).where(Consent.participant_id == participant_id).order_by(Consent.id)
    ).all()
    return {row.scope: _decision(row) for row in rows}  # later rows overwrite earlier ones


def history(session: Session, participant_id: int) -> list[Decision]:
    rows = session.scalars(
        select(Consent).where(Consent.participant_id == participant_id).order_by(Consent.id)
    ).all()
    return [_decision(row) for row in rows]


def has_consent(session: Session, participant_id: int, scope: str) -> bool:
    decision = latest(session, participant_id).get(scope)
    return decision is not None and decision.given


def _decision(row: Consent) -> Decision:
    return Decision(
        scope=row.scope,
        given=row.given,
        given_by=row.given_by,
        proxy_role=row.proxy_role,
        channel=row.channel,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        wording=row.wording,
        flow=f"{row.flow_id} v{row.flow_version}" if row.flow_id else None,
    )
