"""What-if for the engine: the speed-ups proposed in BENCHMARKS.md, measured, not shipped.

The engine is other people's code and is not changed here. This script
applies each proposal in memory (monkeypatching), checks that every event and
final state of the benchmark's conversations is *identical* to the shipped
engine's, and measures steps per second as the proposals are added one by one.
If the engine changes shape, a patch that no longer applies is reported and
skipped.

    .venv/bin/python -m bench.engine_whatif [--seconds 2] [--runs 3]
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from dataclasses import fields
from datetime import timedelta

from bench.common import median, pin_to_one_core, save, table
from bench.engine_steps import FLOW, NOW, _workload, engine_pass, profile, rate


def record(flow, workload) -> list[object]:  # type: ignore[no-untyped-def]
    from app.engine import resume, start

    out: list[object] = []
    for audience, script in workload:
        step = start(flow, audience, NOW)
        out.append((step.events, step.state))
        for minute, reply in enumerate(script, start=1):
            if step.state.status != "active":
                break
            step = resume(flow, step.state, reply, NOW + timedelta(minutes=minute))
            out.append((step.events, step.state))
    return out


# --- the proposals ------------------------------------------------------------------


def p1_find_phrases() -> None:
    """find_phrases looks each n-gram of the reply up in the table (O(words)) instead of
    sorting the whole table and scanning it on every call (O(table x words)). Same order
    of preference: longest first, then the phrase's own order, then position."""
    from app.engine import answers, normalise

    sizes_cache: dict[int, tuple[object, tuple[int, ...]]] = {}

    def find_phrases(words, table):  # type: ignore[no-untyped-def]
        cached = sizes_cache.get(id(table))
        if cached is None or cached[0] is not table:
            cached = (table, tuple(sorted({len(p) for p in table}, reverse=True)))
            if len(sizes_cache) < 10_000:
                sizes_cache[id(table)] = cached
        used = [False] * len(words)
        found = []
        for size in cached[1]:
            hits = sorted(
                (words[i : i + size], i) for i in range(len(words) - size + 1) if words[i : i + size] in table
            )
            for phrase, start in hits:
                if not any(used[start : start + size]):
                    used[start : start + size] = [True] * size
                    found.append((start, start + size, table[phrase]))
        return sorted(found), used

    normalise.find_phrases = find_phrases
    answers.find_phrases = find_phrases


def p2_memo_words() -> None:
    """normalise() and answer_words() are pure: memoise them (bounded LRU)."""
    from app.engine import answers, commands, normalise, session

    cached_normalise = functools.lru_cache(maxsize=8192)(normalise.normalise)
    normalise.normalise = cached_normalise
    answers.normalise = cached_normalise
    commands.normalise = cached_normalise
    session.normalise = cached_normalise
    original_tokens = normalise.tokens

    @functools.lru_cache(maxsize=8192)
    def tokens(text):  # type: ignore[no-untyped-def]
        return tuple(cached_normalise(text).split())

    normalise.tokens = tokens
    answers.tokens = tokens
    answers.answer_words = functools.lru_cache(maxsize=8192)(answers.answer_words)
    del original_tokens


def p3_option_tables() -> None:
    """parse_choice builds each node's option table (answer_words of every key, label and
    synonym, in both languages) once per node, not once per reply."""
    from app.engine import answers

    original = answers._option_names
    cache: dict[int, tuple[object, list[tuple[str, ...]]]] = {}

    def option_names(option):  # type: ignore[no-untyped-def]
        hit = cache.get(id(option))
        if hit is None or hit[0] is not option:
            hit = (option, list(original(option)))
            cache[id(option)] = hit
        return hit[1]

    answers._option_names = option_names


def p4_pick_memo() -> None:
    """pick() stops re-normalising wording blocks that the flow loader already normalised,
    and remembers its choice per (block, variant, channel, language)."""
    from app.engine import phrases, session, wording

    original = wording.pick
    cache: dict[tuple[int, str, str, str, bool], tuple[object, str]] = {}

    def pick(block, audience, *, peer_says=False):  # type: ignore[no-untyped-def]
        key = (id(block), audience.variant, audience.channel, audience.language, peer_says)
        hit = cache.get(key)
        if hit is None or hit[0] is not block:
            hit = (block, original(block, audience, peer_says=peer_says))
            cache[key] = hit
        return hit[1]

    wording.pick = pick
    session.pick = pick
    phrases.pick = pick


