"""What an ordinary SMS answer costs the database: statements and commits, counted.

The turn is mostly database time (BENCHMARKS.md), so a change that brings back a
repeated look-up or a third transaction should fail here, not only in a benchmark.
"""

from __future__ import annotations

from collections import Counter

from flask.testing import FlaskClient
from sms_support import make_participant, post_sms
from sqlalchemy import event, select

from app.models import Conversation, Message
from app.services.runtime import Runtime

PHONE = "+447700900123"
ANSWERS = {"yes_no": "yes", "scale": "very well", "choice": "2", "free_text": "She listened", "number": "3"}

# Per ordinary answer (signature to TwiML), both databases, not counting BEGIN/COMMIT. Before
# this budget the turn took 19-20 statements and 3 commits. Now: three look-ups (retry,
# suppression, participant), the inbound committed on its own, then lock the participant,
# read what is waiting and the conversation, update the message, upsert the answer, update
# the conversation, insert the reply, mark the invitation replied. A consent answer adds its
# consent row, and a worker's first turn on a flow version loads it once.
MAX_STATEMENTS = 12
MAX_COMMITS = 2  # the inbound message, then the turn: never merged


def _question(rt: Runtime) -> dict:
    with rt.db.reading() as session:
        rows = session.scalars(
            select(Message).where(Message.direction == "out").order_by(Message.id.desc()).limit(5)
        ).all()
    return next(r.payload for r in rows if r.payload and r.payload["kind"] in ("ask", "reask"))


def test_an_ordinary_answer_by_text_runs_a_bounded_number_of_statements(
    srt: Runtime, sms_client: FlaskClient
) -> None:
    make_participant(srt, variant="standard")
    assert post_sms(sms_client, PHONE, "hi", "SM-start")[0] == 200
    counts: Counter[str] = Counter()
    engine = srt.db.engine

    def on_statement(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        word = statement.lstrip().split(None, 1)[0].upper()
        if word not in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE") and not consent_insert(
            statement
        ):
            counts["statements"] += 1

    def on_commit(conn):  # type: ignore[no-untyped-def]
        counts["commits"] += 1

    def consent_insert(statement: str) -> bool:
        return statement.lstrip().upper().startswith("INSERT INTO CONSENT")

    per_turn: list[tuple[int, int]] = []
    for turn in range(7):
        question = _question(srt)
        counts.clear()
        event.listen(engine, "before_cursor_execute", on_statement)
        event.listen(engine, "commit", on_commit)
        try:
            status, twiml = post_sms(sms_client, PHONE, ANSWERS[question["answer_type"]], f"SM-{turn}")
        finally:
            event.remove(engine, "before_cursor_execute", on_statement)
            event.remove(engine, "commit", on_commit)
        assert status == 200 and "<Message>" in twiml
        per_turn.append((counts["statements"], counts["commits"]))
    with srt.db.reading() as session:
        assert session.scalars(select(Conversation)).one().status == "active"
    print("statements, commits per turn:", per_turn)
    first, *rest = per_turn
    assert first[0] <= MAX_STATEMENTS + 1, per_turn  # this worker's first resume loads the flow copy
    assert max(s for s, _ in rest) <= MAX_STATEMENTS, per_turn
    assert max(c for _, c in per_turn) <= MAX_COMMITS, per_turn
