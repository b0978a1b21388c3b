"""Actions: what the council did or will do about what people said.

An action is linked to themes, audit refs and the answers that prompted it;
those links decide who is told about it. A change cannot be marked done
without a description of the change. Actions of a council's earlier reviews
show on its next review as "previous review" updates until they are done.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    ACTION_STATUSES,
    Action,
    ActionResponse,
    FeedbackMessage,
    FeedbackReply,
    Response,
    Review,
)

STATUS_LABELS = {"planned": "Planned", "in_progress": "In progress", "done": "Done"}


class ActionError(ValueError):
    """Input we can't accept, with a message that says why."""


@dataclass(frozen=True)
class NewAction:
    review_id: int
    you_said: str
    we_did: str | None
    status: str = "planned"
    themes: Sequence[str] = ()
    audit_refs: Sequence[str] = ()
    response_ids: Sequence[int] = ()
    owner: str | None = None
    action_on: date | None = None
    headline: bool = False
    wording: dict[str, dict[str, object]] = field(default_factory=dict)
    created_by: str | None = None


def _check(status: str, we_did: str | None) -> None:
    if status not in ACTION_STATUSES:
        raise ActionError(f"Unknown status {status!r}: use one of {', '.join(ACTION_STATUSES)}.")
    if status == "done" and not (we_did or "").strip():
        raise ActionError("A change can only be marked done with a description of what was done.")


def _clean(values: Iterable[str], upper: bool = False) -> list[str]:
    found = [v.strip().upper() if upper else v.strip() for v in values if v and v.strip()]
    return list(dict.fromkeys(found))


def add_action(session: Session, new: NewAction, now: datetime) -> Action:
    review = session.get(Review, new.review_id)
    if review is None:
        raise ActionError(f"There is no review {new.review_id}.")
    if not new.you_said.strip():
        raise ActionError("Say what people told you (--you-said).")
    _check(new.status, new.we_did)
    action = Action(
        review_id=review.id,
        themes=_clean(new.themes),
        audit_refs=_clean(new.audit_refs, upper=True),
        you_said=new.you_said.strip(),
        we_did=(new.we_did or "").strip() or None,
        wording=new.wording or {},
        status=new.status,
        owner=(new.owner or "").strip() or None,
        action_on=new.action_on,
        headline=new.headline,
        created_by=new.created_by,
        created_at=now,
        updated_at=now,
    )
    session.add(action)
    session.flush()
    link_responses(session, action, new.response_ids)
    return action


def link_responses(session: Session, action: Action, response_ids: Iterable[int]) -> None:
    """Link answers of the same review (others are refused: they'd tell the wrong people)."""
    for response_id in dict.fromkeys(response_ids):
        response = session.get(Response, response_id)
        if response is None or response.review_id != action.review_id:
            raise ActionError(f"Answer {response_id} is not part of review {action.review_id}.")
        exists = session.scalar(
            select(ActionResponse.id).where(
                ActionResponse.action_id == action.id, ActionResponse.response_id == response_id
            )
        )
        if exists is None:
            session.add(ActionResponse(action_id=action.id, response_id=response_id))
    session.flush()


def update_action(
    session: Session,
    action: Action,
    now: datetime,
    *,
    status: str | None = None,
    we_did: str | None = None,
    owner: str | None = None,
    action_on: date | None = None,
    wording: dict[str, dict[str, object]] | None = None,
) -> Action:
    new_status = status or action.status
    new_we_did = action.we_did if we_did is None else (we_did.strip() or None)
    _check(new_status, new_we_did)
    action.status, action.we_did = new_status, new_we_did
    if owner is not None:
        action.owner = owner.strip() or None
    if action_on is not None:
        action.action_on = action_on
    if wording is not None:
        action.wording = wording
    action.updated_at = now
    return action


def review_actions(session: Session, review_id: int) -> list[Action]:
    return list(session.scalars(select(Action).where(Action.review_id == review_id).order_by(Action.id)))


def previous_review_actions(session: Session, review: Review) -> list[Action]:
    """Carried over: the council's earlier reviews' actions not yet done, or done since this review began."""
    rows = session.scalars(
        select(Action)
        .join(Review, Review.id == Action.review_id)
        .where(Review.council_id == review.council_id, Review.id < review.id)
        .order_by(Action.review_id, Action.id)
    ).all()
    return [a for a in rows if a.status != "done" or a.updated_at >= review.created_at]


def linked_response_ids(session: Session, action_ids: Iterable[int]) -> dict[int, list[int]]:
    ids = list(action_ids)
    found: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for action_id, response_id in session.execute(
            select(ActionResponse.action_id, ActionResponse.response_id).where(
                ActionResponse.action_id.in_(ids)
            )
        ):
            found[action_id].append(response_id)
    return found


@dataclass(frozen=True)
class ReplyLine:
    helpful: bool | None
    words: str | None
    channel: str
    at: datetime


def replies_by_action(session: Session, review_id: int) -> dict[int, list[ReplyLine]]:
    """What people said back, beside each action their message told them about."""
    found: dict[int, list[ReplyLine]] = {}
    rows = session.execute(
        select(FeedbackReply, FeedbackMessage.action_ids)
        .join(FeedbackMessage, FeedbackMessage.id == FeedbackReply.feedback_message_id)
        .where(FeedbackMessage.review_id == review_id)
        .order_by(FeedbackReply.id)
    ).all()
    for reply, action_ids in rows:
        line = ReplyLine(reply.helpful, reply.words, reply.channel, reply.created_at)
        for action_id in action_ids or []:
            found.setdefault(int(action_id), []).append(line)
    return found


def action_dict(action: Action, response_ids: Sequence[int] = ()) -> dict[str, object]:
    return {
        "id": action.id,
        "review_id": action.review_id,
        "themes": list(action.themes or []),
        "audit_refs": list(action.audit_refs or []),
        "response_ids": list(response_ids),
        "you_said": action.you_said,
        "we_did": action.we_did,
        "status": action.status,
        "owner": action.owner,
        "date": action.action_on.isoformat() if action.action_on else None,
        "headline": action.headline,
    }
