"""Running a conversation: start it, resume it with a reply, expire it.

Pure functions in the manner of goflow: plain data in (a flow, a state, what
the person sent, the time), plain data out (a new state and the events for
the services to carry out). The engine never sends or stores anything, and
the same input always gives the same output.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from app.engine.answers import parse_answer
from app.engine.commands import match_normalised
from app.engine.flow import Flow, Node
from app.engine.normalise import normalise
from app.engine.phrases import phrase_for
from app.engine.types import Audience, Event, Option, Prompt, Result, Settings, State, Step, utc_iso
from app.engine.wording import fill

DEFAULT_SETTINGS = Settings()
# Channels without buttons: a choice question lists its options in the words.
_NO_BUTTONS = ("sms", "voice")
# Channels where the question stays just above in the thread: a re-ask is a short sorry and
# how to reply, not the whole question again (which would cost a second text message).
# Voice must say the question again; the web page shows it with its buttons.
_THREADED = ("sms", "telegram")


def start(flow: Flow, audience: Audience, now: datetime, settings: Settings = DEFAULT_SETTINGS) -> Step:
    """Begin ``flow`` for ``audience``: says what comes first, then waits at the first question."""
    state = State(flow_id=flow.id, flow_version=flow.version, audience=audience, last_activity=utc_iso(now))
    run = _Run(flow, state, settings)
    run.go_to(flow.start)
    return Step(state=state, events=run.events)


def resume(flow: Flow, state: State, text: str, now: datetime, settings: Settings = DEFAULT_SETTINGS) -> Step:
    """Carry on with what the person sent. ``state`` itself is left untouched."""
    state = _copy(flow, state)
    if state.status != "active" or state.node is None:
        return Step(state=state, events=[])  # the services decide what to say to a late reply
    run = _Run(flow, state, settings)
    if _idle_too_long(state, now, settings):
        state.last_activity = utc_iso(now)
        run.notice("expired")
        run.end("expired")
        return Step(state=state, events=run.events)
    state.last_activity = utc_iso(now)
    run.reply(text)
    return Step(state=state, events=run.events)


def expire(flow: Flow, state: State, now: datetime) -> Step:
    """Close a conversation nobody came back to; answers given so far are kept."""
    state = _copy(flow, state)
    if state.status != "active":
        return Step(state=state, events=[])
    run = _Run(flow, state, DEFAULT_SETTINGS)
    run.notice("expired")
    run.end("expired")
    return Step(state=state, events=run.events)


def _sentence(text: str) -> str:
    """End with a full stop if it doesn't end a sentence already, so a hint can follow."""
    return text if text.rstrip().endswith((".", "!", "?", ":")) else f"{text.rstrip()}."


def _copy(flow: Flow, state: State) -> State:
    if state.flow_id != flow.id:
        raise ValueError(f"state is for flow '{state.flow_id}', not '{flow.id}'")
    if state.node is not None and state.node not in flow.nodes:
        raise ValueError(
            f"state waits at '{state.node}', which flow '{flow.id}' v{flow.version} does not have"
        )
    # Only what a step changes is copied: history and answers. The audience is frozen
    # (and never changed by the engine), so the new state shares it.
    return State(
        flow_id=state.flow_id,
        flow_version=state.flow_version,
        audience=state.audience,
        status=state.status,
        node=state.node,
        reasks=state.reasks,
        history=list(state.history),
        answers=dict(state.answers),
        last_activity=state.last_activity,
    )


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _idle_too_long(state: State, now: datetime, settings: Settings) -> bool:
    if not state.last_activity:
        return False
    return _as_utc(now) - _as_utc(datetime.fromisoformat(state.last_activity)) > settings.idle_timeout


