"""Subject access: everything Heard holds about one person, so a council can answer a request.

``heard participant export --id ID`` prints it as JSON; the coordinator's
page shows the same as a readable page. Every table that names the
participant is included (found from the schema, so a later table is covered),
with contact details decrypted and look-up hashes left out (they are only
for matching, and mean nothing to the person).

Safeguarding concerns are listed with a warning: before disclosing them the
council must consider the social work exemption (Data Protection Act 2018,
Schedule 3 Part 3), where disclosure would be likely to cause serious harm.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.db import Base
from app.models import Conversation, Message, Participant
from app.services.crypto import Crypto

# Shown in their own sections of the page, in this order; any other table goes under "other records".
SECTIONS = {
    "consent": "Consent decisions",
    "conversation": "Conversations",
    "message": "Messages in and out",
    "response": "Answers",
    "quote": "Words noted by a peer reviewer",
    "concern": "Safeguarding concerns",
    "invitation": "Invitations by text",
    "access_log": "Staff who opened this person's record",
}
CONCERN_WARNING = (
    "Consider the social work exemption (Data Protection Act 2018, Schedule 3 Part 3) before "
    "disclosing safeguarding concerns: it applies where disclosure would be likely to cause serious harm."
)
# Never shown: hashes for matching, and the link token that is their key to the web chat.
_LEFT_OUT = ("_lookup", "_hash", "_encrypted")
_LEFT_OUT_COLUMNS = {"chat_token", "token", "twiml", "state"}


def export(session: Session, crypto: Crypto, participant_id: int, now: datetime) -> dict[str, Any]:
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise LookupError(f"There is no participant {participant_id}.")
    review = participant.review
    held: dict[str, Any] = {
        "generated_at": now.isoformat(),
        "participant": {
            **_row(Participant.__table__, participant),
            "audit_ref": participant.audit_ref,
            "phone": crypto.decrypt(participant.phone_encrypted),
            "telegram_chat_id": crypto.decrypt(participant.telegram_encrypted),
        },
        "review": {
            "id": review.id,
            "council": review.council.name,
            "theme": review.theme,
            "status": review.status,
        },
        "records": {},
        "notes": {"concern": CONCERN_WARNING},
    }
    conversations = list(
        session.scalars(select(Conversation.id).where(Conversation.participant_id == participant_id))
    )
    lookups = [v for v in (participant.phone_lookup, participant.telegram_lookup) if v]
    for table in Base.metadata.sorted_tables:
        if table.name == "participant":
            continue
        if table.name == "message":
            # Theirs, and anything they sent from the same number before we knew them.
            where = or_(
                Message.participant_id == participant_id,
                Message.conversation_id.in_(conversations),
                Message.sender_lookup.in_(lookups),
            )
        elif "participant_id" in table.c:
            where = table.c.participant_id == participant_id
        else:
            continue
        rows = session.execute(select(table).where(where).order_by(table.c.id)).mappings().all()
        if rows:
            held["records"][table.name] = [_plain(table, dict(row)) for row in rows]
    if "conversation" in held["records"]:
        # The engine's state holds their answers too, already listed as answers: keep it readable.
        for line in held["records"]["conversation"]:
            line.pop("state", None)
    return held


def _row(table: sa.Table, obj: object) -> dict[str, Any]:
    return _plain(table, {column.name: getattr(obj, column.key, None) for column in table.c})


def _plain(table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name.endswith(_LEFT_OUT) or name in _LEFT_OUT_COLUMNS:
            continue
        out[name] = value.isoformat() if isinstance(value, datetime | date) else value
    return out


def sections(held: dict[str, Any]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(table, heading, rows) for the readable page: known sections first, then the rest."""
    records = held["records"]
    known = [(name, title, records[name]) for name, title in SECTIONS.items() if name in records]
    others = [
        (name, f"Other records: {name.replace('_', ' ')}", rows)
        for name, rows in records.items()
        if name not in SECTIONS
    ]
    return known + others
