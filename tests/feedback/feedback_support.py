"""A review whose people hear back in every channel, and some who must hear nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.models import Conversation, Message, Participant, Response
from app.services.feedback.actions import NewAction, add_action
from app.services.participants import NewParticipant, add_participant, create_review
from app.services.runtime import Runtime

TELEGRAM_CHAT = "5551234"
COUNCIL = "Northshire Council"


@dataclass
class World:
    review_id: int = 0
    people: dict[str, int] = field(default_factory=dict)  # name -> participant id
    actions: dict[str, int] = field(default_factory=dict)
    responses: dict[str, int] = field(default_factory=dict)  # name -> one answer's id


def add_person(rt: Runtime, review_id: int, ref: str, name: str, **fields: Any) -> int:
    wish = {k: fields.pop(k) for k in ("hear_back", "hear_back_channel") if k in fields}
    state = {k: fields.pop(k) for k in ("withdrawn_at", "opted_out_at", "do_not_contact") if k in fields}
    telegram = fields.pop("telegram", None)
    with rt.db.writing() as session:
        person = add_participant(
            session, rt.crypto, NewParticipant(review_id=review_id, audit_ref=ref, first_name=name, **fields)
        )
        for key, value in {**wish, **state}.items():
            setattr(person, key, value)
        if telegram:
            person.telegram_encrypted = rt.crypto.encrypt(telegram)
            person.telegram_lookup = rt.crypto.lookup(telegram)
        return person.id


def answer(
    rt: Runtime, participant_id: int, theme: str, value: str, answer_type: str = "scale", **extra: Any
) -> int:
    """A finished conversation holding one answer on ``theme`` (as run_turn would have stored it)."""
    with rt.db.writing() as session:
        participant = session.get_one(Participant, participant_id)
        _, version = rt.flows.published(session, participant.review.flow_id)
        conversation = session.scalar(
            select(Conversation).where(Conversation.participant_id == participant_id)
        )
        if conversation is None:
            conversation = Conversation(
                participant_id=participant_id,
                flow_version_id=version.id,
                channel=participant.channel,
                status="completed",
                state={},
                started_at=rt.clock() - timedelta(days=30),
            )
            session.add(conversation)
            session.flush()
        response = Response(
            conversation_id=conversation.id,
            participant_id=participant_id,
            review_id=participant.review_id,
            audit_record_id=participant.audit_record_id,
            node=f"{theme}_{value}_{answer_type}",
            theme=theme,
            answer_type=answer_type,
            raw_text=value,
            value=value,
            **extra,
        )
        session.add(response)
        session.flush()
        return response.id


def build_world(rt: Runtime) -> World:
    """Five people who hear back (SMS, call, Telegram, web, post) and four who must not."""
    world = World()
    with rt.db.writing() as session:
        world.review_id = create_review(
            session, COUNCIL, "Strengths-based practice", "practice_review_experience"
        ).id
    r = world.review_id
    yes = {"hear_back": True}
    world.people = {
        "Priya": add_person(
            rt,
            r,
            "A1",
            "Priya",
            channel="sms",
            variant="easy_read",
            phone="+447700900101",
            hear_back_channel="text",
            **yes,
        ),
        "Margaret": add_person(
            rt, r, "A2", "Margaret", channel="voice", phone="+447700900102", hear_back_channel="phone", **yes
        ),
        "Tom": add_person(
            rt,
            r,
            "A3",
            "Tom",
            channel="telegram",
            language="cy",
            telegram=TELEGRAM_CHAT,
            hear_back_channel="telegram",
            **yes,
        ),
        "Sam": add_person(
            rt,
            r,
            "A4",
            "Sam",
            channel="web",
            variant="easy_read",
            language="cy",
            hear_back_channel="web",
            **yes,
        ),
        "Gareth": add_person(
            rt, r, "A5", "Gareth", channel="web", variant="easy_read", hear_back_channel="letter", **yes
        ),
        # Must hear nothing:
        "Wyn": add_person(
            rt,
            r,
            "A6",
            "Wyn",
            channel="sms",
            phone="+447700900106",
            hear_back_channel="text",
            withdrawn_at=rt.clock() - timedelta(days=1),
            **yes,
        ),
        "Olu": add_person(
            rt,
            r,
            "A7",
            "Olu",
            channel="sms",
            phone="+447700900107",
            hear_back_channel="text",
            opted_out_at=rt.clock() - timedelta(days=1),
            **yes,
        ),
        "Dora": add_person(
            rt,
            r,
            "A8",
            "Dora",
            channel="sms",
            phone="+447700900108",
            hear_back_channel="text",
            do_not_contact="deceased",
            **yes,
        ),
        "Nia": add_person(rt, r, "A9", "Nia", channel="sms", phone="+447700900109", hear_back=False),
    }
    p = world.people
    world.responses["Priya"] = answer(rt, p["Priya"], "timeliness", "1")
    answer(rt, p["Margaret"], "voice_of_person", "2")
    answer(rt, p["Tom"], "timeliness", "2")
    answer(rt, p["Sam"], "strengths", "5")  # nothing linked to Sam's words: the headline action
    with rt.db.writing() as session:
        world.actions["call_back"] = add_action(
            session,
            NewAction(
                review_id=r,
                you_said="People waited too long for a call back",
                we_did="Social workers now call back within two working days",
                status="done",
                themes=("timeliness",),
                response_ids=(world.responses["Priya"],),
                wording={
                    "you_said": {"cy": {"standard": "Roedd pobl yn aros yn rhy hir am alwad yn ôl"}},
                    "we_did": {
                        "cy": {"standard": "Mae gweithwyr cymdeithasol yn ffonio yn ôl o fewn dau ddiwrnod"}
                    },
                },
            ),
            rt.clock(),
        ).id
        world.actions["listening"] = add_action(
            session,
            NewAction(
                review_id=r,
                you_said="Some people did not feel listened to",
                we_did="Every assessment will start with what matters to you",
                status="in_progress",
                themes=("voice_of_person",),
                headline=True,
                wording={
                    "you_said": {
                        "easy_read": "Some people felt we did not listen",
                        "cy": {
                            "standard": "Doedd rhai pobl ddim yn teimlo bod neb yn gwrando",
                            "easy_read": "Doedd rhai pobl ddim yn teimlo bod neb yn gwrando",
                        },
                    },
                    "we_did": {
                        "easy_read": "We will ask what matters to you first",
                        "cy": {
                            "standard": "Bydd pob asesiad yn dechrau gyda beth sy'n bwysig i chi",
                            "easy_read": "Byddwn ni'n gofyn beth sy'n bwysig i chi yn gyntaf",
                        },
                    },
                },
            ),
            rt.clock(),
        ).id
    return world


def outbound(rt: Runtime, participant_id: int | None = None) -> list[Message]:
    with rt.db.reading() as session:
        query = select(Message).where(Message.direction == "out", Message.purpose == "feedback")
        if participant_id is not None:
            query = query.where(Message.participant_id == participant_id)
        return list(session.scalars(query.order_by(Message.id)))
