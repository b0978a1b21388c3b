"""The job queue for sending feedback: RQ on Redis when REDIS_URL is set, in-process without it.

A job says only "send what is due"; the database says what that is, so a
lost, repeated or duplicated job changes nothing. `heard worker` (the
Procfile's ``worker``) settles the claims of a worker that died, queues a
job for anything still due, then works the queue (with RQ's scheduler, for
messages deferred by quiet hours). It is an RQ SimpleWorker: jobs run in the
worker's own process, so a claim's ``host:pid`` is the process that made it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from sqlalchemy import select

from app.models import FeedbackMessage
from app.services.feedback.sending import deliver_due, next_deferred, queue_approved, recover_stale
from app.services.runtime import Runtime

log = logging.getLogger(__name__)

QUEUE_NAME = "heard-feedback"
JOB_TIMEOUT = 6 * 3600  # a big batch at one text a second

_runtime: Runtime | None = None  # the worker's app, made once


def redis_for(config: Mapping[str, Any]) -> Redis | None:
    url = config.get("REDIS_URL")
    return Redis.from_url(str(url)) if url else None


def start_delivery(rt: Runtime, review_id: int) -> str:
    """Queue the approved messages and get them sent: returns how (in-process | worker | waiting)."""
    queue_approved(rt, review_id)
    connection = redis_for(rt.config)
    if connection is None:
        deliver_due(rt, review_id)  # `make run` without Redis: the demo works on one machine
        return "in-process"
    try:
        Queue(QUEUE_NAME, connection=connection).enqueue(deliver_job, review_id, job_timeout=JOB_TIMEOUT)
    except RedisError as error:
        # Still queued in the database: `heard worker` finds them when it starts.
        log.warning("Redis unreachable (%s); the messages wait for the worker", error)
        return "waiting"
    return "worker"


def _rt() -> Runtime:
    global _runtime
    if _runtime is None:
        from app import create_app  # a plain `rq worker` process: build the app once

        _runtime = create_app().extensions["heard_runtime"]
    return _runtime


def deliver_job(review_id: int | None = None) -> int:
    """The RQ job: send what is due, then come back when quiet hours end."""
    rt = _rt()
    handled = deliver_due(rt, review_id)
    with rt.db.reading() as session:
        when = next_deferred(session, review_id)
    connection = redis_for(rt.config)
    if when is not None and connection is not None:
        Queue(QUEUE_NAME, connection=connection).enqueue_at(when, deliver_job, review_id)
    return handled


def anything_due(rt: Runtime) -> bool:
    with rt.db.reading() as session:
        return (
            session.scalar(
                select(FeedbackMessage.id).where(FeedbackMessage.status.in_(("queued", "deferred"))).limit(1)
            )
            is not None
        )


def run_worker(rt: Runtime, *, burst: bool = False) -> None:
    global _runtime
    _runtime = rt
    connection = redis_for(rt.config)
    if connection is None:
        raise RuntimeError("REDIS_URL is not set: without Redis, feedback is sent in-process.")
    for feedback_id, status in recover_stale(rt):
        log.warning("feedback message %s was left mid-send by a stopped worker: now %s", feedback_id, status)
    queue = Queue(QUEUE_NAME, connection=connection)
    if anything_due(rt):
        queue.enqueue(deliver_job, None, job_timeout=JOB_TIMEOUT)
    SimpleWorker([queue], connection=connection).work(burst=burst, with_scheduler=True)
