"""Quick replies from one person are handled one at a time, in the order they came."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.channels.base import Inbound
from app.models import Message, Response
from app.services.runtime import Runtime
from app.services.turns import open_conversation, run_turn
from tests.test_turns import make_participant


def test_concurrent_replies_from_one_person_leave_one_consistent_conversation(rt: Runtime) -> None:
    participant = make_participant(rt, variant="standard")
    open_conversation(rt, participant.id, "web")
    run_turn(rt, Inbound("web", participant.chat_token, "yes", "consent"))
    # Arrival order is up to the threads, so each reply must fit any question: 1 and 2
    # are yes/no, a point on the scale, a choice and free text alike.
    replies = ["1", "2", "1", "2", "2", "1", "1", "2"]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(replies))

    def reply(index: int, text: str) -> None:
        try:
            barrier.wait()
            run_turn(rt, Inbound("web", participant.chat_token, text, f"quick-{index}"))
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=reply, args=(i, t)) for i, t in enumerate(replies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    with rt.db.reading() as session:
        inbound = session.scalars(select(Message).where(Message.direction == "in")).all()
        assert len(inbound) == len(replies) + 1
        assert {m.status for m in inbound} == {"processed"}
        responses = session.scalars(select(Response)).all()
        nodes = [r.node for r in responses]
        # Each message answered the next question: no node answered twice, none lost.
        assert len(nodes) == len(set(nodes))
        assert session.scalar(select(func.count()).select_from(Response)) == len(replies) + 1
