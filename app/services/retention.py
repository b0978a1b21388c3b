"""`heard retention apply`: remove people's data a set time after their review closes.

RETENTION_MONTHS after a review's ``closed_at``, each of its participants is
erased exactly as a withdrawal erases them (app/services/erasure.py), and then
the tombstone goes too, with the minimal safeguarding concern records (their
own retention is the council's safeguarding system, which the lead was told
at the time). What stays is the review itself and the PSWs' audit of its
records, known only by audit ref. Messages from numbers we never matched to
anyone are removed the same number of months after they arrived.

Exports are never stored by Heard (each is made when asked for), so there is
nothing more to remove: a downloaded copy is the council's to keep or destroy
under the same rule.

Each run also asks Twilio again to delete any recording an earlier erasure
could not (app/services/erasure.py: ``recording_deletion``).
"""

from __future__ import annotations

import calendar
import contextlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.db import Base
from app.models import Message, Participant, Review
from app.services import background, erasure
from app.services.runtime import Runtime


class DryRun(Exception):
    """Raised inside a transaction to undo it: a dry run does everything, then keeps nothing."""


@dataclass
class RetentionReport:
    cutoff: datetime
    dry_run: bool
    reviews: list[int] = field(default_factory=list)
    participants: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    unmatched_messages: int = 0
    recordings_not_deleted: int = 0  # still in recording_deletion: Twilio could not be reached or refused


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the 31st becomes the month's last day)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def apply(rt: Runtime, dry_run: bool = False) -> RetentionReport:
    now = rt.clock()
    cutoff = months_before(now, int(rt.config["RETENTION_MONTHS"]))
    report = RetentionReport(cutoff=cutoff, dry_run=dry_run)
    with rt.db.reading() as session:
        reviews = list(
            session.scalars(
                select(Review.id)
                .where(Review.closed_at.is_not(None), Review.closed_at <= cutoff)
                .order_by(Review.id)
            )
        )
        people = list(
            session.scalars(
                select(Participant.id).where(Participant.review_id.in_(reviews)).order_by(Participant.id)
            )
        )
    report.reviews, report.participants = reviews, len(people)
    for participant_id in people:
        with contextlib.suppress(DryRun), rt.db.writing() as session:
            participant = session.get(Participant, participant_id, with_for_update=True)
            if participant is None:
                continue
            erased = erasure.erase(session, rt, participant, "retention", now)
            erased.rows["participant"] = _remove_tombstone(session, participant_id)
            _add(report.rows, erased.rows)
            if dry_run:
                raise DryRun  # undo it all: the report says what would have gone
    with contextlib.suppress(DryRun), rt.db.writing() as session:
        report.unmatched_messages = _remove_unmatched(session, cutoff)
        if dry_run:
            raise DryRun
    if not dry_run:
        background.join_pending(timeout=60)  # the deletions these erasures started
        failed = erasure.retry_recording_deletions(rt)
        report.recordings_not_deleted = sum(error is not None for error in failed.values())
    return report


def _add(totals: dict[str, int], rows: dict[str, int]) -> None:
    for table, count in rows.items():
        totals[table] = totals.get(table, 0) + count


def _remove_tombstone(session: Session, participant_id: int) -> int:
    """The participant row, and what still points at it: optional references are cut, the rest goes."""
    for table in reversed(Base.metadata.sorted_tables):
        for column in table.c:
            if any(key.column.table.name == "participant" for key in column.foreign_keys):
                if column.nullable:
                    session.execute(update(table).where(column == participant_id).values({column.name: None}))
                else:
                    session.execute(delete(table).where(column == participant_id))
    return session.execute(delete(Participant).where(Participant.id == participant_id)).rowcount or 0


def _remove_unmatched(session: Session, cutoff: datetime) -> int:
    """Messages from senders we never knew (and our replies to them), by when they came."""
    strangers = set(
        session.scalars(
            select(Message.id).where(
                Message.participant_id.is_(None), Message.direction == "in", Message.created_at <= cutoff
            )
        )
    )
    if not strangers:
        return 0
    session.execute(
        delete(Message).where(Message.reply_to_id.in_(strangers), Message.participant_id.is_(None))
    )
    return session.execute(delete(Message).where(Message.id.in_(strangers))).rowcount or 0
