"""Per-sender rate limits on the webhooks: a token bucket for each phone number, chat or link.

Why in memory and not in the database: a limit is checked on every inbound
message, and a database row per sender would add a write (and, on SQLite, a
turn for the one writer lock) to every webhook, contending with the very turns
it protects. The price: each worker process keeps its own buckets (with four
gunicorn workers a sender may get up to four times the burst), and a restart
forgets them. That is enough for what it is for: stopping an auto-responder
or a stuck client from looping with us, and a link holder from flooding a
conversation. It is not the security boundary: signatures and secrets are.

A message over the limit is still stored (nothing said is lost); it is only
not answered (app/services/turns.py marks it ``throttled``).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.services.runtime import Runtime

MAX_SENDERS = 50_000  # beyond this, full buckets are forgotten (they would allow the next message anyway)


class SenderLimits:
    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}  # sender key -> (tokens, at, in epoch seconds)
        self._lock = threading.Lock()

    def take(self, rt: Runtime, sender: str) -> bool:
        """Spend one token of ``sender``'s bucket; False when it is empty."""
        burst = float(rt.config.get("WEBHOOK_BURST", 30))
        per_second = float(rt.config.get("WEBHOOK_RATE_PER_MINUTE", 20)) / 60
        key = rt.crypto.lookup(sender) or ""  # never the number or chat id itself, even in memory
        now = rt.clock().timestamp()
        with self._lock:
            tokens, at = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + max(0.0, now - at) * per_second)
            allowed = tokens >= 1
            self._buckets[key] = (tokens - 1 if allowed else tokens, now)
            if len(self._buckets) > MAX_SENDERS:
                self._forget_full(now, burst, per_second)
            return allowed

    def _forget_full(self, now: float, burst: float, per_second: float) -> None:
        full = [k for k, (t, at) in self._buckets.items() if t + (now - at) * per_second >= burst]
        for key in full:
            del self._buckets[key]
