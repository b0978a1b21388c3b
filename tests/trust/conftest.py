"""Trust tests (issue 9): an app with Twilio's and Telegram's secrets set, and time frozen at noon."""

from __future__ import annotations

import pytest
from flask import Flask

from app.services.runtime import Runtime
from tests.staff_support import fast_password_hashing  # noqa: F401  (an autouse fixture)
from tests.trust.trust_support import AUTH_TOKEN, NOON, TG_SECRET


@pytest.fixture
def trust_app(app: Flask) -> Flask:
    app.config.update(
        TWILIO_AUTH_TOKEN=AUTH_TOKEN, TELEGRAM_WEBHOOK_SECRET=TG_SECRET, HELP_PHONE="0300 123 4567"
    )
    app.extensions["heard_runtime"].clock = lambda: NOON
    return app


@pytest.fixture
def trt(trust_app: Flask) -> Runtime:
    return trust_app.extensions["heard_runtime"]


@pytest.fixture
def tclient(trust_app: Flask):  # type: ignore[no-untyped-def]
    return trust_app.test_client()
