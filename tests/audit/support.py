"""Helpers for the audit tests: real reviews, real conversations (through run_turn), real imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.channels.base import Inbound
from app.models import Message, Quote
from app.services.audit_import import ImportResult, import_audit
from app.services.participants import NewParticipant, add_participant, create_review
from app.services.runtime import Runtime
from app.services.turns import current_conversation, open_conversation, run_turn

DATA = Path(__file__).parent / "data"
WM12_20 = DATA / "wm12_20_records.csv"
WM12_HEADER = "audit_ref,category,reviewer," + ",".join(f"q{i}" for i in range(1, 13)) + ",overall,comment"
WLGA_HEADER = "audit_ref,category,reviewer," + ",".join(f"c{i}" for i in range(1, 11)) + ",comment"

# A plain answer for each kind of question, when a test doesn't care what is said.
DEFAULT_REPLY = {"yes_no": "yes", "scale": "3", "choice": "2", "free_text": "It was fine.", "number": "3"}


def new_review(
    rt: Runtime, council: str = "Northshire Council", theme: str = "Strengths-based practice"
) -> int:
    with rt.db.writing() as session:
        return create_review(session, council, theme, "practice_review_experience").id


def add(
    rt: Runtime, review_id: int, audit_ref: str, first_name: str, role: str = "person"
) -> tuple[int, str]:
    with rt.db.writing() as session:
        person = add_participant(
            session,
            rt.crypto,
            NewParticipant(review_id=review_id, audit_ref=audit_ref, first_name=first_name, role=role),
        )
        return person.id, person.chat_token


def wm12_row(ref: str, rating: str = "G", overall: str = "G", **questions: str) -> str:
    """One CSV line: every question rated ``rating`` unless named (q1="O")."""
    values = [questions.get(f"q{i}", rating) for i in range(1, 13)]
    return ",".join([ref, "Older people", "PSW1", *values, overall, ""])


def import_text(rt: Runtime, review_id: int, text: str, tool: str | None = None) -> ImportResult:
    with rt.db.writing() as session:
        return import_audit(session, review_id, text, tool, imported_by="test", now=rt.clock())


def converse(rt: Runtime, participant_id: int, token: str, replies: dict[str, str]) -> list[str]:
    """Talk through the whole flow on the web chat: ``replies[node]``, or a plain answer.

    Returns the nodes asked, in order.
    """
    open_conversation(rt, participant_id, "web")
    with rt.db.reading() as session:
        last = session.scalars(
            select(Message)
            .where(Message.participant_id == participant_id, Message.direction == "out")
            .order_by(Message.id.desc())
        ).first()
        assert last is not None and last.payload is not None
        question = last.payload
    asked = []
    for turn in range(60):
        node = question["node"]
        asked.append(node)
        reply = replies.get(node, DEFAULT_REPLY[question["answer_type"]])
        result = run_turn(rt, Inbound("web", token, reply, f"p{participant_id}-t{turn}"))
        questions = [p for p in result.replies if p.kind in ("ask", "reask")]
        if not questions:
            return asked
        question = questions[-1].to_dict()
    pytest.fail("the conversation did not end within 60 answers")


def note_quote(rt: Runtime, participant_id: int, node: str, text: str, consent: bool) -> None:
    """A quote as a peer notes it (the Quote row the peer console stores)."""
    with rt.db.writing() as session:
        conversation = current_conversation(session, participant_id)
        assert conversation is not None
        person = conversation.participant
        session.add(
            Quote(
                conversation_id=conversation.id, participant_id=participant_id, review_id=person.review_id,
                audit_record_id=person.audit_record_id, node=node, theme="voice_of_person" if node in (
                    "listened", "what_matters") else None,
                text=text, consent_to_quote=consent, recorded_by="peer@example.org",
            )
        )  # fmt: skip
