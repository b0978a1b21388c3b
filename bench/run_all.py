"""`make bench`: every benchmark in order, then BENCHMARKS.md rewritten from their results.

Each benchmark runs as its own process (a failure is reported, the rest still
run) and leaves bench/results/<name>.json; bench/report.py writes the file.
It makes its own databases (a SQLite file, PostgreSQL databases named
heard_bench_*), starts gunicorn on free ports of 127.0.0.1, and stops and
drops everything it started.

    .venv/bin/python -m bench.run_all            # about 25-40 minutes on 2 cores
    BENCH_QUICK=1 .venv/bin/python -m bench.run_all   # shorter runs, for trying it out
    BENCH_STRESS=1 ...                            # also the 5x dashboard dataset (long)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime

from bench.common import RESULTS, ROOT, load, save
from bench.servers import ensure_postgres, pg_database

QUICK = os.environ.get("BENCH_QUICK") == "1"
STRESS = os.environ.get("BENCH_STRESS") == "1"
# Re-run some steps only, keeping the other results: BENCH_ONLY=sms,feedback
ONLY = {s for s in os.environ.get("BENCH_ONLY", "").split(",") if s}


def steps() -> list[tuple[str, list[str]]]:
    py = [sys.executable, "-m"]
    if QUICK:
        return [
            ("engine", [*py, "bench.engine_steps", "--runs", "3", "--seconds", "1"]),
            ("sms", [*py, "bench.sms_load", "--runs", "1", "--seconds", "3", "--participants", "1500"]),
            ("voice_sqlite", [*py, "bench.voice_webhook", "--calls", "5"]),
            ("dashboard_national", [*py, "bench.dashboard_scale", "--runs", "3", "--rollup-runs", "0"]),
            ("feedback", [*py, "bench.feedback_queue", "--people", "2000", "--runs", "1"]),
        ]
    out = [
        ("engine", [*py, "bench.engine_steps", "--runs", "5", "--seconds", "2"]),
        ("sms", [*py, "bench.sms_load", "--runs", "3", "--seconds", "4"]),
        ("voice_sqlite", [*py, "bench.voice_webhook", "--calls", "20"]),
        ("voice_postgresql", [*py, "bench.voice_webhook", "--calls", "20", "--database-url", "{pg_voice}"]),
        ("dashboard_national", [*py, "bench.dashboard_scale", "--runs", "5", "--rollup-runs", "1"]),
        ("feedback", [*py, "bench.feedback_queue", "--runs", "2"]),
    ]
    if STRESS:
        out.insert(
            6,
            (
                "dashboard_stress",
                [*py, "bench.dashboard_scale", "--stress", "--runs", "5", "--rollup-runs", "1"],
            ),
        )
    return out


def main() -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    previous = {s["step"]: s for s in (load("run") or {}).get("steps", [])} if ONLY else {}
    for old in RESULTS.glob("*.json"):
        if not ONLY or old.stem in ONLY:
            old.unlink()
    began = datetime.now(UTC)
    have_pg = ensure_postgres()
    ran: list[dict[str, object]] = []
    for name, command in steps():
        if ONLY and name not in ONLY:
            if name in previous:
                ran.append(previous[name])
            continue
        if not (ROOT / "bench" / f"{command[2].split('.')[-1]}.py").exists():
            ran.append({"step": name, "status": "missing", "command": " ".join(command[1:])})
            print(f"\n=== {name}: skipped, {command[2]} is not there yet", flush=True)
            continue
        if "{pg_voice}" in command and not have_pg:
            ran.append({"step": name, "status": "skipped (no PostgreSQL)", "command": ""})
            continue
        print(f"\n=== {name}: {' '.join(command[2:])}", flush=True)
        started = time.perf_counter()
        if "{pg_voice}" in command:
            with pg_database("voice") as url:
                final = [url if part == "{pg_voice}" else part for part in command]
                code = subprocess.call(final, cwd=ROOT)
            shown = [("<new PostgreSQL database>" if part == "{pg_voice}" else part) for part in command]
        else:
            code = subprocess.call(command, cwd=ROOT)
            shown = command
        if name.startswith("voice") and (RESULTS / "voice_webhook.json").exists():
            shutil.move(RESULTS / "voice_webhook.json", RESULTS / f"{name}.json")
        ran.append(
            {
                "step": name,
                "status": "ok" if code == 0 else f"failed (exit {code})",
                "seconds": round(time.perf_counter() - started),
                "command": ".venv/bin/python " + " ".join(shown[1:]),
            }
        )
    save(
        "run",
        {
            "started_at": ((load("run") or {}).get("started_at") if ONLY else None)
            or began.isoformat(timespec="seconds"),
            "rerun": sorted(ONLY | set((load("run") or {}).get("rerun") or [])) if ONLY else None,
            "quick": QUICK,
            "stress": STRESS,
            "steps": ran,
            "load_average_end": os.getloadavg(),
        },
    )
    from bench.report import write

    path = write()
    print(f"\nwrote {path}")
    print(json.dumps(ran, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
