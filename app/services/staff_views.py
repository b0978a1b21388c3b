"""What the small coordinator, PSW and council pages show (issue 7 builds the real dashboard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    Concern,
    Message,
    Participant,
    PeerAssignment,
    Quote,
    Response,
    Review,
    ReviewMember,
    User,
)
from app.services.turns import current_conversation


@dataclass(frozen=True)
class ReviewLine:
    id: int
    council: str
    theme: str
    status: str
    participants: int


def _review_lines(session: Session, reviews: list[Review]) -> list[ReviewLine]:
    counts = dict(
        session.execute(select(Participant.review_id, func.count()).group_by(Participant.review_id)).all()
    )
    return [ReviewLine(r.id, r.council.name, r.theme, r.status, counts.get(r.id, 0)) for r in reviews]


def all_reviews(session: Session) -> list[ReviewLine]:
    return _review_lines(session, list(session.scalars(select(Review).order_by(Review.id)).all()))


def reviews_of(session: Session, user_id: int) -> list[ReviewLine]:
    reviews = session.scalars(
        select(Review)
        .join(ReviewMember, ReviewMember.review_id == Review.id)
        .where(ReviewMember.user_id == user_id)
        .order_by(Review.id)
    ).all()
    return _review_lines(session, list(reviews))


def council_reviews_of(session: Session, user_id: int) -> list[ReviewLine]:
    """Every review of the councils this user works with."""
    councils = (
        select(Review.council_id)
        .join(ReviewMember, ReviewMember.review_id == Review.id)
        .where(ReviewMember.user_id == user_id)
    )
    reviews = session.scalars(select(Review).where(Review.council_id.in_(councils)).order_by(Review.id)).all()
    return _review_lines(session, list(reviews))


@dataclass(frozen=True)
class ParticipantLine:
    id: int
    audit_ref: str
    first_name: str
    role: str
    channel: str
    language: str
    status: str
    answers: int
    peers: tuple[str, ...]


def participants_of(session: Session, review_id: int) -> list[ParticipantLine]:
    participants = session.scalars(
        select(Participant).where(Participant.review_id == review_id).order_by(Participant.id)
    ).all()
    answers = dict(
        session.execute(
            select(Response.participant_id, func.count())
            .where(Response.review_id == review_id, Response.skipped.is_(False))
            .group_by(Response.participant_id)
        ).all()
    )
    peers: dict[int, list[str]] = {}
    for participant_id, email in session.execute(
        select(PeerAssignment.participant_id, User.email)
        .join(User, User.id == PeerAssignment.peer_id)
        .join(Participant, Participant.id == PeerAssignment.participant_id)
        .where(Participant.review_id == review_id)
    ).all():
        peers.setdefault(participant_id, []).append(email)
    lines = []
    for p in participants:
        conversation = current_conversation(session, p.id)
        lines.append(
            ParticipantLine(
                p.id, p.audit_ref, p.first_name, p.role, p.channel, p.language,
                conversation.status if conversation else "not started",
                answers.get(p.id, 0), tuple(sorted(peers.get(p.id, []))),
            )
        )  # fmt: skip
    return lines


@dataclass(frozen=True)
class AnswerLine:
    node: str
    theme: str | None
    answer_type: str
    raw_text: str | None
    value: str | None
    skipped: bool
    conducted_by: str | None
    at: datetime


@dataclass(frozen=True)
class QuoteLine:
    node: str
    text: str
    consent_to_quote: bool
    recorded_by: str | None


def answers_of(session: Session, participant_id: int) -> tuple[list[AnswerLine], list[QuoteLine]]:
    responses = session.scalars(
        select(Response).where(Response.participant_id == participant_id).order_by(Response.id)
    ).all()
    quotes = session.scalars(
        select(Quote).where(Quote.participant_id == participant_id).order_by(Quote.id)
    ).all()
    return (
        [
            AnswerLine(
                r.node, r.theme, r.answer_type, r.raw_text, r.value, r.skipped, r.conducted_by, r.created_at
            )
            for r in responses
        ],
        [QuoteLine(q.node, q.text, q.consent_to_quote, q.recorded_by) for q in quotes],
    )


@dataclass(frozen=True)
class ConcernLine:
    id: int
    created_at: datetime
    review_id: int
    audit_ref: str
    source: str
    channel: str | None
    notified_via: str | None
    notify_error: str | None
    acknowledged: bool


def open_concerns(session: Session, review_ids: list[int] | None = None) -> list[ConcernLine]:
    query = select(Concern).where(Concern.acknowledged_at.is_(None)).order_by(Concern.created_at.desc())
    if review_ids is not None:
        query = query.where(Concern.review_id.in_(review_ids))
    return [_concern_line(c) for c in session.scalars(query).all()]


def recent_concerns(session: Session, limit: int = 100) -> list[ConcernLine]:
    rows = session.scalars(select(Concern).order_by(Concern.created_at.desc()).limit(limit)).all()
    return [_concern_line(c) for c in rows]


def _concern_line(c: Concern) -> ConcernLine:
    return ConcernLine(
        c.id, c.created_at, c.review_id, c.participant.audit_ref, c.source, c.channel,
        c.notified_via, c.notify_error, c.acknowledged_at is not None,
    )  # fmt: skip


@dataclass(frozen=True)
class ConcernDetail:
    line: ConcernLine
    first_name: str
    review_theme: str
    council: str
    words: str | None  # the answer that matched, or the peer's note
    matched: str | None
    raised_by: str | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None


def concern_detail(session: Session, concern_id: int) -> ConcernDetail:
    c = session.get_one(Concern, concern_id)
    words = c.note
    if c.message_id is not None:
        message = session.get(Message, c.message_id)
        words = message.body if message else None
    return ConcernDetail(
        _concern_line(c), c.participant.first_name, c.review.theme, c.review.council.name, words,
        c.matched, c.raised_by, c.acknowledged_by, c.acknowledged_at,
    )  # fmt: skip
