"""The pure conversation engine: flows in, prompts and results out.

No Flask, no database, no network (tests/engine/test_purity.py checks).
Services call :func:`start` / :func:`resume` / :func:`expire` and carry out
the events they return.
"""

from app.engine.answers import parse_answer
from app.engine.commands import match_command
from app.engine.flow import (
    Flow,
    FlowError,
    FlowOption,
    Node,
    Problem,
    check_flow,
    check_flow_text,
    load_flow,
    load_flow_text,
    parse_flow,
    pictures_in,
)
from app.engine.session import expire, resume, start
from app.engine.transcript import default_replies, parse_transcript, render_transcript, replay
from app.engine.types import (
    ANSWER_TYPES,
    CHANNELS,
    LANGUAGES,
    RECORDS,
    VARIANTS,
    Audience,
    Event,
    Option,
    Prompt,
    Result,
    Settings,
    State,
    Step,
)

__all__ = [
    "ANSWER_TYPES",
    "CHANNELS",
    "LANGUAGES",
    "RECORDS",
    "VARIANTS",
    "Audience",
    "Event",
    "Flow",
    "FlowError",
    "FlowOption",
    "Node",
    "Option",
    "Problem",
    "Prompt",
    "Result",
    "Settings",
    "State",
    "Step",
    "check_flow",
    "check_flow_text",
    "default_replies",
    "expire",
    "load_flow",
    "load_flow_text",
    "match_command",
    "parse_answer",
    "parse_flow",
    "parse_transcript",
    "pictures_in",
    "render_transcript",
    "replay",
    "resume",
    "start",
]
