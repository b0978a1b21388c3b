"""Commands are whole messages, in English or Welsh, and never answers."""

from __future__ import annotations

import pytest

from app.engine.commands import match_command

COMMANDS = [
    ("STOP", "stop"),
    ("stop", "stop"),
    ("Stop.", "stop"),
    ("stop it", "stop"),
    (" STOP! ", "stop"),
    ("stop please", "stop"),
    ("Please stop", "stop"),
    ("STOPIO", "stop"),
    ("unsubscribe", "stop"),
    ("HELP", "help"),
    ("help?", "help"),
    ("help me", "help"),
    ("CYMORTH", "help"),
    ("REPEAT", "repeat"),
    ("repeat please", "repeat"),
    ("say that again", "repeat"),
    ("ETO", "repeat"),
    ("AILADRODD", "repeat"),
    ("BACK", "back"),
    ("go back", "back"),
    ("NOL", "back"),
    ("nôl", "back"),
    ("YN OL", "back"),
    ("yn ôl", "back"),
    ("SKIP", "skip"),
    ("skip this", "skip"),
    ("next", "skip"),
    ("SGIPIO", "skip"),
    ("NESAF", "skip"),
    ("CALL ME", "call_me"),
    ("call me back", "call_me"),
    ("please call me", "call_me"),
    ("ring me", "call_me"),
    ("Can someone call me?", "call_me"),
    ("FFONIWCH FI", "call_me"),
    ("ffoniwch fi os gwelwch yn dda", "call_me"),
]


@pytest.mark.parametrize(("text", "command"), COMMANDS)
def test_commands(text: str, command: str) -> None:
    assert match_command(text) == command


@pytest.mark.parametrize(
    "text",
    [
        "yes",
        "4",
        "",
        "I want them to stop changing my social worker",
        "please don't stop",
        "I needed help with my shopping",
        "she never came back",
        "skip the small talk, it was bad",
        "they said they would call me but didn't",
        "stopped",
    ],
)
def test_answers_that_mention_a_command_are_not_commands(text: str) -> None:
    assert match_command(text) is None
