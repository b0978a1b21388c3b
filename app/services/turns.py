"""One turn of a conversation: store what the person said, then answer it.

Every inbound message is committed on its own before anything else happens,
so a crash never loses what someone said. The turn itself (engine step,
answers, replies) is a second transaction that serialises with any other turn
for the same participant: BEGIN IMMEDIATE on SQLite, a row lock on
PostgreSQL. Inside it, every message still waiting from that participant is
processed in the order it arrived, so two quick replies can't both answer the
same question. A provider's retry (same provider id) gets the stored reply.

Two things happen before the engine sees a message: a sender over their
rate limit has it stored but not answered (``throttled``), and a WITHDRAW
("I don't want to take part any more") in any channel, in or out of a
conversation, erases the participant (app/services/erasure.py).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from app.channels.base import Inbound
from app.engine import Audience, Flow, Prompt, Result, State, Step, match_command, resume, start
from app.engine.phrases import phrase
from app.engine.wording import fill, pick
from app.models import Conversation, Message, Participant, Response
from app.models._types import utcnow
from app.services import erasure, safeguarding
from app.services.consent import record_consent
from app.services.participants import find_participant
from app.services.runtime import Runtime
from app.services.sentiment import polarity

ANSWER_STRANGERS_ONCE = {"sms"}
CONSENT_SCOPES = {"consent_taking_part": "taking_part", "consent_quotes": "quotes", "hear_back": "hear_back"}
# Channels where, after STOP, someone can still reply WITHDRAW (a web page has its button; a call has ended).
WITHDRAW_OFFERED = {"telegram"}
# Channels whose senders are rate limited: not a call's steps (Twilio paces them), not a peer (staff).
RATE_LIMITED = {"sms", "telegram", "web"}


@dataclass
class TurnResult:
    inbound_id: int
    participant_id: int | None
    conversation_id: int | None
    replies: list[Prompt] = field(default_factory=list)
    replayed: bool = False
    throttled: bool = False  # stored, not answered: the sender is over their rate limit


@dataclass(frozen=True)
class Known:
    """What a caller has just looked up, so the turn need not look it up again.

    ``participant_id`` is who sent the message (None: nobody we know). Passing it
    also says the caller found no message with this provider id already stored;
    a retry racing in after that check is still caught, by the unique constraint.
    """

    participant_id: int | None


# Called inside the turn's transaction, with the participant's row locked.
AfterTurn = Callable[[Session, int], None]
_KNOWN: ContextVar[Known | None] = ContextVar("heard_turn_known", default=None)


def run_turn(
    rt: Runtime, inbound: Inbound, *, known: Known | None = None, then: AfterTurn | None = None
) -> TurnResult:
    """Store ``inbound``, step its participant's conversation, return the replies.

    ``then(session, participant_id)`` runs in the turn's own transaction when the
    sender is a participant and the message was not throttled (the caller runs it
    itself for a throttled one).
    """
    # store_inbound(rt, inbound) is the seam between the two transactions (the fault tests
    # wrap it to crash there), so what the caller knows reaches it beside the call.
    token = _KNOWN.set(known)
    try:
        inbound_id, replayed = store_inbound(rt, inbound)
    finally:
        _KNOWN.reset(token)
    if not replayed and inbound.channel in RATE_LIMITED and not rt.limits.take(rt, inbound.sender):
        return _throttle(rt, inbound_id)
    # A message just stored against a known participant needn't be read back to find them.
    stored_for = known.participant_id if known is not None and not replayed else None
    return finish_turn(rt, inbound_id, replayed, stored_for=stored_for, then=then)


def _throttle(rt: Runtime, inbound_id: int) -> TurnResult:
    """Keep what they sent (nothing is lost), answer nothing: a runaway sender gets no replies to loop on."""
    with rt.db.writing() as session:
        message = session.get_one(Message, inbound_id)
        if message.status == "received":
            message.status = "throttled"
            message.processed_at = rt.clock()
        return TurnResult(inbound_id, message.participant_id, None, throttled=True)


def finish_turn(
    rt: Runtime,
    inbound_id: int,
    replayed: bool = False,
    *,
    stored_for: int | None = None,
    then: AfterTurn | None = None,
) -> TurnResult:
    """Process a stored inbound message (and any earlier one still waiting); also `heard recover`.

    ``stored_for``: the participant a message just stored by this request was stored
    against, so the message need not be read back before the participant is locked.
    """
    with rt.db.writing() as session:
        message = None if stored_for is not None else session.get_one(Message, inbound_id)
        participant_id = stored_for if message is None else message.participant_id
        processed: set[int] = set()
        if participant_id is None:
            assert message is not None
            if message.status == "received":
                _answer_unknown_sender(session, message, rt.clock())
                processed.add(message.id)
        else:
            participant = _lock_participant(session, participant_id)
            if message is None or message.status == "received":
                waiting = session.scalars(
                    select(Message)
                    .where(
                        Message.participant_id == participant.id,
                        Message.direction == "in",
                        Message.status == "received",
                        Message.id <= inbound_id,
                    )
                    .order_by(Message.id)
                ).all()
                if not waiting or waiting[-1].id != inbound_id:
                    waiting = []  # a turn running at the same moment already answered it
                for earlier in waiting:
                    processed.add(earlier.id)
                    if _process(session, rt, participant, earlier):
                        break  # they withdrew: everything else they sent was erased with it
            if then is not None:
                then(session, participant_id)
        kept = session.get(Message, inbound_id)  # in the session already, unless answered elsewhere
        if inbound_id in processed:
            # Answered just now: the replies are the prompts this transaction stored.
            replies = list(_stored_replies(session).get(inbound_id, ()))
        else:
            replies = _replies_to(session, inbound_id)  # a retry, or answered by another turn
        return TurnResult(
            inbound_id=inbound_id,
            participant_id=participant_id,
            conversation_id=kept.conversation_id if kept is not None else None,
            replies=replies,
            replayed=replayed,
        )


def open_conversation(
    rt: Runtime, participant_id: int, channel: str, conducted_by: str | None = None
) -> int | None:
    """The participant's conversation, started now if they have never had one."""
    with rt.db.writing() as session:
        participant = _lock_participant(session, participant_id)
        conversation = current_conversation(session, participant.id)
        if conversation is None and participant.contactable:
            conversation = _start(session, rt, participant, channel, conducted_by, reply_to=None)
        return conversation.id if conversation else None


