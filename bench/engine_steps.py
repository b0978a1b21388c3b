"""Engine: conversation steps per second on one core.

The shipped flow (flows/practice_review_experience.yaml), every variant,
channel and language, and messy replies of the kind people really send
(stray spaces, emoji, Welsh, "dunno", commands, replies that need a re-ask).
A *step* is one ``start`` or one ``resume``: what the services call once per
inbound message.

Baseline, measured in the same run: the *floor*, the least a step of any
table-driven engine must do in Python (copy a small state dict, strip and
lower-case the reply, look it up, move to the next node). The ratio says how
much of the engine's time is work beyond that.

    .venv/bin/python -m bench.engine_steps [--runs 5] [--seconds 2] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from bench.common import ROOT, machine, median, pin_to_one_core, save, table

FLOW = ROOT / "flows" / "practice_review_experience.yaml"
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
TARGET = 50_000

# Reply scripts, each for a whole conversation; a conversation stops where its script runs out.
SCRIPTS: list[list[str]] = [
    # The golden easy-read SMS transcript's replies: "yeah ok", "not very well", emoji, "dunno".
    [
        "yeah ok",
        "yes",
        "not very well",
        "Being able to stay in my own home",
        "3",
        "🙂",
        "dunno",
        "no",
        "yes mostly",
        "hard",
        "a few weeks",
        "Call back when they say they will",
        "SKIP",
        "yes please",
        "txt",
    ],
    # Commands and second thoughts: HELP, REPEAT, BACK, a re-ask, capitals and spaces.
    [
        "HELP",
        "  Y ",
        "REPEAT",
        "YES!!",
        "5",
        "back",
        "4",
        "my family and my garden",
        "quite well",
        "very good",
        "idk",
        "4",
        "yeah",
        "2",
        "Ring me",
        "1",
        "They were lovely but always rushed.",
        "no thanks",
        "no",
    ],
    # Welsh, with mutations and "iawn".
    [
        "ie",
        "ie iawn",
        "yn dda iawn",
        "Fy nheulu a fy nghartref",
        "4",
        "da",
        "do",
        "5",
        "hawdd",
        "1",
        "Dim",
        "dim diolch",
        "ie",
        "1",
    ],
    # Things the engine can't read at first, then can.
    [
        "purple",
        "yes",
        "wat",
        "ok",
        "seven",
        "eleventy",
        "5",
        "Being listened to",
        "👍",
        "😐",
        "n",
        "3",
        "2",
        "more than a month",
        "faster replies please",
        "nothing",
        "y",
        "post",
    ],
    # Says no to taking part: a short conversation.
    ["nah not really"],
    # Short, terse texter.
    ["y", "n", "5", "family", "4", "4", "y", "5", "5", "1", "nothing", "no", "y", "1"],
]
AUDIENCES = [
    (variant, channel, language)
    for variant in ("standard", "easy_read")
    for channel in ("sms", "web", "voice", "telegram")
    for language in ("en", "cy")
]


def _workload():  # type: ignore[no-untyped-def]
    from app.engine import Audience

    fields = {"first_name": "Sam", "council": "Northshire Council", "review_theme": "strengths"}
    return [
        (Audience(variant=v, channel=c, language=lang, fields=fields), script)
        for v, c, lang in AUDIENCES
        for script in SCRIPTS
    ]


_NAMES = ("Sam", "Alex", "Bethan", "Dafydd", "Priya", "Jo", "Mair", "Tomasz", "", "Rhys")
_COUNCILS = ("Northshire Council", "Cyngor Sir Ddinbych", "", "Westmoor Borough Council")


def _vary(reply: str, rng) -> str:  # type: ignore[no-untyped-def]
    """The same answer as a different person might type it: case, spaces, punctuation, politeness."""
    choice = rng.randrange(8)
    if choice == 0:
        return reply.upper()
    if choice == 1:
        return f"  {reply}  "
    if choice == 2:
        return f"{reply}!"
    if choice == 3:
        return f"{reply} thanks"
    if choice == 4:
        return f"um, {reply.lower()}"
    if choice == 5:
        return reply.capitalize() + "."
    return reply


def _varied_workload(copies: int = 20):  # type: ignore[no-untyped-def]
    """The benchmark's conversations ``copies`` times over, each with its own person (name,
    council) and its replies typed differently, so no two conversations share wording or replies:
    a check that the engine's speed doesn't come from seeing the same reply again."""
    import random

    from app.engine import Audience

    rng = random.Random(2026)
    workload = []
    for copy in range(copies):
        for v, c, lang in AUDIENCES:
            for script in SCRIPTS:
                fields = {
                    "first_name": f"{rng.choice(_NAMES)}{copy}" if copy % 5 else "",
                    "council": rng.choice(_COUNCILS),
                    "review_theme": "strengths",
                }
                fields = {k: v_ for k, v_ in fields.items() if v_}
                audience = Audience(variant=v, channel=c, language=lang, fields=fields)
                workload.append((audience, [_vary(reply, rng) for reply in script]))
    return workload


def engine_pass(flow, workload) -> int:  # type: ignore[no-untyped-def]
    """Every conversation once; returns the number of steps taken."""
    from app.engine import resume, start

    steps = 0
    for audience, script in workload:
        step = start(flow, audience, NOW)
        steps += 1
        for minute, reply in enumerate(script, start=1):
            if step.state.status != "active":
                break
            step = resume(flow, step.state, reply, NOW + timedelta(minutes=minute))
            steps += 1
    return steps


def _floor_tables(flow):  # type: ignore[no-untyped-def]
    asks = {nid: n for nid, n in flow.nodes.items() if n.kind == "ask"}
    answers = {"yes": "yes", "y": "yes", "no": "no", "n": "no", **{str(i): str(i) for i in range(1, 6)}}
    nexts = {nid: (n.next if isinstance(n.next, dict) else {"default": n.next}) for nid, n in asks.items()}
    return asks, answers, nexts


def floor_pass(flow, workload, tables) -> int:  # type: ignore[no-untyped-def]
    """The same conversations through the least a table-driven engine can do."""
    asks, answers, nexts = tables
    steps = 0
    for _audience, script in workload:
        state = {"node": "consent", "status": "active", "answers": {}, "history": []}
        steps += 1
        for reply in script:
            if state["status"] != "active":
                break
            state = {**state, "answers": dict(state["answers"]), "history": list(state["history"])}
            node = state["node"]
            value = answers.get(reply.strip().lower(), reply)
            state["answers"][node] = value
            state["history"].append(node)
            where = nexts[node]
            target = where.get(value, where.get("default"))
            while target is not None and target not in asks:
                target = flow.nodes[target].next if not isinstance(flow.nodes[target].next, dict) else None
            if target is None:
                state["status"] = "completed"
            state["node"] = target
            steps += 1
    return steps


def rate(fn, seconds: float) -> float:  # type: ignore[no-untyped-def]
    """Steps per CPU-second of ``fn`` (one pass per call), run for about ``seconds`` of CPU.

    CPU time of this (pinned, single-threaded) process, not wall time: on a
    machine shared with other work, wall time would count time spent waiting
    for the core. ``wall_rate`` keeps the wall-clock figure for comparison.
    """
    fn()  # warm up
    steps, began, wall = 0, time.process_time(), time.perf_counter()
    while (elapsed := time.process_time() - began) < seconds:
        steps += fn()
    LAST_WALL.append(steps / (time.perf_counter() - wall))
    return steps / elapsed


LAST_WALL: list[float] = []


def profile(flow, workload, top: int = 18) -> dict[str, object]:  # type: ignore[no-untyped-def]
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        engine_pass(flow, workload)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    by_module: dict[str, float] = defaultdict(float)
    functions = []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        short = _short(filename)
        by_module[short] += tottime
        functions.append((tottime, cumtime, calls, f"{short}:{line}({name})"))
    functions.sort(reverse=True)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
    return {
        "total_s": total,
        "modules": sorted(((m, t / total) for m, t in by_module.items()), key=lambda r: -r[1])[:12],
        "functions": [
            {"function": f, "self_share": t / total, "cum_share": c / total, "calls": n}
            for t, c, n, f in functions[:top]
        ],
        "cumulative_text": text.getvalue(),
    }


def _short(filename: str) -> str:
    if "/app/" in filename:
        return "app/" + filename.split("/app/", 1)[1]
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    parts = filename.replace("\\", "/").split("/")
    if "dataclasses.py" in parts[-1]:
        return "stdlib dataclasses"
    if "copy.py" in parts[-1]:
        return "stdlib copy"
    return "stdlib " + parts[-1] if "python3" in filename else parts[-1]


def _x(floor: float, rate_: float) -> str:
    return f"{floor / rate_:,.0f}x"


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0, help="per run")
    parser.add_argument("--profile", action="store_true", help="profile even when the target is met")
    args = parser.parse_args(argv)

    from app.engine import load_flow

    cpu = pin_to_one_core()
    flow = load_flow(FLOW)
    workload = _workload()
    tables = _floor_tables(flow)
    per_pass = engine_pass(flow, workload)
    engine_rates, floor_rates = [], []
    for _ in range(args.runs):  # interleaved, so both see the same machine
        engine_rates.append(rate(lambda: engine_pass(flow, workload), args.seconds))
        floor_rates.append(rate(lambda: floor_pass(flow, workload, tables), args.seconds / 4))
    engine_steps, floor_steps = median(engine_rates), median(floor_rates)
    engine_wall = median(LAST_WALL[0::2])
    varied = _varied_workload()
    varied_steps = median(
        rate(lambda: engine_pass(flow, varied), args.seconds) for _ in range(max(1, args.runs // 2))
    )
    # Per-kind: SMS only, web only, to show the cost of the channel's wording.
    kinds = {}
    for channel in ("sms", "web", "voice"):
        subset = [(a, s) for a, s in workload if a.channel == channel]
        kinds[channel] = median(
            rate(lambda s=subset: engine_pass(flow, s), args.seconds / 2) for _ in range(3)
        )
    result: dict[str, object] = {
        "target_steps_per_s": TARGET,
        "met": engine_steps >= TARGET,
        "pinned_cpu": cpu,
        "conversations_per_pass": len(workload),
        "steps_per_pass": per_pass,
        "runs": args.runs,
        "engine_steps_per_s": engine_steps,
        "engine_runs": engine_rates,
        "engine_wall_steps_per_s": engine_wall,
        "engine_varied_steps_per_s": varied_steps,
        "load_average": os.getloadavg(),
        "floor_steps_per_s": floor_steps,
        "ratio_to_floor": engine_steps / floor_steps,
        "us_per_step": 1e6 / engine_steps,
        "by_channel": kinds,
    }
    rows = [
        (
            "engine (start/resume, shipped flow)",
            engine_steps,
            1e6 / engine_steps,
            _x(floor_steps, engine_steps),
        ),
        (
            f"engine, varied ({len(varied)} people, replies typed differently)",
            varied_steps,
            1e6 / varied_steps,
            _x(floor_steps, varied_steps),
        ),
        ("floor: dict state + strip/lower + lookup", floor_steps, 1e6 / floor_steps, "1x"),
        *((f"engine, {c} only", r, 1e6 / r, _x(floor_steps, r)) for c, r in kinds.items()),
    ]
    print(
        f"\nEngine: {len(workload)} conversations, {per_pass} steps a pass, one core (cpu {cpu}), "
        f"median of {args.runs} runs"
    )
    print(table(["what", "steps/CPU-s", "µs/step", "time per step vs floor"], rows))
    print(
        f"(wall clock: {engine_wall:,.0f} steps/s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    verdict = "met" if result["met"] else "MISSED"
    print(f"target >= {TARGET:,} steps/s: {verdict} ({engine_steps:,.0f})")
    if args.profile or not result["met"]:
        prof = profile(flow, workload)
        result["profile"] = {k: v for k, v in prof.items() if k != "cumulative_text"}
        print("\nWhere the time goes (cProfile, self time by module):")
        print(table(["module", "share"], [(m, f"{s:.0%}") for m, s in prof["modules"]]))  # type: ignore[union-attr]
        print(
            table(
                ["function", "self", "cumulative", "calls"],
                [
                    (f["function"], f"{f['self_share']:.0%}", f"{f['cum_share']:.0%}", f["calls"])
                    for f in prof["functions"]
                ],
            )
        )  # type: ignore[union-attr]
        print(prof["cumulative_text"])
    result["machine"] = machine()
    save("engine", result)
    return result


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
