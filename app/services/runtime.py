"""Everything a use case needs, built once per app and passed in explicitly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app

from app.db import Database
from app.engine import Settings
from app.models._types import utcnow
from app.services.crypto import Crypto
from app.services.flows import FlowRegistry
from app.services.rate_limit import SenderLimits


@dataclass
class Runtime:
    db: Database
    flows: FlowRegistry
    crypto: Crypto
    config: dict[str, Any]
    clock: Callable[[], datetime] = field(default=utcnow)
    limits: SenderLimits = field(default_factory=SenderLimits)  # per-sender webhook rate limits

    @property
    def engine_settings(self) -> Settings:
        return Settings(idle_timeout=timedelta(hours=float(self.config["IDLE_TIMEOUT_HOURS"])))

    def chat_url(self, token: str) -> str:
        return f"{self.config['PUBLIC_BASE_URL']}/c/{token}"


def runtime() -> Runtime:
    return current_app.extensions["heard_runtime"]
