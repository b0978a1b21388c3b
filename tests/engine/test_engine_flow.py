"""Loading and checking flow files: every problem, named by file and node, for the author."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine import Flow, FlowError, Problem, check_flow, load_flow, load_flow_text, parse_flow
from app.engine.flow import check_flow_text

FLOWS = Path(__file__).parent / "flows"

PICTURES = {"hello.svg", "listening.svg"}


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]


def minimal(**nodes: str) -> str:
    """A small valid flow, with extra node YAML appended."""
    body = "".join(f"  {name}:\n{text}" for name, text in nodes.items())
    return (
        "id: mini\nversion: 1\nstart: hello\nnodes:\n"
        '  hello:\n    say: {standard: "Hello.", easy_read: "Hello."}\n    next: q\n'
        '  q:\n    ask: yes_no\n    text: {standard: "OK?", easy_read: "OK?"}\n' + body
    )


def test_the_test_flow_is_clean(branching: Flow) -> None:
    assert check_flow(FLOWS / "branching.yaml", pictures=PICTURES) == []
    assert branching.id == "branching" and branching.version == 2
    assert branching.languages == ("en", "cy")
    assert branching.nodes["consent"].next == {
        "yes": "listened",
        "no": "goodbye_without_consent",
        "default": "goodbye_without_consent",
    }
    assert [o.key for o in branching.nodes["hear_back"].options] == ["text", "phone", "none"]
    assert branching.nodes["visits"].min == 0 and branching.nodes["visits"].max == 50
    assert branching.nodes["welcome"].kind == "say" and branching.nodes["welcome"].answer_type is None


def test_dangling_next_names_the_file_and_the_node() -> None:
    problems = check_flow(FLOWS / "dangling_next.yaml")
    dangling = [p for p in problems if "consnet" in p.reason]
    assert len(dangling) == 1
    assert dangling[0].node == "welcome"
    assert dangling[0].file.endswith("dangling_next.yaml")
    assert str(dangling[0]).startswith(f"{dangling[0].file}:welcome: next: goes to 'consnet'")
    assert "did you mean 'consent'" in dangling[0].reason


def test_load_flow_refuses_with_every_error_in_the_message() -> None:
    with pytest.raises(FlowError) as raised:
        load_flow(FLOWS / "many_errors.yaml", pictures=PICTURES)
    message = str(raised.value)
    expected = [
        "no version:",
        "welcome: a node either says or asks",
        "{name}",
        "q1: unknown answer type 'yesno'",
        "unknown wording key 'smss'",
        "q2: the question (text:) has no English standard wording",
        "records: 'consent_everything'",
        "next: has 'maybe'",
        "q3: a choice question needs options:",
        "picture 'missing.svg'",
        "unknown key 'nxt'",
        "option 'a' label has no English standard wording",
        "orphan: no node leads here",
    ]
    for fragment in expected:
        assert fragment in message, fragment
    assert len(errors(raised.value.problems)) == len(expected)


def test_say_only_loop_is_an_error() -> None:
    [problem] = check_flow(FLOWS / "say_loop.yaml")
    assert problem.node == "one"
    assert "one -> two -> three -> one" in problem.reason


def test_yaml_syntax_error_is_a_problem_with_its_line() -> None:
    [problem] = check_flow(FLOWS / "bad_yaml.yaml")
    assert problem.severity == "error"
    assert "line 6" in problem.reason and "not valid YAML" in problem.reason
    with pytest.raises(FlowError):
        load_flow(FLOWS / "bad_yaml.yaml")


def test_id_must_match_the_file_name() -> None:
    [problem] = check_flow(FLOWS / "wrong_name.yaml")
    assert "rename the file to not_the_file_name.yaml" in problem.reason


def test_warnings_do_not_refuse_the_flow_but_are_all_listed() -> None:
    problems = check_flow(FLOWS / "warnings_only.yaml")
    assert errors(problems) == []
    reasons = [p.reason for p in warnings(problems)]
    assert any("no easy_read wording" in r for r in reasons)
    assert any("no Welsh (cy) wording" in r for r in reasons)
    assert any("over 15 words" in r and "Please tell us" in r for r in reasons)
    flow = load_flow(FLOWS / "warnings_only.yaml")
    assert len(flow.warnings) == len(problems)


def test_pictures_are_only_checked_when_known() -> None:
    assert errors(check_flow(FLOWS / "branching.yaml")) == []
    problems = check_flow(FLOWS / "branching.yaml", pictures={"hello.svg"})
    assert [(p.node, "listening.svg" in p.reason) for p in problems] == [("listened", True)]


ASK_Q = 'OK?", easy_read: "OK?"}\n'


def with_next(next_yaml: str) -> str:
    """The minimal flow with ``next_yaml`` given to its question q."""
    return minimal().replace(ASK_Q, ASK_Q + next_yaml)


@pytest.mark.parametrize(
    ("next_yaml", "fragment"),
    [
        ("", None),
        ("    next: nowhere\n", "goes to 'nowhere'"),
        ("    next: {yes: hello, maybe: hello, default: hello}\n", "next: has 'maybe'"),
    ],
)
def test_next_targets_and_keys(next_yaml: str, fragment: str | None) -> None:
    problems = errors(check_flow_text(with_next(next_yaml), "mini.yaml"))
    if fragment is None:
        assert problems == []
    else:
        assert [p.node for p in problems] == ["q"]
        assert fragment in problems[0].reason


@pytest.mark.parametrize(
    ("node_yaml", "fragment"),
    [
        ('    say: "Hi."\n    ask: yes_no\n', "both say: and ask:"),
        ("    next: hello\n", "needs say: (a message) or ask:"),
        ('    ask: maybe\n    text: "Hm?"\n', "unknown answer type 'maybe'"),
        ('    ask: choice\n    text: "Which?"\n', "needs options:"),
        (
            '    ask: choice\n    text: "Which?"\n    options: [{key: a, label: {easy_read: A}}]\n',
            "label has no English standard wording",
        ),
        ('    ask: yes_no\n    text: {easy_read: "OK?"}\n', "no English standard wording"),
        ('    say: {standard: "Hi", easyread: "Hi"}\n', "unknown wording key 'easyread'"),
        ('    say: "Hi {firstname}"\n', "uses {firstname}"),
        ('    ask: yes_no\n    text: "OK?"\n    records: consent\n', "records: 'consent' is not known"),
        ('    ask: free_text\n    text: "Hm?"\n    next: {yes: hello}\n', "never gives"),
        (
            '    ask: choice\n    text: "Hm?"\n    options: [{key: a, label: A}]\n    next: {b: hello}\n',
            "'b', which this choice question never gives; use a, default",
        ),
        ('    say: "Hi."\n    next: {yes: hello}\n', "only questions can branch"),
        ('    say: "Hi."\n    records: hear_back\n', "records: is only for questions"),
        (
            '    ask: number\n    text: "How many?"\n    min: 5\n    max: 1\n',
            "min: (5) is more than max: (1)",
        ),
        ('    ask: scale\n    text: "How?"\n    options: [{key: 6, label: Six}]\n', "should be one of 1, 2"),
    ],
)
def test_node_errors(node_yaml: str, fragment: str) -> None:
    text = minimal(extra=node_yaml).replace(ASK_Q, ASK_Q + "    next: extra\n", 1)
    problems = errors(check_flow_text(text, "mini.yaml"))
    assert any(p.node == "extra" and fragment in p.reason for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("version: 1\nstart: a\nnodes: {a: {say: Hi}}\n", "no id:"),
        ("id: mini\nstart: a\nnodes: {a: {say: Hi}}\n", "no version:"),
        ("id: mini\nversion: 1\nnodes: {a: {say: Hi}}\n", "no start:"),
        ("id: mini\nversion: 1\nstart: b\nnodes: {a: {say: Hi}}\n", "start: 'b' is not a node"),
        ("id: mini\nversion: 1\nstart: a\n", "no nodes:"),
        ("id: mini\nversion: one\nstart: a\nnodes: {a: {say: Hi}}\n", "version: should be a whole number"),
        ("id: mini\nversion: 1\nlanguages: [cy]\nstart: a\nnodes: {a: {say: Hi}}\n", "includes en"),
        ("id: mini\nversion: 1\nstart: a\nnodes:\n  a: {say: Hi}\n  a: {say: Bye}\n", "'a' appears twice"),
        ("", "the file is empty"),
    ],
)
def test_flow_level_errors(text: str, fragment: str) -> None:
    problems = errors(check_flow_text(text, "mini.yaml"))
    assert any(fragment in p.reason for p in problems), [str(p) for p in problems]


def test_yes_and_no_keys_stay_words_not_booleans() -> None:
    bye = '  hello2:\n    say: {standard: "Bye.", easy_read: "Bye."}\n'
    flow = load_flow_text(
        with_next("    next: {yes: hello2, no: hello2, default: hello2}\n") + bye, "mini.yaml"
    )
    assert flow.nodes["q"].next == {"yes": "hello2", "no": "hello2", "default": "hello2"}


def test_missing_default_route_is_a_warning() -> None:
    text = (
        with_next("    next: {yes: hello2}\n") + '  hello2:\n    say: {standard: "Bye.", easy_read: "Bye."}\n'
    )
    problems = check_flow_text(text, "mini.yaml")
    assert [p.severity for p in problems] == ["warning"] and "no default:" in problems[0].reason


def test_parse_flow_takes_data_and_raises_flow_error() -> None:
    data = {"id": "x", "version": 1, "start": "a", "nodes": {"a": {"say": "Hi", "next": "b"}}}
    with pytest.raises(FlowError) as raised:
        parse_flow(data, "x.yaml")
    assert "x.yaml:a: next: goes to 'b'" in str(raised.value)
    data["nodes"]["a"].pop("next")
    assert parse_flow(data, "x.yaml").nodes["a"].wording == {"standard": "Hi"}


def test_source_name_without_yaml_suffix_skips_the_file_name_check() -> None:
    assert load_flow_text(minimal(), "stored copy").id == "mini"


def test_check_flow_on_a_missing_file_is_a_problem(tmp_path: Path) -> None:
    [problem] = check_flow(tmp_path / "nope.yaml")
    assert "cannot read" in problem.reason
