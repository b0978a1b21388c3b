"""Feedback tests: Twilio's REST API intercepted by `responses`, a fake Telegram Bot API, a weekday noon."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

HERE = Path(__file__).resolve().parent
for folder in ("sms", "telegram"):
    sys.path.insert(0, str(HERE.parent / folder))  # sms_support's and the fake Bot API's helpers

from fake_bot_api import TOKEN, FakeBotApi  # noqa: E402
from sms_support import ACCOUNT_SID, AUTH_TOKEN, FROM, NOON  # noqa: E402

from app.services.runtime import Runtime  # noqa: E402
from app.services.telegram_bot import close_runners  # noqa: E402


@pytest.fixture
def feedback_app(app: Flask, tmp_path: Path) -> Flask:
    app.config.update(
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_FROM=FROM,
        HELP_PHONE="0300 123 4567",
        AUDIO_CACHE_DIR=str(tmp_path / "audio"),
    )
    app.extensions["heard_runtime"].clock = lambda: NOON
    return app


@pytest.fixture
def frt(feedback_app: Flask) -> Runtime:
    return feedback_app.extensions["heard_runtime"]


@pytest.fixture
def fclient(feedback_app: Flask):  # type: ignore[no-untyped-def]
    return feedback_app.test_client()


@pytest.fixture
def bot_api(feedback_app: Flask) -> Iterator[FakeBotApi]:
    """A bot whose Bot API is the local fake."""
    server = FakeBotApi().start()
    feedback_app.config.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.base_url)
    yield server
    close_runners()
    server.stop()
