"""run_turn on a real database (SQLite and PostgreSQL): store first, then answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from app import create_app
from app.channels.base import Inbound
from app.config import ROOT
from app.models import Consent, Conversation, Message, Participant, Response
from app.services.participants import NewParticipant, add_participant, create_review
from app.services.runtime import Runtime
from app.services.turns import TurnResult, open_conversation, run_turn

# A messy but understandable reply for each kind of question, and what it means.
MESSY = {
    "yes_no": ("yeah ok", "yes"),
    "scale": ("very well", "5"),
    "choice": ("2", None),
    "free_text": ("She was really kind and helpful, a great help", None),
    "number": ("3", "3"),
}


def make_participant(rt: Runtime, **overrides: object) -> Participant:
    fields = {
        "review_id": 0,
        "audit_ref": "A1",
        "first_name": "Sam",
        "variant": "easy_read",
        "channel": "web",
    } | overrides
    with rt.db.writing() as session:
        review = create_review(
            session, "Northshire Council", "Strengths-based practice", "practice_review_experience"
        )
        fields["review_id"] = review.id
        participant = add_participant(session, rt.crypto, NewParticipant(**fields))  # type: ignore[arg-type]
        session.flush()
        session.expunge(participant)
    return participant


def send(rt: Runtime, participant: Participant, text: str, provider_id: str | None = None) -> TurnResult:
    return run_turn(rt, Inbound("web", participant.chat_token, text, provider_id))


def answer_everything(rt: Runtime, participant: Participant) -> list[tuple[str, str, str]]:
    """Answer each question with a messy reply until the conversation ends."""
    open_conversation(rt, participant.id, "web")
    with rt.db.reading() as session:
        last = session.scalars(
            select(Message).where(Message.direction == "out").order_by(Message.id.desc())
        ).first()
        question = last.payload
    asked: list[tuple[str, str, str]] = []
    for turn in range(60):
        reply, _ = MESSY[question["answer_type"]]
        asked.append((question["node"], question["answer_type"], reply))
        result = send(rt, participant, reply, provider_id=f"turn-{turn}")
        questions = [p for p in result.replies if p.kind in ("ask", "reask")]
        if not questions:
            return asked
        question = questions[-1].to_dict()
    pytest.fail("the conversation did not end within 60 answers")


def test_a_whole_conversation_stores_one_response_per_asked_node(rt: Runtime) -> None:
    participant = make_participant(rt)
    asked = answer_everything(rt, participant)
    with rt.db.reading() as session:
        responses = session.scalars(select(Response).order_by(Response.id)).all()
        conversation = session.scalars(select(Conversation)).one()
        stored = session.get_one(Participant, participant.id)
        assert conversation.status == "completed"
        assert len(asked) >= 8
        assert [r.node for r in responses] == [node for node, _, _ in asked]
        for response, (node, answer_type, reply) in zip(responses, asked, strict=True):
            assert response.review_id == stored.review_id
            assert response.audit_record_id == stored.audit_record_id
            assert response.raw_text == reply
            assert response.skipped is False
            expected = MESSY[answer_type][1]
            if expected is not None:
                assert response.value == expected, node
            if answer_type == "free_text":
                assert response.value == reply
                assert response.sentiment is not None and response.sentiment > 0
        assert {r.theme for r in responses if r.theme} >= {"voice_of_person", "strengths", "outcomes"}


def test_consent_is_recorded_with_who_gave_it_and_the_words_asked(rt: Runtime) -> None:
    participant = make_participant(rt, role="relative", first_name="Priya")
    answer_everything(rt, participant)
    with rt.db.reading() as session:
        consents = {c.scope: c for c in session.scalars(select(Consent)).all()}
        assert consents["taking_part"].given is True
        assert consents["taking_part"].given_by == "proxy"
        assert consents["taking_part"].proxy_role == "relative"
        assert consents["taking_part"].flow_id == "practice_review_experience"
        assert consents["taking_part"].wording
        stored = session.get_one(Participant, participant.id)
        assert stored.hear_back is True


def test_a_reply_not_understood_is_asked_again_gently_and_not_stored(rt: Runtime) -> None:
    participant = make_participant(rt, variant="standard")
    open_conversation(rt, participant.id, "web")
    send(rt, participant, "yes")  # consent
    result = send(rt, participant, "purple elephant")
    reask = result.replies[-1]
    assert reask.kind == "reask"
    assert "error" not in reask.text.lower()
    assert "sorry" in reask.text.lower()
    with rt.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Response).where(~Response.skipped)) <= 1


def test_stop_ends_the_conversation_opts_out_and_is_not_an_answer(rt: Runtime) -> None:
    participant = make_participant(rt)
    open_conversation(rt, participant.id, "web")
    send(rt, participant, "yes")
    send(rt, participant, "STOP")
    after = send(rt, participant, "are you still there?")
    with rt.db.reading() as session:
        stored = session.get_one(Participant, participant.id)
        conversation = session.scalars(select(Conversation)).one()
        assert stored.opted_out_at is not None
        assert conversation.status == "opted_out"
        assert all(r.raw_text != "STOP" for r in session.scalars(select(Response)))
        # Nothing goes to someone who opted out, but what they said is kept.
        assert after.replies == []
        kept = session.scalars(select(Message).where(Message.body == "are you still there?")).one()
        assert kept.status == "late"


def test_the_same_provider_id_twice_stores_one_message_and_gives_the_same_reply(rt: Runtime) -> None:
    participant = make_participant(rt)
    open_conversation(rt, participant.id, "web")
    first = send(rt, participant, "yes", provider_id="SM123")
    again = send(rt, participant, "yes", provider_id="SM123")
    assert again.replayed and not first.replayed
    assert again.replies == first.replies and first.replies
    with rt.db.reading() as session:
        inbound = session.scalars(select(Message).where(Message.direction == "in")).all()
        assert len(inbound) == 1
        assert session.scalar(select(func.count()).select_from(Response)) == 1


def test_a_message_from_an_unknown_sender_is_kept_and_answered_without_revealing_anything(
    rt: Runtime,
) -> None:
    make_participant(rt, channel="sms", phone="07700 900123")
    result = run_turn(rt, Inbound("sms", "+447700900999", "hello, who is this?", "SMx"))
    assert result.participant_id is None
    text = result.replies[0].text
    assert "Sam" not in text and "Northshire" not in text and "Strengths" not in text
    again = run_turn(rt, Inbound("sms", "+447700900999", "hello??", "SMy"))
    assert again.replies == []  # one polite reply is enough
    with rt.db.reading() as session:
        kept = session.scalars(select(Message).where(Message.direction == "in").order_by(Message.id)).all()
        assert [m.body for m in kept] == ["hello, who is this?", "hello??"]
        assert kept[0].sender_lookup and kept[0].sender_lookup == kept[1].sender_lookup


def test_a_known_number_finds_its_participant_however_it_is_written(rt: Runtime) -> None:
    participant = make_participant(rt, channel="sms", phone="07700 900123")
    result = run_turn(rt, Inbound("sms", "+447700900123", "hi", "SM1"))
    assert result.participant_id == participant.id
    with rt.db.reading() as session:
        stored = session.get_one(Participant, participant.id)
        assert "900123" not in (stored.phone_encrypted or "")
        assert rt.crypto.decrypt(stored.phone_encrypted) == "+447700900123"


def test_a_running_conversation_keeps_the_flow_version_it_started_with(
    database_url: str, tmp_path: Path
) -> None:
    flows_dir = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows_dir)
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "HEARD_DATA_KEY": Fernet.generate_key().decode(),
            "FLOWS_DIR": str(flows_dir),
        }
    )
    rt: Runtime = app.extensions["heard_runtime"]
    try:
        early = make_participant(rt, variant="standard", first_name="Early")
        open_conversation(rt, early.id, "web")
        send(rt, early, "yes")  # consent

        path = flows_dir / "practice_review_experience.yaml"
        source = path.read_text()
        edited = source.replace("version: 1", "version: 2", 1)
        assert edited != source
        marker = "EDITED WORDING. "
        edited = edited.replace('standard: "', f'standard: "{marker}')
        path.write_text(edited)

        resumed = send(rt, early, "yes")  # consent to quotes, on the old copy
        assert resumed.replies and all(marker not in p.text for p in resumed.replies)

        late = make_participant(rt, variant="standard", first_name="Late", audit_ref="A2")
        open_conversation(rt, late.id, "web")
        with rt.db.reading() as session:
            versions = {
                c.participant_id: c.flow_version.version for c in session.scalars(select(Conversation))
            }
            first_prompt = session.scalars(
                select(Message).where(Message.participant_id == late.id).order_by(Message.id)
            ).first()
        assert versions == {early.id: 1, late.id: 2}
        assert marker in first_prompt.body
    finally:
        rt.db.dispose()
