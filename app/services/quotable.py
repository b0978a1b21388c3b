"""Which of a person's words may be quoted: only what they agreed to.

Two sources of words, two kinds of agreement:

* an answer in their own words (free text) may be quoted when their latest
  decision on the ``quotes`` consent (the flow's ``consent_quotes`` question)
  was yes;
* a quote a peer noted may be quoted when the peer recorded that the person
  agreed to that quote, unless the person's latest ``quotes`` decision was no.

Nobody who has withdrawn is quoted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import Consent, Participant, Quote, Response
from app.services.sentiment import polarity


@dataclass(frozen=True)
class Quotable:
    text: str
    theme: str | None
    node: str
    audit_ref: str
    audit_record_id: int
    participant_id: int
    role: str
    sentiment: float | None
    source: str  # answer | peer_note


def quotes_decisions(session: Session, participant_ids: Iterable[int]) -> dict[int, bool]:
    """Each participant's latest yes/no to being quoted (absent: never asked or never answered)."""
    ids = list(participant_ids)
    if not ids:
        return {}
    decisions: dict[int, bool] = {}
    rows = session.execute(
        select(Consent.participant_id, Consent.given)
        .where(Consent.participant_id.in_(ids), Consent.scope == "quotes")
        .order_by(Consent.recorded_at, Consent.id)
    ).all()
    for participant_id, given in rows:
        decisions[participant_id] = bool(given)  # later rows overwrite: the latest decision wins
    return decisions


def consented_quotes(session: Session, review_id: int) -> list[Quotable]:
    participants = {
        p.id: p
        for p in session.scalars(
            select(Participant)
            .where(Participant.review_id == review_id, Participant.withdrawn_at.is_(None))
            .options(selectinload(Participant.audit_record))  # audit_ref, without a query per person
        ).all()
    }
    decisions = quotes_decisions(session, participants)
    found: list[Quotable] = []
    answers = session.scalars(
        select(Response)
        .where(
            Response.review_id == review_id,
            Response.answer_type == "free_text",
            Response.skipped.is_(False),
            Response.participant_id.in_(participants),
        )
        .order_by(Response.id)
    ).all()
    for answer in answers:
        if decisions.get(answer.participant_id) is True and (answer.value or "").strip():
            person = participants[answer.participant_id]
            found.append(
                Quotable(
                    answer.value.strip(), answer.theme, answer.node, person.audit_ref, person.audit_record_id,
                    person.id, person.role, answer.sentiment, "answer",
                )
            )  # fmt: skip
    notes = session.scalars(
        select(Quote).where(Quote.review_id == review_id, Quote.consent_to_quote.is_(True)).order_by(Quote.id)
    ).all()
    for note in notes:
        person = participants.get(note.participant_id)
        if person is None or decisions.get(note.participant_id) is False:
            continue
        found.append(
            Quotable(
                note.text.strip(), note.theme, note.node, person.audit_ref, person.audit_record_id,
                person.id, person.role, polarity(note.text), "peer_note",
            )
        )  # fmt: skip
    return found
