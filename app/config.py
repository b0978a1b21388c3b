"""Configuration from the environment, with safe local defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the app's settings: environment first, then explicit overrides (tests)."""
    env = os.environ
    config: dict[str, Any] = {
        "HEARD_ENV": env.get("HEARD_ENV", "development"),
        "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'heard.db'}"),
        "SECRET_KEY": env.get("SECRET_KEY"),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "FLOWS_DIR": env.get("HEARD_FLOWS_DIR", str(ROOT / "flows")),
        "CONTENT_DIR": env.get("HEARD_CONTENT_DIR", str(ROOT / "content")),
        "DEFAULT_FLOW": env.get("HEARD_DEFAULT_FLOW", "practice_review_experience"),
        "IDLE_TIMEOUT_HOURS": float(env.get("HEARD_IDLE_TIMEOUT_HOURS", 24 * 14)),
        "HEARD_SANDBOX": _env_bool("HEARD_SANDBOX"),
        "HEARD_DATA_KEY": env.get("HEARD_DATA_KEY"),
        "HELP_PHONE": env.get("HEARD_HELP_PHONE", "0300 123 4567"),
        # SMS (issue 3): Twilio when these are set, the local outbox otherwise.
        "TWILIO_ACCOUNT_SID": env.get("TWILIO_ACCOUNT_SID"),
        "TWILIO_AUTH_TOKEN": env.get("TWILIO_AUTH_TOKEN"),
        "TWILIO_FROM": env.get("TWILIO_FROM"),
        "TWILIO_MESSAGING_SERVICE_SID": env.get("TWILIO_MESSAGING_SERVICE_SID"),
        "HEARD_SANDBOX_TOKEN": env.get("HEARD_SANDBOX_TOKEN"),  # signs the sandbox phone's texts
        "QUIET_HOURS": env.get("HEARD_QUIET_HOURS", "20:00-09:00"),  # no outbound texts inside
        "TIMEZONE": env.get("HEARD_TIMEZONE", "Europe/London"),
        "INVITE_REMINDER_DAYS": float(env.get("HEARD_INVITE_REMINDER_DAYS", 7)),
        "INVITE_LAPSE_DAYS": float(env.get("HEARD_INVITE_LAPSE_DAYS", 7)),  # after the reminder
        # Telegram (issue 5): the Bot API when a token is set, the local outbox otherwise.
        "TELEGRAM_BOT_TOKEN": env.get("TELEGRAM_BOT_TOKEN"),
        "TELEGRAM_WEBHOOK_SECRET": env.get("TELEGRAM_WEBHOOK_SECRET"),
        "TELEGRAM_API_BASE_URL": env.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
        "TELEGRAM_BOT_USERNAME": env.get("TELEGRAM_BOT_USERNAME", "HeardDemoBot"),
        "TELEGRAM_LINK_DAYS": float(env.get("TELEGRAM_LINK_DAYS", 28)),  # a letter can take a while
        # Accounts and safeguarding (issue 6).
        "SESSION_HOURS": float(env.get("HEARD_SESSION_HOURS", 8)),  # a signed-in session at most
        "SESSION_IDLE_MINUTES": float(env.get("HEARD_SESSION_IDLE_MINUTES", 30)),  # signed out when idle
        "LOGIN_MAX_FAILURES": int(env.get("HEARD_LOGIN_MAX_FAILURES", 5)),  # per email and address
        "LOGIN_WINDOW_MINUTES": float(env.get("HEARD_LOGIN_WINDOW_MINUTES", 15)),
        "SMTP_HOST": env.get("HEARD_SMTP_HOST"),  # unset: concerns show on the coordinator's dashboard
        "SMTP_PORT": int(env.get("HEARD_SMTP_PORT", 25)),
        "SMTP_FROM": env.get("HEARD_SMTP_FROM", "heard@localhost"),
        "SMTP_USER": env.get("HEARD_SMTP_USER"),
        "SMTP_PASSWORD": env.get("HEARD_SMTP_PASSWORD"),
        "SMTP_STARTTLS": _env_bool("HEARD_SMTP_STARTTLS"),
        "SAFEGUARDING_FILE": env.get("HEARD_SAFEGUARDING_FILE", str(ROOT / "content" / "safeguarding.yaml")),
        "SAFEGUARDING_PHONE": env.get("HEARD_SAFEGUARDING_PHONE"),  # default: HELP_PHONE
        # Phone calls (issue 4): prompts spoken ahead of time into this cache by `heard audio build`.
        "AUDIO_CACHE_DIR": env.get("AUDIO_CACHE_DIR", str(INSTANCE / "audio")),
        "AUDIO_BUILD_TIMEOUT": float(env.get("HEARD_AUDIO_BUILD_TIMEOUT", 15)),  # seconds per gTTS request
        "VOICE_TIMEOUT": int(env.get("HEARD_VOICE_TIMEOUT", 6)),  # seconds of silence before a reprompt
        "VOICE_MIN_CONFIDENCE": float(env.get("HEARD_VOICE_MIN_CONFIDENCE", 0.6)),  # below: confirm it
        # Languages whose speech Twilio recognises for us; others answer by keypad (Welsh: see docs/voice.md).
        "VOICE_SPEECH_LANGUAGES": env.get("HEARD_VOICE_SPEECH_LANGUAGES", "en"),
        "VOICE_MAX_ATTEMPTS": int(env.get("HEARD_VOICE_MAX_ATTEMPTS", 3)),  # calls per invitation
        "VOICE_RETRY_MINUTES": float(env.get("HEARD_VOICE_RETRY_MINUTES", 120)),  # between attempts
        # The number a voicemail asks them to call back (default TWILIO_FROM, else HELP_PHONE).
        "VOICE_CALLBACK_NUMBER": env.get("HEARD_VOICE_CALLBACK_NUMBER"),
        # "You said, we did" (issue 8): sent by the RQ worker when REDIS_URL is set, in-process otherwise.
        "REDIS_URL": env.get("REDIS_URL"),
        "FEEDBACK_SEND_INTERVAL": float(env.get("HEARD_FEEDBACK_SEND_INTERVAL", 0)),  # seconds between sends
        "FEEDBACK_CLAIM_MINUTES": float(env.get("HEARD_FEEDBACK_CLAIM_MINUTES", 10)),  # then a claim is stale
        "FEEDBACK_REPLY_DAYS": float(env.get("HEARD_FEEDBACK_REPLY_DAYS", 60)),  # a text back is a reply
        # Trust (issue 9): per-sender webhook limits, retention, recovery of interrupted turns.
        "WEBHOOK_RATE_PER_MINUTE": float(env.get("HEARD_WEBHOOK_RATE_PER_MINUTE", 20)),
        "WEBHOOK_BURST": float(env.get("HEARD_WEBHOOK_BURST", 30)),  # messages at once before the rate
        "RETENTION_MONTHS": int(env.get("HEARD_RETENTION_MONTHS", 12)),  # after a review closes
        # `heard recover` completes turns left waiting at least this long (a crash mid-turn).
        "RECOVER_AFTER_SECONDS": float(env.get("HEARD_RECOVER_AFTER_SECONDS", 60)),
    }
    if overrides:
        config.update(overrides)
    return config


def is_production(config: dict[str, Any]) -> bool:
    return str(config.get("HEARD_ENV", "")).lower() == "production"
