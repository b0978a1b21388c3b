"""PSW dashboard at national scale, on PostgreSQL.

Generates a national dataset straight into the real schema (a new database,
migrated with app.migrate.upgrade, filled with COPY through psycopg):
153 councils, one review a year each for 5 years, 20 audit refs a review (each
rated on the West Midlands tool's 12 questions), 3 participants an audit ref
(the person, a relative, a carer) and about 12 answers each from the shipped
flow: about 550,000 responses. ``--stress`` makes it five times larger (25
yearly reviews a council: 2.75 million responses), the shape of each review
unchanged.

Then it times, with the audit services as the dashboard calls them:

* the review dashboard: ``review_report.build_report`` for one review;
* the triangulation of one audit ref: ``triangulation.triangulate(...).cells_of(ref)``;
* the national theme roll-up: ``region.regional_themes`` over every review.

Baselines, measured in the same run: one plain SQL aggregate over the same
rows (one review's answers by theme; the whole country's answers by theme),
the least a database-backed page could do.

    .venv/bin/python -m bench.dashboard_scale [--stress] [--runs 5] [--keep]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import secrets
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import PG_SERVER_URL, ROOT, machine, median, save, table
from bench.servers import ensure_postgres, pg_database

COUNCILS = 153
YEARS = 5
REFS = 20
ROLES = ("person", "relative", "carer")
ANSWERS = 12
TARGETS_MS = {"dashboard": 150.0, "rollup": 2000.0, "rollup_stress": 5000.0}

FREE_TEXT = [
    "Being able to stay in my own home",
    "She listened and sorted out my care quickly",
    "Nobody rang me back for weeks",
    "My family being involved in decisions",
    "They were kind but always in a rush",
    "Getting out to see my friends",
    "I felt nobody really listened to me",
    "The social worker helped me get the right support",
    "Waiting so long for an assessment was hard",
    "Keeping my independence",
]


def _flow_nodes() -> list[tuple[str, str | None, str, tuple[str, ...]]]:
    """The shipped flow's questions: (node, theme, answer type, choice keys)."""
    from app.engine import load_flow

    flow = load_flow(ROOT / "flows" / "practice_review_experience.yaml")
    return [
        (n.id, n.theme, n.answer_type or "free_text", tuple(o.key for o in n.options))
        for n in flow.nodes.values()
        if n.kind == "ask"
    ]


def _value(rng: random.Random, answer_type: str, keys: tuple[str, ...]) -> tuple[str, str, float | None]:
    if answer_type == "scale":
        v = str(rng.choices("12345", weights=(1, 2, 3, 4, 3))[0])
        return v, v, None
    if answer_type == "yes_no":
        v = rng.choice(("yes", "yes", "no"))
        return v, v, None
    if answer_type == "choice":
        v = rng.choice(keys) if keys else "1"
        return v, v, None
    text = rng.choice(FREE_TEXT)
    return text, text, round(rng.uniform(-0.8, 0.9), 3)


