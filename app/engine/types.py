"""Plain data that goes in and out of the conversation engine.

The engine is pure: these types are all it knows. A session state serialises
to a JSON-able dict (``State.to_dict`` / ``State.from_dict``) so services can
store it on the conversation row.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

AnswerType = Literal["yes_no", "choice", "scale", "free_text", "number"]
ANSWER_TYPES: tuple[str, ...] = ("yes_no", "choice", "scale", "free_text", "number")
VARIANTS: tuple[str, ...] = ("standard", "easy_read")
CHANNELS: tuple[str, ...] = ("sms", "voice", "telegram", "web", "peer")
LANGUAGES: tuple[str, ...] = ("en", "cy")
RECORDS: tuple[str, ...] = ("consent_taking_part", "consent_quotes", "hear_back", "hear_back_channel")

_T = TypeVar("_T")

# How a conversation can be: waiting for an answer, or ended for a reason.
Status = Literal["active", "completed", "opted_out", "expired", "loop_guard"]


def _quick_init(cls: type[_T]) -> type[_T]:
    """Give a frozen dataclass an __init__ that sets its fields straight into the instance
    dict instead of one object.__setattr__ call a field: the same fields, order, defaults
    and result, at a fraction of the cost. For the small types made several times a step."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    defaults = {f"_default_{f.name}": f.default for f in fields(cls) if f.default is not MISSING}  # type: ignore[arg-type]
    if any(f.default_factory is not MISSING for f in fields(cls)) or hasattr(cls, "__post_init__"):  # type: ignore[arg-type]
        raise TypeError(f"{cls.__name__}: _quick_init handles plain fields only")
    params = ", ".join(f"{n}=_default_{n}" if f"_default_{n}" in defaults else n for n in names)
    body = "\n".join(f"    d[{n!r}] = {n}" for n in names)
    namespace: dict[str, Any] = {}
    exec(f"def __init__(self, {params}):\n    d = self.__dict__\n{body}\n", defaults, namespace)  # nosec B102
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[misc]
    return cls


@dataclass(frozen=True)
class Audience:
    """Who the engine is talking to, and how."""

    variant: str = "standard"  # standard | easy_read
    channel: str = "web"  # sms | voice | telegram | web | peer
    language: str = "en"  # en | cy
    # Values for {placeholders} in wording: first_name, council, review_theme.
    fields: dict[str, str] = field(default_factory=dict)


@_quick_init
@dataclass(frozen=True)
class Option:
    """One answer offered on screen or keyboard: key is what gets stored."""

    key: str
    label: str


@_quick_init
@dataclass(frozen=True)
class Prompt:
    """One message for the person, already in their wording.

    ``answer_type`` and ``options`` let a channel draw buttons or keyboards;
    ``guidance`` is the flow's peer wording (only filled for the peer channel).
    """

    node: str
    text: str
    kind: Literal["say", "ask", "reask", "help", "notice"] = "say"
    answer_type: str | None = None
    options: tuple[Option, ...] = ()
    picture: str | None = None
    guidance: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Prompt:
        data = dict(data)
        data["options"] = tuple(Option(**o) for o in data.get("options", ()))
        return cls(**data)


@_quick_init
@dataclass(frozen=True)
class Result:
    """One answer as it will be stored: category (value) apart from route (next)."""

    node: str
    theme: str | None
    answer_type: str
    raw: str  # the person's own words, exactly as received
    value: str | None  # yes/no, option key, "1".."5", number as text, or the free text; None when skipped
    skipped: bool = False
    records: str | None = None  # see RECORDS


@_quick_init
@dataclass(frozen=True)
class Event:
    """Something for the services to carry out. The engine never acts itself.

    kinds:
      prompt              -- send ``prompt``
      result              -- store ``result``
      result_cleared      -- BACK went to ``node``: its stored answer is being re-asked
      opted_out           -- the person said STOP
      callback_requested  -- the person asked for a person to call them
      ended               -- the conversation ended; ``reason`` is the final Status
    """

    kind: Literal[
        "prompt", "result", "result_cleared", "opted_out", "callback_requested", "withdrawn", "ended"
    ]
    prompt: Prompt | None = None
    result: Result | None = None
    node: str | None = None
    reason: str | None = None


@dataclass
class State:
    """A conversation in progress, as plain data."""

    flow_id: str
    flow_version: int
    audience: Audience
    status: str = "active"
    node: str | None = None  # the ask node waiting for an answer
    reasks: int = 0  # misunderstood answers at the current node
    history: list[str] = field(default_factory=list)  # ask nodes answered, for BACK
    answers: dict[str, str | None] = field(default_factory=dict)  # node -> value
    last_activity: str | None = None  # ISO 8601, UTC

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        data = dict(data)
        data["audience"] = Audience(**data["audience"])
        return cls(**data)


@dataclass(frozen=True)
class Settings:
    """Engine limits; the app fills these from its configuration."""

    idle_timeout: timedelta = timedelta(days=14)
    max_reasks: int = 1  # re-asks before a question is skipped
    max_steps: int = 100  # loop guard: nodes visited in one start/resume


@_quick_init
@dataclass(frozen=True)
class Step:
    """What start/resume return: the new state and the events to carry out."""

    state: State
    events: list[Event]

    @property
    def prompts(self) -> list[Prompt]:
        return [e.prompt for e in self.events if e.kind == "prompt" and e.prompt]

    @property
    def results(self) -> list[Result]:
        return [e.result for e in self.events if e.kind == "result" and e.result]


def utc_iso(moment: datetime) -> str:
    return moment.isoformat()
