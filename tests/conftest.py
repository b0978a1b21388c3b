"""Shared fixtures: a migrated, empty database on SQLite and on PostgreSQL, and an app on it.

Every test that asks for ``database_url`` (or ``app``, ``client``, ``rt``) runs
twice: once on a fresh SQLite file, once on a real PostgreSQL server. Start the
local server with ``scripts/test-postgres``. Without it the PostgreSQL runs are
skipped, unless HEARD_REQUIRE_PG=1 (as in CI), which makes them fail.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient

from app.db import make_engine, normalise_url
from app.migrate import upgrade

PG_URL = os.environ.get("HEARD_TEST_PG_URL", "postgresql://heard:heard@127.0.0.1:5432/heard_test")
REQUIRE_PG = os.environ.get("HEARD_REQUIRE_PG") == "1"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="pg", marks=pytest.mark.postgres),
    ]
)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


# --- SQLite -----------------------------------------------------------------


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test gets a copy of this file."""
    path = tmp_path_factory.mktemp("sqlite-template") / "heard.db"
    upgrade(f"sqlite:///{path}")
    # The migration closed its last connection, so the WAL was checkpointed into the file.
    assert not path.with_name("heard.db-wal").exists()
    return path


@pytest.fixture
def sqlite_url(_sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated, empty SQLite database of this test's own."""
    path = tmp_path / "heard.db"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


# --- PostgreSQL -------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """HEARD_TEST_PG_URL once we know the server answers; skip (or fail in CI) if not."""
    probe = sa.create_engine(normalise_url(PG_URL), connect_args={"connect_timeout": 5})
    try:
        with probe.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as error:
        where = sa.make_url(PG_URL).render_as_string(hide_password=True)
        detail = " ".join(str(error.orig).split())
        reason = f"PostgreSQL at {where} is unreachable ({detail})"
        if REQUIRE_PG:
            pytest.fail(f"HEARD_REQUIRE_PG=1 but {reason}", pytrace=False)
        pytest.skip(f"{reason}; run scripts/test-postgres or set HEARD_TEST_PG_URL")
    finally:
        probe.dispose()
    return PG_URL


@contextmanager
def new_pg_database(server_url: str, suffix: str) -> Iterator[str]:
    """A new, empty database beside HEARD_TEST_PG_URL's, dropped afterwards.

    Named after this process, because several test runs share one server on a
    developer's machine: on one shared database they truncate each other's rows.
    """
    base = sa.make_url(server_url)
    name = f"{base.database}_{suffix}_{os.getpid()}"
    admin = sa.create_engine(normalise_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        encoding, collate, ctype = conn.execute(
            sa.text(
                "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
                "WHERE datname = current_database()"
            )
        ).one()
        _drop_database(conn, name)
        conn.exec_driver_sql(
            f'CREATE DATABASE "{name}" TEMPLATE template0 '
            f"ENCODING '{encoding}' LC_COLLATE '{collate}' LC_CTYPE '{ctype}'"
        )
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            _drop_database(conn, name)
        admin.dispose()


def _drop_database(conn: sa.Connection, name: str) -> None:
    """Drop a test database, waiting out an autovacuum worker on it.

    FORCE ends our own sessions, but a non-superuser may not end autovacuum's,
    which can be busy on a database that was just filled; it finishes quickly.
    """
    for attempt in range(20):
        try:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except sa.exc.ProgrammingError:
            if attempt == 19:
                raise
            time.sleep(0.5)


@pytest.fixture(scope="session")
def _pg_session(pg_server_url: str) -> Iterator[tuple[str, sa.Engine]]:
    """This run's database, migrated once, and an engine to empty it before each test."""
    with new_pg_database(pg_server_url, "run") as url:
        upgrade(url)
        engine = make_engine(url)
        yield url, engine
        engine.dispose()


def _truncate_all(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        # Fail, rather than hang, if an earlier test left a transaction open on a table.
        conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
        tables = conn.scalars(
            sa.text(
                "SELECT quote_ident(tablename) FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ).all()
        conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


# --- Per test ---------------------------------------------------------------


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> str:
    """A migrated, empty database for this test, on the backend it is parametrized with."""
    if backend == "sqlite":
        return request.getfixturevalue("sqlite_url")
    url, engine = request.getfixturevalue("_pg_session")
    _truncate_all(engine)
    return url


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database with nothing in it, never migrated: for testing the migrations themselves."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with new_pg_database(request.getfixturevalue("pg_server_url"), "empty") as url:
        yield url


@pytest.fixture(scope="session")
def data_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def app(database_url: str, data_key: str) -> Iterator[Flask]:
    # Imported here so the engine's tests still run while the web layer is broken.
    from app import create_app

    flask_app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "HEARD_DATA_KEY": data_key,
            "TESTING": True,
            "PUBLIC_BASE_URL": "http://localhost",
        }
    )
    yield flask_app
    flask_app.extensions["heard_runtime"].db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def rt(app: Flask) -> Any:
    """The services' Runtime: .db, .flows, .crypto, .config, .clock."""
    return app.extensions["heard_runtime"]
