"""The web chat link: /c/<token>, one unguessable token per participant.

Works without JavaScript (a plain form, post-redirect-get); with it, the page
posts in place and moves focus to the newest message (static/chat.js).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from app.channels import web as web_channel
from app.models import Message, Participant
from app.services.audio import audio_path
from app.services.erasure import withdraw
from app.services.feedback.replies import web_feedback_link
from app.services.runtime import runtime
from app.services.turns import current_conversation, open_conversation, run_turn
from app.web.security import served_over_https
from app.web.ui_text import ui_text

bp = Blueprint("chat", __name__)

TEXT_SIZE_COOKIE = "heard_text_size"


def _participant_or_404(session, token: str) -> Participant:  # type: ignore[no-untyped-def]
    participant = session.scalar(select(Participant).where(Participant.chat_token == token))
    if participant is None:
        abort(404)
    return participant


@bp.get("/c/<token>")
def chat(token: str) -> str:
    rt = runtime()
    with rt.db.reading() as session:
        participant_id = _participant_or_404(session, token).id
    open_conversation(rt, participant_id, "web")
    with rt.db.reading() as session:
        participant = session.get_one(Participant, participant_id)
        conversation = current_conversation(session, participant.id)
        messages = (
            session.scalars(
                select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
            ).all()
            if conversation
            else []
        )
        view = web_channel.chat_view(participant, conversation, messages, audio=_read_aloud(rt.config))
        return render_template(
            "chat.html",
            token=token,
            view=view,
            nonce=secrets.token_urlsafe(16),
            large_text=request.cookies.get(TEXT_SIZE_COOKIE) == "large",
            withdrawn=participant.withdrawn_at is not None,
            t=ui_text(participant.language, participant.variant),
            what_changed=web_feedback_link(session, participant),  # issue 8: their "you said, we did"
        )


def _read_aloud(config: Mapping[str, Any]) -> Callable[[str, str], str | None]:
    """Cached audio of a message, as a link on this site (looked up, never made)."""

    def url(text: str, language: str) -> str | None:
        path = audio_path(config, text, language)
        return url_for("voice.audio_file", key=path.stem) if path else None

    return url


@bp.post("/c/<token>")
def answer(token: str) -> WerkzeugResponse:
    rt = runtime()
    with rt.db.reading() as session:
        withdrawn = _participant_or_404(session, token).withdrawn_at is not None
    inbound = web_channel.inbound_from_form(token, request.form)
    # After erasure nothing new is kept; a sender over their limit is stored but not answered.
    if inbound is not None and not withdrawn and run_turn(rt, inbound).throttled:
        return make_response("You are sending messages very quickly. Please wait a minute.", 429)
    return redirect(url_for("chat.chat", token=token, _anchor="latest"), code=303)


@bp.post("/c/<token>/withdraw")
def withdraw_answers(token: str) -> WerkzeugResponse:
    """ "Delete my answers": the page's own confirm step must have been ticked, then erase them."""
    rt = runtime()
    with rt.db.reading() as session:
        participant_id = _participant_or_404(session, token).id
    if request.form.get("confirm") == "yes":
        withdraw(rt, participant_id, "web")
    return redirect(url_for("chat.chat", token=token, _anchor="main"), code=303)


@bp.post("/c/<token>/text-size")
def text_size(token: str) -> WerkzeugResponse:
    size = "large" if request.form.get("size") == "large" else "normal"
    response = make_response(redirect(url_for("chat.chat", token=token), code=303))
    response.set_cookie(
        TEXT_SIZE_COOKIE,
        size,
        max_age=365 * 86400,
        samesite="Lax",
        httponly=True,
        secure=served_over_https(current_app.config),
    )
    return response
