"""Helpers for the voice tests: signed call webhooks, TwiML read with xml.etree, gTTS's HTTP."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from xml.etree import ElementTree

import responses
from flask.testing import FlaskClient
from sms_support import ACCOUNT_SID, BASE_URL, FROM, sign

PHONE = "+447700900123"
VOICE_PATH = "/webhooks/twilio/voice"
# gTTS 2.5 posts each chunk of text to Google Translate's batchexecute RPC (gtts/tts.py).
GTTS_URL = "https://translate.google.co.uk/_/TranslateWebserverUi/data/batchexecute"
FAKE_MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 64


def call_form(sid: str, *, outbound: bool = False, **fields: str) -> dict[str, str]:
    form = {
        "CallSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": FROM if outbound else PHONE,
        "To": PHONE if outbound else FROM,
        "Direction": "outbound-api" if outbound else "inbound",
        "CallStatus": "in-progress",
    }
    return form | fields


@dataclass
class Reply:
    status: int
    twiml: str

    @property
    def root(self) -> ElementTree.Element:
        root = ElementTree.fromstring(self.twiml)
        assert root.tag == "Response"
        return root

    @property
    def gathers(self) -> list[ElementTree.Element]:
        return self.root.findall("Gather")

    @property
    def next_step(self) -> int:
        [gather] = self.gathers
        return int(re.search(r"step=(\d+)", gather.get("action", "")).group(1))  # type: ignore[union-attr]

    @property
    def spoken(self) -> str:
        """Every <Say>'s words, in order (a <Play> shows as [audio])."""
        words = []
        for element in self.root.iter():
            if element.tag == "Say":
                words.append(element.text or "")
            elif element.tag == "Play":
                words.append("[audio]")
        return " ".join(words)

    @property
    def hangs_up(self) -> bool:
        return self.root.find("Hangup") is not None


def post_call(
    client: FlaskClient,
    step: int,
    form: dict[str, str],
    *,
    signature: str | None = None,
    path: str | None = None,
) -> Reply:
    path = path or (VOICE_PATH if step == 0 else f"{VOICE_PATH}/gather?step={step}")
    signature = sign(f"{BASE_URL}{path}", form) if signature is None else signature
    response = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    return Reply(response.status_code, response.get_data(as_text=True))


def gtts_body(audio: bytes = FAKE_MP3) -> str:
    """Google's batchexecute answer as gTTS parses it: the mp3, base64, in a jQ1olc line."""
    encoded = base64.b64encode(audio).decode()
    rpc = [["wrb.fr", "jQ1olc", json.dumps([encoded]), None, None, None, "generic"]]
    return ")]}'\n\n" + json.dumps(rpc, separators=(",", ":"))


def intercept_gtts(mock: responses.RequestsMock) -> None:
    mock.post(GTTS_URL, body=gtts_body(), status=200, content_type="application/json")


def assert_gather_is_complete(gather: ElementTree.Element, *, speech: bool = True) -> None:
    """Every question: speech and keys (keys only when speech is off), a language, a timeout, an action."""
    inputs = set((gather.get("input") or "").split())
    assert inputs == ({"speech", "dtmf"} if speech else {"dtmf"}), gather.attrib
    assert gather.get("language") in ("en-GB", "cy-GB")
    assert int(gather.get("timeout") or 0) > 0
    assert (gather.get("action") or "").startswith(f"{BASE_URL}{VOICE_PATH}/gather?step=")
    assert gather.get("actionOnEmptyResult") == "true"
    if speech:
        assert gather.get("speechTimeout") == "auto"
        assert gather.get("hints")
