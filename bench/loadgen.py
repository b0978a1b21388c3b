"""A small load generator: signed Twilio webhook posts over keep-alive HTTP/1.1 connections.

asyncio with raw streams and pre-encoded requests, so the client spends as
little of this 2-core machine's CPU as possible (it shares the machine with
the server it measures; BENCHMARKS.md says so). Each of ``concurrency``
senders keeps one connection and sends one request at a time, as one phone
network webhook stream would.

Senders take participants from a shared queue and send each one's next reply
of its conversation, so a participant never has two texts in flight and every
conversation moves forward in order, as a person's would.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 32
TO = "+447700900999"

# One participant's texts, in order: the first starts the conversation (welcome and consent),
# the rest answer the shipped flow's questions, with the mess real replies have.
SCRIPT = [
    "Hi",
    "yes ok",
    "Yes",
    "4",
    "Being able to stay in my own home",
    "3",
    "quite good",
    "yes",
    "5",
    "easy",
    "a few weeks",
    "Ring back when they say they will",
    "nothing else thanks",
    "yeah",
    "1",
]


@dataclass
class Sender:
    phone: str
    step: int = 0
    offset: int = 0  # texts sent before measuring (see Participants.prefill)


@dataclass
class LoadResult:
    concurrency: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    exhausted: bool = False

    @property
    def ok(self) -> int:
        return len(self.latencies_ms)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float | None:
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]

    def summary(self) -> dict[str, object]:
        return {
            "concurrency": self.concurrency,
            "seconds": self.seconds,
            "ok": self.ok,
            "rps": self.rps,
            "p50_ms": self.percentile(50),
            "p95_ms": self.percentile(95),
            "p99_ms": self.percentile(99),
            "max_ms": max(self.latencies_ms) if self.latencies_ms else None,
            "errors": self.errors,
            "exhausted": self.exhausted,
        }


class Participants:
    """Phones with their place in the script; shared by all senders of one server.

    ``active`` conversations are under way at once; when one finishes its script a
    fresh participant takes its place, so at any moment the texts in flight are
    spread over every step of the conversation (first texts, answers, free
    text, the last question), as they would be mid-way through a review.
    """

    def __init__(self, phones: list[str], active: int | None = None) -> None:
        self.reserve = iter(phones)
        size = len(phones) if active is None else active
        self.waiting: deque[Sender] = deque(Sender(p) for p in itertools.islice(self.reserve, size))
        for n, sender in enumerate(self.waiting):
            sender.offset = n % len(SCRIPT)

    def prefill(self) -> Prefill:
        """Each participant's first ``offset`` texts, to send before measuring: then the
        conversations under way are spread evenly over the script's steps, and stay so."""
        return Prefill([s for s in self.waiting if s.step < s.offset])

    def take(self) -> Sender | None:
        return self.waiting.popleft() if self.waiting else None

    def give_back(self, sender: Sender) -> None:
        if sender.step < len(SCRIPT):
            self.waiting.append(sender)
            return
        fresh = next(self.reserve, None)
        if fresh is not None:
            self.waiting.append(Sender(fresh))


class Prefill:
    def __init__(self, senders: list[Sender]) -> None:
        self.waiting: deque[Sender] = deque(senders)

    def take(self) -> Sender | None:
        return self.waiting.popleft() if self.waiting else None

    def give_back(self, sender: Sender) -> None:
        if sender.step < sender.offset:
            self.waiting.append(sender)


class Endpoint:
    """Where to post and how to sign: the URL as Twilio would have seen it (PUBLIC_BASE_URL)."""

    _sids = itertools.count(1)
    _run = f"{os.getpid():08x}{int(time.time()) & 0xFFFFFFFF:08x}"

    def __init__(self, host: str, port: int, path: str, token: str) -> None:
        self.host, self.port, self.path = host, port, path
        self.url = f"http://{host}:{port}{path}"
        self.validator = RequestValidator(token)

    def request(self, phone: str, body: str) -> bytes:
        sid = f"SM{self._run}{next(self._sids):016x}"
        form = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": phone,
            "To": TO,
            "Body": body,
            "NumMedia": "0",
        }
        signature = self.validator.compute_signature(self.url, form)
        payload = urlencode(form).encode()
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(payload)}\r\nX-Twilio-Signature: {signature}\r\n\r\n"
        )
        return head.encode() + payload


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    if length:
        await reader.readexactly(length)
    return status, close


async def _sender(
    endpoint: Endpoint,
    participants: Participants | Prefill,
    result: LoadResult,
    measure_from: float,
    stop_at: float,
) -> None:
    reader = writer = None
    try:
        while time.perf_counter() < stop_at:
            who = participants.take()
            if who is None:
                result.exhausted = True
                return
            request = endpoint.request(who.phone, SCRIPT[who.step])
            if writer is None:
                reader, writer = await asyncio.open_connection(endpoint.host, endpoint.port)
            began = time.perf_counter()
            try:
                writer.write(request)
                status, close = await _read_response(reader)  # type: ignore[arg-type]
            except (OSError, asyncio.IncompleteReadError) as error:
                key = type(error).__name__
                result.errors[key] = result.errors.get(key, 0) + 1
                writer.close()
                reader = writer = None
                participants.give_back(who)  # not delivered: send it again
                continue
            ended = time.perf_counter()
            who.step += 1
            participants.give_back(who)
            if status != 200:
                key = f"HTTP {status}"
                result.errors[key] = result.errors.get(key, 0) + 1
            elif measure_from <= ended <= stop_at:
                result.latencies_ms.append((ended - began) * 1000)
            if close:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


async def _run(
    endpoint: Endpoint, participants: Participants, concurrency: int, warmup: float, seconds: float
) -> LoadResult:
    result = LoadResult(concurrency=concurrency, seconds=seconds)
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + seconds
    await asyncio.gather(
        *(_sender(endpoint, participants, result, measure_from, stop_at) for _ in range(concurrency))
    )
    return result


def run_load(
    endpoint: Endpoint,
    participants: Participants,
    concurrency: int,
    warmup: float = 1.0,
    seconds: float = 5.0,
) -> LoadResult:
    """``concurrency`` senders for ``warmup`` + ``seconds``; only the last ``seconds`` are measured."""
    return asyncio.run(_run(endpoint, participants, concurrency, warmup, seconds))
