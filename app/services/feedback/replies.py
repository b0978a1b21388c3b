"""What a person says back to their "you said, we did": was it helpful, and their words.

By text or Telegram the reply reaches run_turn like any message; a person
whose conversation has ended and who was sent feedback lately is answering
the feedback, so run_turn hands the message here (:func:`take_reply`) instead
of telling them the conversation is over. The web page has a small form, and
a call asks for a key. Words are screened for safeguarding like any answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine import Prompt, Result
from app.engine.answers import answer_words, parse_yes_no
from app.models import Conversation, FeedbackMessage, FeedbackReply, Message, Participant
from app.services import safeguarding
from app.services.feedback.wording import page_text, words
from app.services.runtime import Runtime

REPLYABLE = ("sent", "delivered", "unknown")
REPLY_NODE = "feedback_reply"  # the node name a reply's safeguarding concern is filed under


def latest_sent(
    session: Session, rt: Runtime, participant_id: int, channels: tuple[str, ...]
) -> FeedbackMessage | None:
    since = rt.clock() - timedelta(days=float(rt.config.get("FEEDBACK_REPLY_DAYS") or 60))
    return session.scalars(
        select(FeedbackMessage)
        .where(
            FeedbackMessage.participant_id == participant_id,
            FeedbackMessage.channel.in_(channels),
            FeedbackMessage.status.in_(REPLYABLE),
            FeedbackMessage.sent_at >= since,
        )
        .order_by(FeedbackMessage.id.desc())
        .limit(1)
    ).first()


def record_reply(
    session: Session,
    rt: Runtime,
    feedback: FeedbackMessage,
    channel: str,
    helpful: bool | None,
    text: str | None,
    message: Message | None = None,
    conversation: Conversation | None = None,
) -> Prompt | None:
    """Store the reply; returns the safeguarding helpline prompt if their words need one."""
    text = (text or "").strip()[:5000] or None
    session.add(
        FeedbackReply(
            feedback_message_id=feedback.id,
            participant_id=feedback.participant_id,
            channel=channel,
            helpful=helpful,
            words=text,
            message_id=message.id if message is not None else None,
            created_at=rt.clock(),
        )
    )
    if not text or conversation is None:
        return None
    participant = session.get_one(Participant, feedback.participant_id)
    result = Result(node=REPLY_NODE, theme=None, answer_type="free_text", raw=text, value=text)
    return safeguarding.screen_answer(session, rt, participant, conversation, result, message, channel)


def _meaning(text: str, language: str) -> tuple[bool | None, str | None]:
    """YES / NO alone is the answer; anything longer is also kept as their words."""
    value = parse_yes_no(text, language)
    helpful = None if value is None else value == "yes"
    bare = helpful is not None and len(answer_words(text)) <= 2
    return helpful, None if bare else text


def take_reply(
    session: Session,
    rt: Runtime,
    participant: Participant,
    message: Message,
    conversation: Conversation | None,
) -> list[Prompt] | None:
    """Called by run_turn for a message outside a running conversation: a feedback reply, or None."""
    feedback = latest_sent(session, rt, participant.id, ("sms", "telegram"))
    if feedback is None or message.channel not in ("sms", "telegram"):
        return None
    helpful, text = _meaning(message.body or "", participant.language)
    helpline = record_reply(session, rt, feedback, message.channel, helpful, text, message, conversation)
    thanks = words("reply_thanks", participant.language, participant.variant, message.channel)
    return [Prompt(node=REPLY_NODE, text=thanks, kind="notice"), *([helpline] if helpline else [])]


@dataclass(frozen=True)
class PageLink:
    url: str
    label: str


def web_feedback_link(session: Session, participant: Participant) -> PageLink | None:
    """Their latest "you said, we did" web page, for a link on their own chat page."""
    row = session.scalars(
        select(FeedbackMessage)
        .where(
            FeedbackMessage.participant_id == participant.id,
            FeedbackMessage.channel == "web",
            FeedbackMessage.status.in_(REPLYABLE),
        )
        .order_by(FeedbackMessage.id.desc())
        .limit(1)
    ).first()
    if row is None or participant.withdrawn_at is not None:
        return None
    return PageLink(f"/f/{row.token}", page_text(row.language, row.variant)["title"])