class _Run:
    """One start or resume: walks the flow and collects events."""

    def __init__(self, flow: Flow, state: State, settings: Settings) -> None:
        self.flow = flow
        self.state = state
        self.settings = settings
        self.audience = state.audience
        self.events: list[Event] = []
        self.visited = 0

    # --- walking ---------------------------------------------------------------

    def go_to(self, node_id: str | None) -> None:
        """Say each message on the way, then wait at the next question (or end)."""
        while node_id is not None:
            self.visited += 1
            if self.visited > self.settings.max_steps:
                self.end("loop_guard")
                return
            node = self.flow.nodes[node_id]
            if node.kind == "ask":
                self.state.node = node.id
                self.state.reasks = 0
                self.prompt(self.question(node, kind="ask"))
                return
            self.prompt(self.message(node))
            node_id = node.next_for(None)
        self.end("completed")

    def end(self, reason: str) -> None:
        self.state.status = reason
        self.state.node = None
        self.state.reasks = 0
        self.events.append(Event(kind="ended", reason=reason))

    # --- a reply ---------------------------------------------------------------

    def reply(self, text: str) -> None:
        node = self.flow.nodes[self.state.node]  # type: ignore[index]
        normalised = normalise(text)
        command = match_normalised(normalised)
        if command == "stop":
            self.notice("goodbye")
            self.events.append(Event(kind="opted_out", node=node.id))
            self.end("opted_out")
        elif command == "help":
            self.prompt(self.phrase_prompt("help", node.id, kind="help"))
            self.prompt(self.question(node, kind="ask"))
        elif command == "repeat":
            self.prompt(self.question(node, kind="ask"))
        elif command == "back":
            self.back(node)
        elif command == "skip":
            self.store(node, text, None)
            self.notice("skipped")
            self.go_to(node.next_for(None))
        elif command == "withdraw":
            # The services erase everything they said (app/services/erasure.py); nothing more is asked.
            self.notice("withdrawn")
            self.events.append(Event(kind="withdrawn", node=node.id))
            self.end("withdrawn")
        elif command == "call_me":
            self.events.append(Event(kind="callback_requested", node=node.id))
            self.notice("callback")
            self.prompt(self.question(node, kind="ask"))
        else:
            self.answer(node, text, normalised)

    def answer(self, node: Node, text: str, normalised: str | None = None) -> None:
        value = parse_answer(node, text, self.audience, normalised)
        if value is not None:
            self.store(node, text, value)
            self.go_to(node.next_for(value))
        elif self.state.reasks < self.settings.max_reasks:
            self.state.reasks += 1
            self.prompt(self.question(node, kind="reask"))
        else:
            # Asked kindly already: keep their words, leave it unanswered, carry on.
            self.store(node, text, None)
            self.notice("move_on")
            self.go_to(node.next_for(None))

    def back(self, node: Node) -> None:
        if not self.state.history:
            self.notice("first_question")
            self.prompt(self.question(node, kind="ask"))
            return
        previous = self.state.history.pop()
        self.state.answers.pop(previous, None)
        self.events.append(Event(kind="result_cleared", node=previous))
        self.go_to(previous)

    def store(self, node: Node, raw: str, value: str | None) -> None:
        result = Result(
            node=node.id,
            theme=node.theme,
            answer_type=node.answer_type or "free_text",
            raw=raw,
            value=value,
            skipped=value is None,
            records=node.records,
        )
        self.events.append(Event(kind="result", result=result))
        self.state.history.append(node.id)
        self.state.answers[node.id] = value

    # --- prompts ---------------------------------------------------------------

    def prompt(self, prompt: Prompt) -> None:
        self.events.append(Event(kind="prompt", prompt=prompt))

    def notice(self, key: str) -> None:
        self.prompt(self.phrase_prompt(key, self.state.node or self.flow.start, kind="notice"))

    def phrase_prompt(self, key: str, node_id: str, kind: str) -> Prompt:
        return Prompt(node=node_id, text=phrase_for(key, self.audience), kind=kind)  # type: ignore[arg-type]

    def words(self, node: Node, part: str | int = "wording") -> str:
        """The node's wording (or re-ask, or option label) for this person, filled in."""
        text = node.said(part, self.audience) or ""
        return fill(text, self.audience.fields, self.audience.language)

    def peer_guidance(self, node: Node) -> str | None:
        if self.audience.channel != "peer":
            return None
        found = node.said("guidance", self.audience)
        return fill(found, self.audience.fields, self.audience.language) if found else None

    def message(self, node: Node) -> Prompt:
        return self.remembered(node, "message", lambda: self.make_message(node))

    def make_message(self, node: Node) -> Prompt:
        return Prompt(
            node=node.id,
            text=self.words(node),
            kind="say",
            picture=node.picture,
            guidance=self.peer_guidance(node),
        )

    def personal(self, node: Node) -> bool:
        """Whether this node's wording for this kind of audience has {placeholders} to fill
        with the person's details; worked out once per node and kind of audience."""
        audience = self.audience
        key = ("personal", audience.variant, audience.channel, audience.language)
        found = node._said.get(key)
        if found is None:
            parts: list[str | int] = ["wording", "guidance", *range(len(node.options))]
            if node.reask:
                parts.append("reask")
            found = any("{" in (node.said(part, audience) or "") for part in parts)
            node._said[key] = found
        return found

    def remembered(self, node: Node, what: str, make: Callable[[], Prompt]) -> Prompt:
        """A prompt that depends only on the node and the kind of audience (not the
        person's details, not their reply) is made once and shared: prompts are frozen."""
        audience = self.audience
        key = (what, audience.variant, audience.channel, audience.language)
        found = node._said.get(key)  # only ever stored for wording without placeholders
        if found is None:
            found = make()
            if not self.personal(node) and len(node._said) < 1000:
                node._said[key] = found
        return found

    def question(self, node: Node, kind: str) -> Prompt:
        return self.remembered(node, f"question {kind}", lambda: self.make_question(node, kind))

    def make_question(self, node: Node, kind: str) -> Prompt:
        options, lines = self.choices(node)
        if kind == "reask":
            if node.reask:
                text = "\n".join([self.words(node, "reask"), *lines])
            elif self.audience.channel in _THREADED:
                text = f"{_sentence(phrase_for('reask', self.audience))} {self.hint(node)}"
            else:
                asked = f"{phrase_for('reask', self.audience)} {self.words(node)}"
                hint = self.hint(node)
                if normalise(hint) in normalise(asked):
                    text = "\n".join([asked, *lines])  # the flow's wording already says how to reply
                elif lines:
                    text = "\n".join([asked, *lines, hint])
                else:
                    text = f"{_sentence(asked)} {hint}"
        else:
            text = "\n".join([self.words(node), *lines])
        return Prompt(
            node=node.id,
            text=text,
            kind=kind,  # type: ignore[arg-type]
            answer_type=node.answer_type,
            options=options,
            picture=node.picture,
            guidance=self.peer_guidance(node),
        )

    def choices(self, node: Node) -> tuple[tuple[Option, ...], tuple[str, ...]]:
        """The options to offer and, on channels without buttons, their numbered lines.

        Worked out once per node and kind of audience when no label has {placeholders}.
        """
        audience = self.audience
        key = ("choices", audience.variant, audience.channel, audience.language)
        found = node._said.get(key)
        if found is not None:
            return found
        options = self.options(node)
        lines: tuple[str, ...] = ()
        if node.answer_type == "choice" and audience.channel in _NO_BUTTONS:
            lines = tuple(
                phrase_for("option_line", audience, number=number, label=option.label)
                for number, option in enumerate(options, start=1)
            )
        personal = any("{" in (node.said(index, audience) or "") for index in range(len(node.options)))
        if not personal and len(node._said) < 1000:
            node._said[key] = (options, lines)
        return options, lines

    def options(self, node: Node) -> tuple[Option, ...]:
        """The answers to offer as buttons, in the person's language and variant."""
        if node.answer_type == "yes_no":
            return (
                Option("yes", phrase_for("yes", self.audience)),
                Option("no", phrase_for("no", self.audience)),
            )
        if node.answer_type == "scale":
            labels = {
                option.key: self.words(node, index)
                for index, option in enumerate(node.options)
                if option.label
            }
            return tuple(
                Option(key, labels.get(key) or phrase_for(f"scale_{key}", self.audience))
                for key in ("1", "2", "3", "4", "5")
            )
        if node.answer_type == "choice":
            return tuple(
                Option(option.key, self.words(node, index)) for index, option in enumerate(node.options)
            )
        return ()

    def hint(self, node: Node) -> str:
        if node.answer_type == "number":
            if node.min is not None and node.max is not None:
                return phrase_for("hint_number_range", self.audience, min=node.min, max=node.max)
            return phrase_for("hint_number", self.audience)
        if node.answer_type == "choice":
            return phrase_for("hint_choice", self.audience, count=len(node.options))
        return phrase_for(f"hint_{node.answer_type}", self.audience)