def current_conversation(session: Session, participant_id: int) -> Conversation | None:
    """The participant's latest conversation, running or ended."""
    return session.scalars(
        select(Conversation)
        .where(Conversation.participant_id == participant_id)
        .order_by(Conversation.id.desc())
        .limit(1)
    ).first()


def store_inbound(rt: Runtime, inbound: Inbound, known: Known | None = None) -> tuple[int, bool]:
    """Commit the message before processing it; a known provider id is a retry."""
    if known is None:
        known = _KNOWN.get()
    try:
        with rt.db.writing() as session:
            if known is not None:
                participant_id = known.participant_id
            else:
                if inbound.provider_id is not None:
                    earlier = _find_inbound(session, inbound)
                    if earlier is not None:
                        return earlier.id, True
                participant = find_participant(session, rt.crypto, inbound.channel, inbound.sender)
                participant_id = participant.id if participant else None
            message = Message(
                direction="in",
                channel=inbound.channel,
                provider_id=inbound.provider_id[:100] if inbound.provider_id is not None else None,
                participant_id=participant_id,
                sender_lookup=None if participant_id is not None else rt.crypto.lookup(inbound.sender),
                body=inbound.text,  # storable already: see Inbound (no NUL bytes, no lone surrogates)
                payload=_inbound_payload(inbound),
                status="received",
                created_at=rt.clock(),
            )
            session.add(message)
            session.flush()
            return message.id, False
    except IntegrityError:
        # The same provider id arrived twice at once; the other request stored it.
        with rt.db.reading() as session:
            earlier = _find_inbound(session, inbound)
            if earlier is None:
                raise
            return earlier.id, True


def _inbound_payload(inbound: Inbound) -> dict[str, object] | None:
    payload = dict(inbound.details or {})
    if inbound.conducted_by:
        payload["conducted_by"] = inbound.conducted_by
    return payload or None


def _find_inbound(session: Session, inbound: Inbound) -> Message | None:
    if inbound.provider_id is None:
        return None
    return session.scalars(
        select(Message).where(
            Message.channel == inbound.channel,
            Message.direction == "in",
            Message.provider_id == inbound.provider_id[:100],
        )
    ).first()


def _lock_participant(session: Session, participant_id: int) -> Participant:
    return session.get_one(Participant, participant_id, with_for_update=True, populate_existing=True)


def _replies_to(session: Session, message_id: int) -> list[Prompt]:
    rows = session.scalars(
        select(Message).where(Message.reply_to_id == message_id).order_by(Message.id)
    ).all()
    return [Prompt.from_dict(row.payload) for row in rows if row.payload]


def _stored_replies(session: Session) -> dict[int, list[Prompt]]:
    """The replies this transaction has stored, by the message they answer, in order."""
    return session.info.setdefault("heard_replies", {})


