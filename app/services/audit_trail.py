"""The audit trail: who opened which participant's answers, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AccessLog, Participant, User

# Re-drawing the same page (each step of a peer's conversation) is one visit, not twenty.
SAME_VISIT = timedelta(minutes=10)


def record_access(session: Session, user: User, action: str, participant: Participant, now: datetime) -> None:
    recent = session.scalar(
        select(AccessLog.id)
        .where(
            AccessLog.user_id == user.id,
            AccessLog.action == action,
            AccessLog.participant_id == participant.id,
            AccessLog.at >= now - SAME_VISIT,
        )
        .limit(1)
    )
    if recent is None:
        session.add(
            AccessLog(
                user_id=user.id,
                role=user.role,
                action=action,
                participant_id=participant.id,
                review_id=participant.review_id,
                at=now,
            )
        )


@dataclass(frozen=True)
class AccessLine:
    at: datetime
    email: str
    role: str
    action: str
    audit_ref: str | None
    review_id: int | None


def recent_access(session: Session, limit: int = 500) -> list[AccessLine]:
    rows = session.scalars(
        select(AccessLog).order_by(AccessLog.at.desc(), AccessLog.id.desc()).limit(limit)
    ).all()
    return [
        AccessLine(
            at=row.at,
            email=row.user.email,
            role=row.role,
            action=row.action,
            audit_ref=row.participant.audit_ref if row.participant else None,
            review_id=row.review_id,
        )
        for row in rows
    ]
