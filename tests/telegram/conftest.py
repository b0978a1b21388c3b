"""Telegram tests: the app talks to a fake Bot API on 127.0.0.1 through python-telegram-bot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_bot_api import TOKEN, FakeBotApi
from flask import Flask
from tg_support import SECRET

from app.services.telegram_bot import close_runners


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    server = FakeBotApi().start()
    yield server
    close_runners()
    server.stop()


@pytest.fixture
def telegram(app: Flask, fake_api: FakeBotApi) -> FakeBotApi:
    """The app configured for a bot whose Bot API is the fake."""
    app.config.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake_api.base_url,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_BOT_USERNAME="HeardTestBot",
    )
    return fake_api
