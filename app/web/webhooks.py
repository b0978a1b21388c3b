"""Twilio's webhooks: texts in, and delivery reports for texts out.

Nothing is read into the database until the X-Twilio-Signature matches the
form and the public URL; anything else gets 403.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from twilio.request_validator import RequestValidator

from app.channels import sms as sms_channel
from app.services.outbound import record_status
from app.services.runtime import runtime
from app.services.sanitise import storable_form
from app.services.signing import public_url, signing_token
from app.services.texting import receive_text

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks/twilio")


def require_signature() -> None:
    token = signing_token(current_app.config)
    signature = request.headers.get("X-Twilio-Signature", "")
    url = public_url(current_app.config, request.path, request.query_string)
    if not token or not signature or not RequestValidator(token).validate(url, request.form, signature):
        abort(403)


@bp.post("/sms")
def sms() -> Response:
    require_signature()
    inbound = sms_channel.inbound_from_form(request.form)
    if inbound is None:
        abort(400)  # signed, but not a message (no sender or id): nothing to keep
    prompts = receive_text(runtime(), inbound)
    return Response(sms_channel.twiml(prompts), mimetype="application/xml")


@bp.post("/status")
def status() -> tuple[str, int]:
    require_signature()
    report = sms_channel.status_from_form(storable_form(request.form))  # no NUL bytes for PostgreSQL
    if report is not None:
        record_status(runtime(), report.message_sid, report.status, report.error_code)
    return "", 204
