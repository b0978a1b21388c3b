"""The sandbox phone takes a call: the TwiML as a readable script, its audio, your keys or words.

Part of the sandbox (HEARD_SANDBOX only; its guard covers these routes). Each
key pressed or sentence typed is posted to the real voice webhook with a real
X-Twilio-Signature, as Twilio would post it, so the whole checked path runs.
"""

from __future__ import annotations

import secrets

from flask import abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select
from twilio.request_validator import RequestValidator
from werkzeug.wrappers import Response as WerkzeugResponse

from app.channels import voice as voice_channel
from app.models import CallStep, Message, Participant
from app.services import audio
from app.services.invitations import mask
from app.services.runtime import runtime
from app.services.signing import public_url, signing_token
from app.web.sandbox import SANDBOX_NUMBER, bp

VOICE_PATH = "/webhooks/twilio/voice"
KEYPAD = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0")


def _caller(participant_id: int) -> tuple[Participant, str]:
    with runtime().db.reading() as session:
        participant = session.get(Participant, participant_id)
        if participant is None or participant.channel != "voice":
            abort(404)
        session.expunge(participant)
        return participant, runtime().crypto.decrypt(participant.phone_encrypted) or ""


@bp.get("/call/<int:participant_id>")
def call(participant_id: int):  # type: ignore[no-untyped-def]
    participant, number = _caller(participant_id)
    sid = request.args.get("sid") or ""
    rt = runtime()
    with rt.db.reading() as session:
        step = (
            session.scalars(
                select(CallStep).where(CallStep.call_sid == sid).order_by(CallStep.step.desc()).limit(1)
            ).first()
            if sid
            else None
        )
        ringing = session.scalar(
            select(Message.id).where(
                Message.participant_id == participant.id,
                Message.channel == "voice",
                Message.direction == "out",
                Message.status == "outbox",
            )
        )
    script = voice_channel.read_script(step.twiml) if step else []
    shown = [
        {
            **line.__dict__,
            "text": line.text or audio.describe(rt.config, _key(line.url)) or "(recorded prompt)",
        }
        if line.kind == "play"
        else line.__dict__
        for line in script
    ]
    listening = next((line for line in script if line.kind == "listen"), None)
    return render_template(
        "sandbox/call.html",
        person={"id": participant.id, "first_name": participant.first_name, "number": mask(number)},
        sid=sid,
        script=shown,
        listening=listening,
        outbound=request.args.get("outbound") == "1",
        ringing=ringing is not None and not sid,
        keypad=KEYPAD,
        problem=request.args.get("problem"),
    )


def _key(url: str | None) -> str:
    return (url or "").rsplit("/", 1)[-1].removesuffix(".mp3")


@bp.post("/call/<int:participant_id>/start")
def start_call(participant_id: int) -> WerkzeugResponse:
    _, number = _caller(participant_id)
    sid = "CA" + secrets.token_hex(16)
    outbound = request.form.get("outbound") == "1"
    status = _post_signed(
        VOICE_PATH, _form(sid, number, outbound, {"AnsweredBy": "human"} if outbound else {})
    )
    return _back(participant_id, sid, outbound, status)


@bp.post("/call/<int:participant_id>/answer")
def answer_call(participant_id: int) -> WerkzeugResponse:
    _, number = _caller(participant_id)
    sid = (request.form.get("sid") or "")[:64]
    outbound = request.form.get("outbound") == "1"
    action = request.form.get("action") or ""
    base = f"{current_app.config['PUBLIC_BASE_URL']}{VOICE_PATH}/gather?step="
    if not sid or not action.startswith(base):
        abort(400)  # the sandbox only ever posts to Heard's own voice webhook
    fields: dict[str, str] = {}
    if request.form.get("digits") in KEYPAD:
        fields["Digits"] = request.form["digits"]
    elif request.form.get("say") == "1" and (request.form.get("speech") or "").strip():
        fields["SpeechResult"] = request.form["speech"].strip()[:500]
        fields["Confidence"] = "0.35" if request.form.get("unsure") else "0.92"
    path = action.removeprefix(current_app.config["PUBLIC_BASE_URL"])
    return _back(participant_id, sid, outbound, _post_signed(path, _form(sid, number, outbound, fields)))


def _form(sid: str, number: str, outbound: bool, fields: dict[str, str]) -> dict[str, str]:
    config = current_app.config
    ours = config.get("TWILIO_FROM") or SANDBOX_NUMBER
    return {
        "CallSid": sid,
        "AccountSid": config.get("TWILIO_ACCOUNT_SID") or "ACsandbox",
        "From": ours if outbound else number,
        "To": number if outbound else ours,
        "Direction": "outbound-api" if outbound else "inbound",
        "CallStatus": "in-progress",
        **fields,
    }


def _post_signed(path_and_query: str, form: dict[str, str]) -> int:
    config = current_app.config
    path, _, query = path_and_query.partition("?")
    signature = RequestValidator(signing_token(config) or "").compute_signature(
        public_url(config, path, query.encode()), form
    )
    client = current_app.test_client()
    return client.post(path_and_query, data=form, headers={"X-Twilio-Signature": signature}).status_code


def _back(participant_id: int, sid: str, outbound: bool, status: int) -> WerkzeugResponse:
    problem = None if status == 200 else f"webhook-{status}"
    target = url_for(
        "sandbox.call",
        participant_id=participant_id,
        sid=sid,
        outbound="1" if outbound else None,
        problem=problem,
        _anchor="listening",
    )
    return redirect(target, code=303)
