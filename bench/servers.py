"""Databases and gunicorn processes for the benchmarks: made here, and always cleaned up."""

from __future__ import annotations

import contextlib
import http.client
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from bench.common import PG_SERVER_URL, RESULTS, ROOT, free_port

PYTHON_BIN = Path(sys.executable).parent


def procfile_web_args() -> list[str]:
    """The Procfile's gunicorn options (workers, threads ...) without its bind and app."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            words = shlex.split(line.split(":", 1)[1])
            break
    else:
        raise RuntimeError("Procfile has no web: line")
    if words[0] != "gunicorn":
        raise RuntimeError(f"Procfile's web process is not gunicorn: {words[0]}")
    options, skip = [], False
    for word in words[1:]:
        if skip:
            skip = False
            continue
        if word in ("--bind", "-b"):
            skip = True
            continue
        if word.startswith("--bind=") or (":" in word and "(" in word):  # the app spec 'app:create_app()'
            continue
        options.append(word)
    return options


def ensure_postgres(url: str = PG_SERVER_URL) -> bool:
    """Is the server up? If not, try scripts/test-postgres once (it starts it and makes the role)."""
    if _pg_answers(url):
        return True
    script = ROOT / "scripts" / "test-postgres"
    if script.exists():
        print("bench: PostgreSQL is not answering; running scripts/test-postgres", flush=True)
        subprocess.run(["bash", str(script)], check=False)
    return _pg_answers(url)


def _pg_answers(url: str) -> bool:
    from app.db import normalise_url

    engine = sa.create_engine(normalise_url(url), connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


@contextlib.contextmanager
def pg_database(suffix: str, server_url: str = PG_SERVER_URL, keep: bool = False) -> Iterator[str]:
    """A new database beside the server URL's, named for this process; dropped afterwards."""
    from app.db import normalise_url

    base = sa.make_url(server_url)
    name = f"heard_bench_{suffix}_{os.getpid()}"
    admin = sa.create_engine(normalise_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextlib.contextmanager
def sqlite_database(name: str = "heard.db") -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="heard-bench-") as folder:
        yield f"sqlite:///{Path(folder) / name}"


class Gunicorn:
    """One gunicorn master on a free port of 127.0.0.1, with the Procfile's options."""

    def __init__(
        self, app_spec: str, env: dict[str, str], options: list[str] | None = None, log_name: str = "gunicorn"
    ) -> None:
        self.port = free_port()
        self.options = procfile_web_args() if options is None else options
        self.command = [
            str(PYTHON_BIN / "gunicorn"),
            *self.options,
            "--bind",
            f"127.0.0.1:{self.port}",
            app_spec,
        ]
        RESULTS.mkdir(parents=True, exist_ok=True)
        self.log_path = RESULTS / f"{log_name}.log"
        self.env = {**os.environ, **env}
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 90) -> None:
        """Until a worker answers HTTP (any status): the app imported and built."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}); {self.log_path}:\n{tail}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", "/")
                conn.getresponse().read()
                conn.close()
                return
            except (OSError, http.client.HTTPException):
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {timeout}s; see {self.log_path}")

    def __exit__(self, *_exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # the master and its workers: all ours
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
