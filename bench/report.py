# ruff: noqa: E501 - mostly prose for BENCHMARKS.md
"""Write BENCHMARKS.md from bench/results/*.json (made by `make bench`, i.e. bench/run_all.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bench.common import ROOT, load, table

OUT = ROOT / "BENCHMARKS.md"


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float | int) and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("**met**" if ok else "**missed**")


def _span(run: dict[str, Any]) -> str:
    times = sorted(t for t in ((load(s["step"]) or {}).get("finished_at") for s in run.get("steps", [])) if t)
    return f"{times[0]} and {times[-1]}" if times else "?"


def _machine(results: list[dict[str, Any] | None]) -> dict[str, Any]:
    for r in results:
        if r and r.get("machine"):
            return r["machine"]
    from bench.common import machine

    return machine()


def write(path: Path = OUT) -> Path:
    run = load("run") or {}
    engine, whatif, sms = load("engine"), load("engine_whatif"), load("sms")
    voice = {b: load(f"voice_{b}") for b in ("sqlite", "postgresql")}
    dash = {v: load(f"dashboard_{v}") for v in ("national", "stress")}
    feedback = load("feedback")
    m = _machine([engine, sms, *dash.values(), feedback])
    lines: list[str] = []
    add = lines.append
    add("# Benchmarks")
    add("")
    add("Written by `make bench` (bench/run_all.py, then bench/report.py) from a real run of the scripts in")
    add("[bench/](bench/) on the machine below. Do not edit by hand: run `make bench` again.")
    add("")
    add(
        f"- **Run**: results finished between {_span(run)} UTC"
        + (" (BENCH_QUICK: shortened runs)" if run.get("quick") else "")
    )
    if run.get("rerun"):
        add(
            "- **Re-runs**: some steps were run again on their own (`BENCH_ONLY=...`) after the first run; "
            "each step's finishing time is in the table at the end."
        )
    add(f"- **Machine**: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; {m['os']}")
    add(
        f"- **Versions**: Python {m['python']}, SQLAlchemy {m['sqlalchemy']}, Flask {m['flask']}, gunicorn "
        f"{m['gunicorn']}, psycopg {m['psycopg']}, SQLite {m['sqlite']}, PostgreSQL {m['postgresql']}"
    )
    if sms:
        add(
            f"- **Load on the machine**: load average {sms['load_average_before'][0]:.1f} before the SMS run, "
            f"{sms['load_average_after'][0]:.1f} after, on {m['cores']} cores. The machine is shared (other "
            "work, and the load generator itself, run beside the server under test), so absolute figures are "
            "pessimistic and noisy; the ratios to baselines measured in the same run are the figures to "
            "compare."
        )
    add("")
    add("## Targets")
    add("")
    rows = []
    if engine:
        rows.append(
            (
                "Engine steps per second, one core",
                f"≥ {engine['target_steps_per_s']:,}",
                f"{engine['engine_steps_per_s']:,.0f}",
                _verdict(engine["met"]),
            )
        )
    if sms:
        for backend, data in sms["backends"].items():
            v = data.get("verdict")
            if not v:
                rows.append((f"SMS turn ({backend})", "", data.get("skipped", "not run"), "-"))
                continue
            rows.append(
                (
                    f"SMS turn throughput / minimal durable turn, 32 senders ({backend})",
                    "≥ 50%",
                    f"{v['ratio_to_durable']:.0%} (bare ceiling: {v['ratio_to_ceiling']:.0%})",
                    _verdict(v["ratio_met"]),
                )
            )
            rows.append(
                (
                    f"SMS turn p99 at 32 senders ({backend})",
                    "< 50 ms",
                    f"{v['p99_ms']:.0f} ms",
                    _verdict(v["p99_met"]),
                )
            )
    for backend, v in voice.items():
        if v:
            rows.append(
                (
                    f"Voice webhook step, median ({backend})",
                    f"< {v['target_median_ms']:.0f} ms (voice engineer's target)",
                    f"{v['median_ms']:.1f} ms",
                    _verdict(v["median_ms"] < v["target_median_ms"]),
                )
            )
    for variant, d in dash.items():
        if d and "skipped" not in d:
            rows.append(
                (
                    f"Review dashboard ({variant} dataset, PostgreSQL)",
                    "< 150 ms",
                    f"{d['dashboard']['ms']:.0f} ms",
                    _verdict(d["dashboard_met"]),
                )
            )
            target = d["targets_ms"]["rollup"]
            rows.append(
                (
                    f"National roll-up ({variant} dataset, PostgreSQL)",
                    f"< {target / 1000:.0f} s",
                    f"{d['rollup']['ms'] / 1000:.1f} s" if d.get("rollup") else "not timed",
                    _verdict(d["rollup_met"]),
                )
            )
    if not dash.get("stress"):
        rows.append(
            ("Dashboard and roll-up, 5x stress dataset", "< 150 ms, < 5 s", "not run (see below)", "-")
        )
    if feedback:
        for backend, r in feedback["backends"].items():
            if "s" in r:
                rows.append(
                    (
                        f"Draft and queue {feedback['people']:,} feedback messages ({backend})",
                        "< 10 s",
                        f"{r['s']:.1f} s",
                        _verdict(r["met"]),
                    )
                )
    add(table(["what", "target", "measured", ""], rows))
    add("")

    _engine(add, engine, whatif)
    _sms(add, sms)
    _voice(add, voice)
    _dashboard(add, dash)
    _feedback(add, feedback)

    add("## How to run")
    add("")
    add("```sh")
    add(
        "make bench                      # everything (starts PostgreSQL with scripts/test-postgres if needed)"
    )
    add("BENCH_QUICK=1 make bench        # shorter runs, to try it out")
    add("BENCH_STRESS=1 make bench       # also the 5x dashboard dataset (long: see the dashboard section)")
    add("BENCH_ONLY=sms,feedback make bench   # run some steps again, keep the other results")
    add("```")
    add("")
    add("Each script runs on its own too (`--help` for its options). The commands of this run:")
    add("")
    add(
        table(
            ["step", "command", "status", "seconds", "finished (UTC)"],
            [
                (
                    s["step"],
                    f"`{s['command']}`" if s.get("command") else "",
                    s["status"],
                    s.get("seconds", ""),
                    (load(s["step"]) or {}).get("finished_at", "-"),
                )
                for s in run.get("steps", [])
            ],
        )
    )
    add("")
    path.write_text("\n".join(lines) + "\n")
    return path


def _engine(add, engine, whatif) -> None:  # type: ignore[no-untyped-def]
    add("## 1. Engine: conversation steps per second (one core)")
    add("")
    if not engine:
        add("Not run.")
        add("")
        return
    add(
        f"`bench/engine_steps.py`: the shipped flow, {engine['conversations_per_pass']} conversations "
        f"(every variant x channel x language, six scripts of messy replies: stray spaces, emoji, Welsh, "
        f'"dunno", HELP/BACK/REPEAT, replies needing a re-ask), {engine["steps_per_pass"]} steps a pass; '
        f"a step is one `start` or `resume`. The process is pinned to one CPU and counts CPU time (wall clock: "
        f"{engine['engine_wall_steps_per_s']:,.0f} steps/s). Median of {engine['runs']} runs. Baseline in the "
        "same run: the *floor*, the least any table-driven step can do in Python (copy a small state dict, "
        "strip and lower-case the reply, look it up, move on)."
    )
    add("")
    rows = [
        ("engine", engine["engine_steps_per_s"], engine["us_per_step"]),
        ("floor", engine["floor_steps_per_s"], 1e6 / engine["floor_steps_per_s"]),
        *((f"engine, {c} audiences only", r, 1e6 / r) for c, r in engine["by_channel"].items()),
    ]
    add(table(["", "steps / CPU-second", "µs / step"], rows))
    add("")
    verdict = "meets" if engine["met"] else "misses"
    add(
        f"The engine {verdict} the 50,000 steps/s target: {engine['engine_steps_per_s']:,.0f} steps/s, "
        f"{engine['floor_steps_per_s'] / engine['engine_steps_per_s']:,.0f}x the floor's time per step. "
        f"A step of {engine['us_per_step']:.0f} µs is imperceptible to a person and small beside the SMS "
        "turn's database time (section 2), but it is CPU a webhook worker cannot spend on anything else, and "
        "the engine is also what bulk replays and flow previews run."
    )
    prof = engine.get("profile")
    if prof:
        add("")
        add("Where the time goes (cProfile, share of the engine's time):")
        add("")
        add(
            table(
                ["function", "self", "cumulative", "calls"],
                [
                    (f"`{f['function']}`", f"{f['self_share']:.0%}", f"{f['cum_share']:.0%}", f["calls"])
                    for f in prof["functions"][:12]
                ],
            )
        )
    if whatif:
        add("")
        add(
            "**Proposed engine changes (not made here: the engine is being edited by others).** "
            "`bench/engine_whatif.py` applies each in memory, checks that every event and state of the "
            "benchmark's conversations is identical to the shipped engine's, and measures them cumulatively:"
        )
        add("")
        base = whatif["rows"][0]["steps_per_s"]
        add(
            table(
                ["engine", "steps / CPU-second", "x shipped", "output"],
                [
                    (
                        r["proposal"],
                        r["steps_per_s"],
                        r["steps_per_s"] / base,
                        "identical" if r["identical"] else "DIFFERENT",
                    )
                    for r in whatif["rows"]
                ],
            )
        )
        add("")
        add(
            "- **P1** `normalise.find_phrases` sorts the whole phrase table on every call and tries every phrase "
            "at every position; looking each n-gram of the reply up in the table (sizes longest first, then "
            "the same phrase order) gives the same matches in O(words)."
        )
        add(
            "- **P2** `normalise` and `answer_words` are pure: a bounded `functools.lru_cache`. (The benchmark "
            "repeats its replies, so this one is flattered here; in production the hits are the phrase "
            "tables, labels and common short replies.)"
        )
        add(
            "- **P3** `parse_choice` rebuilds every option's names (key, labels in both languages, synonyms) "
            "on every reply: build each node's option table once when the flow is loaded."
        )
        add(
            "- **P4** `wording.pick` runs `normalise_wording` on blocks the loader already normalised: skip it "
            "(or cache the choice per block and audience)."
        )
        add(
            "- **P5** `State.to_dict` and the copy in `resume` use `dataclasses.asdict` (a recursive deep "
            "copy): build the dict by hand."
        )
        add(
            "- **P6** a question's rendered prompt depends only on the flow, node, kind and audience: cache it "
            "per flow; memoise `match_command`."
        )
        last = whatif["rows"][-1]["steps_per_s"]
        add("")
        add(
            f"With all six, {last:,.0f} steps/s ({last / base:.1f}x)"
            + (
                ": the target is within reach."
                if last >= 50_000
                else ". The rest is spread thin (re-parsing in `parse_scale`, the state copy, `fill`'s regexes): "
                "reaching 50,000 needs the flow compiled at load time (answer tables per node, rendered prompts "
                "per audience) so a step is lookups only."
            )
        )
        after = whatif.get("profile_after")
        if after:
            add("")
            add("What remains with all six applied (cProfile, cumulative share):")
            add("")
            add(
                table(
                    ["function", "self", "cumulative"],
                    [
                        (f"`{f['function']}`", f"{f['self_share']:.0%}", f"{f['cum_share']:.0%}")
                        for f in after["functions"][:8]
                    ],
                )
            )
    add("")


def _sms(add, sms) -> None:  # type: ignore[no-untyped-def]
    add("## 2. SMS turn under load")
    add("")
    if not sms:
        add("Not run.")
        add("")
        return
    add(
        f"`bench/sms_load.py`: the real app under gunicorn `{' '.join(sms['gunicorn_options'])}` (the "
        "Procfile's options, bound to 127.0.0.1), `POST /webhooks/twilio/sms` with `X-Twilio-Signature` "
        "computed by twilio's RequestValidator from `TWILIO_AUTH_TOKEN` and `PUBLIC_BASE_URL`. 3,000+ SMS "
        "participants are seeded (encrypted numbers, as `heard participant add` stores them); 120 "
        "conversations are under way at once, spread evenly over the flow's 15 texts (first text, consent, "
        "scales, free text, choices, the last question), each with one text in flight at most; a finished "
        "conversation is replaced by a new participant. The load generator (`bench/loadgen.py`) is asyncio "
        "with keep-alive connections, one per sender, on the same 2 cores. Baselines in the same run, same "
        "gunicorn options, posted to in turn with the real app at each level (`bench/baseline_app.py`): the "
        "*minimal durable turn* (one transaction, plain SQL: insert the inbound message and a reply into "
        "`message`, commit; same database, same engine settings) and the *bare ceiling* (constant TwiML). "
        f"Each figure is the median of {sms['runs']} runs of {sms['seconds']:.0f} s, after "
        f"{sms['warmup']:.0f} s unmeasured each; workers are warmed first."
    )
    add("")
    for backend, data in sms["backends"].items():
        add(f"### {backend}")
        add("")
        if "skipped" in data:
            add(f"Skipped: {data['skipped']}")
            add("")
            continue
        rows = []
        for c in sorted(data["levels"], key=int):
            per = data["levels"][c]
            for name, label in (
                ("turn", "SMS turn (real app)"),
                ("durable", "minimal durable turn"),
                ("ceiling", "bare Flask ceiling"),
            ):
                r = per[name]
                rows.append(
                    (
                        c,
                        label,
                        _f(r["rps"], 0),
                        _f(r["p50_ms"]),
                        _f(r["p95_ms"]),
                        _f(r["p99_ms"]),
                        "" if name == "turn" else f"{per['turn']['rps'] / r['rps']:.0%}",
                        sum(r["errors"].values()) if r["errors"] else 0,
                    )
                )
        add(
            table(
                [
                    "senders",
                    "endpoint",
                    "req/s",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "turn's req/s as % of this",
                    "errors",
                ],
                rows,
            )
        )
        add("")
        cold = data.get("cold", {})
        stored = data.get("stored", {})
        add(
            f"A fresh worker's first turn took {_f(cold.get('first_turn_ms'), 0)} ms (before warm-up). What "
            f"the real turns stored: messages {stored.get('messages')}, {stored.get('responses')} answers, "
            f"conversations {stored.get('conversations')}."
        )
        add("")
        prof = data.get("profile")
        if prof:
            add(
                f"**Profile of one turn** (in-process, the same app and database, one thread, Flask test "
                f"client: one worker's view without contention): {prof['ms_per_turn']:.1f} ms a turn over "
                f"{prof['turns']} turns; **{sum(prof['sql_per_turn'].values()):.1f} SQL statements and "
                f"{prof['commits_per_turn']:.0f} commits a turn** "
                f"({', '.join(f'{k} {v:.1f}' for k, v in prof['sql_per_turn'].items())}), against 2 statements "
                "and 1 commit for the minimal durable turn."
            )
            add("")
            add(
                table(
                    ["phase", "ms / turn", "share"],
                    [(p["phase"], _f(p["ms_per_turn"], 2), f"{p['share']:.0%}") for p in prof["phases"]],
                )
            )
            add("")
            add(
                table(
                    ["package (cProfile self time)", "share"],
                    [(k, f"{v:.0%}") for k, v in prof["packages"][:6]],
                )
            )
            add("")
            add(
                table(
                    ["app function (cProfile)", "cumulative share of the turn", "calls / turn"],
                    [
                        (f"`{f['function']}`", f"{f['cum_share']:.0%}", f"{f['calls_per_turn']:.1f}")
                        for f in prof.get("app_functions", [])[:14]
                    ],
                )
            )
            add("")
            if prof.get("example_turn_sql"):
                add("<details><summary>The statements of one answer to a scale question</summary>")
                add("")
                add("```")
                lines = prof["example_turn_sql"]
                add("\n".join(f"{n:2d}. {s[:140]}" for n, s in enumerate(lines, 1)))
                add("```")
                add("</details>")
                add("")
    add("### What limits the SMS turn, and what would fix it")
    add("")
    add(
        "The turn is not slow because of the engine, the signature or TwiML (together a few per cent) but "
        "because of its database work: about 12 statements and 2 commits (the statement list above), against "
        "2 statements and 1 commit for the minimal durable turn. Already done: look-ups are not repeated, "
        "flows are cached by version id, one update of the inbound message, one upsert per answer, replies "
        "returned from what was just stored (`tests/sms/test_sms_turn_cost.py` bounds the count). What is "
        "left is by design and by tool:"
    )
    add("")
    add(
        "1. **Two commits, not one.** The inbound message is committed before the turn, so a crash never "
        "loses what someone said (DESIGN.md; `tests/trust/test_faults.py` kills a process mid-turn). One "
        "transaction with a savepoint would save a commit (an fsync, and on SQLite a second writer-lock "
        "acquisition) at the price of that guarantee; we keep the guarantee."
    )
    add(
        "2. **SQLite's writer lock.** Every write transaction takes `BEGIN IMMEDIATE`; waiting writers poll "
        "through the busy handler, sleeping up to 100 ms between tries across gunicorn's processes, so p99 "
        "grows into seconds with many senders even though the median stays modest. PostgreSQL's row lock "
        "queues in order and its tail is much shorter."
    )
    add(
        "3. **The ORM's cost per statement** (about half of the profile's self time on SQLite): the hot path "
        "(store, lock, step, store answer and reply) written as a handful of Core statements, with the "
        "participant, conversation state and flow loaded in one query, is what it would take to come within "
        "2x of the minimal durable turn."
    )
    add("")
    little = []
    for backend, data in sms["backends"].items():
        top = (data.get("levels") or {}).get("32")
        if top:
            little.append(
                f"{backend}: the minimal durable turn reached {top['durable']['rps']:,.0f} req/s "
                f"(p99 {top['durable']['p99_ms']:.0f} ms), the bare ceiling {top['ceiling']['rps']:,.0f} req/s "
                f"(p99 {top['ceiling']['p99_ms']:.0f} ms)"
            )
    add(
        "**The p99 target at 32 senders is a throughput target in disguise.** 32 senders that each send "
        "again as soon as they are answered keep 32 requests in the system, so the mean latency is 32 / "
        "throughput (Little's law), and gunicorn's 2 x 4 threads serve 8 at a time while the rest wait. A "
        "p99 under 50 ms needs a mean well under 50 ms, i.e. well over 640 turns a second on these 2 cores. "
        "In this run " + "; ".join(little) + ". So even the least durable work, with this gunicorn "
        "configuration on this machine, is at or past a 50 ms p99 at 32 senders: the target can only be met "
        "with far fewer statements a turn *and* more capacity (cores; or more threads, for a turn that mostly "
        "waits on PostgreSQL), or if it is read as 32 participants texting at human pace rather than 32 "
        "closed-loop senders."
    )
    add("")


def _voice(add, voice) -> None:  # type: ignore[no-untyped-def]
    add("## 3. Voice webhook with the audio cache built")
    add("")
    if not any(voice.values()):
        add(
            "TODO: `bench/voice_webhook.py` (from the voice work, issue 4) had not produced results in this "
            "run."
        )
        add("")
        return
    add(
        "`bench/voice_webhook.py` (written with the voice work, issue 4; run by `make bench`): whole calls "
        "through the real, signed webhook with the Flask test client (Heard's own time, no HTTP server): "
        "key presses, speech, a silence, low-confidence speech confirmed; every prompt `<Play>`s cached "
        "audio. Its target (< 50 ms median a step) is the voice engineer's; Twilio's hard limit is 15 s."
    )
    add("")
    rows = []
    for backend, v in voice.items():
        if v:
            rows.append(
                (
                    backend,
                    v["requests"],
                    _f(v["median_ms"]),
                    _f(v["p95_ms"]),
                    _f(v["replay_median_ms"]),
                    v["cached_texts"],
                    v["plays"],
                    v["says"],
                )
            )
    add(
        table(
            [
                "database",
                "requests",
                "median ms",
                "p95 ms",
                "retried step median ms",
                "texts cached",
                "<Play>",
                "<Say>",
            ],
            rows,
        )
    )
    add("")
    add(
        "Not yet measured: voice under concurrent load through gunicorn, and a baseline ratio; the SMS "
        "section's harness (`bench/loadgen.py`) could drive the voice webhook the same way."
    )
    add("")


def _dashboard(add, dash) -> None:  # type: ignore[no-untyped-def]
    add("## 4. PSW dashboard at national scale (PostgreSQL)")
    add("")
    national = dash.get("national")
    if not national or "skipped" in national:
        add("Not run" + (f": {national['skipped']}" if national else "."))
        add("")
        return
    c = national["counts"]
    add(
        f"`bench/dashboard_scale.py`: a new database migrated with `app.migrate.upgrade`, filled with COPY "
        f"(psycopg) in {national['generate_s']:.0f} s: {c['council']} councils, {c['review']} reviews (one a "
        f"year for 5 years), {c['audit_record']:,} audit refs rated on the 12 West Midlands questions "
        f"({c['audit_rating']:,} ratings), {c['participant']:,} participants (person, relative, carer), "
        f"{c['consent']:,} consents and **{c['response']:,} responses** (12 of the flow's 14 questions each). "
        "Timed with the audit services as the pages call them; baseline in the same run: one plain SQL "
        "aggregate over the same rows."
    )
    add("")
    for variant, d in dash.items():
        if not d or "skipped" in d:
            continue
        roll = d.get("rollup") or {}
        rows = [
            (
                "review dashboard: `review_report.build_report`",
                _f(d["dashboard"]["ms"], 0),
                _f(d["dashboard"]["baseline_ms"]),
                _f(d["dashboard"]["ratio"], 0),
                "< 150",
                _verdict(d["dashboard_met"]),
            ),
            (
                f"one audit ref ({d['audit_ref']}): `triangulate(...).cells_of`",
                _f(d["one_audit_ref"]["ms"], 0),
                _f(d["one_audit_ref"]["baseline_ms"]),
                _f(d["one_audit_ref"]["ratio"], 0),
                "-",
                "-",
            ),
            (
                f"national roll-up: `region.regional_themes` ({d['reviews']} reviews)",
                _f(roll.get("ms"), 0),
                _f(roll.get("baseline_ms"), 0),
                _f(roll.get("ratio"), 0),
                f"< {d['targets_ms']['rollup']:.0f}",
                _verdict(d["rollup_met"]),
            ),
        ]
        add(
            f"**{variant}** ({d['counts']['response']:,} responses); ms, median of the runs (the roll-up: "
            f"{len(roll.get('runs_ms', []))} run(s), as `--rollup-runs` says):"
        )
        add("")
        add(table(["what", "ms", "plain SQL ms", "x plain SQL", "target ms", ""], rows))
        add("")
        add(
            table(
                ["dashboard part, timed alone", "ms"], [(k, _f(v, 0)) for k, v in d["components_ms"].items()]
            )
        )
        add("")
        add(
            f"SQL statements: the dashboard {d['dashboard_queries']}, one review's triangulation "
            f"{d['review_queries']}; the roll-up is three aggregate queries for all {d['reviews']} reviews."
        )
        add("")
    add(
        "**What limits it.** Indexes are not the problem: the plain aggregate over all "
        f"{c['response']:,} responses takes {_f((national.get('rollup') or {}).get('baseline_ms'), 0)} ms with "
        "the schema's existing indexes, so no new migration is proposed. Already done: the roll-up is three "
        "aggregate queries whatever the number of reviews (it was a full triangulation per review), the "
        "triangulation loads audit refs with the answers (no query per person), and charts are drawn once "
        "per distinct data. What is left in the roll-up is the join between the per-answer and per-audit "
        "groupings, which runs several times slower than the plain aggregate: `EXPLAIN ANALYZE` on a kept "
        "dataset (`python -m bench.dashboard_scale --keep`) is the next step, then a single grouped pass or "
        "a per-review theme summary table refreshed when answers or ratings change."
    )
    add("")
    if not dash.get("stress"):
        add(
            "**Stress dataset (5x: 25 yearly reviews a council, 2.75 million responses): not run by default.** "
            "`BENCH_STRESS=1 make bench` (or `python -m bench.dashboard_scale --stress`) runs it; generating "
            "it takes about five times the national dataset's time."
        )
        add("")


def _feedback(add, feedback) -> None:  # type: ignore[no-untyped-def]
    add('## 5. Feedback: draft and queue "you said, we did"')
    add("")
    if not feedback:
        add("TODO: not run (the feedback services, issue 8, were not there).")
        add("")
        return
    add(
        f"`bench/feedback_queue.py`: one review with {feedback['people']:,} SMS participants who asked to hear "
        "back (numbers encrypted), 5 answers each, three council actions (two linked to themes, one "
        "headline). Timed: `feedback.drafting.draft_review` (a draft per person in their language, wording "
        "and channel, linked to what they said), then `feedback.sending.approve` and `queue_approved`. "
        "Sending (Twilio) is not part of it. Each run is a new round, so every message is drafted afresh. "
        "Baseline in the same run: inserting the same number of ready-made, queued `feedback_message` rows "
        "with plain SQL in one transaction."
    )
    add("")
    rows = [
        (
            b,
            r["queued"],
            _f(r["draft_s"]),
            _f(r["approve_queue_s"]),
            _f(r["s"]),
            _f(r["baseline_s"], 2),
            _f(r["s"] / r["baseline_s"], 0),
            _verdict(r["met"]),
        )
        for b, r in feedback["backends"].items()
        if "s" in r
    ]
    add(
        table(
            [
                "database",
                "queued",
                "draft s",
                "approve + queue s",
                "total s",
                "plain SQL s",
                "x plain SQL",
                "< 10 s",
            ],
            rows,
        )
    )
    add("")
    add(
        "**How**: `draft_review` reads the people, their themes, linked answers, existing messages and the "
        "opt-out list in a few set-based queries, caches the pure wording steps (GSM-7, segment count, "
        "easy-read check), and inserts the drafts in one batch; `approve` and `queue_approved` are UPDATE "
        "statements. Eligibility is still checked again, per person, right before each send. Most of what is "
        "left is composing and checking each message's text (the SMS segment count in particular)."
    )
    add("")


if __name__ == "__main__":
    print(write())
    sys.exit(0)
