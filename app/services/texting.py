"""A text arrives: opt-out, opt-in and help words first, then the conversation.

STOP and its kin (and plain requests like "please stop texting me", or Welsh
"stopio") put the number on our own suppression list before anything else,
whether or not a conversation is running, so a STOP in reply to an invitation
never starts one. START / UNSTOP take it off again; HELP / INFO answer with a
phone number. Everything else goes to :func:`run_turn`. Every message is
stored first, and a retried MessageSid gets the stored reply. The only texts a
suppressed number receives are the direct answers to its own STOP, START,
HELP or WITHDRAW; nothing else, and nothing it did not ask for.

STOP keeps what a participant has said so far (the reply tells them to send
WITHDRAW to delete it too); WITHDRAW, even after STOP, erases them
(run_turn, app/services/erasure.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.channels.base import Inbound
from app.engine import Prompt, match_command
from app.engine.normalise import normalise
from app.engine.phrases import phrase
from app.engine.types import Audience
from app.engine.wording import Wording, pick
from app.models import Invitation, Message, Participant, Response
from app.services.participants import find_participant
from app.services.runtime import Runtime
from app.services.suppression import is_suppressed, lift, phone_lookup, suppress
from app.services.turns import Known, current_conversation, run_turn, store_inbound

Keyword = Literal["opt_out", "opt_in", "help"]

# Carriers' and Twilio's opt-out words the engine's STOP command doesn't already know,
# and plain requests to stop; each must be the whole message, as for any command.
_MORE_STOP = (
    "optout", "opt out", "opt me out", "revoke", "stop texting", "stop texting me please",
    "stop sending me texts", "stop sending me messages", "stop sending texts", "stop sending messages",
    "stop contacting me", "dont text me", "do not text me", "dont text me again", "no more texts",
    "no more messages", "unsubscribe me", "remove me", "remove my number", "take me off your list",
    "stopiwch anfon negeseuon", "peidiwch a anfon negeseuon", "dim mwy o negeseuon", "stopio negeseuon",
)  # fmt: skip
_POLITE = ("", "please ", "pls ", "can you ", "could you ", "will you ")
_THANKS = ("", " please", " thanks", " thank you", " now", " diolch", " os gwelwch yn dda")
_STOP_WORDS = frozenset(f"{a}{normalise(p)}{b}" for p in _MORE_STOP for a in _POLITE for b in _THANKS)
_START_WORDS = frozenset({"start", "unstop", "yes start", "start again", "dechrau", "ailddechrau"})


def classify(text: str) -> Keyword | None:
    """What a whole text means before it is an answer: opt out, opt back in, or ask for help."""
    words = normalise(text)
    command = match_command(text)
    if command == "stop" or words in _STOP_WORDS:
        return "opt_out"
    if words in _START_WORDS:
        return "opt_in"
    if command == "help":
        return "help"
    return None


# Our own replies to those words, in the flow's wording format (variants, a cy block).
_WORDS: dict[str, Wording] = {
    "opted_out_unknown": {
        "standard": "You will not get any more texts from this number. Reply START if you change your mind.",
        "cy": {
            "standard": (
                "Fyddwch chi ddim yn cael rhagor o negeseuon o'r rhif hwn. Atebwch START i ailddechrau."
            )
        },
    },
    "opt_back_in": {
        "standard": "Thank you. You can get texts from us again. To talk to a person, call {help_phone}.",
        "easy_read": "Thank you. We can text you again. To talk to a person, call {help_phone}.",
        "cy": {
            "standard": (
                "Diolch. Gallwch gael negeseuon gennym eto. I siarad a pherson, ffoniwch {help_phone}."
            ),
            "easy_read": "Diolch. Gallwn anfon neges atoch eto. I siarad a pherson, ffoniwch {help_phone}.",
        },
    },
    "info": {
        "standard": (
            "These texts ask about your experience of social work, for a council's review. Taking part is "
            "optional. To talk to a person, call {help_phone}. Reply STOP to stop texts."
        ),
        "easy_read": (
            "We ask about your social worker. You do not have to answer. "
            "To talk to a person, call {help_phone}. Reply STOP to stop."
        ),
        "cy": {
            "standard": (
                "Mae'r negeseuon hyn yn holi am eich profiad o waith cymdeithasol, ar gyfer adolygiad "
                "cyngor. Does dim rhaid cymryd rhan. I siarad a pherson, ffoniwch {help_phone}. "
                "Atebwch STOPIO i stopio."
            ),
            "easy_read": (
                "Rydyn ni'n holi am eich gweithiwr cymdeithasol. Does dim rhaid ateb. "
                "I siarad a pherson, ffoniwch {help_phone}. Atebwch STOPIO i stopio."
            ),
        },
    },
}


def wording(key: str, language: str, variant: str, help_phone: str) -> str:
    text = pick(_WORDS[key], Audience(variant=variant, channel="sms", language=language))
    return text.replace("{help_phone}", help_phone)


def receive_text(rt: Runtime, inbound: Inbound) -> list[Prompt]:
    """Handle one text (stored first) and return the prompts to answer it with."""
    lookup = phone_lookup(rt.crypto, inbound.sender)
    with rt.db.reading() as session:
        retry = _already_stored(session, inbound)
        suppressed = is_suppressed(session, lookup)
        participant = find_participant(session, rt.crypto, "sms", inbound.sender)
        opted_out = participant is not None and participant.opted_out_at is not None
    keyword = classify(inbound.text)
    if retry:
        return run_turn(rt, inbound).replies  # the stored reply, nothing new
    # Looked up above: the turn stores the text against them without asking again.
    known = Known(participant.id if participant is not None else None)
    if keyword == "opt_out":
        return _handle(rt, inbound, lambda s, m, p: _opt_out(rt, s, lookup, m, p))
    if keyword == "opt_in" and (suppressed or opted_out):
        return _handle(rt, inbound, lambda s, m, p: _opt_in(rt, s, lookup, p))
    if keyword == "help":
        return _handle(rt, inbound, lambda s, m, p: _info(rt, s, p))
    if participant is not None and match_command(inbound.text) == "withdraw":
        # Erases them, whether or not they said STOP first.
        return run_turn(rt, inbound, known=known).replies
    if suppressed:
        return _handle(rt, inbound, lambda s, m, p: _kept_quietly(m))
    # The invitation is marked replied inside the turn's own transaction (no third commit).
    result = run_turn(rt, inbound, known=known, then=lambda s, pid: _mark_invitation_replied(s, pid, rt))
    if result.throttled and result.participant_id is not None:
        _note_reply(rt, result.participant_id)
    return result.replies


def _already_stored(session: Session, inbound: Inbound) -> bool:
    return (
        session.scalar(
            select(Message.id).where(
                Message.channel == inbound.channel,
                Message.direction == "in",
                Message.provider_id == inbound.provider_id,
            )
        )
        is not None
    )


Action = Callable[[Session, Message, Participant | None], list[Prompt]]


def _handle(rt: Runtime, inbound: Inbound, action: Action) -> list[Prompt]:
    """Store the text, then carry out ``action`` once and keep its reply for retries."""
    message_id, replayed = store_inbound(rt, inbound)
    if replayed:
        return run_turn(rt, inbound).replies
    with rt.db.writing() as session:
        message = session.get_one(Message, message_id)
        if message.status != "received":
            return []  # a turn running at the same moment already answered it
        participant = (
            session.get(Participant, message.participant_id, with_for_update=True)
            if message.participant_id
            else None
        )
        conversation = current_conversation(session, participant.id) if participant else None
        message.conversation_id = conversation.id if conversation else None
        message.status = "processed"
        message.processed_at = rt.clock()
        prompts = action(session, message, participant)
        for prompt in prompts:
            session.add(
                Message(
                    direction="out",
                    channel="sms",
                    participant_id=participant.id if participant else None,
                    conversation_id=message.conversation_id,
                    reply_to_id=message.id,
                    body=prompt.text,
                    payload=prompt.to_dict(),
                    status="reply",
                    created_at=rt.clock(),
                )
            )
        if participant is not None:
            _mark_invitation_replied(session, participant.id, rt)
        return prompts


def _opt_out(
    rt: Runtime, session: Session, lookup: str, message: Message, participant: Participant | None
) -> list[Prompt]:
    reason = "keyword" if match_command(message.body or "") == "stop" else "request"
    suppress(session, lookup, reason, rt.clock())
    if participant is None:
        text = " / ".join(wording("opted_out_unknown", lang, "standard", "") for lang in ("en", "cy"))
    else:
        # The engine's own goodbye, as a STOP inside the conversation would give ...
        text = phrase("goodbye", participant.language, participant.variant, "sms")
        if session.scalar(select(Response.id).where(Response.participant_id == participant.id).limit(1)):
            # ... and, as stopping keeps their answers, how to have them deleted too.
            text += " " + phrase("withdraw_offer", participant.language, participant.variant, "sms")
    return [Prompt(node="", text=text, kind="notice")]


def _opt_in(rt: Runtime, session: Session, lookup: str, participant: Participant | None) -> list[Prompt]:
    lift(session, lookup, rt.clock())
    language, variant = (participant.language, participant.variant) if participant else ("en", "standard")
    text = wording("opt_back_in", language, variant, rt.config["HELP_PHONE"])
    question = _reopen(session, participant) if participant and participant.contactable else None
    return [Prompt(node="", text=text, kind="notice"), *([question] if question else [])]


def _reopen(session: Session, participant: Participant) -> Prompt | None:
    """A conversation ended by STOP carries on from the question it stopped at."""
    conversation = current_conversation(session, participant.id)
    if conversation is None or conversation.status != "opted_out":
        return None
    last_asked = _last_question(session, conversation.id)
    if last_asked is None:
        return None
    conversation.status = "active"
    conversation.ended_at = None
    conversation.state = {**conversation.state, "status": "active", "node": last_asked.node, "reasks": 0}
    return last_asked


def _last_question(session: Session, conversation_id: int) -> Prompt | None:
    rows = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.direction == "out")
        .order_by(Message.id.desc())
    )
    for row in rows:
        prompt = Prompt.from_dict(row.payload) if row.payload else None
        # Not a re-ask: by text a re-ask is only "sorry" and how to reply, not the question.
        if prompt and prompt.kind == "ask":
            return prompt
    return None


def _info(rt: Runtime, session: Session, participant: Participant | None) -> list[Prompt]:
    """Who we are and a number to call; then the question they were on, if any."""
    language, variant = (participant.language, participant.variant) if participant else ("en", "standard")
    prompts = [Prompt(node="", text=wording("info", language, variant, rt.config["HELP_PHONE"]), kind="help")]
    waiting = _waiting_question(session, participant) if participant and participant.contactable else None
    return [*prompts, waiting] if waiting else prompts


def _waiting_question(session: Session, participant: Participant) -> Prompt | None:
    conversation = current_conversation(session, participant.id)
    if conversation is None or conversation.status != "active":
        return None
    question = _last_question(session, conversation.id)
    return question if question and question.node == conversation.state.get("node") else None


def _kept_quietly(message: Message) -> list[Prompt]:
    """A number on the suppression list: keep what it said, send nothing back."""
    message.status = "late"
    return []


def _note_reply(rt: Runtime, participant_id: int) -> None:
    with rt.db.writing() as session:
        _mark_invitation_replied(session, participant_id, rt)


def _mark_invitation_replied(session: Session, participant_id: int, rt: Runtime) -> None:
    """An invitation sent and not yet replied to is now replied to: one UPDATE, often of no row."""
    session.execute(
        update(Invitation)
        .where(
            Invitation.participant_id == participant_id,
            Invitation.replied_at.is_(None),
            Invitation.invited_at.is_not(None),
        )
        .values(status="replied", replied_at=rt.clock())
    )
