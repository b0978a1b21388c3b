"""Voice tests: Twilio's token set, time frozen at noon, and an audio cache of the test's own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "sms"))  # sms_support's helpers

from sms_support import AUTH_TOKEN, NOON

from app.services.runtime import Runtime


@pytest.fixture
def voice_app(app: Flask, tmp_path: Path) -> Flask:
    app.config.update(
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        HELP_PHONE="0300 123 4567",
        AUDIO_CACHE_DIR=str(tmp_path / "audio"),
        VOICE_MIN_CONFIDENCE=0.6,
    )
    app.extensions["heard_runtime"].clock = lambda: NOON
    return app


@pytest.fixture
def vrt(voice_app: Flask) -> Runtime:
    return voice_app.extensions["heard_runtime"]


@pytest.fixture
def voice_client(voice_app: Flask):  # type: ignore[no-untyped-def]
    return voice_app.test_client()
