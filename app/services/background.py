"""Work done after a request's transaction has committed, off the request path.

A webhook must answer Twilio within 15 seconds, so anything that waits on
another server once the turn is saved (emailing the safeguarding lead,
deleting a recording at Twilio) runs in a daemon thread started here. The
work itself records how it went in the database, so nothing is lost but the
wait: if the process dies first, what was not done still shows (the concern
as "pending" on the dashboard, the recording in ``recording_deletion``).

At interpreter exit the threads still running are given a little time to
finish (a CLI command such as ``heard retention apply`` ends right after).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

_pending: set[threading.Thread] = set()
_lock = threading.Lock()
EXIT_WAIT = 15.0  # seconds, at most, at interpreter exit


def start(name: str, work: Callable[[], object]) -> threading.Thread:
    """Run ``work`` in a daemon thread; an exception is logged, never raised."""

    def run() -> None:
        try:
            work()
        except Exception:
            log.exception("background work %s failed", name)
        finally:
            with _lock:
                _pending.discard(thread)

    thread = threading.Thread(target=run, name=f"heard-{name}", daemon=True)
    with _lock:
        _pending.add(thread)
    thread.start()
    return thread


def join_pending(timeout: float | None = None) -> bool:
    """Wait for the work started so far; True if none is still running (for tests and exit)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        with _lock:
            running = [thread for thread in _pending if thread is not threading.current_thread()]
        if not running:
            return True
        for thread in running:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(remaining)
        if deadline is not None and time.monotonic() >= deadline:
            with _lock:
                return not any(t.is_alive() for t in _pending if t is not threading.current_thread())


atexit.register(join_pending, EXIT_WAIT)