class Copier:
    """Rows for one table, streamed with COPY ... FROM STDIN (text format)."""

    def __init__(self, conn: Any, table_name: str, columns: list[str], everyone: list[Copier]) -> None:
        self.conn, self.table_name, self.columns = conn, table_name, columns
        self.buffer = io.StringIO()
        self.count = 0
        self.everyone = everyone  # flushed together, parents first, so foreign keys hold
        everyone.append(self)

    def add(self, *values: Any) -> None:
        self.buffer.write("\t".join(_copy_text(v) for v in values))
        self.buffer.write("\n")
        self.count += 1
        if self.buffer.tell() > 8_000_000:
            for copier in self.everyone:
                copier.flush()

    def flush(self) -> None:
        data = self.buffer.getvalue()
        if data:
            with (
                self.conn.cursor() as cur,
                cur.copy(f"COPY {self.table_name} ({', '.join(self.columns)}) FROM STDIN") as copy,
            ):
                copy.write(data)
        self.buffer = io.StringIO()


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def generate(url: str, years: int, seed: int = 7) -> dict[str, int]:
    """The national dataset, with ids assigned here (then the sequences moved past them)."""
    import psycopg

    rng = random.Random(seed)
    nodes = _flow_nodes()
    ratings = ("outstanding", "good", "good", "requires_improvement", "requires_improvement", "inadequate")
    flow_text = (ROOT / "flows" / "practice_review_experience.yaml").read_text()
    now = datetime(2026, 11, 1, tzinfo=UTC)
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    counts: dict[str, int] = {}
    with psycopg.connect(conninfo) as conn:
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO flow_version (id, flow_id, version, sha256, source, created_at) "
                "VALUES (1, 'practice_review_experience', 1, %s, %s, %s)",
                (secrets.token_hex(32), flow_text, now),
            )
        copiers: list[Copier] = []

        def make(name: str, columns: list[str]) -> Copier:
            return Copier(conn, name, columns, copiers)

        council = make("council", ["id", "name", "created_at"])
        review = make(
            "review",
            [
                "id",
                "council_id",
                "theme",
                "starts_on",
                "ends_on",
                "audit_tool",
                "flow_id",
                "status",
                "created_at",
            ],
        )
        record = make("audit_record", ["id", "review_id", "audit_ref", "category", "created_at"])
        assessment = make(
            "audit_assessment",
            ["id", "review_id", "audit_record_id", "reviewer", "overall", "imported_at"],
        )
        rating = make("audit_rating", ["assessment_id", "question", "rating"])
        participant = make(
            "participant",
            [
                "id",
                "review_id",
                "audit_record_id",
                "first_name",
                "role",
                "channel",
                "language",
                "variant",
                "communication_needs",
                "chat_token",
                "hear_back",
                "created_at",
            ],
        )
        conversation = make(
            "conversation",
            [
                "id",
                "participant_id",
                "flow_version_id",
                "channel",
                "status",
                "state",
                "started_at",
                "updated_at",
                "ended_at",
            ],
        )
        consent = make(
            "consent",
            [
                "participant_id",
                "scope",
                "given",
                "given_by",
                "proxy_role",
                "channel",
                "flow_id",
                "flow_version",
                "recorded_at",
            ],
        )
        response = make(
            "response",
            [
                "conversation_id",
                "participant_id",
                "review_id",
                "audit_record_id",
                "node",
                "theme",
                "answer_type",
                "raw_text",
                "value",
                "skipped",
                "sentiment",
                "created_at",
                "updated_at",
            ],
        )
        review_id = record_id = person_id = 0
        for c in range(1, COUNCILS + 1):
            council.add(c, f"Council {c:03d}", now)
            for year in range(years):
                review_id += 1
                starts = date(2021 + year % 5, 1 + (c % 12), 1)
                review.add(
                    review_id,
                    c,
                    "Strengths-based practice",
                    starts,
                    starts + timedelta(days=90),
                    "wm12",
                    "practice_review_experience",
                    "closed",
                    now,
                )
                for ref in range(1, REFS + 1):
                    record_id += 1
                    record.add(record_id, review_id, f"{'AB'[ref % 2]}{ref}", "long-term support", now)
                    assessment.add(record_id, review_id, record_id, "PSW", rng.choice(ratings), now)
                    for q in range(1, 13):
                        rating.add(record_id, f"q{q}", rng.choice(ratings) if rng.random() > 0.05 else None)
                    for role in ROLES:
                        person_id += 1
                        participant.add(
                            person_id,
                            review_id,
                            record_id,
                            f"P{person_id}",
                            role,
                            "sms",
                            "en",
                            "standard",
                            "[]",
                            secrets.token_urlsafe(18),
                            True,
                            now,
                        )
                        conversation.add(person_id, person_id, 1, "sms", "completed", "{}", now, now, now)
                        quotes = rng.random() < 0.6
                        given_by, proxy = ("person", None) if role == "person" else ("proxy", role)
                        consent.add(
                            person_id,
                            "taking_part",
                            True,
                            given_by,
                            proxy,
                            "sms",
                            "practice_review_experience",
                            1,
                            now,
                        )
                        consent.add(
                            person_id,
                            "quotes",
                            quotes,
                            given_by,
                            proxy,
                            "sms",
                            "practice_review_experience",
                            1,
                            now,
                        )
                        answered = sorted(rng.sample(range(len(nodes)), min(ANSWERS, len(nodes))))
                        for i in answered:
                            node, theme, answer_type, keys = nodes[i]
                            raw, value, sentiment = _value(rng, answer_type, keys)
                            response.add(
                                person_id,
                                person_id,
                                review_id,
                                record_id,
                                node,
                                theme,
                                answer_type,
                                raw,
                                value,
                                False,
                                sentiment,
                                now,
                                now,
                            )
        for copier in (
            council,
            review,
            record,
            assessment,
            rating,
            participant,
            conversation,
            consent,
            response,
        ):
            copier.flush()
            counts[copier.table_name] = copier.count
        with conn.cursor() as cur:
            for name in (
                "council",
                "review",
                "audit_record",
                "audit_assessment",
                "audit_rating",
                "participant",
                "conversation",
                "consent",
                "response",
                "flow_version",
            ):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {name}))"
                )
        conn.commit()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    return counts


