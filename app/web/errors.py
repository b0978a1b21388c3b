"""Error pages that are kind and reveal nothing (no paths, no tokens, no stack)."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException


def not_found(_error: HTTPException) -> tuple[str, int]:
    return render_template("errors/404.html"), 404


def register(app: Flask) -> None:
    app.register_error_handler(404, not_found)
