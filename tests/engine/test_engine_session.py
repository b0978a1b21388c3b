"""start / resume / expire: the conversation's rules, one at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.engine import Audience, Event, Flow, Settings, State, Step, expire, load_flow_text, resume, start

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
DEFAULTS = Settings()


def kinds(step: Step) -> list[str]:
    return [e.kind for e in step.events]


def run(flow: Flow, audience: Audience, *replies: str, settings: Settings = DEFAULTS) -> Step:
    step = start(flow, audience, NOW, settings)
    for number, reply in enumerate(replies, start=1):
        step = resume(flow, step.state, reply, NOW + timedelta(minutes=number), settings)
    return step


def ended(step: Step) -> str | None:
    reasons = [e.reason for e in step.events if e.kind == "ended"]
    return reasons[-1] if reasons else None


def test_start_says_then_waits_at_the_first_question(branching: Flow, sam: Audience) -> None:
    step = start(branching, sam, NOW)
    assert [(p.node, p.kind) for p in step.prompts] == [("welcome", "say"), ("consent", "ask")]
    assert step.prompts[0].text.startswith("Hello Sam. The council would like")
    assert step.prompts[0].picture == "hello.svg"
    ask = step.prompts[1]
    assert ask.answer_type == "yes_no"
    assert [(o.key, o.label) for o in ask.options] == [("yes", "Yes"), ("no", "No")]
    assert ask.guidance is None  # guidance is for peers only
    assert step.state.node == "consent" and step.state.status == "active"
    assert step.state.last_activity == NOW.isoformat()
    assert step.state.flow_id == "branching" and step.state.flow_version == 2


def test_an_understood_answer_is_stored_with_the_raw_words_and_moves_on(
    branching: Flow, sam: Audience
) -> None:
    first = start(branching, sam, NOW)
    step = resume(branching, first.state, "Yeah OK!", NOW + timedelta(minutes=1))
    assert kinds(step) == ["result", "prompt"]
    [result] = step.results
    assert (result.node, result.value, result.raw, result.skipped) == ("consent", "yes", "Yeah OK!", False)
    assert result.records == "consent_taking_part" and result.answer_type == "yes_no"
    assert step.prompts[0].node == "listened"
    assert step.state.history == ["consent"] and step.state.answers == {"consent": "yes"}
    assert step.state.last_activity == (NOW + timedelta(minutes=1)).isoformat()


def test_resume_leaves_the_given_state_untouched(branching: Flow, sam: Audience) -> None:
    first = start(branching, sam, NOW)
    before = first.state.to_dict()
    resume(branching, first.state, "yes", NOW)
    assert first.state.to_dict() == before


def test_the_branch_follows_the_answer(branching: Flow, sam: Audience) -> None:
    step = run(branching, sam, "no")
    assert [p.node for p in step.prompts] == ["goodbye_without_consent"]
    assert ended(step) == "completed" and step.state.status == "completed" and step.state.node is None


def test_choice_branch_by_option_key_and_default(branching: Flow, sam: Audience) -> None:
    to_choice = ("yes", "4", "fine", "3")
    assert run(branching, sam, *to_choice, "none").prompts[0].node == "thanks_no_news"
    assert run(branching, sam, *to_choice, "phone").prompts[0].node == "thanks"


def test_not_understood_is_asked_again_then_skipped_keeping_the_words(branching: Flow) -> None:
    audience = Audience(variant="easy_read", channel="sms")
    step = run(branching, audience, "yes", "purple")
    [reask] = step.prompts
    assert reask.kind == "reask" and reask.node == "listened"
    # By text the question is just above: a sorry and how to reply, not the question again.
    assert reask.text == "Sorry, I did not understand. Reply with a number from 1 to 5."
    assert step.results == [] and step.state.reasks == 1
    step = resume(branching, step.state, "green", NOW + timedelta(minutes=5))
    [result] = step.results
    assert (result.node, result.value, result.skipped, result.raw) == ("listened", None, True, "green")
    assert [p.node for p in step.prompts] == ["listened", "listened_more"]
    assert step.state.reasks == 0 and step.state.answers["listened"] is None


@pytest.mark.parametrize("channel", ["voice", "web", "peer"])
def test_a_reask_says_the_question_again_where_it_is_not_in_a_thread(branching: Flow, channel: str) -> None:
    """Voice must say it again; the web page and the peer show the question with a sorry and a hint."""
    step = run(branching, Audience(variant="easy_read", channel=channel), "yes", "purple")
    [reask] = step.prompts
    assert reask.text.startswith("Sorry, I did not understand. Did your social worker listen to you?")
    assert "number from 1 to 5" in reask.text


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (
            Audience(channel="sms"),
            "Sorry, I didn't quite understand. Please reply with a number from 1 to 5.",
        ),
        (
            Audience(channel="telegram", variant="easy_read"),
            "Sorry, I did not understand. Tap a number from 1 to 5.",
        ),
        (
            Audience(channel="sms", language="cy"),
            "Mae'n ddrwg gen i, wnes i ddim deall yn iawn. Atebwch gyda rhif o 1 i 5, os gwelwch yn dda.",
        ),
    ],
)
def test_a_reask_in_a_thread_is_short(branching: Flow, audience: Audience, expected: str) -> None:
    step = run(branching, audience, "yes", "purple")
    [reask] = step.prompts
    assert reask.text == expected
    assert [o.key for o in reask.options] == ["1", "2", "3", "4", "5"]  # Telegram's buttons stay


CHOICE = """
id: choosing
version: 1
start: how
nodes:
  how:
    ask: choice
    text: {standard: "How should we tell you?", cy: {standard: "Sut dylen ni ddweud wrthoch chi?"}}
    options:
      - {key: text, label: {standard: "A text", cy: {standard: "Neges destun"}}}
      - {key: letter, label: {standard: "A letter", cy: {standard: "Llythyr"}}}
      - {key: call, label: {standard: "A call", cy: {standard: "Galwad"}}}
      - {key: web, label: {standard: "A web page", cy: {standard: "Tudalen we"}}}
