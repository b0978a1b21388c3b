"""Who hears what changed, and how: one function, asked at drafting and again right before each send.

Only people who said yes to hearing back (in the conversation, or on paper via
`heard participant update`), by the channel they chose, and who have not
withdrawn, opted out or been marked not to be contacted. outbound.send makes
its own checks too; this one also covers the web page and the letter, which
do not go through it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Participant, Suppression
from app.services.suppression import is_suppressed

# The flow's hear_back_channel answers (flows/practice_review_experience.yaml) -> how we send.
HEAR_BACK_CHANNELS = {"text": "sms", "phone": "voice", "telegram": "telegram", "web": "web", "letter": "post"}
SEND_CHANNELS = ("sms", "voice", "telegram", "web", "post")
# A participant's usual channel, when they said yes but not how.
_USUAL = {"sms": "sms", "voice": "voice", "telegram": "telegram", "web": "web", "post": "post"}


@dataclass(frozen=True)
class Verdict:
    channel: str | None  # sms | voice | telegram | web | post
    reason: str | None = None  # why nothing may be sent; None when they may hear back

    @property
    def eligible(self) -> bool:
        return self.reason is None


def hear_back_key(value: str) -> str:
    """A channel as the flow stores it (text, phone, ...), from either vocabulary."""
    value = value.strip().lower()
    by_send = {send: key for key, send in HEAR_BACK_CHANNELS.items()}
    if value in HEAR_BACK_CHANNELS:
        return value
    if value in by_send:
        return by_send[value]
    raise ValueError(f"Unknown channel {value!r}: use one of {', '.join(HEAR_BACK_CHANNELS)}.")


def channel_for(participant: Participant) -> str | None:
    if participant.hear_back_channel:
        return HEAR_BACK_CHANNELS.get(participant.hear_back_channel)
    return _USUAL.get(participant.channel)


def suppressed_lookups(session: Session, lookups: Iterable[str | None]) -> set[str]:
    """Of these numbers' lookups, the ones on the opt-out list now (one query per 5,000)."""
    wanted = sorted({lookup for lookup in lookups if lookup})
    found: set[str] = set()
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        found.update(
            lookup
            for lookup, lifted_at in session.execute(
                select(Suppression.phone_lookup, Suppression.lifted_at).where(
                    Suppression.phone_lookup.in_(chunk)
                )
            )
            if lifted_at is None  # Suppression.active
        )
    return found


def verdict(session: Session, participant: Participant, suppressed: set[str] | None = None) -> Verdict:
    """May this person be sent their feedback now, and by which channel; if not, why not.

    ``suppressed``: the opt-out list's active lookups, already read (by
    :func:`suppressed_lookups`) for drafting many people at once; without it
    the list is asked, as it is right before each send.
    """
    channel = channel_for(participant)
    if participant.withdrawn_at is not None:
        return Verdict(channel, "withdrawn from the review")
    if participant.do_not_contact:
        return Verdict(channel, f"not to be contacted ({participant.do_not_contact})")
    if participant.opted_out_at is not None:
        return Verdict(channel, "opted out (STOP)")
    if participant.hear_back is None:
        return Verdict(channel, "not asked whether they want to hear back")
    if participant.hear_back is False:
        return Verdict(channel, "said no to hearing what changed")
    if channel is None:
        return Verdict(None, "no way to reach them chosen")
    if channel in ("sms", "voice"):
        if not participant.phone_encrypted:
            return Verdict(channel, "no phone number")
        if (
            is_suppressed(session, participant.phone_lookup)
            if suppressed is None
            else bool(participant.phone_lookup) and participant.phone_lookup in suppressed
        ):
            return Verdict(channel, "the number opted out (STOP)")
        if channel == "voice" and "no_phone_calls" in (participant.communication_needs or []):
            return Verdict(channel, "prefers not to use the telephone")
    if channel == "telegram" and not participant.telegram_encrypted:
        return Verdict(channel, "no Telegram chat linked")
    return Verdict(channel)
