"""Heard: hear from people who draw on adult social care, and tell them what changed."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask

from app.config import INSTANCE, is_production, load_config
from app.db import Database


def _secret_key(config: dict[str, Any]) -> str:
    """Use the configured key; locally, keep one generated key in instance/."""
    if config.get("SECRET_KEY"):
        return str(config["SECRET_KEY"])
    if is_production(config):
        raise RuntimeError("SECRET_KEY must be set when HEARD_ENV=production.")
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with ``config`` overriding it (tests)."""
    settings = load_config(config)
    app = Flask(__name__, instance_path=str(INSTANCE), instance_relative_config=False)
    app.config.update(settings)
    app.config["SECRET_KEY"] = _secret_key(settings)

    from app.services.crypto import load_crypto
    from app.services.flows import FlowRegistry
    from app.services.runtime import Runtime

    app.extensions["heard_runtime"] = Runtime(
        db=Database(settings["DATABASE_URL"]),
        flows=FlowRegistry(settings["FLOWS_DIR"], settings["CONTENT_DIR"]),
        crypto=load_crypto(settings),
        config=app.config,
    )

    from app.web import errors, register_blueprints

    register_blueprints(app)
    errors.register(app)
    return app
