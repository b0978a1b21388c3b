"""Web chat: a form post becomes an Inbound; stored messages become a page to draw."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from app.channels.base import Inbound
from app.engine import Prompt
from app.models import Conversation, Message, Participant

MAX_ANSWER_LENGTH = 5000


def inbound_from_form(token: str, form: Mapping[str, str]) -> Inbound | None:
    """The answer typed or pressed; the form's one-time nonce is the provider id."""
    text = (form.get("answer") or "").strip()[:MAX_ANSWER_LENGTH]
    nonce = (form.get("nonce") or "").strip()[:100] or None
    if not text:
        return None
    return Inbound(channel="web", sender=token, text=text, provider_id=nonce)


@dataclass(frozen=True)
class ChatLine:
    """One bubble: who said it, the words, and an easy-read picture if any."""

    direction: str  # in (the person) | out (Heard)
    text: str
    picture: str | None = None
    kind: str = "say"
    audio_url: str | None = None  # the words read aloud, when the audio cache holds them (issue 4)


@dataclass(frozen=True)
class ChatView:
    first_name: str
    language: str
    variant: str
    lines: list[ChatLine] = field(default_factory=list)
    question: Prompt | None = None  # the question waiting for an answer, if any
    status: str = "active"  # the conversation's status


def chat_view(
    participant: Participant,
    conversation: Conversation | None,
    messages: list[Message],
    audio: Callable[[str, str], str | None] | None = None,  # (words, language) -> a URL to play
) -> ChatView:
    lines: list[ChatLine] = []
    question: Prompt | None = None
    offered: dict[str, str] = {}  # option key -> label, for the question last asked
    for message in messages:
        if message.direction == "in":
            body = message.body or ""
            # A button on this page sends the option's key ("yes", "4"); show the label pressed.
            shown = offered.get(body.strip().lower(), body) if message.channel == "web" else body
            lines.append(ChatLine("in", shown))
            offered = {}
            continue
        prompt = Prompt.from_dict(message.payload) if message.payload else None
        picture = prompt.picture if prompt and participant.variant == "easy_read" else None
        spoken = audio(message.body or "", participant.language) if audio else None
        lines.append(ChatLine("out", message.body or "", picture, prompt.kind if prompt else "say", spoken))
        if prompt and prompt.kind in ("ask", "reask"):
            question = prompt
            offered = {option.key.lower(): option.label for option in prompt.options if option.label}
    status = conversation.status if conversation else "none"
    if status != "active" or not participant.contactable:
        question = None
    return ChatView(
        first_name=participant.first_name,
        language=participant.language,
        variant=participant.variant,
        lines=lines,
        question=question,
        status=status,
    )
