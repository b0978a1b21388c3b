"""POST /webhooks/telegram: Telegram's updates, accepted only with our secret."""

from __future__ import annotations

import hmac

from flask import Blueprint, current_app, request

from app.channels.telegram import parse_update
from app.services.runtime import runtime
from app.services.telegram_outbound import DeliveryDelayed
from app.services.telegram_updates import WEBHOOK_PATH, handle_update

bp = Blueprint("telegram", __name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _secret_matches() -> bool:
    # No secret configured means no webhook: refuse rather than accept anyone.
    expected = current_app.config.get("TELEGRAM_WEBHOOK_SECRET") or ""
    given = request.headers.get(SECRET_HEADER, "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@bp.post(WEBHOOK_PATH)
def webhook() -> tuple[str, int]:
    if not _secret_matches():
        return "", 403
    update = request.get_json(silent=True)
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        return "", 400
    try:
        parse_update(update)  # issue 9: a malformed Update is a clean 400, not a 500
    except (TypeError, ValueError, KeyError, AttributeError):
        return "", 400
    try:
        handle_update(runtime(), update)
    except DeliveryDelayed:
        # Stored and answered, but not yet sent: Telegram redelivers, and the replay sends it.
        return "", 503
    return "", 200