def p5_state_copy() -> None:
    """State.to_dict / the resume copy build the dict by hand instead of dataclasses.asdict
    (a recursive deep copy of every field)."""
    from app.engine import session, types

    names = [f.name for f in fields(types.State)]

    def to_dict(self):  # type: ignore[no-untyped-def]
        data = {name: getattr(self, name) for name in names}
        a = self.audience
        data["audience"] = {
            "variant": a.variant,
            "channel": a.channel,
            "language": a.language,
            "fields": dict(a.fields),
        }
        data["history"] = list(self.history)
        data["answers"] = dict(self.answers)
        return data

    types.State.to_dict = to_dict

    def copy(flow, state):  # type: ignore[no-untyped-def]
        if state.flow_id != flow.id:
            raise ValueError(f"state is for flow '{state.flow_id}', not '{flow.id}'")
        if state.node is not None and state.node not in flow.nodes:
            raise ValueError(f"state waits at '{state.node}', which flow '{flow.id}' does not have")
        return types.State(
            **{
                **{n: getattr(state, n) for n in names},
                "history": list(state.history),
                "answers": dict(state.answers),
            }
        )

    session._copy = copy


def p6_prompt_memo() -> None:
    """A question's rendered prompt (wording, option labels, re-ask hint) depends only on the
    flow, node, kind and audience: remember it instead of rebuilding it every turn. And
    match_command (pure) is memoised."""
    from app.engine import commands, session

    original = session._Run.question
    cache: dict[tuple[object, ...], tuple[object, object]] = {}

    def question(self, node, kind):  # type: ignore[no-untyped-def]
        a = self.audience
        key = (
            id(self.flow),
            node.id,
            kind,
            a.variant,
            a.channel,
            a.language,
            tuple(sorted(a.fields.items())),
        )
        hit = cache.get(key)
        if hit is None or hit[0] is not self.flow:
            hit = (self.flow, original(self, node, kind))
            if len(cache) < 100_000:
                cache[key] = hit
        return hit[1]

    session._Run.question = question
    session.match_command = functools.lru_cache(maxsize=8192)(commands.match_command)


PROPOSALS: list[tuple[str, Callable[[], None]]] = [
    ("P1 find_phrases by n-gram lookup", p1_find_phrases),
    ("P2 memoise normalise/answer_words", p2_memo_words),
    ("P3 option tables once per node", p3_option_tables),
    ("P4 pick() without re-normalising", p4_pick_memo),
    ("P5 State copy without asdict", p5_state_copy),
    ("P6 memoise rendered questions, commands", p6_prompt_memo),
]


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument(
        "--profile", action="store_true", help="profile the engine with every proposal applied"
    )
    args = parser.parse_args(argv)

    from app.engine import load_flow

    pin_to_one_core()
    flow = load_flow(FLOW)
    workload = _workload()
    expected = record(flow, workload)
    shipped = median(rate(lambda: engine_pass(flow, workload), args.seconds) for _ in range(args.runs))
    rows: list[tuple[object, ...]] = [("shipped engine", shipped, 1.0, "reference")]
    results = [{"proposal": "shipped engine", "steps_per_s": shipped, "identical": True}]
    for name, apply in PROPOSALS:
        try:
            apply()
        except Exception as error:
            rows.append((name, None, None, f"not applied: {error!r}"))
            continue
        identical = record(flow, workload) == expected
        speed = median(rate(lambda: engine_pass(flow, workload), args.seconds) for _ in range(args.runs))
        rows.append((f"+ {name}", speed, speed / shipped, "identical" if identical else "DIFFERENT OUTPUT"))
        results.append({"proposal": name, "steps_per_s": speed, "identical": identical})
    print("\nEngine what-if (proposals applied cumulatively, in memory only; one core)")
    print(table(["engine", "steps/s", "x shipped", "events and states vs shipped"], rows))
    out: dict[str, object] = {"rows": results}
    if args.profile:
        prof = profile(flow, workload)
        out["profile_after"] = {k: v for k, v in prof.items() if k != "cumulative_text"}
        print("\nWhat remains with every proposal applied (cProfile, self time):")
        print(
            table(
                ["function", "self", "cumulative", "calls"],
                [
                    (f["function"], f"{f['self_share']:.0%}", f"{f['cum_share']:.0%}", f["calls"])
                    for f in prof["functions"]
                ],
            )
        )  # type: ignore[union-attr]
    save("engine_whatif", out)
    return out


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