"""


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Sorry, I didn't quite understand. Please reply with a number from 1 to 4."),
        ("cy", "Mae'n ddrwg gen i, wnes i ddim deall yn iawn. Atebwch gyda rhif o 1 i 4, os gwelwch yn dda."),
    ],
)
def test_a_choice_reask_by_text_gives_the_range_of_numbers(language: str, expected: str) -> None:
    flow = load_flow_text(CHOICE, "choosing")
    step = run(flow, Audience(channel="sms", language=language), "pigeon")
    assert step.prompts[0].text == expected
    voice = run(flow, Audience(channel="voice", language=language), "pigeon")
    assert len(voice.prompts[0].text.splitlines()) == 6  # voice reads the question and the options again


def test_the_flows_own_reask_wording_wins_by_text_too(branching: Flow) -> None:
    step = run(branching, Audience(variant="easy_read", channel="sms"), "yes", "4", "fine", "3", "pigeon")
    assert step.prompts[0].text.splitlines() == [
        "Sorry. Which way is best for you?",
        "1 - A text",
        "2 - A phone call",
        "3 - No thank you",
    ]


def test_more_reasks_when_settings_allow(branching: Flow, sam: Audience) -> None:
    step = run(branching, sam, "yes", "purple", "green", settings=Settings(max_reasks=2))
    assert [p.kind for p in step.prompts] == ["reask"] and step.state.reasks == 2


def test_the_flows_own_reask_wording_is_used(branching: Flow) -> None:
    step = run(branching, Audience(language="cy"), "ie", "4", "Iawn", "3", "colomen")
    [reask] = step.prompts
    assert reask.text == "Mae'n ddrwg gen i, pa ffordd sydd orau i chi?"
    assert [o.label for o in reask.options] == [
        "Trwy neges destun",
        "Trwy alwad ffôn",
        "Dydw i ddim eisiau clywed",
    ]


def test_stop_says_goodbye_and_opts_out(branching: Flow, sam: Audience) -> None:
    step = run(branching, sam, "yes", "STOP")
    assert kinds(step) == ["prompt", "opted_out", "ended"]
    assert "won't contact you again about this review" in step.prompts[0].text
    assert ended(step) == "opted_out" and step.state.status == "opted_out"
    assert step.results == [] and step.state.answers == {"consent": "yes"}


def test_help_then_the_question_again(branching: Flow, sam: Audience) -> None:
    step = run(branching, sam, "help")
    assert [(p.kind, p.node) for p in step.prompts] == [("help", "consent"), ("ask", "consent")]
    assert step.results == []


def test_repeat_asks_again_without_storing(branching: Flow, sam: Audience) -> None:
    step = run(branching, sam, "yes", "repeat")
    assert [(p.kind, p.node) for p in step.prompts] == [("ask", "listened")]
    assert step.results == [] and step.state.answers == {"consent": "yes"}


def test_back_clears_and_asks_the_previous_question(branching: Flow, sam: Audience) -> None:
    step = run(branching, sam, "yes", "4", "BACK")
    assert kinds(step) == ["result_cleared", "prompt"]
    assert step.events[0] == Event(kind="result_cleared", node="listened")
    assert step.prompts[0].node == "listened" and step.prompts[0].kind == "ask"
    assert step.state.history == ["consent"] and "listened" not in step.state.answers
    step = resume(branching, step.state, "nol", NOW + timedelta(hours=1))
    assert step.events[0] == Event(kind="result_cleared", node="consent")
    assert step.state.node == "consent" and step.state.history == []


def test_back_at_the_first_question_stays_there(branching: Flow, sam: Audience) -> None:
    step = run(branching, sam, "back")
    assert [(p.kind, p.node) for p in step.prompts] == [("notice", "consent"), ("ask", "consent")]
    assert "first question" in step.prompts[0].text


def test_skip_stores_a_skipped_result_and_takes_the_default_route(branching: Flow, sam: Audience) -> None:
    step = run(branching, sam, "skip")
    [result] = step.results
    assert (result.node, result.value, result.skipped, result.raw) == ("consent", None, True, "skip")
    assert [p.node for p in step.prompts] == [
        "consent",
        "goodbye_without_consent",
    ]  # notice, then default route
    assert ended(step) == "completed"


def test_call_me_asks_for_a_call_and_carries_on(branching: Flow, sam: Audience) -> None:
    step = run(branching, sam, "yes", "Please call me")
    assert kinds(step) == ["callback_requested", "prompt", "prompt"]
    assert step.events[0].node == "listened"
    assert [(p.kind, p.node) for p in step.prompts] == [("notice", "listened"), ("ask", "listened")]
    assert step.state.node == "listened" and step.results == []


def test_a_free_text_answer_mentioning_stop_is_an_answer(branching: Flow, sam: Audience) -> None:
    step = run(branching, sam, "yes", "4", "I wanted them to stop moving me around")
    assert step.results[0].value == "I wanted them to stop moving me around"
    assert step.state.status == "active"


def test_idle_too_long_expires_keeping_answers(branching: Flow, sam: Audience) -> None:
    first = run(branching, sam, "yes")
    late = NOW + Settings().idle_timeout + timedelta(days=1)
    step = resume(branching, first.state, "4", late)
    assert kinds(step) == ["prompt", "ended"]
    assert step.prompts[0].kind == "notice" and "closed" in step.prompts[0].text
    assert ended(step) == "expired" and step.state.answers == {"consent": "yes"}
    assert step.results == []


def test_idle_check_copes_with_naive_times(branching: Flow, sam: Audience) -> None:
    first = start(branching, sam, datetime(2025, 3, 3, 9, 0))
    step = resume(branching, first.state, "yes", NOW + timedelta(days=30))
    assert ended(step) == "expired"


def test_a_reply_to_an_ended_conversation_does_nothing(branching: Flow, sam: Audience) -> None:
    done = run(branching, sam, "no")
    step = resume(branching, done.state, "hello?", NOW + timedelta(days=1))
    assert step.events == [] and step.state == done.state


def test_expire_closes_an_active_conversation(branching: Flow, sam: Audience) -> None:
    first = run(branching, sam, "yes")
    step = expire(branching, first.state, NOW + timedelta(days=20))
    assert kinds(step) == ["prompt", "ended"] and step.state.status == "expired"
    assert expire(branching, step.state, NOW).events == []


def test_a_question_without_next_completes() -> None:
    flow = load_flow_text(
        'id: tiny\nversion: 1\nstart: q\nnodes:\n  q: {ask: free_text, text: "Anything?"}\n', "tiny"
    )
    step = run(flow, Audience(), "Not really, thanks")
    assert [r.value for r in step.results] == ["Not really, thanks"]
    assert ended(step) == "completed"


def test_loop_guard_stops_a_flow_that_never_waits(branching: Flow, sam: Audience) -> None:
    step = start(branching, sam, NOW, Settings(max_steps=1))
    assert [p.node for p in step.prompts] == ["welcome"]
    assert ended(step) == "loop_guard" and step.state.status == "loop_guard"


def test_loop_guard_on_an_unchecked_say_loop(branching: Flow, sam: Audience) -> None:
    # Only a flow built without validation can loop; the guard still holds.
    nodes = dict(branching.nodes)
    nodes["welcome"] = replace(nodes["welcome"], next="welcome")
    step = start(replace(branching, nodes=nodes), sam, NOW, Settings(max_steps=10))
    assert len(step.prompts) == 10 and ended(step) == "loop_guard"


@pytest.mark.parametrize(
    ("channel", "guidance"),
    [("peer", "Check they are happy to go on. Remind them they can stop at any time."), ("web", None)],
)
def test_peer_guidance_only_on_the_peer_channel(branching: Flow, channel: str, guidance: str | None) -> None:
    step = start(branching, Audience(channel=channel), NOW)
    assert step.prompts[1].guidance == guidance
    assert step.prompts[1].text == "Are you happy to answer a few questions? Your answers help us improve."


def test_choice_on_sms_lists_its_options(branching: Flow) -> None:
    step = run(branching, Audience(variant="easy_read", channel="sms"), "yes", "4", "fine", "3")
    # "1 - A text", not "1 A text" ("1 Less than a week" reads as "one less than a week").
    assert step.prompts[0].text.splitlines()[1:] == ["1 - A text", "2 - A phone call", "3 - No thank you"]
    web = run(branching, Audience(variant="easy_read", channel="web"), "yes", "4", "fine", "3")
    assert "\n" not in web.prompts[0].text and len(web.prompts[0].options) == 3


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        ("en", ["A text: press 1.", "A phone call: press 2.", "No thank you: press 3."]),
        # The label starts its sentence, so no "am" before it asks for a soft mutation.
        ("cy", ["Neges destun: pwyswch 1.", "Galwad ffôn: pwyswch 2.", "Dim diolch: pwyswch 3."]),
    ],
)
def test_choice_on_voice_reads_each_label_then_its_key(
    branching: Flow, language: str, lines: list[str]
) -> None:
    audience = Audience(variant="easy_read", channel="voice", language=language)
    step = run(branching, audience, "yes", "4", "fine", "3")
    assert step.prompts[0].text.splitlines()[1:] == lines


def test_scale_options_use_default_labels_in_welsh(branching: Flow) -> None:
    step = run(branching, Audience(language="cy", variant="easy_read"), "ie")
    assert [o.label for o in step.prompts[0].options] == [
        "Ddim o gwbl",
        "Ddim yn dda iawn",
        "Iawn",
        "Yn dda",
        "Yn dda iawn",
    ]


def test_state_survives_json_between_turns(branching: Flow, sam: Audience) -> None:
    import json

    step = run(branching, sam, "yes")
    state = State.from_dict(json.loads(json.dumps(step.state.to_dict())))
    again = resume(branching, state, "5", NOW + timedelta(minutes=2))
    assert again.results[0].value == "5" and again.state.audience == sam


def test_same_input_same_output(branching: Flow, sam: Audience) -> None:
    replies = ("yes", "purple", "quite well", "she was kind", "3", "txt")
    assert run(branching, sam, *replies) == run(branching, sam, *replies)


def test_state_for_another_flow_is_refused(branching: Flow, sam: Audience) -> None:
    state = replace(start(branching, sam, NOW).state, flow_id="other")
    with pytest.raises(ValueError, match="other"):
        resume(branching, state, "yes", NOW)
