"""Everything a call (or the web chat's read-aloud) may speak, for `heard audio build`.

Drawn from the engine itself, as the SMS segment check is: every node's
wording, every question, re-ask, help, skip and goodbye it can say, in each
language and variant, for the voice channel (and the web chat's wording for
read-aloud), plus the words only a call needs (app/channels/voice.py).

Wording is filled with each review's council and theme. A person's first
name is never sent to a speech service: texts are rendered with a stand-in
name, and any sentence holding it is left out (a call says it with <Say>).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from sqlalchemy import select

from app.channels import voice as voice_channel
from app.engine import Audience, Flow, load_flow, resume
from app.engine.phrases import phrase_for
from app.engine.types import VARIANTS, State, utc_iso
from app.engine.wording import fill, pick
from app.models import Council, Review
from app.services.audio import sentences
from app.services.calling import callback_number
from app.services.runtime import Runtime

STAND_IN_NAME = "Zqxname"  # never a real name: marks the sentences <Say> must speak
_NOT_UNDERSTOOD = "zzqx"
_REPLIES = ("repeat", _NOT_UNDERSTOOD, "help", "skip", "call me", "back", "stop")
_ENGINE_PHRASES = (
    "help",
    "callback",
    "skipped",
    "move_on",
    "first_question",
    "goodbye",
    "expired",
    "already_finished",
)
_DYNAMIC = ("heard", "link_text")  # hold the person's own words or link: never cached


def texts_to_build(
    rt: Runtime, flow_ids: Iterable[str] | None = None, languages: Iterable[str] | None = None
) -> list[tuple[str, str]]:
    """(language, text) pairs, each once, in a stable order."""
    wanted = set(languages) if languages else {"en", "cy"}
    ids = list(flow_ids) if flow_ids else sorted(p.stem for p in rt.flows.flows_dir.glob("*.yaml"))
    fields = _field_sets(rt)
    found: dict[tuple[str, str], None] = {}
    for flow_id in ids:
        flow = load_flow(rt.flows.path(flow_id), pictures=rt.flows.pictures())
        for language in [lang for lang in flow.languages if lang in wanted]:
            for variant in VARIANTS:
                for values in fields:
                    for channel in ("voice", "web"):
                        audience = Audience(
                            variant, channel, language, {**values, "first_name": STAND_IN_NAME}
                        )
                        for text in _renderings(flow, audience):
                            for piece in _pieces(text, whole_only=channel == "web"):
                                found[(language, piece)] = None
    for language in sorted(wanted):
        for variant in VARIANTS:
            for text in _call_words(rt, language, variant):
                for piece in _pieces(text, whole_only=False):
                    found[(language, piece)] = None
    # Issue 8: approved "you said, we did" calls, sentence by sentence (never one with a name).
    from app.services.feedback.voice import texts_to_build as feedback_texts

    found.update(dict.fromkeys(feedback_texts(rt, wanted)))
    return list(found)


def _field_sets(rt: Runtime) -> list[dict[str, str]]:
    """Each review's council and theme, and none (the stand-ins "the council", "social work")."""
    with rt.db.reading() as session:
        rows = session.execute(
            select(Council.name, Review.theme).select_from(Review).join(Review.council).order_by(Review.id)
        ).all()
    sets = [{}] + [{"council": council, "review_theme": theme} for council, theme in rows]
    unique = {tuple(sorted(s.items())): s for s in sets}
    return list(unique.values())


def _pieces(text: str, whole_only: bool) -> Iterator[str]:
    """The text itself, or (holding a name) the sentences without it; the web plays only wholes."""
    text = text.strip()
    if not text:
        return
    if STAND_IN_NAME.lower() not in text.lower():
        yield text
    elif not whole_only:
        yield from (s for s in sentences(text) if STAND_IN_NAME.lower() not in s.lower())


def _renderings(flow: Flow, audience: Audience) -> Iterator[str]:
    now = datetime.now(UTC)
    for node in flow.nodes.values():
        if node.kind == "say":
            yield fill(pick(node.wording, audience), audience.fields, audience.language)
            continue
        for reasks in (0, 1):
            for reply in _REPLIES if reasks == 0 else (_NOT_UNDERSTOOD,):
                waiting = State(
                    flow.id, flow.version, audience, node=node.id, reasks=reasks, last_activity=utc_iso(now)
                )
                for prompt in resume(flow, waiting, reply, now).prompts:
                    yield prompt.text
    for key in _ENGINE_PHRASES:
        yield phrase_for(key, audience)


def _call_words(rt: Runtime, language: str, variant: str) -> Iterator[str]:
    number = voice_channel.spoken_number(callback_number(rt.config))
    for key in voice_channel.VOICE_WORDS:
        if key not in _DYNAMIC:
            yield voice_channel.words(key, language, variant, number=number)
    # The engine's phrases as run_turn says them outside a conversation (web wording by default).
    yield phrase_for("already_finished", Audience(variant=variant, language=language))
