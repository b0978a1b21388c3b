"""What every benchmark shares: medians, result tables, the machine, and where results go.

Each script prints its own table and writes ``bench/results/<name>.json``;
``bench/report.py`` turns those files into BENCHMARKS.md.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(os.environ.get("HEARD_BENCH_RESULTS", ROOT / "bench" / "results"))
PG_SERVER_URL = os.environ.get("HEARD_BENCH_PG_URL", "postgresql://heard:heard@127.0.0.1:5432/heard_test")


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds ``fn`` took, and what it returned."""
    began = time.perf_counter()
    value = fn()
    return time.perf_counter() - began, value


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table (it reads fine in a terminal too)."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value >= 1000:
            return f"{value:,.0f}"
        if value >= 100:
            return f"{value:.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value)


def save(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"name": name, "finished_at": datetime.now(UTC).isoformat(timespec="seconds"), **data}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pin_to_one_core() -> int | None:
    """Run this process on one CPU (the last one), so 'per core' means one core."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return "not installed"


def postgres_version(url: str = PG_SERVER_URL) -> str:
    try:
        import sqlalchemy as sa

        from app.db import normalise_url

        engine = sa.create_engine(normalise_url(url), connect_args={"connect_timeout": 5})
        with engine.connect() as conn:
            value = conn.exec_driver_sql("SHOW server_version").scalar_one()
        engine.dispose()
        return str(value)
    except Exception as error:
        return f"unavailable ({type(error).__name__})"


def machine() -> dict[str, Any]:
    import sqlite3

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlalchemy": _version("sqlalchemy"),
        "flask": _version("flask"),
        "gunicorn": _version("gunicorn"),
        "psycopg": _version("psycopg"),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres_version(),
        "git": _git_revision(),
    }


def _git_revision() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5
        )
        return out.stdout.strip() or "no commits yet"
    except (OSError, subprocess.SubprocessError):
        return "unknown"