def _time(fn, runs: int, warm: bool = True) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    if warm:
        fn()  # warm: imports, tool files, the server's caches
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return median(times), times


def measure(url: str, runs: int, rollup_runs: int) -> dict[str, Any]:
    import sqlalchemy as sa

    from app.db import Database
    from app.services.region import regional_themes
    from app.services.review_report import build_report
    from app.services.triangulation import triangulate

    db = Database(url)
    with db.reading() as session:
        review_ids = session.scalars(sa.text("SELECT id FROM review ORDER BY id")).all()
    review_id = review_ids[len(review_ids) // 2]  # one in the middle of the country
    ref = "A10"

    def dashboard() -> object:
        with db.reading() as session:
            return build_report(session, review_id)

    def one_ref() -> object:
        with db.reading() as session:
            return triangulate(session, review_id).cells_of(ref)

    def rollup() -> object:
        with db.reading() as session:
            return regional_themes(session)

    review_sql = sa.text(
        "SELECT r.theme, count(*), avg(CASE WHEN r.answer_type = 'scale' THEN r.value::int END) "
        "FROM response r JOIN participant p ON p.id = r.participant_id "
        "WHERE r.review_id = :review AND r.theme IS NOT NULL AND NOT r.skipped AND p.withdrawn_at IS NULL "
        "GROUP BY r.theme"
    )
    ref_sql = sa.text(
        "SELECT r.theme, p.role, r.answer_type, r.value FROM response r "
        "JOIN participant p ON p.id = r.participant_id JOIN audit_record a ON a.id = r.audit_record_id "
        "WHERE r.review_id = :review AND a.audit_ref = :ref AND r.theme IS NOT NULL"
    )
    national_sql = sa.text(
        "SELECT r.theme, count(*), avg(CASE WHEN r.answer_type = 'scale' THEN r.value::int END) "
        "FROM response r JOIN participant p ON p.id = r.participant_id "
        "WHERE r.theme IS NOT NULL AND NOT r.skipped AND p.withdrawn_at IS NULL GROUP BY r.theme"
    )

    def plain(statement, **params):  # type: ignore[no-untyped-def]
        def run() -> object:
            with db.engine.connect() as conn:
                return conn.execute(statement, params).all()

        return run

    out: dict[str, Any] = {"review_id": review_id, "audit_ref": ref, "reviews": len(review_ids)}
    for name, fn, baseline, n in (
        ("dashboard", dashboard, plain(review_sql, review=review_id), runs),
        ("one_audit_ref", one_ref, plain(ref_sql, review=review_id, ref=ref), runs),
        ("rollup", rollup, plain(national_sql), rollup_runs),
    ):
        if n == 0:
            out[name] = None
            print(f"  {name}: not timed (--rollup-runs 0)", flush=True)
            continue
        # The roll-up is not warmed separately: the dashboard runs before it warmed the same code.
        ms, times = _time(fn, n, warm=name != "rollup")
        base_ms, base_times = _time(baseline, n)
        out[name] = {
            "ms": ms,
            "runs_ms": times,
            "baseline_ms": base_ms,
            "baseline_runs_ms": base_times,
            "ratio": ms / base_ms,
        }
        print(f"  {name}: {ms:.1f} ms (plain SQL {base_ms:.1f} ms)", flush=True)
    out["dashboard_queries"] = _count_queries(db, dashboard)
    out["review_queries"] = _count_queries(db, one_ref)
    out["components_ms"] = _components(db, review_id)
    db.dispose()
    return out


def _components(db, review_id: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Where the dashboard's time goes: each part build_report calls, timed alone (median of 5)."""
    from app.services import review_report as rr

    parts = {
        "summarise (audit counts)": lambda s: rr.summarise(s, review_id),
        "triangulate": lambda s: rr.triangulate(s, review_id),
        "numbers_of": lambda s: rr.numbers_of(s, review_id),
    }
    out: dict[str, float] = {}
    for name, part in parts.items():

        def run(part=part):  # type: ignore[no-untyped-def]
            with db.reading() as session:
                return part(session)

        out[name], _ = _time(run, 5)
    with db.reading() as session:
        summary, tool = rr.summarise(session, review_id), rr.load_tool("wm12")
        result = rr.triangulate(session, review_id)
    out["charts_for (matplotlib SVGs)"], _ = _time(lambda: rr.charts_for(summary, tool, result), 5)
    return out


def _count_queries(db, fn) -> int:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    count = [0]

    def listener(*_a: object) -> None:
        count[0] += 1

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return count[0]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stress", action="store_true", help="five times the reviews (25 a council)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rollup-runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    variant = "stress" if args.stress else "national"
    if not ensure_postgres():
        result = {"variant": variant, "skipped": f"no PostgreSQL at {PG_SERVER_URL}"}
        save(f"dashboard_{variant}", result)
        print(result["skipped"])
        return result
    from app.migrate import upgrade

    years = YEARS * (5 if args.stress else 1)
    with pg_database(variant, keep=args.keep) as url:
        upgrade(url)
        began = time.perf_counter()
        counts = generate(url, years)
        generated_s = time.perf_counter() - began
        print(f"[{variant}] generated {json.dumps(counts)} in {generated_s:.0f}s", flush=True)
        timings = measure(url, args.runs, args.rollup_runs)
    rollup_target = TARGETS_MS["rollup_stress" if args.stress else "rollup"]
    rollup = timings["rollup"] or {"ms": None, "baseline_ms": None, "ratio": None}
    result = {
        "variant": variant,
        "counts": counts,
        "generate_s": generated_s,
        **timings,
        "targets_ms": {"dashboard": TARGETS_MS["dashboard"], "rollup": rollup_target},
        "dashboard_met": timings["dashboard"]["ms"] < TARGETS_MS["dashboard"],
        "rollup_met": None if rollup["ms"] is None else rollup["ms"] < rollup_target,
        "machine": machine(),
    }
    rows = [
        (
            "review dashboard (build_report)",
            timings["dashboard"]["ms"],
            timings["dashboard"]["baseline_ms"],
            timings["dashboard"]["ratio"],
            f"< {TARGETS_MS['dashboard']:.0f}",
            result["dashboard_met"],
        ),
        (
            f"triangulation of {timings['audit_ref']} (triangulate + cells_of)",
            timings["one_audit_ref"]["ms"],
            timings["one_audit_ref"]["baseline_ms"],
            timings["one_audit_ref"]["ratio"],
            "-",
            "-",
        ),
        (
            f"national roll-up (regional_themes, {timings['reviews']} reviews)",
            rollup["ms"],
            rollup["baseline_ms"],
            rollup["ratio"],
            f"< {rollup_target:.0f}",
            result["rollup_met"],
        ),
    ]
    print(
        f"\nPSW dashboard, {variant} dataset ({counts['response']:,} responses), PostgreSQL, "
        f"median of {args.runs} runs ({args.rollup_runs} for the roll-up)"
    )
    print(table(["what", "ms", "plain SQL ms", "x plain SQL", "target ms", "met"], rows))
    print(
        f"SQL statements: dashboard {timings['dashboard_queries']}, one review's triangulation "
        f"{timings['review_queries']} (the roll-up runs it once per review: x{timings['reviews']})"
    )
    print(table(["dashboard part (alone)", "ms"], list(timings["components_ms"].items())))
    save(f"dashboard_{variant}", result)
    return result


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
