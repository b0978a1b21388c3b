"""The two baselines the SMS turn is compared with, served by gunicorn like the real app.

* ``/ceiling``: a bare Flask endpoint returning a constant TwiML reply. The most
  any Flask app can do under these gunicorn settings: the web stack's ceiling.
* ``/durable``: the *minimal durable turn*. In one transaction, with plain SQL
  on the same database as the real app, insert the inbound message and a reply
  into ``message`` and commit. The least work any design that loses nothing
  must do. It checks no signature, runs no conversation and reads nothing.

    gunicorn ... 'bench.baseline_app:create_baseline_app()'   (DATABASE_URL from the environment)
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, Response, request
from sqlalchemy import text

from app.db import is_sqlite, make_engine

TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thank you.</Message></Response>'

INSERT_IN = text(
    "INSERT INTO message (direction, channel, provider_id, body, status, created_at) "
    "VALUES ('in', 'sms', :sid, :body, 'processed', :now) RETURNING id"
)
INSERT_OUT = text(
    "INSERT INTO message (direction, channel, reply_to_id, body, status, created_at) "
    "VALUES ('out', 'sms', :reply_to, :reply, 'reply', :now)"
)


def create_baseline_app() -> Flask:
    app = Flask(__name__)
    url = os.environ.get("DATABASE_URL")
    engine = make_engine(url) if url else None
    if engine is not None and is_sqlite(engine):
        # The same one-writer-at-a-time transaction the real turn takes on SQLite.
        engine = engine.execution_options(sqlite_immediate=True)

    @app.post("/ceiling")
    def ceiling() -> Response:
        return Response(TWIML, mimetype="application/xml")

    @app.post("/durable")
    def durable() -> Response:
        assert engine is not None, "DATABASE_URL is not set"
        now = datetime.now(UTC)
        with engine.begin() as conn:
            message_id = conn.execute(
                INSERT_IN,
                {"sid": request.form["MessageSid"], "body": request.form.get("Body", ""), "now": now},
            ).scalar_one()
            conn.execute(INSERT_OUT, {"reply_to": message_id, "reply": "Thank you.", "now": now})
        return Response(TWIML, mimetype="application/xml")

    return app
