"""Withdrawal: erase everything a participant said and every way to reach them, keep a tombstone.

Every way of withdrawing (the "I don't want to take part any more" /
WITHDRAW message in any channel, the web chat's "Delete my answers", the
peer console, ``heard participant withdraw``, retention) calls
:func:`erase`, so they all erase the same things:

- every row of every table that names the participant (found from the
  schema, so a table added later is covered without anyone remembering this
  module): responses, quotes, consents, invitations (pending messages and
  reminders stop), Telegram links, call steps (words awaiting confirmation),
  peer assignments, and whatever later issues add;
- every message in or out of their conversations, including outbound texts
  still queued and the recording addresses kept on voice messages, and any
  message they sent from the same number or chat before they were known;
- their conversations (the engine state holds their answers and first name);
- their contact details: phone and chat id, encrypted and look-up hash;
- the audio of any recording of their answers, kept in the Twilio account:
  when Twilio credentials are set, each recording's SID is put in
  ``recording_deletion`` in the erasure's transaction, and once that has
  committed Twilio is asked to delete it (off the request path, so a slow or
  failing API neither holds nor undoes the erasure). A deletion that failed
  stays in that table with its error; ``heard retention apply`` retries it.

What is kept, and why:

- the participant row as a **tombstone**: audit ref, role, when they withdrew
  and how (``withdrawn_how``); first name, needs and contact details blanked.
  Language and wording variant stay so their web link can confirm the
  deletion in their words; the chat token is random and says nothing.
- **safeguarding concerns**, stripped to the fact: which review and audit ref,
  when, how it came in (a phrase or a peer), who was told and who
  acknowledged it. A concern may have started a referral under the Care Act
  2014 s.42, and the council must be able to show it acted on it (UK GDPR
  art. 17(3)(b): erasure gives way to a legal obligation). The person's
  words, the matched phrase and a peer's note are erased: the record shows a
  concern existed, not what was said.
- the **access log** (which staff opened this participant's page, when): the
  council's own accountability, holding no words of the person.
- the **suppression list** (numbers that said STOP): a keyed hash, kept so an
  erased person is still never texted again (PECR).

On SQLite, ``PRAGMA secure_delete=ON`` (app/db.py) zeroes deleted content in
the database file, and after the erasure commits the WAL is checkpointed and
truncated, so the words survive in neither file. On PostgreSQL deleted rows
are unreadable at once and their space is reclaimed by (auto)vacuum.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
import sqlalchemy as sa
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from app.db import Base, is_sqlite
from app.models import Concern, Conversation, Message, Participant, RecordingDeletion
from app.services import background
from app.services.runtime import Runtime

log = logging.getLogger(__name__)

# Tables that name a participant but are kept (see the module docstring); every other one is erased.
KEPT_TABLES = frozenset({"participant", "concern", "access_log"})
# Erased by hand below, in an order their references allow.
_BY_HAND = frozenset({"message", "conversation"})
HOWS = ("sms", "voice", "telegram", "web", "peer", "coordinator", "retention")
RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")
RECORDING_IN_URL = re.compile(r"/Recordings/(RE[0-9a-fA-F]{32})(?![0-9a-fA-F])")
TWILIO_TIMEOUT = 10  # seconds, per request to delete a recording


@dataclass
class Erased:
    participant_id: int
    how: str
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows deleted
    concerns_kept: int = 0
    already_withdrawn: bool = False
    recordings: list[str] = field(default_factory=list)  # SIDs to delete at Twilio after the commit

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def withdraw(rt: Runtime, participant_id: int, how: str) -> Erased:
    """Withdraw and erase in a transaction of its own (coordinator, web chat button, peer console)."""
    with rt.db.writing() as session:
        participant = session.get(Participant, participant_id, with_for_update=True)
        if participant is None:
            raise LookupError(f"There is no participant {participant_id}.")
        return erase(session, rt, participant, how, rt.clock())


def erase(
    session: Session,
    rt: Runtime,
    participant: Participant,
    how: str,
    now: datetime,
    keep_message_id: int | None = None,
) -> Erased:
    """Erase ``participant`` inside the caller's transaction (which should hold their row locked).

    ``keep_message_id`` is the message that asked for it: kept, emptied, as the
    anchor for our reply, so a provider's retry of it is recognised.
    """
    erased = Erased(participant.id, how, already_withdrawn=participant.withdrawn_at is not None)
    pid = participant.id
    lookups = [v for v in (participant.phone_lookup, participant.telegram_lookup) if v]
    conversations = list(session.scalars(select(Conversation.id).where(Conversation.participant_id == pid)))
    messages = _their_messages(session, pid, conversations, lookups) - {keep_message_id}

    # Safeguarding concerns: the fact stays, the words go (see the module docstring).
    erased.concerns_kept = (
        session.execute(
            update(Concern)
            .where(Concern.participant_id == pid)
            .values(note=None, matched=None, node=None, message_id=None, conversation_id=None)
        ).rowcount
        or 0
    )
    if keep_message_id is not None:
        session.execute(
            update(Message)
            .where(Message.id == keep_message_id)
            .values(body=None, payload=None, sender_lookup=None, conversation_id=None, reply_to_id=None)
        )
    kept = {keep_message_id} if keep_message_id is not None else set()
    recordings = _recording_sids(session, messages | kept)
    _erase_rows(session, erased, pid, {"message": messages, "conversation": set(conversations)})
    _tombstone(participant, how, now)
    if recordings and twilio_credentials(rt.config):
        erased.recordings = _ask_to_delete(session, recordings, now)
        _delete_recordings_after_commit(session, rt, erased.recordings)
    session.flush()
    session.expire_all()  # rows deleted in bulk must not linger in this session's identity map
    _checkpoint_after_commit(session, rt)
    return erased


def _their_messages(session: Session, pid: int, conversations: list[int], lookups: list[str]) -> set[int]:
    """Their messages, their conversations' messages, what they sent before we knew them, and replies."""
    found = set(
        session.scalars(
            select(Message.id).where(
                or_(
                    Message.participant_id == pid,
                    Message.conversation_id.in_(conversations),
                    Message.sender_lookup.in_(lookups),
                )
            )
        )
    )
    frontier = set(found)
    while frontier:  # our replies to any of them, and replies to those
        frontier = set(session.scalars(select(Message.id).where(Message.reply_to_id.in_(frontier)))) - found
        found |= frontier
    return found


