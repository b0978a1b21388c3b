"""SMS turn under load: the real app under gunicorn, signed Twilio webhooks, many participants.

For each database (SQLite in WAL mode, PostgreSQL) this makes a new database,
migrates it, seeds participants with phone numbers, and starts three gunicorn
servers with the Procfile's options (workers, threads) on free ports of
127.0.0.1:

* the real app (``app:create_app()``), ``POST /webhooks/twilio/sms``;
* the *minimal durable turn* (bench/baseline_app.py ``/durable``) on the same database;
* the bare Flask *ceiling* (``/ceiling``), constant TwiML.

At 1, 8 and 32 concurrent senders, each run posts to the three in turn (so
all three see the same machine), and every figure is the median over the
runs. Then, if a target is missed, one turn is profiled in-process (one
worker's view: cProfile, time per phase, SQL statements per turn).

    .venv/bin/python -m bench.sms_load [--backends sqlite,postgresql] [--runs 3] [--seconds 5]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import Counter, defaultdict
from contextlib import ExitStack, contextmanager
from typing import Any

from cryptography.fernet import Fernet

from bench.common import PG_SERVER_URL, machine, median, save, table
from bench.loadgen import SCRIPT, Endpoint, Participants, run_load
from bench.servers import Gunicorn, ensure_postgres, pg_database, procfile_web_args, sqlite_database

AUTH_TOKEN = "bench-auth-token-" + "0" * 16
TARGET_RATIO = 0.5
TARGET_P99_MS = 50.0
SMS_PATH = "/webhooks/twilio/sms"


def phone(i: int) -> str:
    return f"+4477009{i:05d}"


def seed(url: str, data_key: str, count: int) -> None:
    """``count`` SMS participants, three to an audit ref, in one review."""
    from app.migrate import upgrade
    from app.models import Consent
    from app.services.crypto import Crypto
    from app.services.participants import NewParticipant, add_participant, create_review

    upgrade(url)
    from app.db import Database

    db = Database(url)
    crypto = Crypto([data_key])
    with db.writing() as session:
        review = create_review(
            session, "Benchshire Council", "Strengths-based practice", "practice_review_experience"
        )
        for i in range(count):
            participant = add_participant(
                session,
                crypto,
                NewParticipant(
                    review_id=review.id,
                    audit_ref=f"A{i // 3 + 1}",
                    first_name=f"P{i}",
                    role=("person", "relative", "carer")[i % 3],
                    channel="sms",
                    variant=("standard", "easy_read")[i % 2],
                    language="cy" if i % 5 == 4 else "en",
                    phone=phone(i),
                ),
            )
            session.add(
                Consent(participant_id=participant.id, scope="contact", given=True, channel="coordinator")
            )
    db.dispose()


def app_env(url: str, data_key: str, port: int) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "HEARD_DATA_KEY": data_key,
        "SECRET_KEY": "bench-secret",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "HEARD_ENV": "development",
        "HEARD_SANDBOX": "0",
    }


def _median_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("rps", "p50_ms", "p95_ms", "p99_ms", "max_ms")
    out = {
        k: median(r[k] for r in runs if r[k] is not None) if any(r[k] is not None for r in runs) else None
        for k in keys
    }
    out["ok"] = sum(r["ok"] for r in runs)
    errors: Counter[str] = Counter()
    for r in runs:
        errors.update(r["errors"])
    out["errors"] = dict(errors)
    out["exhausted"] = any(r["exhausted"] for r in runs)
    out["runs"] = runs
    return out


def bench_backend(backend: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    data_key = Fernet.generate_key().decode()
    began = time.perf_counter()
    total = args.participants + WARM_PEOPLE + 2 * args.profile_turns // len(SCRIPT) + 2
    seed(url, data_key, total)
    print(f"[{backend}] seeded {total} participants in {time.perf_counter() - began:.1f}s", flush=True)
    phones = [phone(i) for i in range(args.participants)]
    turn_people = Participants(phones, active=ACTIVE)
    # The baselines read nobody's state: any phones will do, and they never run out.
    baseline_people = Participants(phones * 50, active=ACTIVE)
    levels: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    with ExitStack() as stack:
        real = stack.enter_context(_server("app:create_app()", url, data_key, f"{backend}-app"))
        durable = stack.enter_context(
            _server("bench.baseline_app:create_baseline_app()", url, data_key, f"{backend}-durable")
        )
        ceiling = stack.enter_context(
            _server("bench.baseline_app:create_baseline_app()", "", data_key, f"{backend}-ceiling")
        )
        cold = _cold_and_warm(backend, real, args, turn_people)
        targets = {
            "turn": (Endpoint("127.0.0.1", real.port, SMS_PATH, AUTH_TOKEN), turn_people),
            "durable": (Endpoint("127.0.0.1", durable.port, "/durable", AUTH_TOKEN), baseline_people),
            "ceiling": (Endpoint("127.0.0.1", ceiling.port, "/ceiling", AUTH_TOKEN), baseline_people),
        }
        for concurrency in args.levels:
            for run in range(args.runs):
                for name, (endpoint, people) in targets.items():
                    result = run_load(endpoint, people, concurrency, args.warmup, args.seconds).summary()
                    levels[concurrency][name].append(result)
                    print(
                        f"[{backend}] c={concurrency:<2} run {run + 1}/{args.runs} {name:<8} "
                        f"{result['rps']:7.0f} req/s  p50 {_ms(result['p50_ms'])}  "
                        f"p99 {_ms(result['p99_ms'])}  errors {result['errors'] or 0}",
                        flush=True,
                    )
    summary = {c: {name: _median_summary(runs) for name, runs in per.items()} for c, per in levels.items()}
    stored = _count_stored(url)
    return {"levels": summary, "stored": stored, "data_key": data_key, "cold": cold}


WARM_PEOPLE = 200
ACTIVE = 120  # conversations under way at once (more than the most senders, so none has two texts in flight)


def _cold_and_warm(
    backend: str, server: Gunicorn, args: argparse.Namespace, people: Participants
) -> dict[str, Any]:
    """The first turn a fresh worker serves (cold), then enough turns that every worker is warm,
    then the conversations to measure brought to evenly spread steps (Participants.prefill)."""
    import asyncio

    from bench.loadgen import _read_response

    endpoint = Endpoint("127.0.0.1", server.port, SMS_PATH, AUTH_TOKEN)

    async def first() -> float:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        began = time.perf_counter()
        writer.write(endpoint.request(phone(args.participants), SCRIPT[0]))
        await _read_response(reader)
        writer.close()
        return (time.perf_counter() - began) * 1000

    cold_ms = asyncio.run(first())
    warm_phones = [phone(i) for i in range(args.participants + 1, args.participants + WARM_PEOPLE)]
    warm = run_load(endpoint, Participants(warm_phones, active=40), 8, 0.0, args.warm_seconds).summary()
    prefill = run_load(endpoint, people.prefill(), 8, warmup=0.0, seconds=300).summary()
    print(
        f"[{backend}] cold first turn {cold_ms:.0f} ms; warm-up {warm['ok']} turns at 8 senders "
        f"(slowest {_ms(warm['max_ms'])}), then {prefill['ok']} to spread the conversations' steps",
        flush=True,
    )
    return {"first_turn_ms": cold_ms, "warmup_turns": warm["ok"], "warmup_max_ms": warm["max_ms"]}


@contextmanager
def _server(spec: str, url: str, data_key: str, log_name: str):  # type: ignore[no-untyped-def]
    server = Gunicorn(spec, env={}, log_name=log_name)
    server.env.update(app_env(url, data_key, server.port))
    if not url:
        server.env.pop("DATABASE_URL", None)
    with server:
        yield server


def _ms(value: float | None) -> str:
    return "   -   " if value is None else f"{value:6.1f}ms"


def _count_stored(url: str) -> dict[str, Any]:
    """What the real turns left in the database: a check that they did the work."""
    import sqlalchemy as sa

    from app.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT direction, status, count(*) FROM message WHERE participant_id IS NOT NULL "
                "GROUP BY direction, status ORDER BY 1, 2"
            )
        ).all()
        responses = conn.execute(sa.text("SELECT count(*) FROM response")).scalar_one()
        conversations = conn.execute(
            sa.text("SELECT status, count(*) FROM conversation GROUP BY status ORDER BY 1")
        ).all()
    engine.dispose()
    return {
        "messages": {f"{d}/{s}": n for d, s, n in rows},
        "responses": responses,
        "conversations": {s: n for s, n in conversations},
    }


# --- the profile ------------------------------------------------------------------------


PHASES = [
    ("signature check", "app.web.webhooks", "_require_signature"),
    ("receive_text: look-ups before the turn", None, None),  # the rest of receive_text's own time
    ("store_inbound (tx 1)", "app.services.turns", "store_inbound"),
    ("run_turn: turn (tx 2)", "app.services.turns", "_turn_transaction"),
    ("engine (start/resume)", None, None),
    ("invitation replied (tx 3)", "app.services.texting", "_note_reply"),
    ("TwiML", "app.channels.sms", "twiml"),
]


def profile_turns(backend: str, url: str, data_key: str, first: int, count: int) -> dict[str, Any]:
    """One worker's view of ``count`` turns: time per phase, SQL per turn, and the hot functions."""
    import sqlalchemy as sa

    from app import create_app
    from app.services import texting, turns
    from app.web import webhooks

    app = create_app({**app_env(url, data_key, 80), "PUBLIC_BASE_URL": "http://localhost", "TESTING": False})
    engine = app.extensions["heard_runtime"].db.engine
    client = app.test_client()
    endpoint = Endpoint("localhost", 80, SMS_PATH, AUTH_TOKEN)
    spent: dict[str, float] = defaultdict(float)
    statements: Counter[str] = Counter()
    transactions = [0]
    capture: list[str] | None = None

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        word = statement.lstrip().split(None, 1)[0].upper()
        statements[word] += 1
        if capture is not None:
            capture.append(" ".join(statement.split())[:150])

    @sa.event.listens_for(engine, "commit")
    def _commit(conn):  # type: ignore[no-untyped-def]
        transactions[0] += 1

    def timing(label: str, fn):  # type: ignore[no-untyped-def]
        def wrapper(*a, **k):  # type: ignore[no-untyped-def]
            began = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[label] += time.perf_counter() - began

        return wrapper

    # (module, the names it has had, phase): the code under test moves; wrap what is there.
    patches = [
        (webhooks, ("require_signature", "_require_signature"), "signature check"),
        (webhooks, ("receive_text",), "receive_text (all)"),
        (texting, ("run_turn",), "run_turn (all)"),
        (turns, ("store_inbound",), "store_inbound (tx 1)"),
        (texting, ("_note_reply",), "invitation replied (tx 3)"),
        (turns, ("resume",), "engine (start/resume)"),
        (turns, ("start",), "engine (start/resume)"),
        (webhooks.sms_channel, ("twiml",), "TwiML"),
    ]
    originals: dict[tuple[Any, str], Any] = {}
    missing: list[str] = []
    for module, names, label in patches:
        name = next((n for n in names if hasattr(module, n)), None)
        if name is None:
            missing.append(f"{module.__name__}.{names[0]}")
            continue
        originals[(module, name)] = getattr(module, name)
        setattr(module, name, timing(label, getattr(module, name)))

    def post(who: str, text: str) -> None:
        head, _, body = endpoint.request(who, text).partition(b"\r\n\r\n")
        signature = next(h.split(b": ", 1)[1] for h in head.split(b"\r\n") if h.startswith(b"X-Twilio"))
        response = client.post(
            SMS_PATH,
            data=body,
            headers={
                "X-Twilio-Signature": signature.decode(),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        assert response.status_code == 200, response.status_code

    # Two groups of people, each through the whole script in order: the first timed by phase
    # (no profiler: its overhead would distort the phases), the second under cProfile.
    per_group = count // len(SCRIPT) + 1
    timed_people = [phone(i) for i in range(first, first + per_group)]
    profiled_people = [phone(i) for i in range(first + per_group, first + 2 * per_group)]
    profiler = cProfile.Profile()
    try:
        post(phone(first + 2 * per_group), SCRIPT[0])  # warm: flow parsed, imports done
        post(phone(first + 2 * per_group), SCRIPT[4])
        spent.clear()
        statements.clear()
        transactions[0] = 0
        began = time.perf_counter()
        for n, text in enumerate(SCRIPT):
            for k, who in enumerate(timed_people):
                if n == 3 and k == 0:  # one answer to a scale question, mid-conversation
                    capture = []
                    post(who, text)
                    example_sql, capture = capture, None
                else:
                    post(who, text)
        total = time.perf_counter() - began
        sql, commits, spent_timed = dict(statements), transactions[0], dict(spent)
        profiler.enable()
        for text in SCRIPT:
            for who in profiled_people:
                post(who, text)
        profiler.disable()
    finally:
        for (module, name), fn in originals.items():
            setattr(module, name, fn)
        app.extensions["heard_runtime"].db.dispose()
    measured = len(timed_people) * len(SCRIPT)
    spent = defaultdict(float, spent_timed)
    per_turn_ms = total / measured * 1000
    turn_tx = spent["run_turn (all)"] - spent["store_inbound (tx 1)"] - spent["engine (start/resume)"]
    lookups = spent["receive_text (all)"] - spent["run_turn (all)"] - spent["invitation replied (tx 3)"]
    phases = [
        ("signature check (RequestValidator)", spent["signature check"]),
        ("receive_text look-ups (retry? suppressed? participant)", lookups),
        ("store_inbound (transaction 1)", spent["store_inbound (tx 1)"]),
        ("run_turn transaction 2 (lock, ORM, replies; engine excluded)", turn_tx),
        ("engine start/resume", spent["engine (start/resume)"]),
        ("invitation replied (transaction 3)", spent["invitation replied (tx 3)"]),
        ("TwiML", spent["TwiML"]),
    ]
    accounted = sum(t for _, t in phases)
    phases.append(("Flask/werkzeug request handling, rest", total - accounted))
    stats = pstats.Stats(profiler)
    by_package: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        by_package[_package(filename)] += row[2]
    grand = sum(by_package.values())
    profiled_total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    app_functions = []
    for (filename, line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        path = filename.replace("\\", "/")
        if "/app/" in path and "/site-packages/" not in path:
            app_functions.append((row[3], row[1], f"{path.split('/app/', 1)[1]}:{line}({name})"))
    app_functions.sort(reverse=True)
    profiled_turns = len(profiled_people) * len(SCRIPT)
    return {
        "turns": measured,
        "ms_per_turn": per_turn_ms,
        "phases": [{"phase": p, "ms_per_turn": t / measured * 1000, "share": t / total} for p, t in phases],
        "sql_per_turn": {k: v / measured for k, v in Counter(sql).most_common()},
        "commits_per_turn": commits / measured,
        "example_turn_sql": example_sql,
        "packages": sorted(((k, v / grand) for k, v in by_package.items()), key=lambda r: -r[1])[:10],
        "not_timed": missing,
        "app_functions": [
            {"function": f, "cum_share": c / profiled_total, "calls_per_turn": n / profiled_turns}
            for c, n, f in app_functions[:24]
        ],
    }


def _safe_profile(*args: Any) -> dict[str, Any] | None:
    """The profile is an explanation, not a result: if it breaks (the code moved), keep the results."""
    try:
        return profile_turns(*args)
    except Exception as error:
        import traceback

        traceback.print_exc()
        return {"error": f"{type(error).__name__}: {error}"}


def _package(filename: str) -> str:
    path = filename.replace("\\", "/")
    if "/site-packages/" in path:
        return path.split("/site-packages/", 1)[1].split("/", 1)[0]
    if "/app/engine/" in path:
        return "app.engine"
    if "/app/" in path:
        return "app (services, web, models)"
    if path.startswith("~") or path.startswith("<"):
        return "builtins (incl. C drivers: sqlite3, hmac)"
    return "stdlib"


# --- report -------------------------------------------------------------------------------


def report(results: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    verdicts: list[str] = []
    for backend, data in results["backends"].items():
        if "skipped" in data:
            lines.append(f"\n{backend}: skipped ({data['skipped']})")
            continue
        rows = []
        for concurrency, per in sorted(data["levels"].items(), key=lambda kv: int(kv[0])):
            turn, durable, ceiling = per["turn"], per["durable"], per["ceiling"]
            for name, r in (
                ("SMS turn (real app)", turn),
                ("minimal durable turn", durable),
                ("bare Flask ceiling", ceiling),
            ):
                rows.append(
                    (
                        concurrency,
                        name,
                        r["rps"],
                        r["p50_ms"],
                        r["p95_ms"],
                        r["p99_ms"],
                        f"{turn['rps'] / r['rps']:.0%}" if name != "SMS turn (real app)" else "",
                        sum(r["errors"].values()) if r["errors"] else 0,
                    )
                )
        lines.append(
            f"\n{backend}: gunicorn {' '.join(results['gunicorn_options'])}, "
            f"median of {results['runs']} runs x {results['seconds']}s"
        )
        lines.append(
            table(
                ["senders", "endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms", "turn as % of this", "errors"],
                rows,
            )
        )
        top = (
            data["levels"][str(max(int(c) for c in data["levels"]))]
            if isinstance(next(iter(data["levels"])), str)
            else data["levels"][max(data["levels"])]
        )
        ratio = top["turn"]["rps"] / top["durable"]["rps"]
        p99 = top["turn"]["p99_ms"]
        verdicts.append(
            f"{backend}: throughput at {max(int(c) for c in data['levels'])} senders "
            f"{ratio:.0%} of the minimal durable turn (target >= 50%: "
            f"{'met' if ratio >= TARGET_RATIO else 'MISSED'}); p99 {p99:.1f} ms "
            f"(target < 50 ms: {'met' if p99 < TARGET_P99_MS else 'MISSED'}); "
            f"{top['turn']['rps'] / top['ceiling']['rps']:.0%} of the bare ceiling"
        )
        data["verdict"] = {
            "ratio_to_durable": ratio,
            "p99_ms": p99,
            "ratio_to_ceiling": top["turn"]["rps"] / top["ceiling"]["rps"],
            "ratio_met": ratio >= TARGET_RATIO,
            "p99_met": p99 < TARGET_P99_MS,
        }
        lines.append(f"stored by the real turns: {data['stored']}")
        prof = data.get("profile")
        if prof and "error" in prof:
            lines.append(f"profile failed: {prof['error']}")
        elif prof:
            lines.append(
                f"\n{backend}: one turn in-process (Flask test client, one thread, no contention): "
                f"{prof['ms_per_turn']:.2f} ms a turn over {prof['turns']} turns; "
                f"{prof['commits_per_turn']:.1f} commits and "
                f"{sum(prof['sql_per_turn'].values()):.1f} SQL statements a turn "
                f"({', '.join(f'{k} {v:.1f}' for k, v in prof['sql_per_turn'].items())})"
            )
            lines.append(
                table(
                    ["phase", "ms/turn", "share"],
                    [(p["phase"], p["ms_per_turn"], f"{p['share']:.0%}") for p in prof["phases"]],
                )
            )
            lines.append(
                table(
                    ["package (cProfile self time)", "share"], [(k, f"{v:.0%}") for k, v in prof["packages"]]
                )
            )
            lines.append(
                table(
                    ["app function (cProfile, cumulative)", "share of turn", "calls/turn"],
                    [
                        (f["function"], f"{f['cum_share']:.0%}", f"{f['calls_per_turn']:.1f}")
                        for f in prof["app_functions"]
                    ],
                )
            )
    lines.append("")
    lines.extend(verdicts)
    return lines


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="measured per run")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured, before each run")
    parser.add_argument("--participants", type=int, default=3000)
    parser.add_argument("--warm-seconds", type=float, default=8.0, help="warm-up of the real app's workers")
    parser.add_argument("--profile-turns", type=int, default=300, help="0: no profile")
    parser.add_argument("--always-profile", action="store_true")
    args = parser.parse_args(argv)
    args.levels = [int(c) for c in args.levels.split(",")]
    results: dict[str, Any] = {
        "gunicorn_options": procfile_web_args(),
        "runs": args.runs,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "levels": args.levels,
        "backends": {},
        "load_average_before": os.getloadavg(),
    }
    for backend in args.backends.split(","):
        if backend == "postgresql" and not ensure_postgres():
            results["backends"][backend] = {"skipped": f"no PostgreSQL at {PG_SERVER_URL}"}
            continue
        database = sqlite_database() if backend == "sqlite" else pg_database("sms")
        with database as url:
            data = bench_backend(backend, url, args)
            top = data["levels"][max(args.levels)]
            missed = (
                top["turn"]["rps"] / top["durable"]["rps"] < TARGET_RATIO
                or (top["turn"]["p99_ms"] or 1e9) >= TARGET_P99_MS
            )
            if args.profile_turns and (missed or args.always_profile):
                data["profile"] = _safe_profile(
                    backend, url, data["data_key"], args.participants + WARM_PEOPLE, args.profile_turns
                )
            data.pop("data_key")
            results["backends"][backend] = data
    results["load_average_after"] = os.getloadavg()
    # JSON keys are strings: keep them so, for the report too.
    for data in results["backends"].values():
        if "levels" in data:
            data["levels"] = {str(k): v for k, v in data["levels"].items()}
    lines = report(results)
    print("\n".join(lines))
    results["machine"] = machine()
    save("sms", results)
    return results


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