def _answer_unknown_sender(session: Session, message: Message, now: datetime) -> None:
    """One polite reply that reveals nothing; the message is kept for the coordinator.

    By SMS a number we have already answered once is not answered again: a
    stranger's auto-responder would otherwise text back and forth with us.
    """
    message.status = "processed"
    message.processed_at = now
    if message.channel in ANSWER_STRANGERS_ONCE and _answered_before(session, message):
        return
    text = f"{phrase('unknown_sender', 'en', 'standard')} / {phrase('unknown_sender', 'cy', 'standard')}"
    prompt = Prompt(node="", text=text, kind="notice")
    _store_reply(session, message, None, prompt, message.channel, None)


def _answered_before(session: Session, message: Message) -> bool:
    reply = aliased(Message)
    answered_before = session.scalar(
        select(Message.id)
        .join(reply, reply.reply_to_id == Message.id)
        .where(
            Message.sender_lookup == message.sender_lookup,
            Message.channel == message.channel,
            Message.id != message.id,
        )
        .limit(1)
    )
    return answered_before is not None


def _audience(participant: Participant, channel: str) -> Audience:
    return Audience(
        variant=participant.variant,
        channel=channel,
        language=participant.language,
        fields={
            "first_name": participant.first_name,
            "council": participant.review.council.name,
            "review_theme": participant.review.theme,
        },
    )


def _start(
    session: Session,
    rt: Runtime,
    participant: Participant,
    channel: str,
    conducted_by: str | None,
    reply_to: Message | None,
) -> Conversation:
    flow, version = rt.flows.published(session, participant.review.flow_id)
    step = start(flow, _audience(participant, channel), rt.clock(), rt.engine_settings)
    conversation = Conversation(
        participant_id=participant.id,
        flow_version_id=version.id,
        channel=channel,
        status="active",
        state=step.state.to_dict(),
        conducted_by=conducted_by,
        started_at=rt.clock(),
    )
    session.add(conversation)
    session.flush()
    _apply(session, rt, flow, participant, conversation, step, reply_to)
    return conversation


def _process(session: Session, rt: Runtime, participant: Participant, message: Message) -> bool:
    """Carry out one stored message; True if it withdrew the participant (and erased the rest)."""
    now = rt.clock()
    message.status = "processed"
    message.processed_at = now
    if participant.withdrawn_at is not None:
        # Erased already: nothing new is kept of what they say (the link still works, and says so).
        message.status, message.body, message.payload = "late", None, None
        return False
    if match_command(message.body or "") == "withdraw":
        _withdraw(session, rt, participant, message)
        return True
    with session.no_autoflush:  # the message's changes go in one UPDATE, with its conversation
        conversation = current_conversation(session, participant.id)
    if not participant.contactable:
        # Nothing goes to someone who has opted out or withdrawn; their message is kept.
        message.status = "late"
        message.conversation_id = conversation.id if conversation else None
        return False
    if conversation is None or conversation.status != "active":
        # Issue 8: an answer to their "you said, we did" message, not a late answer.
        from app.services.feedback.replies import take_reply

        thanks = take_reply(session, rt, participant, message, conversation)
        if thanks is not None:
            message.conversation_id = conversation.id if conversation else None
            for prompt in thanks:
                _store_reply(session, message, conversation, prompt, message.channel, participant.id)
            return False
    conducted_by = (message.payload or {}).get("conducted_by")
    if conversation is None:
        conversation = _start(session, rt, participant, message.channel, conducted_by, reply_to=message)
        message.conversation_id = conversation.id
        return False
    message.conversation_id = conversation.id
    if conversation.status != "active":
        message.status = "late"
        prompt = Prompt(
            node="", text=phrase("already_finished", participant.language, participant.variant), kind="notice"
        )
        _store_reply(session, message, conversation, prompt, message.channel, participant.id)
        return False
    flow = rt.flows.version(session, conversation.flow_version_id)
    state = _state_for_channel(conversation, message.channel)
    step = resume(flow, state, message.body or "", now, rt.engine_settings)
    _apply(session, rt, flow, participant, conversation, step, message, conducted_by)
    return False


def _withdraw(session: Session, rt: Runtime, participant: Participant, message: Message) -> None:
    """WITHDRAW in any channel: erase them (keeping this message, emptied), then say so."""
    erasure.erase(session, rt, participant, message.channel, rt.clock(), keep_message_id=message.id)
    text = phrase("withdrawn", participant.language, participant.variant, message.channel)
    notice = Prompt(node="", text=text, kind="notice")
    _store_reply(session, message, None, notice, message.channel, participant.id)


