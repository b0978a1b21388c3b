"""The coordinator's page for one participant's data: consent on paper, withdrawal, subject access.

Coordinator only (``requires("coordinate")``). Opening a subject access
export is recorded in the access log like any other look at a person's data.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from app.models import Participant, User
from app.services import consent, erasure, subject_access
from app.services.access import requires
from app.services.audit_trail import record_access
from app.services.runtime import runtime

bp = Blueprint("trust", __name__, url_prefix="/coordinator/participants")

coordinate = requires("coordinate")


def _here(participant_id: int) -> WerkzeugResponse:
    return redirect(url_for("trust.participant", participant_id=participant_id), code=303)


@bp.get("/<int:participant_id>")
@coordinate
def participant(participant_id: int) -> str:
    with runtime().db.reading() as session:
        found = session.get(Participant, participant_id)
        if found is None:
            return render_template("errors/404.html"), 404  # type: ignore[return-value]
        return render_template(
            "staff/participant_data.html",
            participant=found,
            decisions=consent.history(session, participant_id),
            scopes=consent.SCOPES,
            channels=consent.OFFLINE_CHANNELS,
        )


@bp.post("/<int:participant_id>/consent")
@coordinate
def record_consent(participant_id: int) -> WerkzeugResponse | tuple[str, int]:
    rt = runtime()
    form = request.form
    try:
        with rt.db.writing() as session:
            consent.record_consent(
                session,
                participant_id,
                form.get("scope", ""),
                form.get("given") == "yes",
                channel=form.get("how", "") if form.get("how") in consent.OFFLINE_CHANNELS else "paper",
                recorded_by=current_user.email,
                now=rt.clock(),
                proxy_role=form.get("proxy_role") or None,
                wording=(form.get("wording") or "").strip()[:5000] or None,
            )
    except consent.ConsentError as error:
        return str(error), 400
    flash("Consent recorded.")
    return _here(participant_id)


@bp.post("/<int:participant_id>/withdraw")
@coordinate
def withdraw(participant_id: int) -> WerkzeugResponse:
    if request.form.get("confirm") != "yes":
        flash("Nothing was deleted: tick the box to confirm.")
        return _here(participant_id)
    erasure.withdraw(runtime(), participant_id, "coordinator")
    flash("Withdrawn: their answers, messages and contact details have been erased.")
    return _here(participant_id)


@bp.get("/<int:participant_id>/export")
@coordinate
def export(participant_id: int) -> str | Response:
    rt = runtime()
    with rt.db.writing() as session:
        found = session.get(Participant, participant_id)
        if found is None:
            return render_template("errors/404.html"), 404  # type: ignore[return-value]
        record_access(session, session.get_one(User, current_user.id), "subject_access", found, rt.clock())
        held = subject_access.export(session, rt.crypto, participant_id, rt.clock())
    if request.args.get("format") == "json":
        body = json.dumps(held, indent=2, ensure_ascii=False, default=str)
        disposition = f"attachment; filename=heard-participant-{participant_id}.json"
        return Response(body, mimetype="application/json", headers={"Content-Disposition": disposition})
    return render_template("staff/subject_access.html", held=held, sections=subject_access.sections(held))
