"""The public "what changed" page: actions, consented quotes, the share of concerns that led to a change.

No personal data: no names, audit refs, owners or channels; quotes only where
the person agreed (app/services/quotable.py). A *concern* is an answer that
says something went wrong: 1 or 2 on a 1-5 scale, or their own words that
read as negative. It *led to a change* when an action is linked to that
answer, its theme or its audit ref.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Action, ActionResponse, Participant, Response, Review
from app.services.feedback.actions import STATUS_LABELS, previous_review_actions, review_actions
from app.services.quotable import consented_quotes

NEGATIVE = -0.1  # TextBlob polarity below this reads as unhappy


@dataclass(frozen=True)
class PublicAction:
    you_said: str
    we_did: str | None
    status: str
    status_label: str
    action_on: date | None
    review_theme: str | None = None  # for a previous review's action


@dataclass(frozen=True)
class WhatChanged:
    council: str
    theme: str
    actions: list[PublicAction]
    previous: list[PublicAction]
    quotes: list[str]
    concerns: int
    changed: int

    @property
    def share(self) -> int | None:
        return round(100 * self.changed / self.concerns) if self.concerns else None


def _public(action: Action, with_theme: bool = False) -> PublicAction:
    return PublicAction(
        action.you_said,
        action.we_did,
        action.status,
        STATUS_LABELS[action.status],
        action.action_on,
        action.review.theme if with_theme else None,
    )


def is_concern(response: Response) -> bool:
    if response.skipped:
        return False
    if response.answer_type == "scale":
        return response.value in ("1", "2")
    return (
        response.answer_type == "free_text"
        and response.sentiment is not None
        and response.sentiment < NEGATIVE
    )


def concern_counts(session: Session, review_id: int, actions: list[Action]) -> tuple[int, int]:
    """(concerns raised, of which led to a change)."""
    rows = session.execute(
        select(Response, Participant.audit_record_id)
        .join(Participant, Participant.id == Response.participant_id)
        .where(Response.review_id == review_id, Participant.withdrawn_at.is_(None))
    ).all()
    linked = set(
        session.scalars(
            select(ActionResponse.response_id).where(ActionResponse.action_id.in_([a.id for a in actions]))
        )
    )
    themes = {t for a in actions for t in a.themes or []}
    refs = {r for a in actions for r in a.audit_refs or []}
    ref_of = {record.id: record.audit_ref for record in (actions[0].review.audit_records if actions else [])}
    raised = changed = 0
    for response, record_id in rows:
        if not is_concern(response):
            continue
        raised += 1
        if response.id in linked or response.theme in themes or ref_of.get(record_id) in refs:
            changed += 1
    return raised, changed


def what_changed(session: Session, review_id: int) -> WhatChanged | None:
    review = session.get(Review, review_id)
    if review is None:
        return None
    actions = review_actions(session, review_id)
    raised, changed = concern_counts(session, review_id, actions)
    quotes = list(dict.fromkeys(q.text for q in consented_quotes(session, review_id)))
    return WhatChanged(
        council=review.council.name,
        theme=review.theme,
        actions=[_public(a) for a in actions],
        previous=[_public(a, with_theme=True) for a in previous_review_actions(session, review)],
        quotes=quotes,
        concerns=raised,
        changed=changed,
    )
