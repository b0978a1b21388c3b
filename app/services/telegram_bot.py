"""The Bot API from sync code: one python-telegram-bot ``Bot`` per process, on its own event loop.

python-telegram-bot is async and its HTTP client belongs to one event loop,
so the bot lives on a small background loop and the (sync) webhook, worker
and CLI hand it coroutines. It is initialised once (one getMe, which also
checks the token), not on every webhook call.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

from telegram import Bot

T = TypeVar("T")

CALL_TIMEOUT = 90.0  # seconds: above getUpdates' long-poll wait


class BotRunner:
    def __init__(self, token: str, base_url: str) -> None:
        self.bot = Bot(token, base_url=base_url)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="telegram-bot", daemon=True)
        self._thread.start()
        try:
            self.call(self.bot.initialize())
        except BaseException:
            self._stop_loop()
            raise

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = CALL_TIMEOUT) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def close(self) -> None:
        try:
            self.call(self.bot.shutdown(), timeout=10)
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


_runners: dict[tuple[str, str, int], BotRunner] = {}
_lock = threading.Lock()


def bot_runner(config: Mapping[str, Any]) -> BotRunner | None:
    """This process's bot for the configured token, or None when there is no token (the outbox)."""
    token = config.get("TELEGRAM_BOT_TOKEN")
    if not token:
        return None
    # Keyed by process too: a forked worker can't use its parent's loop thread.
    key = (str(token), str(config["TELEGRAM_API_BASE_URL"]), os.getpid())
    with _lock:
        runner = _runners.get(key)
        if runner is None:
            runner = _runners[key] = BotRunner(key[0], key[1])
        return runner


def close_runners() -> None:
    """Shut every bot down (tests, and a worker that is stopping)."""
    with _lock:
        runners = list(_runners.values())
        _runners.clear()
    for runner in runners:
        runner.close()
