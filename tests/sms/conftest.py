"""SMS tests: the app with Twilio's webhook token set, and time frozen at noon."""

from __future__ import annotations

import pytest
from flask import Flask
from sms_support import AUTH_TOKEN, NOON

from app.services.runtime import Runtime


@pytest.fixture
def sms_app(app: Flask) -> Flask:
    app.config.update(TWILIO_AUTH_TOKEN=AUTH_TOKEN, HELP_PHONE="0300 123 4567")
    app.extensions["heard_runtime"].clock = lambda: NOON
    return app


@pytest.fixture
def srt(sms_app: Flask) -> Runtime:
    return sms_app.extensions["heard_runtime"]


@pytest.fixture
def sms_client(sms_app: Flask):  # type: ignore[no-untyped-def]
    return sms_app.test_client()
