"""The peer console (/peer): a lived-experience peer runs the conversation with the person.

Every route names the participant in its URL and is guarded by
``requires("conduct", ...)``: a peer reaches only the people assigned to them,
whatever id they type.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from app.models import Participant, User
from app.services import erasure, peer_console, safeguarding
from app.services.access import participant_in_url, requires
from app.services.accounts import peer_ref
from app.services.audit_trail import record_access
from app.services.runtime import runtime

bp = Blueprint("peer", __name__, url_prefix="/peer")


@bp.context_processor
def _words() -> dict[str, object]:
    return {"words": peer_console.WORDS}


conduct = requires("conduct", load=participant_in_url)


def _here(participant_id: int, anchor: str | None = None) -> WerkzeugResponse:
    return redirect(url_for("peer.conversation", participant_id=participant_id, _anchor=anchor), code=303)


@bp.get("/")
@requires("peer_console")
def home() -> str:
    with runtime().db.reading() as session:
        people = peer_console.my_people(session, current_user.id)
    return render_template("peer/home.html", people=people)


@bp.get("/participants/<int:participant_id>")
@conduct
def conversation(participant_id: int) -> str:
    rt = runtime()
    with rt.db.writing() as session:
        record_access(
            session, session.get_one(User, current_user.id), "peer_console",
            session.get_one(Participant, participant_id), rt.clock(),
        )  # fmt: skip
    view = peer_console.step(rt, participant_id)
    return render_template("peer/conversation.html", view=view, nonce=secrets.token_urlsafe(16))


@bp.post("/participants/<int:participant_id>/start")
@conduct
def start(participant_id: int) -> WerkzeugResponse:
    if peer_console.start_or_resume(runtime(), participant_id, peer_ref(current_user)) is None:
        flash("This person can't be contacted now, so the conversation can't start.")
    return _here(participant_id, "step")


@bp.post("/participants/<int:participant_id>/answer")
@conduct
def answer(participant_id: int) -> WerkzeugResponse:
    form = request.form
    peer_console.record(
        runtime(),
        participant_id,
        peer_ref(current_user),
        answer=form.get("answer", ""),
        nonce=form.get("nonce") or secrets.token_urlsafe(16),
        node=form.get("node"),
        quote=form.get("quote", ""),
        quote_consent=form.get("quote_consent") == "yes",
    )
    return _here(participant_id, "step")


@bp.post("/participants/<int:participant_id>/pause")
@conduct
def pause(participant_id: int) -> WerkzeugResponse:
    # Nothing to save: every answer was saved as it was given. The conversation waits here.
    flash("Paused. Everything so far is saved; open this person again to carry on where you left off.")
    return redirect(url_for("peer.home"), code=303)


@bp.post("/participants/<int:participant_id>/stop")
@conduct
def stop(participant_id: int) -> WerkzeugResponse:
    if peer_console.withdraw(runtime(), participant_id):
        flash("The conversation has stopped, as the person wanted. Their answers so far are kept.")
    return redirect(url_for("peer.home"), code=303)


@bp.post("/participants/<int:participant_id>/withdraw")
@conduct
def withdraw(participant_id: int) -> WerkzeugResponse:
    """The person withdraws consent: everything they said is erased (app/services/erasure.py)."""
    if request.form.get("confirm") != "yes":
        return _here(participant_id)
    erasure.withdraw(runtime(), participant_id, "peer")
    flash("Their answers, notes and contact details have been deleted, as they asked.")
    return redirect(url_for("peer.home"), code=303)


@bp.route("/participants/<int:participant_id>/worried", methods=["GET", "POST"])
@conduct
def worried(participant_id: int) -> str | WerkzeugResponse | tuple[str, int]:
    rt = runtime()
    with rt.db.reading() as session:
        card = peer_console.card_for(session, participant_id)
    if request.method == "GET":
        return render_template("peer/worried.html", card=card)
    note = request.form.get("note", "").strip()
    if not note:
        return render_template("peer/worried.html", card=card, error="Say what worries you."), 400
    safeguarding.raise_concern(rt, participant_id, peer_ref(current_user), note)
    flash(safeguarding.peer_helpline_text(rt, "en"), "safeguarding")
    return _here(participant_id, "step")


@bp.get("/participants/<int:participant_id>/card")
@conduct
def card(participant_id: int) -> str:
    view = peer_console.step(runtime(), participant_id)
    return render_template("peer/card.html", view=view)
