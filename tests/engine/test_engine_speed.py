"""How fast the engine runs a turn. Printed for information (run with -s); never asserted."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from app.engine import Audience, Flow, resume, start

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def test_turns_are_quick(branching: Flow) -> None:
    audience = Audience(variant="easy_read", channel="sms", fields={"first_name": "Sam"})
    replies = ["yeah ok", "purple", "quite well", "She was kind.", "about 6", "txt"]
    rounds = 300
    began = time.perf_counter()
    for _ in range(rounds):
        step = start(branching, audience, NOW)
        for number, reply in enumerate(replies, start=1):
            step = resume(branching, step.state, reply, NOW + timedelta(minutes=number))
    elapsed = time.perf_counter() - began
    turns = rounds * (len(replies) + 1)
    print(f"\nengine: {turns} turns in {elapsed:.3f}s, {elapsed / turns * 1e6:.0f} µs a turn")
    assert step.state.status == "completed"