def _erase_rows(session: Session, erased: Erased, pid: int, doomed: dict[str, set[int]]) -> None:
    """Every table: rows naming the participant go, and rows that can't exist without a row that goes.

    Worked out from the schema (parents before children), so a table added later is covered:
    a row with their ``participant_id``, or a required reference to a doomed row, is doomed too;
    an optional reference to one (a kept concern's message) is cut.
    """
    tables = Base.metadata.sorted_tables
    for table in tables:
        if table.name in _BY_HAND or table.name in KEPT_TABLES:
            continue
        ids: set[int] = set()
        if "participant_id" in table.c:
            ids |= set(session.scalars(select(table.c.id).where(table.c.participant_id == pid)))
        for column, parent in _references(table):
            if parent in doomed and doomed[parent] and not column.nullable:
                ids |= set(session.scalars(select(table.c.id).where(column.in_(doomed[parent]))))
        if ids:
            doomed[table.name] = ids
    for table in tables:  # cut optional references from rows that stay
        for column, parent in _references(table):
            if column.nullable and doomed.get(parent) and column.name != "participant_id":
                kept = ~table.c.id.in_(doomed[table.name]) if doomed.get(table.name) else sa.true()
                session.execute(
                    update(table).where(column.in_(doomed[parent]), kept).values({column.name: None})
                )
    for table in reversed(tables):  # children first
        if doomed.get(table.name):
            erased.rows[table.name] = _delete_in(session, table, table.c.id, doomed[table.name])


def _references(table: sa.Table) -> list[tuple[sa.Column[int], str]]:
    return [(column, key.column.table.name) for column in table.c for key in column.foreign_keys]


def _delete_in(session: Session, table: sa.Table, column: sa.Column[int], ids: set[int]) -> int:
    return session.execute(delete(table).where(column.in_(ids))).rowcount or 0


def _tombstone(participant: Participant, how: str, now: datetime) -> None:
    participant.first_name = ""
    participant.communication_needs = []
    participant.communication_note = None
    participant.phone_encrypted = None
    participant.phone_lookup = None
    participant.telegram_encrypted = None
    participant.telegram_lookup = None
    participant.callback_requested_at = None
    participant.hear_back = None
    participant.hear_back_channel = None
    participant.withdrawn_at = participant.withdrawn_at or now
    participant.withdrawn_how = participant.withdrawn_how or how[:20]


# -- recordings at Twilio ---------------------------------------------------------------------


