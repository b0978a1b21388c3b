"""Encryption at rest: rotation re-encrypts and re-hashes; production needs a key; locally one is made."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from flask import Flask
from sqlalchemy import select

import app as app_package
from app import create_app
from app.channels.base import Inbound
from app.cli import main
from app.models import Message, Participant, Suppression
from app.services import crypto as crypto_module
from app.services.crypto import Crypto
from app.services.participants import find_participant
from app.services.runtime import Runtime
from app.services.suppression import suppress
from app.services.turns import run_turn
from tests.trust.trust_support import add_person

PHONE = "+447700900555"
CHAT = "5550001"


def _app_with_key(database_url: str, key: str) -> Flask:
    return create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": "t", "HEARD_DATA_KEY": key, "TESTING": True}
    )


def test_keys_rotate_reencrypts_every_column_and_recomputes_lookups(database_url: str, data_key: str) -> None:
    old_app = _app_with_key(database_url, data_key)
    old: Runtime = old_app.extensions["heard_runtime"]
    pid = add_person(old, channel="sms", phone=PHONE, telegram_chat_id=CHAT)
    stranger_lookup = old.crypto.lookup("+447700900666")
    with old.db.writing() as session:
        suppress(session, old.crypto.lookup(PHONE) or "", "keyword", old.clock())
        suppress(session, stranger_lookup or "", "keyword", old.clock())
    run_turn(old, Inbound("sms", "+447700900777", "who is this", "SM-stranger"))
    old.db.dispose()

    new_key = Fernet.generate_key().decode()
    app = _app_with_key(database_url, f"{new_key},{data_key}")
    rt: Runtime = app.extensions["heard_runtime"]
    dry = app.test_cli_runner().invoke(main, ["keys", "rotate", "--dry-run"])
    assert dry.exit_code == 0 and "Dry run" in dry.output, dry.output
    with rt.db.reading() as session:
        assert session.get_one(Participant, pid).phone_lookup == old.crypto.lookup(PHONE)  # unchanged
    result = app.test_cli_runner().invoke(main, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "participant.phone_encrypted 1" in result.output and "left under an older key 2" in result.output
    rt.db.dispose()

    only_new = Crypto([new_key])
    with rt.db.reading() as session:
        person = session.get_one(Participant, pid)
        assert only_new.decrypt(person.phone_encrypted) == PHONE  # readable without the old key
        assert only_new.decrypt(person.telegram_encrypted) == CHAT
        with pytest.raises(InvalidToken):
            Crypto([data_key]).decrypt(person.phone_encrypted)
        assert person.phone_lookup == only_new.lookup(PHONE) and person.telegram_lookup == only_new.lookup(
            CHAT
        )
        assert find_participant(session, only_new, "sms", PHONE).id == pid  # type: ignore[union-attr]
        lookups = set(session.scalars(select(Suppression.phone_lookup)))
        assert only_new.lookup(PHONE) in lookups  # her STOP still holds after rotation
        assert stranger_lookup in lookups  # a number we never held: counted, kept as it was
        stranger = session.scalars(select(Message).where(Message.provider_id == "SM-stranger")).one()
        assert stranger.sender_lookup == old.crypto.lookup("+447700900777")
    rt.db.dispose()


def test_production_refuses_to_start_without_a_data_key(database_url: str) -> None:
    with pytest.raises(RuntimeError, match="HEARD_DATA_KEY is not set"):
        create_app(
            {
                "DATABASE_URL": database_url,
                "SECRET_KEY": "s",
                "HEARD_ENV": "production",
                "HEARD_DATA_KEY": None,
            }
        )


def test_locally_a_key_is_made_once_as_make_run_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_url: str
) -> None:
    """`make run` starts with `heard db upgrade`: with no HEARD_DATA_KEY that makes instance/data_key."""
    monkeypatch.setattr(crypto_module, "INSTANCE", tmp_path)
    monkeypatch.setattr(app_package, "INSTANCE", tmp_path)
    monkeypatch.delenv("HEARD_DATA_KEY", raising=False)
    monkeypatch.setenv("HEARD_ENV", "development")
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    makefile = (Path(app_package.__file__).parent.parent / "Makefile").read_text()
    assert "$(BIN)/heard db upgrade" in makefile.split("run:", 1)[1].split("\n\n", 1)[0]
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    key_file = tmp_path / "data_key"
    key = key_file.read_text().strip()
    Fernet(key.encode())  # a real Fernet key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = create_app({"DATABASE_URL": sqlite_url, "SECRET_KEY": "s"})
    assert second.extensions["heard_runtime"].crypto.decrypt(Crypto([key]).encrypt("x")) == "x"
    second.extensions["heard_runtime"].db.dispose()
