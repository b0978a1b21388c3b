"""Error pages that are kind and reveal nothing (no paths, no tokens, no stack)."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def not_found(_error: HTTPException) -> tuple[str, int]:
    return render_template("errors/404.html"), 404


def database_unavailable(error: OperationalError | InterfaceError) -> tuple[str, int, dict[str, str]]:
    """The database can't be reached or is locked: 503, so a provider retries or uses its fallback.

    A turn's inbound message is committed on its own first, so either it was
    stored (the retry finishes it) or nothing was: never half a turn. Other
    database errors are bugs, not outages: they stay 500s and are seen.
    """
    log.warning("database unavailable: %s", type(error.orig).__name__ if error.orig else error)
    return "The service is busy. Please try again in a minute.", 503, {"Retry-After": "30"}


def register(app: Flask) -> None:
    app.register_error_handler(404, not_found)
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)
