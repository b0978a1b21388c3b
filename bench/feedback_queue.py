"""Feedback queueing: draft and queue "you said, we did" for 10,000 participants.

One review with 10,000 SMS participants (phone numbers encrypted as the app
stores them, all asked to hear back), about 5 answers each, and three
council actions (two linked to themes, one headline). Then, with the feedback
services as the council pages call them: ``drafting.draft_review`` (one
message per person, in their language and wording), ``sending.approve`` and
``sending.queue_approved``. Sending itself (Twilio) is not timed.

Baseline, measured in the same run: inserting 10,000 already-written
``feedback_message`` rows, queued, with plain SQL in one transaction.

    .venv/bin/python -m bench.feedback_queue [--people 10000] [--backends postgresql,sqlite] [--runs 3]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet

from bench.common import PG_SERVER_URL, machine, median, save, table
from bench.servers import ensure_postgres, pg_database, sqlite_database

TARGET_S = 10.0
NODES = [
    ("listened", "voice_of_person", "scale", "4"),
    ("strengths", "strengths", "scale", "3"),
    ("outcomes", "outcomes", "scale", "2"),
    ("waiting", "timeliness", "choice", "a_few_weeks"),
    ("better", "other", "free_text", "Ring back when you say you will"),
]


def seed(url: str, people: int) -> tuple[Any, int]:
    """The review, its people and their answers, and the council's actions; returns (rt, review id)."""
    import sqlalchemy as sa

    from app import create_app
    from app.migrate import upgrade
    from app.models import AuditRecord, Conversation, FlowVersion, Participant, Response
    from app.services.feedback.actions import NewAction, add_action
    from app.services.participants import create_review

    upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "HEARD_DATA_KEY": Fernet.generate_key().decode(),
            "PUBLIC_BASE_URL": "http://127.0.0.1",
            "HEARD_SANDBOX": False,
        }
    )
    rt = app.extensions["heard_runtime"]
    now = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    with rt.db.writing() as session:
        review = create_review(session, "Benchshire Council", "Strengths-based practice")
        refs = people // 3 + 1
        session.execute(
            sa.insert(AuditRecord),
            [{"review_id": review.id, "audit_ref": f"A{i}", "created_at": now} for i in range(1, refs + 1)],
        )
        record_ids = session.scalars(
            sa.select(AuditRecord.id).where(AuditRecord.review_id == review.id).order_by(AuditRecord.id)
        ).all()
        fv = FlowVersion(
            flow_id="practice_review_experience",
            version=1,
            sha256=secrets.token_hex(32),
            source="(bench)",
            created_at=now,
        )
        session.add(fv)
        session.flush()
        rows = []
        for i in range(people):
            number = f"+4477009{i:05d}"
            rows.append(
                {
                    "review_id": review.id,
                    "audit_record_id": record_ids[i // 3],
                    "first_name": f"P{i}",
                    "role": ("person", "relative", "carer")[i % 3],
                    "channel": "sms",
                    "language": "cy" if i % 5 == 4 else "en",
                    "variant": ("standard", "easy_read")[i % 2],
                    "communication_needs": [],
                    "chat_token": secrets.token_urlsafe(18),
                    "phone_encrypted": rt.crypto.encrypt(number),
                    "phone_lookup": rt.crypto.lookup(number),
                    "hear_back": True,
                    "hear_back_channel": "text",
                    "created_at": now,
                }
            )
        session.execute(sa.insert(Participant), rows)
        ids = session.scalars(
            sa.select(Participant.id).where(Participant.review_id == review.id).order_by(Participant.id)
        ).all()
        session.execute(
            sa.insert(Conversation),
            [
                {
                    "participant_id": pid,
                    "flow_version_id": fv.id,
                    "channel": "sms",
                    "status": "completed",
                    "state": {},
                    "started_at": now,
                    "updated_at": now,
                }
                for pid in ids
            ],
        )
        conv = dict(
            session.execute(
                sa.select(Conversation.participant_id, Conversation.id)
                .join(Participant)
                .where(Participant.review_id == review.id)
            ).all()
        )
        records = dict(
            session.execute(
                sa.select(Participant.id, Participant.audit_record_id).where(
                    Participant.review_id == review.id
                )
            ).all()
        )
        session.execute(
            sa.insert(Response),
            [
                {
                    "conversation_id": conv[pid],
                    "participant_id": pid,
                    "review_id": review.id,
                    "audit_record_id": records[pid],
                    "node": node,
                    "theme": theme,
                    "answer_type": kind,
                    "raw_text": value,
                    "value": value,
                    "skipped": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for pid in ids
                for node, theme, kind, value in NODES
            ],
        )
        add_action(
            session,
            NewAction(
                review.id,
                "People said social workers didn't ring back.",
                "We now call back within two working days.",
                "done",
                themes=["timeliness"],
            ),
            now,
        )
        add_action(
            session,
            NewAction(
                review.id,
                "People said they weren't always listened to.",
                "We train every social worker in strengths-based conversations.",
                "in_progress",
                themes=["voice_of_person"],
            ),
            now,
        )
        add_action(
            session,
            NewAction(
                review.id,
                "People wanted to hear what changed.",
                "We will write to everyone who took part.",
                "planned",
                headline=True,
            ),
            now,
        )
        review_id = review.id
    return rt, review_id


def draft_and_queue(rt: Any, review_id: int, new_round: bool) -> dict[str, Any]:
    from app.services.feedback.drafting import draft_review
    from app.services.feedback.sending import approve, queue_approved

    began = time.perf_counter()
    lines = draft_review(rt, review_id, new_round=new_round)
    drafted = time.perf_counter()
    approved, refused = approve(rt, review_id, "bench@council")
    queued = queue_approved(rt, review_id)
    done = time.perf_counter()
    return {
        "s": done - began,
        "draft_s": drafted - began,
        "approve_queue_s": done - drafted,
        "drafted": sum(1 for line in lines if line.status == "drafted"),
        "approved": approved,
        "refused": len(refused),
        "queued": queued,
    }


def baseline(rt: Any, review_id: int, round_: int) -> float:
    """10,000 ready-made, queued rows with plain SQL in one transaction.

    Into a second, empty review (same people), so the real review's rounds are untouched.
    """
    import sqlalchemy as sa

    from app.services.participants import create_review

    with rt.db.writing() as session:
        ids = session.scalars(
            sa.text("SELECT id FROM participant WHERE review_id = :r ORDER BY id"), {"r": review_id}
        ).all()
        review_id = create_review(session, "Baseline Council", "Plain SQL").id
    now = datetime.now(UTC)
    rows = [
        {
            "review_id": review_id,
            "round": round_,
            "participant_id": pid,
            "token": secrets.token_urlsafe(12),
            "body": "Hello. You told us about your social worker. Here is what we did: ...",
            "now": now,
        }
        for pid in ids
    ]
    statement = sa.text(
        "INSERT INTO feedback_message (review_id, round, participant_id, token, channel, language, variant, "
        "basis, action_ids, body, blocks, problems, status, attempts, created_at, updated_at) VALUES "
        "(:review_id, :round, :participant_id, :token, 'sms', 'en', 'standard', 'headline', '[]', :body, "
        "'[]', '[]', 'queued', 0, :now, :now)"
    )
    began = time.perf_counter()
    with rt.db.engine.begin() as conn:
        conn.execute(statement, rows)
    return time.perf_counter() - began


def bench_backend(backend: str, url: str, people: int, runs: int) -> dict[str, Any]:
    began = time.perf_counter()
    rt, review_id = seed(url, people)
    print(f"[{backend}] seeded {people} participants in {time.perf_counter() - began:.0f}s", flush=True)
    results = []
    for run in range(runs):  # each run is a new round: every message drafted afresh
        result = draft_and_queue(rt, review_id, new_round=run > 0)
        result["baseline_s"] = baseline(rt, review_id, 1000 + run)
        results.append(result)
        print(
            f"[{backend}] run {run + 1}: draft {result['draft_s']:.1f}s + approve/queue "
            f"{result['approve_queue_s']:.1f}s = {result['s']:.1f}s for {result['queued']} queued "
            f"(plain SQL {result['baseline_s']:.2f}s)",
            flush=True,
        )
    rt.db.dispose()
    return {
        "s": median(r["s"] for r in results),
        "draft_s": median(r["draft_s"] for r in results),
        "approve_queue_s": median(r["approve_queue_s"] for r in results),
        "baseline_s": median(r["baseline_s"] for r in results),
        "runs": results,
        "queued": results[-1]["queued"],
        "met": median(r["s"] for r in results) < TARGET_S,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    out: dict[str, Any] = {"people": args.people, "target_s": TARGET_S, "backends": {}}
    for backend in args.backends.split(","):
        if backend == "postgresql" and not ensure_postgres():
            out["backends"][backend] = {"skipped": f"no PostgreSQL at {PG_SERVER_URL}"}
            continue
        database = sqlite_database() if backend == "sqlite" else pg_database("feedback")
        with database as url:
            out["backends"][backend] = bench_backend(backend, url, args.people, args.runs)
    rows = [
        (
            b,
            r["queued"],
            r["draft_s"],
            r["approve_queue_s"],
            r["s"],
            r["baseline_s"],
            r["s"] / r["baseline_s"],
            f"< {TARGET_S:.0f}",
            "met" if r["met"] else "MISSED",
        )
        for b, r in out["backends"].items()
        if "s" in r
    ]
    print(f"\nFeedback: draft and queue for {args.people:,} participants, median of {args.runs} runs")
    print(
        table(
            [
                "database",
                "queued",
                "draft s",
                "approve+queue s",
                "total s",
                "plain SQL s",
                "x plain SQL",
                "target s",
                "",
            ],
            rows,
        )
    )
    out["machine"] = machine()
    save("feedback", out)
    return out


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
