"""Voice webhook: how long Twilio waits for each step of a call, with the audio cache built.

Whole calls through the real, signed webhook (Flask's test client: no HTTP
server in the way, so this is Heard's own time): the call starts, then each
question is answered by key, by speech, once by silence and once with
low-confidence speech that is confirmed. Every request is a new step (stored,
run through run_turn, answered with <Play>s of cached audio); a retried step
is timed separately. The audio cache holds a file for every text `heard audio
build` would make (written directly: the lookup is what is measured, and
gTTS is never called while a caller waits).

The target: under 50 ms median for a step.

    .venv/bin/python -m bench.voice_webhook [--calls 20] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bench.common import machine, median, save, table

TOKEN = "bench-token"
BASE = "http://localhost"
TARGET_MS = 50.0


def _app(database_url: str, cache: Path):  # type: ignore[no-untyped-def]
    from app import create_app
    from app.migrate import upgrade

    upgrade(database_url)
    return create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench",
            "HEARD_DATA_KEY": Fernet.generate_key().decode(),
            "PUBLIC_BASE_URL": BASE,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "AUDIO_CACHE_DIR": str(cache),
        }
    )


def _participants(rt, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    from app.services.participants import NewParticipant, add_participant, create_review

    numbers = [f"+4477009{n:05d}" for n in range(count)]
    with rt.db.writing() as session:
        review = create_review(session, "Bench Borough Council", "Strengths-based practice")
        for i, number in enumerate(numbers):
            add_participant(
                session,
                rt.crypto,
                NewParticipant(review.id, f"V{i}", "Sam", channel="voice", variant="standard", phone=number),
            )
    return numbers


def _build_cache(rt) -> int:  # type: ignore[no-untyped-def]
    from app.services import audio
    from app.services.audio_texts import texts_to_build

    folder = audio.cache_dir(rt.config)
    folder.mkdir(parents=True, exist_ok=True)
    texts = texts_to_build(rt)
    for language, text in texts:
        (folder / f"{audio.audio_key(text, language, 'gtts')}.mp3").write_bytes(b"ID3" + b"\0" * 64)
    return len(texts)


def _answer(rt, sid: str, turn: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What the caller does next, by what the last step asked."""
    from app.models import CallStep

    with rt.db.reading() as session:
        step = session.scalars(
            select(CallStep).where(CallStep.call_sid == sid).order_by(CallStep.step.desc())
        ).first()
    answer_type = (step.prompt or {}).get("answer_type") if step else None
    if step is not None and step.kind == "confirm":
        return {"Digits": "1"}
    if turn == 2:
        return {}  # one silence a call
    if turn == 4:
        return {"SpeechResult": "quite well", "Confidence": "0.3"}  # one confirmation a call
    if answer_type == "free_text":
        return {"SpeechResult": "She listened and came back when she said she would", "Confidence": "0.9"}
    if answer_type == "yes_no":
        return {"SpeechResult": "yes", "Confidence": "0.92"}
    return {"Digits": "4" if answer_type == "scale" else "1"}


def run(calls: int, database_url: str | None) -> dict[str, object]:
    workdir = Path(tempfile.mkdtemp(prefix="heard-bench-voice-"))
    app = _app(database_url or f"sqlite:///{workdir / 'heard.db'}", workdir / "audio")
    rt = app.extensions["heard_runtime"]
    cached = _build_cache(rt)
    numbers = _participants(rt, calls)
    client = app.test_client()
    validator = RequestValidator(TOKEN)
    steps: list[float] = []
    replays: list[float] = []
    plays = says = 0

    def post(path: str, form: dict[str, str]) -> str:
        nonlocal plays, says
        headers = {"X-Twilio-Signature": validator.compute_signature(f"{BASE}{path}", form)}
        began = time.perf_counter()
        response = client.post(path, data=form, headers=headers)
        steps.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
        body = response.get_data(as_text=True)
        plays, says = plays + body.count("<Play>"), says + body.count("<Say")
        return body

    for n, number in enumerate(numbers):
        sid = f"CA{n:032d}"
        base = {"CallSid": sid, "From": number, "To": "+447700900999", "Direction": "inbound"}
        twiml = post("/webhooks/twilio/voice", base)
        for turn in range(1, 60):
            if "<Hangup" in twiml:
                break
            twiml = post(f"/webhooks/twilio/voice/gather?step={turn}", base | _answer(rt, sid, turn))
        # Twilio retrying the last step: answered from the stored TwiML.
        path = f"/webhooks/twilio/voice/gather?step={turn - 1}"
        headers = {"X-Twilio-Signature": validator.compute_signature(f"{BASE}{path}", base)}
        began = time.perf_counter()
        client.post(path, data=base, headers=headers)
        replays.append(time.perf_counter() - began)
    rt.db.dispose()

    ms = sorted(s * 1000 for s in steps)
    p95 = ms[int(len(ms) * 0.95) - 1]
    result: dict[str, object] = {
        "requests": len(ms),
        "calls": calls,
        "database": rt.db.engine.dialect.name,
        "cached_texts": cached,
        "plays": plays,
        "says": says,
        "median_ms": median(ms),
        "p95_ms": p95,
        "mean_ms": statistics.fmean(ms),
        "replay_median_ms": median(r * 1000 for r in replays),
        "target_median_ms": TARGET_MS,
        "machine": machine(),
    }
    return result


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=20, help="whole calls (about 16 requests each)")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args(argv)
    result = run(args.calls, args.database_url)
    rows = [
        ["every step", result["requests"], result["median_ms"], result["p95_ms"]],
        ["a retried step", result["calls"], result["replay_median_ms"], None],
    ]
    print(table(["voice webhook", "requests", "median ms", "p95 ms"], rows))
    print(
        f"\n{result['database']}; {result['cached_texts']} texts cached; "
        f"{result['plays']} <Play> and {result['says']} <Say> in the answers (Say: first names, read-backs)."
    )
    verdict = "meets" if float(result["median_ms"]) < TARGET_MS else "MISSES"  # type: ignore[arg-type]
    print(f"Median {float(result['median_ms']):.1f} ms: {verdict} the {TARGET_MS:.0f} ms target.")  # type: ignore[arg-type]
    save("voice_webhook", result)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
