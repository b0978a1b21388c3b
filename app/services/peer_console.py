"""The peer console's use cases: a peer's people, the step in front of them, and what they record.

A peer-led conversation is an ordinary conversation on the ``peer`` channel:
each answer goes through ``run_turn`` like a text message would, stored
before it is processed, with ``conducted_by`` naming the peer. What a peer may
see of a participant is :class:`PeerCard` and nothing more: no contact
details, no audit ratings, no one else's conversations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.channels.base import Inbound
from app.engine import Audience, Option
from app.engine.wording import fill, guidance, pick
from app.models import COMMUNICATION_NEEDS, Conversation, Message, Participant, PeerAssignment, Quote
from app.services.runtime import Runtime
from app.services.turns import TurnResult, current_conversation, open_conversation, run_turn

MAX_QUOTE_LENGTH = 5000

# How the console words a participant's details for the peer.
WORDS = {
    "role": {"person": "The person", "relative": "A relative", "carer": "A carer", "advocate": "An advocate"},
    "channel": {
        "sms": "Text messages", "voice": "Phone calls", "telegram": "Telegram", "web": "Web chat",
        "peer": "Talking with a peer", "post": "Letters",
    },
    "language": {"en": "English", "cy": "Welsh (Cymraeg)"},
    "variant": {"standard": "Standard wording", "easy_read": "Easy read"},
    "status": {
        "none": "Not started", "active": "In progress", "completed": "Finished",
        "withdrawn": "Stopped by the person", "opted_out": "Opted out",
        "expired": "Closed (no reply for a while)", "loop_guard": "Stopped (flow problem)",
    },
}  # fmt: skip


@dataclass(frozen=True)
class PeerCard:
    """All a peer is shown about a person they talk with."""

    id: int
    first_name: str
    role: str  # person | relative | carer | advocate
    channel: str  # their preferred way of talking
    language: str
    variant: str
    needs: tuple[str, ...]  # communication needs, in words
    communication_note: str | None
    audit_ref: str
    status: str  # none | active | completed | withdrawn | ...


@dataclass(frozen=True)
class Question:
    node: str
    text: str  # what the person hears, in their language and wording
    answer_type: str
    options: tuple[Option, ...]
    guidance: str | None  # the flow's peer wording
    card_text: str  # the easy-read card: short words ...
    picture: str | None  # ... and a large picture


@dataclass(frozen=True)
class ConsoleStep:
    card: PeerCard
    said: list[str] = field(default_factory=list)  # to read out before the question
    reasked: bool = False  # the last answer wasn't understood
    question: Question | None = None


def _card(participant: Participant, conversation: Conversation | None) -> PeerCard:
    return PeerCard(
        id=participant.id,
        first_name=participant.first_name,
        role=participant.role,
        channel=participant.channel,
        language=participant.language,
        variant=participant.variant,
        needs=tuple(
            COMMUNICATION_NEEDS.get(n, n.replace("_", " ")) for n in participant.communication_needs or ()
        ),
        communication_note=participant.communication_note,
        audit_ref=participant.audit_ref,
        status=conversation.status if conversation else "none",
    )


def my_people(session: Session, peer_id: int) -> list[PeerCard]:
    participants = session.scalars(
        select(Participant)
        .join(PeerAssignment, PeerAssignment.participant_id == Participant.id)
        .where(PeerAssignment.peer_id == peer_id)
        .order_by(Participant.first_name, Participant.id)
    ).all()
    return [_card(p, current_conversation(session, p.id)) for p in participants]


def card_for(session: Session, participant_id: int) -> PeerCard:
    participant = session.get_one(Participant, participant_id)
    return _card(participant, current_conversation(session, participant_id))


def start_or_resume(rt: Runtime, participant_id: int, peer: str) -> int | None:
    return open_conversation(rt, participant_id, "peer", conducted_by=peer)


def step(rt: Runtime, participant_id: int) -> ConsoleStep:
    """What the peer sees now: what to say, then the question waiting for an answer."""
    with rt.db.reading() as session:
        participant = session.get_one(Participant, participant_id)
        conversation = current_conversation(session, participant_id)
        card = _card(participant, conversation)
        if conversation is None:
            return ConsoleStep(card)
        last_in = session.scalar(
            select(func.max(Message.id)).where(
                Message.conversation_id == conversation.id, Message.direction == "in"
            )
        )
        latest = session.scalars(
            select(Message)
            .where(
                Message.conversation_id == conversation.id,
                Message.direction == "out",
                Message.id > (last_in or 0),
            )
            .order_by(Message.id)
        ).all()
        kinds = [(m.payload or {}).get("kind", "say") for m in latest]
        said = [m.body or "" for m, kind in zip(latest, kinds, strict=True) if kind not in ("ask", "reask")]
        node_id = (conversation.state or {}).get("node")
        if conversation.status != "active" or not node_id or not participant.contactable:
            return ConsoleStep(card, said=said)
        flow = rt.flows.stored(conversation.flow_version)
        node = flow.nodes[node_id]
        fields = dict(((conversation.state or {}).get("audience") or {}).get("fields") or {})
        audience = Audience(
            variant=participant.variant, channel="peer", language=participant.language, fields=fields
        )
        easy = Audience(variant="easy_read", channel="peer", language=participant.language, fields=fields)
        asks = [m.payload for m in latest_asks(session, conversation.id) if m.payload.get("node") == node_id]
        asked = asks[-1] if asks else None
        options = tuple(Option(**o) for o in (asked or {}).get("options", ()))
        found_guidance = guidance(node.wording, audience)
        question = Question(
            node=node_id,
            text=fill(pick(node.wording, audience), fields, participant.language),
            answer_type=node.answer_type or "free_text",
            options=options,
            guidance=fill(found_guidance, fields, participant.language) if found_guidance else None,
            card_text=fill(pick(node.wording, easy), fields, participant.language),
            picture=node.picture,
        )
        return ConsoleStep(card, said=said, reasked="reask" in kinds, question=question)


def latest_asks(session: Session, conversation_id: int) -> list[Message]:
    rows = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.direction == "out")
        .order_by(Message.id.desc())
        .limit(20)
    ).all()
    return [m for m in reversed(rows) if m.payload and m.payload.get("kind") in ("ask", "reask")]


def record(
    rt: Runtime,
    participant_id: int,
    peer: str,
    *,
    answer: str,
    nonce: str,
    node: str | None,
    quote: str = "",
    quote_consent: bool = False,
) -> TurnResult | None:
    """One answer (and any quote) as the peer entered it; each is saved as it is given.

    The form's nonce is the provider id, so a double tap or a resent form is
    recognised and neither the answer nor the quote is stored twice.
    """
    result = None
    if answer.strip():
        result = run_turn(
            rt,
            Inbound(
                channel="peer",
                sender=str(participant_id),
                text=answer.strip()[:MAX_QUOTE_LENGTH],
                provider_id=f"peer-{nonce}"[:100],
                conducted_by=peer,
            ),
        )
        if result.replayed:
            return result
    if quote.strip() and node:
        save_quote(rt, participant_id, peer, node, quote, quote_consent)
    return result


def save_quote(rt: Runtime, participant_id: int, peer: str, node: str, text: str, consent: bool) -> None:
    with rt.db.writing() as session:
        participant = session.get_one(Participant, participant_id)
        conversation = current_conversation(session, participant_id)
        if conversation is None:
            return
        flow = rt.flows.stored(conversation.flow_version)
        flow_node = flow.nodes.get(node)
        if flow_node is None:
            return
        session.add(
            Quote(
                conversation_id=conversation.id,
                participant_id=participant.id,
                review_id=participant.review_id,
                audit_record_id=participant.audit_record_id,
                node=node,
                theme=flow_node.theme,
                text=text.strip()[:MAX_QUOTE_LENGTH],
                consent_to_quote=consent,
                recorded_by=peer,
                created_at=rt.clock(),
            )
        )


def withdraw(rt: Runtime, participant_id: int) -> bool:
    """The person wants to stop: end this conversation, recorded as withdrawn.

    Answers given so far are kept (as the web chat's STOP says); erasing them
    is a separate request (withdrawing consent).
    """
    with rt.db.writing() as session:
        session.get_one(Participant, participant_id, with_for_update=True)
        conversation = current_conversation(session, participant_id)
        if conversation is None or conversation.status != "active":
            return False
        now = rt.clock()
        conversation.status = "withdrawn"
        conversation.ended_at = now
        conversation.state = {**conversation.state, "status": "withdrawn", "node": None}
        return True
