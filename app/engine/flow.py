"""Flow files: load, validate once, and hold as frozen data (docs/flows.md).

Validation is written for the flow's author, like pyxform: every problem is
collected (not just the first), each names the file and the node, says what
is wrong and what to do. Errors refuse the flow; warnings (missing Welsh or
easy-read wording, long easy-read sentences) are listed but the flow runs,
using the fall-back wording.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from app.engine.answers import choice_table, option_names
from app.engine.easy_read import EASY_READ_LIMIT, long_sentences
from app.engine.normalise import PhraseTable
from app.engine.types import ANSWER_TYPES, CHANNELS, LANGUAGES, RECORDS, VARIANTS, Audience
from app.engine.wording import (
    PLACEHOLDERS,
    Wording,
    each_text,
    guidance,
    has_text,
    normalise_wording,
    pick,
    placeholders,
)

Next = str | dict[str, str] | None

_ID = re.compile(r"^[A-Za-z0-9_]+$")
_FLOW_KEYS = ("id", "version", "title", "languages", "start", "nodes")
_NODE_KEYS = ("say", "ask", "text", "theme", "picture", "next", "options", "reask", "records", "min", "max")
_ASK_ONLY = ("text", "options", "reask", "records", "min", "max")
_OPTION_KEYS = ("key", "label", "synonyms")
_WORDING_KEYS = (*VARIANTS, *CHANNELS)
_SCALE_KEYS = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a flow file, for its author."""

    file: str
    node: str | None
    reason: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.node}" if self.node else self.file
        return f"{where}: {self.reason}"


class FlowError(Exception):
    """A flow with errors was refused; ``problems`` holds every one (warnings too)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        lines = "\n".join(f"  {p}" for p in errors)
        super().__init__(f"{len(errors)} error(s) in flow:\n{lines}")


@dataclass(frozen=True)
class FlowOption:
    """An answer offered by a choice (or a label on a scale); ``key`` is stored."""

    key: str
    label: Wording
    synonyms: tuple[str, ...] = ()
    # Worked out once: every name the option answers to, as answers.answer_words compares them.
    names: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", option_names(self))


@dataclass(frozen=True)
class Node:
    id: str
    kind: Literal["say", "ask"]
    wording: Wording  # the `say:` or `text:` block, normalised (see wording.normalise_wording)
    answer_type: str | None = None  # ask nodes only
    theme: str | None = None
    picture: str | None = None
    next: Next = None
    options: tuple[FlowOption, ...] = ()
    reask: Wording | None = None
    records: str | None = None
    min: int | None = None
    max: int | None = None
    # Worked out once: a choice's name -> key table (answers.choice_table), and the wording
    # already picked for each audience (see said); neither is part of the node's value.
    choice_table: PhraseTable = field(init=False, repr=False, compare=False)
    _said: dict[tuple[object, ...], Any] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "choice_table", choice_table(self.options))

    def said(self, part: str | int, audience: Audience) -> str | None:
        """This node's wording for the audience, before {placeholders} are filled; remembered.

        ``part`` is "wording", "reask", "guidance" (None when there is none) or an
        option's index (its label).
        """
        key = (part, audience.variant, audience.channel, audience.language)
        try:
            return self._said[key]
        except KeyError:
            pass
        if part == "guidance":
            text = guidance(self.wording, audience)
        elif part == "reask":
            text = pick(self.reask, audience)
        elif part == "wording":
            text = pick(self.wording, audience)
        else:
            text = pick(self.options[part].label, audience)  # type: ignore[index]
        if len(self._said) < 1000:  # one entry per part and audience kind: a handful in practice
            self._said[key] = text
        return text

    def next_for(self, value: str | None) -> str | None:
        """Where an answer goes: the map's entry for the value, else its default."""
        if isinstance(self.next, dict):
            if value is not None and value in self.next:
                return self.next[value]
            return self.next.get("default")
        return self.next

    def targets(self) -> list[str]:
        if isinstance(self.next, dict):
            return list(self.next.values())
        return [self.next] if self.next else []


@dataclass(frozen=True)
class Flow:
    id: str
    version: int
    title: str
    languages: tuple[str, ...]
    start: str
    nodes: dict[str, Node]
    source_name: str
    # Warnings found when it was loaded (missing Welsh, long easy-read sentences ...).
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]