def twilio_credentials(config: Mapping[str, Any]) -> bool:
    """Recordings live in the Twilio account: its SID and auth token are all deleting one needs."""
    return bool(config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN"))


def _recording_sids(session: Session, message_ids: Iterable[int]) -> set[str]:
    """The SID of every recording kept on these messages (app/services/call_steps.py: keep_recording)."""
    found: set[str] = set()
    ids = set(message_ids)
    if not ids:
        return found
    for payload in session.scalars(select(Message.payload).where(Message.id.in_(ids))):
        if not isinstance(payload, dict):
            continue
        sid, url = payload.get("recording_sid"), payload.get("recording_url")
        if isinstance(sid, str) and RECORDING_SID.fullmatch(sid):
            found.add(sid)
        if isinstance(url, str) and (in_url := RECORDING_IN_URL.search(url)):
            found.add(in_url.group(1))
    return found


def _ask_to_delete(session: Session, sids: set[str], now: datetime) -> list[str]:
    """A ``recording_deletion`` row for each, in the erasure's transaction: the deletion can't be lost."""
    known = set(
        session.scalars(
            select(RecordingDeletion.recording_sid).where(RecordingDeletion.recording_sid.in_(sids))
        )
    )
    session.add_all(
        RecordingDeletion(recording_sid=sid, requested_at=now, attempts=0) for sid in sorted(sids - known)
    )
    return sorted(sids)


def _delete_recordings_after_commit(session: Session, rt: Runtime, sids: list[str]) -> None:
    def start(_session: Session) -> None:
        background.start("recording-deletion", lambda: delete_recordings(rt, sids))

    sa.event.listen(session, "after_commit", start, once=True)


def delete_recordings(rt: Runtime, sids: Iterable[str]) -> dict[str, str | None]:
    """Ask Twilio to delete each recording: SID -> None if gone, else why not (kept on its row).

    Run after the erasure has committed, never inside it. Twilio's 404 (already
    deleted) counts as gone.
    """
    sids = list(sids)
    outcome: dict[str, str | None] = {}
    if not sids or not twilio_credentials(rt.config):
        return outcome
    client = Client(
        rt.config["TWILIO_ACCOUNT_SID"],
        rt.config["TWILIO_AUTH_TOKEN"],
        http_client=TwilioHttpClient(timeout=TWILIO_TIMEOUT),
    )
    for sid in sids:
        error: str | None = None
        try:
            client.recordings(sid).delete()
        except TwilioRestException as failure:
            if failure.status != 404:
                error = f"Twilio {failure.status} ({failure.code}): {failure.msg}"[:1000]
        except (TwilioException, requests.RequestException) as failure:
            error = f"{type(failure).__name__}: {failure}"[:1000]
        if error is not None:
            log.warning("erasure: recording %s could not be deleted at Twilio: %s", sid, error)
        outcome[sid] = error
        with rt.db.writing() as session:
            row = session.scalar(select(RecordingDeletion).where(RecordingDeletion.recording_sid == sid))
            if row is None:
                continue
            if error is None:
                session.delete(row)
            else:
                row.attempts += 1
                row.last_tried_at = rt.clock()
                row.last_error = error
    return outcome


def retry_recording_deletions(rt: Runtime) -> dict[str, str | None]:
    """Try again every recording still to delete (``heard retention apply`` does, each run)."""
    with rt.db.reading() as session:
        sids = list(session.scalars(select(RecordingDeletion.recording_sid).order_by(RecordingDeletion.id)))
    return delete_recordings(rt, sids)


def _checkpoint_after_commit(session: Session, rt: Runtime) -> None:
    if not is_sqlite(rt.db.engine):
        return

    def checkpoint(_session: Session) -> None:
        try:
            busy = checkpoint_sqlite(rt)
            if busy:
                log.warning("erasure: the SQLite WAL could not be fully checkpointed (a reader was busy)")
        except Exception:  # the erasure has committed; never fail it over the checkpoint
            log.exception("erasure: SQLite WAL checkpoint failed")

    sa.event.listen(session, "after_commit", checkpoint, once=True)


def checkpoint_sqlite(rt: Runtime) -> bool:
    """Copy the WAL into the database file and truncate it; True if a reader kept it from finishing.

    Old versions of erased pages live on in the WAL until it is checkpointed.
    """
    raw = rt.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        busy, _log_frames, _done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
        return bool(busy)
    finally:
        raw.close()