def _state_for_channel(conversation: Conversation, channel: str) -> State:
    """A conversation may move between channels (a text, then the web link): prompts follow."""
    state = State.from_dict(conversation.state)
    if state.audience.channel != channel:
        state.audience = replace(state.audience, channel=channel)
        conversation.channel = channel
    return state


def _apply(
    session: Session,
    rt: Runtime,
    flow: Flow,
    participant: Participant,
    conversation: Conversation,
    step: Step,
    reply_to: Message | None,
    conducted_by: str | None = None,
) -> None:
    """Carry out the engine's events: store answers and replies, update the record."""
    now = rt.clock()
    channel = step.state.audience.channel
    for event in step.events:
        if event.kind == "prompt" and event.prompt:
            _store_reply(session, reply_to, conversation, event.prompt, channel, participant.id)
        elif event.kind == "result" and event.result:
            result = event.result
            _store_response(session, participant, conversation, result, reply_to, conducted_by)
            # A possible safeguarding disclosure: a concern, and who to call, before the next question.
            helpline = safeguarding.screen_answer(
                session, rt, participant, conversation, result, reply_to, channel
            )
            if helpline is not None:
                _store_reply(session, reply_to, conversation, helpline, channel, participant.id)
            if result.records in CONSENT_SCOPES:
                node = flow.nodes[result.node]
                record_consent(
                    session,
                    participant.id,
                    CONSENT_SCOPES[result.records],
                    result.value == "yes",
                    channel=channel,
                    recorded_by=conducted_by,
                    now=now,
                    wording=fill(pick(node.wording, step.state.audience), step.state.audience.fields),
                    flow_id=flow.id,
                    flow_version=flow.version,
                )
            if result.records == "hear_back" and result.value in ("yes", "no"):
                participant.hear_back = result.value == "yes"
            elif result.records == "hear_back_channel" and result.value:
                participant.hear_back_channel = result.value
        elif event.kind == "opted_out":
            participant.opted_out_at = now
            if channel in WITHDRAW_OFFERED and _has_answers(session, participant.id):
                # STOP keeps their answers: say how to have them deleted too (SMS: app/services/texting.py).
                text = phrase("withdraw_offer", participant.language, participant.variant, channel)
                offer = Prompt(node="", text=text, kind="notice")
                _store_reply(session, reply_to, conversation, offer, channel, participant.id)
        elif event.kind == "callback_requested":
            participant.callback_requested_at = now
        elif event.kind == "ended":
            conversation.status = event.reason or "completed"
            conversation.ended_at = now
    conversation.state = step.state.to_dict()
    conversation.updated_at = now


def _has_answers(session: Session, participant_id: int) -> bool:
    found = session.scalar(select(Response.id).where(Response.participant_id == participant_id).limit(1))
    return found is not None


def _store_response(
    session: Session,
    participant: Participant,
    conversation: Conversation,
    result: Result,
    message: Message | None,
    conducted_by: str | None,
) -> None:
    """Insert the answer, or replace an earlier answer to the same node: one statement.

    ``INSERT ... ON CONFLICT (conversation_id, node) DO UPDATE`` on both SQLite and
    PostgreSQL; an answer given again (after BACK) keeps its row and its id.
    """
    is_words = result.answer_type == "free_text" and not result.skipped and result.value
    answer = {
        "theme": result.theme,
        "answer_type": result.answer_type,
        "raw_text": result.raw,
        "value": result.value,
        "skipped": result.skipped,
        "message_id": message.id if message is not None else None,
        "conducted_by": conducted_by,
        "sentiment": polarity(result.value) if is_words else None,
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Response).values(
        conversation_id=conversation.id,
        participant_id=participant.id,
        review_id=participant.review_id,
        audit_record_id=participant.audit_record_id,
        node=result.node,
        **answer,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[Response.conversation_id, Response.node],
        set_={**{key: statement.excluded[key] for key in answer}, "updated_at": utcnow()},
    )
    session.execute(statement)


def _store_reply(
    session: Session,
    reply_to: Message | None,
    conversation: Conversation | None,
    prompt: Prompt,
    channel: str,
    participant_id: int | None,
) -> None:
    payload = prompt.to_dict()
    session.add(
        Message(
            direction="out",
            channel=channel,
            participant_id=participant_id,
            conversation_id=conversation.id if conversation else None,
            reply_to_id=reply_to.id if reply_to is not None else None,
            body=prompt.text,
            payload=payload,
            status="reply",
        )
    )
    if reply_to is not None:
        # What finish_turn returns, without reading the replies back (as _replies_to would).
        _stored_replies(session).setdefault(reply_to.id, []).append(Prompt.from_dict(payload))
