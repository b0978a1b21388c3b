"""Helpers for the trust tests: people with contact details, signed webhooks, and a whole-database scan."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from app.db import make_engine
from app.models import Consent, Message
from app.services.participants import NewParticipant, add_participant, create_review
from app.services.runtime import Runtime

AUTH_TOKEN = "trust-auth-token-0123456789abcdef"
TG_SECRET = "trust-telegram-secret_0123456789"
BASE_URL = "http://localhost"  # the app fixture's PUBLIC_BASE_URL
NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday, outside quiet hours


def add_person(rt: Runtime, review_id: int | None = None, **fields: Any) -> int:
    """A participant (with consent to be contacted); a new review unless one is given."""
    values: dict[str, Any] = {"audit_ref": "T1", "first_name": "Ottoline", "channel": "web"} | fields
    with rt.db.writing() as session:
        if review_id is None:
            review_id = create_review(session, "Trustshire Council", "Strengths-based practice").id
        person = add_participant(session, rt.crypto, NewParticipant(review_id=review_id, **values))
        session.add(Consent(participant_id=person.id, scope="contact", given=True, channel="coordinator"))
        return person.id


def sign(path: str, form: dict[str, str]) -> str:
    return RequestValidator(AUTH_TOKEN).compute_signature(f"{BASE_URL}{path}", form)


def post_signed(client: FlaskClient, path: str, form: dict[str, str]) -> Any:
    return client.post(path, data=form, headers={"X-Twilio-Signature": sign(path, form)})


def post_sms(client: FlaskClient, sender: str, body: str, sid: str) -> Any:
    form = {"MessageSid": sid, "SmsSid": sid, "From": sender, "To": "+447700900999", "Body": body}
    return post_signed(client, "/webhooks/twilio/sms", form)


def post_telegram(client: FlaskClient, update: Any, secret: str = TG_SECRET) -> Any:
    return client.post("/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})


def telegram_text(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    chat = {"id": chat_id, "type": "private", "first_name": "T"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1764158400,
            "chat": chat,
            "from": chat | {"is_bot": False},
            "text": text,
        },
    }


def inbound_count(rt: Runtime, channel: str | None = None) -> int:
    with rt.db.reading() as session:
        query = select(func.count()).select_from(Message).where(Message.direction == "in")
        if channel:
            query = query.where(Message.channel == channel)
        return session.scalar(query) or 0


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def scan_database(url: str, needles: list[str]) -> dict[str, list[str]]:
    """Every needle found in any column of any row of any table: {needle: ["table.column", ...]}.

    The tables are reflected from the live database, not taken from our models, so a table
    another issue adds is scanned too.
    """
    found: dict[str, list[str]] = {needle: [] for needle in needles}
    engine = make_engine(url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            for table in metadata.sorted_tables:
                for row in conn.execute(select(table)).mappings():
                    for column, value in row.items():
                        text = _as_text(value).casefold()
                        for needle in needles:
                            if needle.casefold() in text:
                                found[needle].append(f"{table.name}.{column}")
    finally:
        engine.dispose()
    return {needle: places for needle, places in found.items() if places}


def scan_sqlite_files(url: str, needles: list[str]) -> dict[str, list[str]]:
    """Needles found in the raw bytes of the SQLite file and its WAL: free pages included."""
    path = Path(url.removeprefix("sqlite:///"))
    found: dict[str, list[str]] = {}
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")):
        if not file.exists():
            continue
        data = file.read_bytes()
        for needle in needles:
            for encoded in {needle.encode("utf-8"), needle.lower().encode("utf-8")}:
                if encoded in data:
                    found.setdefault(needle, []).append(file.name)
    return found
