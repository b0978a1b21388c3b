"""`heard recover`: finish turns a crash interrupted, so nothing said waits for ever.

run_turn commits each inbound message before processing it. If the process
dies between the two (a deploy, the OOM killer, a power cut), the message
stays ``received``. The person's next message finishes it anyway (a turn
processes everything still waiting from them, in order); this finishes it
without waiting for them, e.g. from a cron job or at start-up.

Only messages waiting longer than RECOVER_AFTER_SECONDS are taken, so a turn
still running in another process is not raced (and if it were, the
participant's lock and the status check make the second one a no-op). A text
opting out is put on the suppression list, as the webhook would have done.
Replies by text are sent, since the webhook that would have carried them is
gone; web chat replies show when the page is next opened, Telegram's go with
the next update, and a dropped call has nobody to answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from app.channels.sms import render_reply
from app.models import Message
from app.services.outbound import send
from app.services.runtime import Runtime
from app.services.suppression import suppress
from app.services.texting import classify
from app.services.turns import finish_turn


@dataclass
class Recovered:
    finished: list[int] = field(default_factory=list)  # inbound message ids
    texts_sent: int = 0


def recover(rt: Runtime) -> Recovered:
    before = rt.clock() - timedelta(seconds=float(rt.config["RECOVER_AFTER_SECONDS"]))
    with rt.db.reading() as session:
        waiting = list(
            session.execute(
                select(
                    Message.id, Message.channel, Message.body, Message.participant_id, Message.sender_lookup
                )
                .where(Message.direction == "in", Message.status == "received", Message.created_at <= before)
                .order_by(Message.id)
            ).all()
        )
    done = Recovered()
    for message_id, channel, body, participant_id, sender_lookup in waiting:
        if channel == "sms" and classify(body or "") == "opt_out":
            _opt_out(rt, message_id, participant_id, sender_lookup)
            done.finished.append(message_id)
            continue
        result = finish_turn(rt, message_id)
        done.finished.append(message_id)
        if channel == "sms" and result.participant_id is not None and result.replies:
            outcome = send(rt, result.participant_id, render_reply(result.replies), purpose="prompt")
            done.texts_sent += int(outcome.sent)
    return done


def _opt_out(rt: Runtime, message_id: int, participant_id: int | None, sender_lookup: str | None) -> None:
    from app.models import Participant

    with rt.db.writing() as session:
        message = session.get_one(Message, message_id)
        if message.status != "received":
            return
        lookup = sender_lookup
        if participant_id is not None:
            lookup = session.get_one(Participant, participant_id).phone_lookup
        if lookup:
            suppress(session, lookup, "keyword", rt.clock())
        message.status, message.processed_at = "processed", rt.clock()
