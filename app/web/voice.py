"""Twilio's voice webhooks (a call, step by step) and the cached audio calls and pages play.

Nothing is read into the database until the X-Twilio-Signature matches, as
for texts. The webhook only looks audio up; it never makes any.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request, send_file
from werkzeug.wrappers import Response as WerkzeugResponse

from app.channels import voice as voice_channel
from app.services import audio
from app.services.call_steps import answer_call, keep_recording
from app.services.calling import record_call_status
from app.services.runtime import runtime
from app.services.sanitise import storable_form
from app.web.webhooks import require_signature as require_signature

bp = Blueprint("voice", __name__)


def _twiml(step: int) -> Response:
    require_signature()
    call = voice_channel.call_from_form(storable_form(request.form), step)  # no NUL bytes for PostgreSQL
    if call is None:
        abort(400)  # signed, but not a call we can answer (no CallSid or number)
    return Response(answer_call(runtime(), call), mimetype="application/xml")


@bp.post("/webhooks/twilio/voice")
def call_started() -> Response:
    """A call came in, or someone answered our call: step 0."""
    return _twiml(0)


@bp.post("/webhooks/twilio/voice/gather")
def gathered() -> Response:
    """What they said or pressed at a <Gather> (or nothing: actionOnEmptyResult)."""
    require_signature()
    step = request.args.get("step", type=int)
    if step is None or step < 1:
        abort(400)
    return _twiml(step)


@bp.post("/webhooks/twilio/voice/status")
def call_status() -> tuple[str, int]:
    require_signature()
    report = voice_channel.status_from_form(storable_form(request.form))
    if report is not None:
        record_call_status(runtime(), report.call_sid, report.status, report.error_code)
    return "", 204


@bp.post("/webhooks/twilio/voice/recording")
def recording() -> tuple[str, int]:
    """A recording of an answer is ready (only for people whose consent covers recording)."""
    require_signature()
    step = request.args.get("step", type=int)
    form = storable_form(request.form)
    url = (form.get("RecordingUrl") or "").strip()
    sid = (form.get("CallSid") or "").strip()
    if step is not None and url and sid and form.get("RecordingStatus", "completed") == "completed":
        keep_recording(runtime(), sid, step, url, form.get("RecordingSid"))
    return "", 204


@bp.get("/audio/<key>.mp3")
def audio_file(key: str) -> WerkzeugResponse:
    path = audio.file_for_hash(current_app.config, key)
    if path is None:
        abort(404)
    # Named by the hash of what it says: it never changes, so it may be kept a long time.
    return send_file(path, mimetype="audio/mpeg", max_age=30 * 86400, conditional=True)