# --- YAML -------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """YAML as authors mean it: `yes:`/`no:` stay words (not booleans) and a
    name used twice is an error rather than silently replaced."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"'{key}' appears twice here; give each one a different name",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _read_yaml(text: str, source_name: str) -> tuple[Any, list[Problem]]:
    try:
        # _Loader is a yaml.SafeLoader, so this is a safe load.
        return yaml.load(text, Loader=_Loader), []  # nosec B506
    except yaml.YAMLError as error:
        # Point at where the trouble starts (an unclosed quote), not where YAML gave up.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        context = getattr(error, "context", None)
        detail = f"{context}, {problem}" if context else problem
        reason = f"{where}the file is not valid YAML ({detail}); check the indentation and quotes there"
        return None, [Problem(source_name, None, reason)]


# --- validation -----------------------------------------------------------------


class _Checker:
    """Collects every problem while building the flow's data."""

    def __init__(self, source_name: str, languages: tuple[str, ...], pictures: set[str] | None) -> None:
        self.file = source_name
        self.languages = languages
        self.pictures = pictures
        self.problems: list[Problem] = []

    def error(self, node: str | None, reason: str) -> None:
        self.problems.append(Problem(self.file, node, reason, "error"))

    def warn(self, node: str | None, reason: str) -> None:
        self.problems.append(Problem(self.file, node, reason, "warning"))

    def unknown_keys(self, node: str | None, what: str, keys: Any, allowed: tuple[str, ...]) -> None:
        for key in keys:
            if str(key) not in allowed:
                self.error(node, f"{what} has an unknown key '{key}'{_did_you_mean(str(key), allowed)}")

    def wording(
        self, node: str, what: str, raw: Any, *, required: bool = True, label: bool = False
    ) -> Wording:
        """Check one wording block; return it normalised."""
        if raw is None or raw == "" or raw == {}:
            if required:
                self.error(node, f"{what} has no wording; add English standard wording (a line of text)")
            return {}
        if not isinstance(raw, str | dict | int | float):
            self.error(node, f"{what} should be text, or variants like standard: and easy_read:")
            return {}
        if isinstance(raw, dict):
            self._wording_keys(node, what, raw, allow_cy=True)
            cy = raw.get("cy")
            if isinstance(cy, dict):
                self._wording_keys(node, f"{what} (cy)", cy, allow_cy=False)
            elif cy is not None and not isinstance(cy, str):
                self.error(
                    node, f"{what}: cy: should be Welsh text, or variants like standard: and easy_read:"
                )
        block = normalise_wording(raw)
        if required and not has_text(block, "en", "standard"):
            self.error(node, f"{what} has no English standard wording; add `standard: ...` (or plain text)")
        for language, key, variant, text in each_text(block):
            self._text(node, what, language, key, variant, text)
        self._missing(node, what, block, label)
        return block

    def _wording_keys(self, node: str, what: str, raw: dict[Any, Any], allow_cy: bool) -> None:
        allowed = (*_WORDING_KEYS, "cy") if allow_cy else _WORDING_KEYS
        for key, value in raw.items():
            key = str(key)
            if key not in allowed:
                hint = _did_you_mean(key, allowed)
                self.error(
                    node,
                    f"{what} has an unknown wording key '{key}'{hint}; use standard, easy_read, "
                    "a channel (sms, voice, telegram, web, peer) or cy",
                )
            elif key in CHANNELS and isinstance(value, dict):
                for variant in value:
                    if str(variant) not in VARIANTS:
                        self.error(
                            node,
                            f"{what}: {key}: has an unknown variant '{variant}'; use standard or easy_read",
                        )
            elif key != "cy" and not isinstance(value, str | int | float):
                self.error(node, f"{what}: {key}: should be a line of text")

    def _text(self, node: str, what: str, language: str, key: str, variant: str | None, text: str) -> None:
        for name in placeholders(text):
            if name not in PLACEHOLDERS:
                self.error(
                    node,
                    f"{what} uses {{{name}}}, which is not filled in; use {{first_name}}, {{council}} "
                    "or {review_theme}",
                )
        # What an easy-read person actually gets: easy_read wording, or a channel's wording for all.
        easy_read = variant == "easy_read" or (variant is None and key != "peer")
        if easy_read and key != "peer":
            for sentence in long_sentences(text):
                self.warn(
                    node,
                    f"{what} has an easy-read sentence over {EASY_READ_LIMIT} words "
                    f'({language}, {_where(key, variant)}); split it: "{sentence}"',
                )

    def _missing(self, node: str, what: str, block: Wording, label: bool) -> None:
        if not label and not has_text(block, "en", "easy_read"):
            self.warn(node, f"{what} has no easy_read wording; the standard wording will be used")
        if "cy" not in self.languages:
            return
        if not has_text(block, "cy", "standard") and not has_text(block, "cy", "easy_read"):
            self.warn(node, f"{what} has no Welsh (cy) wording; English will be used")
            return
        if not has_text(block, "cy", "standard"):
            self.warn(node, f"{what} has no Welsh standard wording; English will be used")
        if not label and not has_text(block, "cy", "easy_read"):
            self.warn(node, f"{what} has no Welsh easy_read wording; Welsh standard wording will be used")


