"""The sandbox phone (/sandbox): try the SMS conversation in a browser, no Twilio needed.

Only when HEARD_SANDBOX is on (`make run`); 404 otherwise. A reply typed here
is posted to the real /webhooks/twilio/sms with a real X-Twilio-Signature
computed from the signing token, so the whole checked path runs. What Heard
texts back, and anything sent through the outbox, shows up as on a phone.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import or_, select
from twilio.request_validator import RequestValidator
from werkzeug.wrappers import Response as WerkzeugResponse

from app.channels.sms import render_prompt
from app.engine import Prompt
from app.models import Message, Participant
from app.services.invitations import invite_review, mask
from app.services.runtime import runtime
from app.services.signing import public_url, signing_token

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox")

SANDBOX_NUMBER = "+447700900000"  # Heard's own number on the pretend phone (Ofcom drama range)
WEBHOOK_PATH = "/webhooks/twilio/sms"


@bp.before_request
def _only_in_the_sandbox() -> None:
    if not current_app.config.get("HEARD_SANDBOX"):
        abort(404)


@bp.get("/")
def phones() -> str:
    rt = runtime()
    with rt.db.reading() as session:
        people = session.scalars(
            select(Participant).where(Participant.channel == "sms").order_by(Participant.id)
        ).all()
        listed = [
            {
                "id": p.id,
                "first_name": p.first_name,
                "audit_ref": p.audit_ref,
                "review_id": p.review_id,
                "number": mask(rt.crypto.decrypt(p.phone_encrypted) or ""),
            }
            for p in people
        ]
        callers = [
            {"id": p.id, "first_name": p.first_name, "audit_ref": p.audit_ref, "review_id": p.review_id}
            for p in session.scalars(
                select(Participant).where(Participant.channel == "voice").order_by(Participant.id)
            ).all()
        ]
    return render_template("sandbox/phones.html", people=listed, callers=callers)


@bp.get("/<int:participant_id>")
def phone(participant_id: int) -> str:
    rt = runtime()
    with rt.db.reading() as session:
        participant = session.get(Participant, participant_id)
        if participant is None or participant.channel != "sms":
            abort(404)
        rows = session.scalars(
            select(Message)
            .where(
                Message.participant_id == participant.id,
                Message.channel == "sms",
                or_(Message.direction == "in", Message.status != "sending"),
            )
            .order_by(Message.id)
        ).all()
        texts: list[dict[str, object]] = []
        for row in rows:
            lines = _shown(row).split("\n")
            if texts and row.reply_to_id is not None and texts[-1]["reply_to"] == row.reply_to_id:
                # One webhook reply is one text (channels/sms.render_reply), however many prompts.
                texts[-1]["lines"] = [*texts[-1]["lines"], "", *lines]  # type: ignore[misc]
                continue
            texts.append(
                {
                    "direction": row.direction,
                    "lines": lines,
                    "note": row.purpose or ("" if row.direction == "in" else "reply"),
                    "status": row.status,
                    "reply_to": row.reply_to_id,
                }
            )
        person = {
            "id": participant.id,
            "first_name": participant.first_name,
            "review_id": participant.review_id,
            "number": mask(rt.crypto.decrypt(participant.phone_encrypted) or ""),
        }
    return render_template(
        "sandbox/phone.html",
        person=person,
        texts=texts,
        problem=request.args.get("problem"),
        invite=request.args.get("invite"),
    )


def _shown(row: Message) -> str:
    """A text as the phone would show it (replies are stored as prompts, rendered for SMS)."""
    if row.direction == "out" and row.payload and row.reply_to_id is not None:
        return render_prompt(Prompt.from_dict(row.payload))
    return row.body or ""


@bp.post("/<int:participant_id>/reply")
def reply(participant_id: int) -> WerkzeugResponse:
    rt = runtime()
    body = (request.form.get("body") or "").strip()
    with rt.db.reading() as session:
        participant = session.get(Participant, participant_id)
        if participant is None or participant.channel != "sms":
            abort(404)
        number = rt.crypto.decrypt(participant.phone_encrypted) or ""
    if not body:
        return redirect(url_for("sandbox.phone", participant_id=participant_id, problem="empty"), code=303)
    status = post_signed_text(number, body)
    problem = None if status == 200 else f"webhook-{status}"
    return redirect(
        url_for("sandbox.phone", participant_id=participant_id, problem=problem, _anchor="latest"), code=303
    )


def post_signed_text(sender: str, body: str) -> int:
    """Post a text to the real webhook as Twilio would, signed; return its HTTP status."""
    config = current_app.config
    form = {
        "MessageSid": "SM" + secrets.token_hex(16),
        "AccountSid": config.get("TWILIO_ACCOUNT_SID") or "ACsandbox",
        "From": sender,
        "To": config.get("TWILIO_FROM") or SANDBOX_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }
    token = signing_token(config) or ""
    signature = RequestValidator(token).compute_signature(public_url(config, WEBHOOK_PATH), form)
    headers = {"X-Twilio-Signature": signature}
    return current_app.test_client().post(WEBHOOK_PATH, data=form, headers=headers).status_code


@bp.post("/invite")
def invite() -> WerkzeugResponse:
    """`heard invite` for one review, from the sandbox (quiet hours still apply)."""
    review_id = request.form.get("review_id", type=int)
    participant_id = request.form.get("participant_id", type=int)
    if review_id is None or participant_id is None:
        abort(400)
    lines = invite_review(runtime(), review_id)
    mine = next((line for line in lines if line.participant_id == participant_id), None)
    outcome = mine.action if mine else "skip"
    return redirect(
        url_for("sandbox.phone", participant_id=participant_id, invite=outcome, _anchor="latest"), code=303
    )


# Taking a phone call on the sandbox phone (issue 4): more routes on this blueprint.
from app.web import sandbox_calls  # noqa: E402, F401
