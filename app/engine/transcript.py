"""Transcripts: a conversation written out so a PSW can read it.

One format serves two jobs: ``heard flows preview`` prints one, and the
golden tests (tests/transcripts/*.txt) replay the ``YOU:`` lines of a stored
one and expect the same text back. Lines are ``TAG: text``; ``#`` lines are
the header (flow, variant, channel, language, the flow file, the person's
details). A reply with spaces at its ends, a line break or a leading quote is
written as a JSON string, so messy replies survive the round trip.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from app.engine.flow import Flow
from app.engine.phrases import phrase_for
from app.engine.session import DEFAULT_SETTINGS, resume, start
from app.engine.types import Audience, Event, Prompt, Settings
from app.engine.wording import PLACEHOLDERS

# Replays run at a fixed time, a minute between replies: transcripts never change by themselves.
FIXED_NOW = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)

Line = tuple[str, str]


def render_transcript(lines: Iterable[Line]) -> str:
    """``TAG: text`` lines; a text's further lines are indented under its first."""
    out: list[str] = []
    for tag, text in lines:
        if tag == "#":
            out.append(f"# {text}")
            continue
        first, *rest = text.split("\n") if text else [""]
        out.append(f"{tag}: {first}".rstrip())
        out.extend(f"{' ' * (len(tag) + 2)}{more}".rstrip() for more in rest)
    return "\n".join(out) + "\n"


def header_lines(flow: Flow, audience: Audience, file: str | None = None) -> list[Line]:
    lines = [
        (
            "#",
            f"flow: {flow.id} v{flow.version} | variant: {audience.variant} | channel: {audience.channel} "
            f"| language: {audience.language}",
        )
    ]
    if file:
        lines.append(("#", f"file: {file}"))
    fields = [f"{name}: {audience.fields[name]}" for name in PLACEHOLDERS if audience.fields.get(name)]
    if fields:
        lines.append(("#", " | ".join(fields)))
    return lines


def _reply_text(reply: str) -> str:
    messy = reply != reply.strip() or "\n" in reply or reply.startswith('"') or not reply
    return json.dumps(reply, ensure_ascii=False) if messy else reply


def _answers_note(flow: Flow, prompt: Prompt) -> str:
    labels = " | ".join(f"{n} {o.label}" for n, o in enumerate(prompt.options, start=1))
    if prompt.answer_type == "yes_no":
        return "[yes/no: " + " | ".join(o.label for o in prompt.options) + "]"
    if prompt.answer_type == "scale":
        return "[scale: " + " | ".join(f"{o.key} {o.label}" for o in prompt.options) + "]"
    if prompt.answer_type == "choice":
        return f"[choice: {labels}]"
    if prompt.answer_type == "number":
        node = flow.nodes.get(prompt.node)
        if node and (node.min is not None or node.max is not None):
            low = "" if node.min is None else node.min
            high = "" if node.max is None else node.max
            return f"[number {low}-{high}]"
        return "[number]"
    return "[free text]"


def event_lines(flow: Flow, events: Iterable[Event]) -> list[Line]:
    lines: list[Line] = []
    for event in events:
        if event.kind == "prompt" and event.prompt:
            prompt = event.prompt
            if prompt.guidance:
                lines.append(("PEER NOTE", prompt.guidance))
            notes = []
            if prompt.kind in ("ask", "reask"):
                notes.append(_answers_note(flow, prompt))
            if prompt.picture:
                notes.append(f"(picture: {prompt.picture})")
            lines.append(("HEARD", " ".join([prompt.text, *notes])))
        elif event.kind == "result" and event.result:
            result = event.result
            value = "(skipped)" if result.skipped else result.value
            about = [f"theme: {result.theme or '-'}"]
            if result.records:
                about.append(f"records: {result.records}")
            about.append(f"words: {json.dumps(result.raw, ensure_ascii=False)}")
            lines.append(("SAVED", f"{result.node} = {value}  ({', '.join(about)})"))
        elif event.kind == "result_cleared":
            lines.append(("CLEARED", f"{event.node} (asked again)"))
        elif event.kind == "callback_requested":
            lines.append(("CALL BACK", f"requested at {event.node}"))
        elif event.kind == "opted_out":
            lines.append(("OPTED OUT", f"at {event.node}"))
        elif event.kind == "ended":
            lines.append(("END", event.reason or "completed"))
    return lines


def replay(
    flow: Flow,
    audience: Audience,
    replies: list[str],
    now: datetime = FIXED_NOW,
    file: str | None = None,
    settings: Settings = DEFAULT_SETTINGS,
) -> str:
    """Run ``flow`` with these replies and write the transcript.

    Replies left over once the conversation has ended are not sent (a golden
    file holding them will then differ, which is the point).
    """
    lines = header_lines(flow, audience, file)
    step = start(flow, audience, now, settings)
    lines += event_lines(flow, step.events)
    for number, reply in enumerate(replies, start=1):
        if step.state.status != "active":
            break
        lines.append(("YOU", _reply_text(reply)))
        step = resume(flow, step.state, reply, now + timedelta(minutes=number), settings)
        lines += event_lines(flow, step.events)
    if step.state.status == "active":
        lines.append(("WAITING", f"at {step.state.node}"))
    return render_transcript(lines)


def parse_transcript(text: str) -> tuple[dict[str, str], list[str]]:
    """The header (``key: value`` pairs from ``#`` lines) and the person's replies."""
    header: dict[str, str] = {}
    replies: list[str] = []
    for line in text.splitlines():
        if line.startswith("# "):
            for part in line[2:].split(" | "):
                key, _, value = part.partition(": ")
                header[key.strip()] = value.strip()
        elif line.startswith("YOU:"):
            reply = line[4:].removeprefix(" ")
            replies.append(json.loads(reply) if reply.startswith('"') else reply)
    return header, replies


def audience_from_header(header: dict[str, str]) -> Audience:
    return Audience(
        variant=header.get("variant", "standard"),
        channel=header.get("channel", "web"),
        language=header.get("language", "en"),
        fields={name: header[name] for name in PLACEHOLDERS if header.get(name)},
    )


_HAPPY_WORDS = {
    "en": "They listened to me and helped me sort things out.",
    "cy": "Roedden nhw'n gwrando arna i ac yn fy helpu i.",
}


def default_replies(flow: Flow, audience: Audience, limit: int = 200) -> list[str]:
    """A plausible happy-path reply to each question, for previews: yes, 4 of 5, the first option."""
    replies: list[str] = []
    step = start(flow, audience, FIXED_NOW)
    while step.state.status == "active" and step.state.node and len(replies) < limit:
        node = flow.nodes[step.state.node]
        if node.answer_type == "yes_no":
            reply = phrase_for("yes", audience)
        elif node.answer_type == "scale":
            reply = "4"
        elif node.answer_type == "choice":
            reply = "1"
        elif node.answer_type == "number":
            low = node.min if node.min is not None else 0
            reply = str(max(low, min(3, node.max if node.max is not None else 3)))
        else:
            reply = _HAPPY_WORDS.get(audience.language, _HAPPY_WORDS["en"])
        replies.append(reply)
        step = resume(flow, step.state, reply, FIXED_NOW + timedelta(minutes=len(replies)))
    return replies