def _where(key: str, variant: str | None) -> str:
    return key if variant is None or key == variant else f"{key} {variant}"


def _did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _key(value: Any) -> str:
    # `yes:` may reach us as True from other YAML loaders; `1:` as an int.
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _int(check: _Checker, node: str, name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        check.error(node, f"{name}: should be a whole number, not '{value}'")
        return None
    return value


def _options(check: _Checker, node_id: str, answer_type: str | None, raw: Any) -> tuple[FlowOption, ...]:
    if raw is None:
        if answer_type == "choice":
            check.error(
                node_id,
                "a choice question needs options:; list the answers offered, each with key: and label:",
            )
        return ()
    if answer_type not in ("choice", "scale"):
        check.error(node_id, "options: are only for choice and scale questions; remove them")
        return ()
    if not isinstance(raw, list) or not raw:
        check.error(node_id, "options: should be a list of answers, each with key: and label:")
        return ()
    options: list[FlowOption] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            check.error(node_id, f"option {number} should have key: and label:")
            continue
        check.unknown_keys(node_id, f"option {number}", item, _OPTION_KEYS)
        if item.get("key") in (None, ""):
            check.error(node_id, f"option {number} has no key:; add the value to store, e.g. key: text")
            continue
        key = _key(item["key"])
        if key in seen:
            check.error(node_id, f"option key '{key}' is used twice; give each option its own key")
        seen.add(key)
        if answer_type == "scale" and key not in _SCALE_KEYS:
            check.error(node_id, f"scale option key '{key}' should be one of 1, 2, 3, 4, 5")
        label = check.wording(
            node_id, f"option '{key}' label", item.get("label"), required=answer_type == "choice", label=True
        )
        synonyms = item.get("synonyms") or []
        if not isinstance(synonyms, list):
            check.error(node_id, f"option '{key}' synonyms: should be a list, e.g. [sms, txt]")
            synonyms = []
        options.append(FlowOption(key=key, label=label, synonyms=tuple(_key(s) for s in synonyms)))
    return tuple(options)


def _next(
    check: _Checker, node_id: str, kind: str, answer_type: str | None, raw: Any, options: tuple
) -> Next:
    if raw is None:
        return None
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        return str(raw)
    if not isinstance(raw, dict):
        check.error(node_id, "next: should be a node name, or a map from answer to node name")
        return None
    if kind == "say":
        check.error(node_id, "a say node's next: should be one node name; only questions can branch")
        return None
    allowed = {
        "yes_no": ["yes", "no"],
        "choice": [o.key for o in options],
        "scale": list(_SCALE_KEYS),
    }.get(answer_type or "", [])
    mapping: dict[str, str] = {}
    for raw_key, target in raw.items():
        key = _key(raw_key)
        if key != "default" and key not in allowed:
            valid = ", ".join([*allowed, "default"])
            check.error(
                node_id,
                f"next: has '{key}', which this {answer_type} question never gives; use {valid}"
                f"{_did_you_mean(key, [*allowed, 'default'])}",
            )
        if not isinstance(target, str | int) or isinstance(target, bool):
            check.error(node_id, f"next: {key}: should be a node name")
            continue
        mapping[key] = str(target)
    if "default" not in mapping:
        check.warn(
            node_id,
            "next: has no default:, so a skipped or unexpected answer ends the conversation; add default:",
        )
    return mapping


def _node(check: _Checker, node_id: str, raw: Any) -> Node | None:
    if not isinstance(raw, dict):
        check.error(node_id, "a node should have keys like say: or ask:, and next:")
        return None
    check.unknown_keys(node_id, "the node", raw, _NODE_KEYS)
    has_say, has_ask = "say" in raw, "ask" in raw
    if has_say and has_ask:
        check.error(node_id, "a node either says or asks; it has both say: and ask:. Split it into two nodes")
    if not has_say and not has_ask:
        check.error(node_id, "a node needs say: (a message) or ask: (a question); it has neither")
        return None
    # With both, check it as the message it starts with; the error above says what to do.
    kind: Literal["say", "ask"] = "say" if has_say else "ask"
    answer_type: str | None = None
    if kind == "ask":
        answer_type = _key(raw["ask"]) if raw["ask"] is not None else ""
        if answer_type not in ANSWER_TYPES:
            check.error(
                node_id,
                f"unknown answer type '{answer_type}'{_did_you_mean(answer_type, ANSWER_TYPES)}; "
                f"use one of {', '.join(ANSWER_TYPES)}",
            )
        wording = check.wording(node_id, "the question (text:)", raw.get("text"))
    else:
        for key in _ASK_ONLY:
            if key in raw:
                check.error(
                    node_id, f"{key}: is only for questions (ask: nodes); remove it or make this a question"
                )
        wording = check.wording(node_id, "the message (say:)", raw.get("say"))
    options = _options(check, node_id, answer_type, raw.get("options")) if kind == "ask" else ()
    records = raw.get("records")
    if records is not None and records not in RECORDS:
        check.error(
            node_id,
            f"records: '{records}' is not known{_did_you_mean(str(records), RECORDS)}; "
            f"use one of {', '.join(RECORDS)}",
        )
    picture = raw.get("picture")
    if picture is not None:
        picture = str(picture)
        if check.pictures is not None and picture not in check.pictures:
            check.error(
                node_id,
                f"picture '{picture}' is not in content/easy_read/"
                f"{_did_you_mean(picture, sorted(check.pictures))}; add the file or fix the name",
            )
    low, high = _int(check, node_id, "min", raw.get("min")), _int(check, node_id, "max", raw.get("max"))
    if (low is not None or high is not None) and kind == "ask" and answer_type != "number":
        check.error(node_id, "min: and max: are only for number questions; remove them")
    if low is not None and high is not None and low > high:
        check.error(node_id, f"min: ({low}) is more than max: ({high}); swap them")
    reask = None
    if kind == "ask" and raw.get("reask") is not None:
        reask = check.wording(node_id, "the re-ask (reask:)", raw.get("reask"))
    theme = raw.get("theme")
    return Node(
        id=node_id,
        kind=kind,
        wording=wording,
        answer_type=answer_type if kind == "ask" else None,
        theme=str(theme) if theme is not None else None,
        picture=picture,
        next=_next(check, node_id, kind, answer_type, raw.get("next"), options),
        options=options,
        reask=reask,
        records=str(records) if records is not None else None,
        min=low,
        max=high,
    )


def _check_graph(check: _Checker, start: str | None, nodes: dict[str, Node], names: set[str]) -> None:
    for node in nodes.values():
        for target in node.targets():
            if target not in names:
                check.error(
                    node.id,
                    f"next: goes to '{target}', which is not a node in this flow"
                    f"{_did_you_mean(target, list(nodes))}; add that node or fix the name",
                )
    if start not in nodes:
        return
    reached, queue = {start}, [start]
    while queue:
        for target in nodes[queue.pop()].targets():
            if target in nodes and target not in reached:
                reached.add(target)
                queue.append(target)
    for node_id in nodes:
        if node_id not in reached:
            check.error(node_id, "no node leads here, so it is never used; point a next: at it or remove it")
    # Say nodes never wait, so a loop made only of them would spin for ever.
    reported: set[str] = set()
    for first in sorted(nodes):
        path: list[str] = []
        current: str | None = first
        while current in nodes and nodes[current].kind == "say" and current not in path:
            path.append(current)
            target = nodes[current].next
            current = target if isinstance(target, str) else None
        if current in path and current not in reported:
            loop = path[path.index(current) :]
            reported.update(loop)
            check.error(
                min(loop),
                "these messages go round in a loop without asking anything: "
                f"{' -> '.join([*loop, current])}; end the loop or put a question in it",
            )


def check_data(
    data: Any, source_name: str, pictures: set[str] | None = None
) -> tuple[Flow | None, list[Problem]]:
    """Validate parsed YAML; the Flow comes back whenever it could be built."""
    if not isinstance(data, dict):
        reason = (
            "the file is empty"
            if data is None
            else "the file should start with id:, version:, start: and nodes:"
        )
        return None, [Problem(source_name, None, reason)]
    languages_raw = data.get("languages", ["en"])
    languages = tuple(str(x) for x in languages_raw) if isinstance(languages_raw, list) else ("en",)
    check = _Checker(source_name, languages, pictures)
    check.unknown_keys(None, "the flow", data, _FLOW_KEYS)
    flow_id = data.get("id")
    if flow_id in (None, ""):
        check.error(None, "the flow has no id:; add one, e.g. id: practice_review_experience")
    elif not _ID.match(str(flow_id)):
        check.error(None, f"id: '{flow_id}' may only use letters, digits and _")
    elif source_name.endswith((".yaml", ".yml")) and Path(source_name).stem != str(flow_id):
        check.error(None, f"id: '{flow_id}' does not match the file name; rename the file to {flow_id}.yaml")
    version = data.get("version")
    if version is None:
        check.error(None, "the flow has no version:; add version: 1 (and raise it when you publish a change)")
    elif isinstance(version, bool) or not isinstance(version, int) or version < 1:
        check.error(None, f"version: should be a whole number from 1, not '{version}'")
    if not isinstance(languages_raw, list) or "en" not in languages:
        check.error(None, "languages: should be a list that includes en, e.g. [en, cy]")
    for language in languages:
        if language not in LANGUAGES:
            check.error(None, f"languages: '{language}' is not supported; use {', '.join(LANGUAGES)}")
    raw_nodes = data.get("nodes")
    names = {str(name) for name in raw_nodes} if isinstance(raw_nodes, dict) else set()
    nodes: dict[str, Node] = {}
    if not isinstance(raw_nodes, dict) or not raw_nodes:
        check.error(None, "the flow has no nodes:; add the messages and questions under nodes:")
    else:
        for raw_id, raw_node in raw_nodes.items():
            node = _node(check, str(raw_id), raw_node)
            if node:
                nodes[node.id] = node
    start = data.get("start")
    if start in (None, ""):
        check.error(None, "the flow has no start:; name the first node, e.g. start: welcome")
    elif names and str(start) not in names:
        check.error(
            None, f"start: '{start}' is not a node in this flow{_did_you_mean(str(start), list(nodes))}"
        )
    _check_graph(check, str(start) if start is not None else None, nodes, names)
    problems = check.problems
    if any(p.severity == "error" for p in problems):
        return None, problems
    flow = Flow(
        id=str(flow_id),
        version=int(version),  # type: ignore[arg-type]
        title=str(data.get("title") or flow_id),
        languages=languages,
        start=str(start),
        nodes=nodes,
        source_name=source_name,
        warnings=tuple(problems),
    )
    return flow, problems


def _refuse_on_errors(flow: Flow | None, problems: list[Problem]) -> Flow:
    if flow is None or any(p.severity == "error" for p in problems):
        raise FlowError(problems)
    return flow


def parse_flow(data: dict[str, Any], source_name: str, pictures: set[str] | None = None) -> Flow:
    """A Flow from already-parsed YAML; raises FlowError listing every error."""
    return _refuse_on_errors(*check_data(data, source_name, pictures))


def check_flow_text(text: str, source_name: str, pictures: set[str] | None = None) -> list[Problem]:
    data, problems = _read_yaml(text, source_name)
    return problems or check_data(data, source_name, pictures)[1]


def check_flow(path: str | Path, pictures: set[str] | None = None) -> list[Problem]:
    """Every problem (errors and warnings) in a flow file; never raises for a bad flow."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        return [Problem(str(path), None, f"cannot read the file ({error.strerror or error})")]
    return check_flow_text(text, str(path), pictures)


def load_flow_text(text: str, source_name: str, pictures: set[str] | None = None) -> Flow:
    data, problems = _read_yaml(text, source_name)
    if problems:
        raise FlowError(problems)
    return _refuse_on_errors(*check_data(data, source_name, pictures))


def load_flow(path: str | Path, pictures: set[str] | None = None) -> Flow:
    """Load and validate a flow file; raises FlowError listing every error."""
    path = Path(path)
    return load_flow_text(path.read_text(encoding="utf-8"), str(path), pictures)


def pictures_in(directory: str | Path) -> set[str]:
    """The picture file names a flow may use (content/easy_read/)."""
    directory = Path(directory)
    return {p.name for p in directory.iterdir() if p.is_file()} if directory.is_dir() else set()
