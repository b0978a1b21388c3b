"""The front door, health check and easy-read pictures."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, render_template, send_from_directory
from sqlalchemy import text

from app.services.runtime import runtime

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    return render_template("index.html")


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    with runtime().db.reading() as session:
        session.execute(text("SELECT 1"))
    return {"status": "ok"}, 200


@bp.get("/easy-read/<path:name>")
def easy_read_picture(name: str):  # type: ignore[no-untyped-def]
    folder = Path(current_app.config["CONTENT_DIR"]) / "easy_read"
    response = send_from_directory(folder, name, max_age=86400)
    return response
