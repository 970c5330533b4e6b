"""Throughput of the scoring core (transcript in, result out; no ASR) vs a regex baseline.

    python -m benchmarks.bench_scoring [--calls 400] [--workers 2] [--repeats 3]

Synthetic ten-minute calls (150 timed utterances, about 600 s) are generated from templates
with random names, amounts, dates and references, so most utterance texts are unique and the
engine's text caches do not flatter it: caches are cleared before every timed repeat
("cold"). A second figure re-scores the same calls with warm caches, as a long batch with
repetitive openings and closings sees. The baseline is what a naive implementation does:
one compiled Python regular expression per criterion over each utterance's text.

Writes benchmarks/results/bench_scoring.json and .md. Reports the best of the repeats.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import re
import time
from pathlib import Path
from typing import Any

from qa_analytics.records import Transcript, Utterance

RESULTS = Path(__file__).resolve().parent / "results"
UTTERANCES_PER_CALL = 150
CALL_SECONDS = 600.0

_NAMES = ["Sarah", "Tom", "Priya", "James", "Aisha", "Mark", "Chloe", "Daniel", "Fatima", "Owen"]
_COMPANIES = ["Northwind Energy", "Acme Bank", "Bluebell Broadband", "Harbour Insurance"]
_THINGS = ["bill", "router", "direct debit", "parcel", "statement", "meter reading", "card",
           "contract", "booking", "refund", "engineer visit", "tariff", "payment", "order"]
_OPEN = ["Good morning, thank you for calling {co}, my name is {name}, how can I help?",
         "Hello, you're through to {co}, {name} speaking. Calls are recorded for training.",
         "Hi, thanks for calling {co}. This call may be recorded. I'm {name}, how can I help?"]
_CUSTOMER = ["um my {thing} is wrong again, you charged me {amt} pounds on the {day}",
             "I've been waiting {n} days for the {thing} and nobody has called me back",
             "yeah so the {thing} reference is {ref}",
             "it's {name} {surname}, date of birth the {day} of {month}",
             "I'd like to change the {thing} to the {day} of {month} please",
             "okay that's fine, so {amt} pounds by the {day}?",
             "I'm really worried because the {thing} still hasn't arrived after {n} weeks",
             "no, the postcode is {pc}", "right, and when will the {thing} be sorted?",
             "sorry, could you say that again, the {thing} for {amt}?"]
_AGENT = ["can I take your full name and date of birth please",
          "thank you {name}, I can see the {thing} from the {day} of {month} for {amt} pounds",
          "I'm so sorry about that, that shouldn't have happened with your {thing}",
          "I can imagine how frustrating that is after {n} days",
          "let me put you on hold for a moment while I check the {thing}",
          "thanks for holding, I've raised reference {ref} for the {thing}",
          "I'll refund the {amt} pounds today and send an engineer on the {day}",
          "okay so the {thing} will be updated within {n} working days",
          "right, and is the {thing} under the postcode {pc}?",
          "let me just read that back, {amt} pounds on the {day} of {month}, reference {ref}"]
_CLOSE = ["Is there anything else I can help with today, {name}?",
          "Thank you for calling, have a lovely day."]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August"]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        co=rng.choice(_COMPANIES), name=rng.choice(_NAMES), surname=rng.choice(_NAMES) + "son",
        thing=rng.choice(_THINGS), amt=rng.randint(5, 999), day=rng.randint(1, 28),
        month=rng.choice(_MONTHS), n=rng.randint(2, 30),
        pc=f"SW{rng.randint(1, 20)} {rng.randint(1, 9)}AB",
        ref=f"{rng.choice('ABCDEFGH')}{rng.randint(10000, 99999)}",
    )


def make_call(index: int, seed: int = 0) -> Transcript:
    """One synthetic ten-minute call: 150 alternating timed utterances (deterministic)."""
    rng = random.Random(seed * 1_000_003 + index)
    texts = [("agent", _fill(rng.choice(_OPEN), rng))]
    while len(texts) < UTTERANCES_PER_CALL - 2:
        texts.append(("customer", _fill(rng.choice(_CUSTOMER), rng)))
        texts.append(("agent", _fill(rng.choice(_AGENT), rng)))
    texts = texts[: UTTERANCES_PER_CALL - 2]
    texts += [("agent", _fill(_CLOSE[0], rng)), ("agent", _fill(_CLOSE[1], rng))]
    step = CALL_SECONDS / len(texts)
    utts = tuple(
        Utterance(speaker, text, round(k * step, 2), round(k * step + step * 0.85, 2),
                  confidence=round(rng.uniform(0.75, 0.98), 3))
        for k, (speaker, text) in enumerate(texts)
    )
    return Transcript(call_id=f"bench-{seed}-{index}", utterances=utts, duration_s=CALL_SECONDS,
                      asr_model="synthetic")


# ---------------------------------------------------------------- the regex baseline

_BASELINE = {
    "greeting": r"\b(hello|hi|good (morning|afternoon|evening)|thanks? (you )?for calling)\b",
    "agent_introduction": r"\b(my name is|speaking|i'm) [A-Z]\w+",
    "recording_disclosure": r"\b(call|calls) (may|will|are|is)( be)? (recorded|monitored)\b",
    "identity_verification": r"\b(date of birth|postcode|full name|security)\b",
    "empathy": r"\b(i can imagine|that must be|i understand how|frustrating)\b",
    "apology": r"\b(sorry|apologi[sz]e|apologies)\b",
    "take_action": r"\bi('ll| will| have|'ve) (refund|send|book|raise|arrange|update)\w*\b",
    "hold_etiquette": r"\b(on hold|thanks? (you )?for (holding|waiting))\b",
    "prohibited_language": r"\b(calm down|not my problem|whatever|damn)\b",
    "closing": r"\b(anything else|have a (good|lovely|nice) day|goodbye|bye)\b",
}
_BASELINE_RX = {k: re.compile(v, re.I) for k, v in _BASELINE.items()}


def baseline_score(t: Transcript) -> dict[str, Any]:
    """The naive approach: one regex per criterion over every utterance's text."""
    verdicts = {}
    for cid, rx in _BASELINE_RX.items():
        verdicts[cid] = any(rx.search(u.text) for u in t.utterances if u.speaker == "agent")
    met = sum(verdicts.values())
    return {"call_id": t.call_id, "score": 100.0 * met / len(verdicts), "verdicts": verdicts}


# ---------------------------------------------------------------- timing

_WORKER: Any = None


def _init_worker(scorecard: str | None) -> None:
    global _WORKER
    from qa_analytics.scorer import load_scorer

    _WORKER = load_scorer(scorecard).build()
    _WORKER.score(make_call(10**6, seed=99))  # load lazy tables and sessions before timing


def _clear_caches() -> None:
    from qa_analytics import nlp

    nlp._normalise_cached.cache_clear()
    if _WORKER is not None and _WORKER._context is not None:
        _WORKER._context.bank._cache.clear()


def _score_chunk(args: tuple[list[int], int, bool]) -> tuple[float, float]:
    indices, seed, cold = args
    calls = [make_call(i, seed) for i in indices]  # generation is not timed
    if cold:
        _clear_caches()
    start, cpu = time.perf_counter(), time.process_time()
    for call in calls:
        _WORKER.score(call)
    return time.perf_counter() - start, time.process_time() - cpu


def _baseline_chunk(args: tuple[list[int], int, bool]) -> tuple[float, float]:
    indices, seed, _ = args
    calls = [make_call(i, seed) for i in indices]
    start, cpu = time.perf_counter(), time.process_time()
    for call in calls:
        baseline_score(call)
    return time.perf_counter() - start, time.process_time() - cpu


def _run(pool: Any, fn: Any, n_calls: int, workers: int, seed: int,
         cold: bool) -> tuple[float, float]:
    """Calls per wall second over ``workers`` processes (the slowest worker sets the wall
    time), and calls per CPU second of one worker (insensitive to other load on the host)."""
    chunks = [list(range(w, n_calls, workers)) for w in range(workers)]
    times = pool.map(fn, [(c, seed, cold) for c in chunks], chunksize=1)
    return n_calls / max(t[0] for t in times), n_calls / sum(t[1] for t in times)


def bench(n_calls: int, workers: int, repeats: int, scorecard: str | None = None) -> dict[str, Any]:
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    results: dict[str, Any] = {}
    with ctx.Pool(workers, initializer=_init_worker, initargs=(scorecard,)) as pool:
        for name, fn, cold in (("engine_cold", _score_chunk, True),
                               ("engine_warm", _score_chunk, False),
                               ("regex_baseline", _baseline_chunk, False)):
            runs = [_run(pool, fn, n_calls, workers, seed=0, cold=cold) for _ in range(repeats)]
            results[name] = {"calls_per_s": round(max(r[0] for r in runs), 1),
                             "runs_calls_per_s": [round(r[0], 1) for r in runs],
                             "calls_per_cpu_s": round(max(r[1] for r in runs), 1)}
    _init_worker(scorecard)
    versions = _WORKER.versions()
    return {
        "benchmark": "scoring core, synthetic ten-minute calls",
        "calls": n_calls, "utterances_per_call": UTTERANCES_PER_CALL,
        "call_seconds": CALL_SECONDS, "workers": workers, "repeats": repeats,
        "best_of_repeats": True, "results": results,
        "engine_vs_baseline": round(results["engine_cold"]["calls_per_s"]
                                    / results["regex_baseline"]["calls_per_s"], 3),
        "target_calls_per_s": 200,
        "meets_target": results["engine_cold"]["calls_per_s"] >= 200,
        "versions": versions,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "processor": platform.processor() or None,
                    "load_average_1m": round(os.getloadavg()[0], 2)},
    }


def to_markdown(report: dict[str, Any]) -> str:
    r = report["results"]
    lines = [
        "# Scoring throughput (no ASR)", "",
        f"{report['calls']} synthetic ten-minute calls ({report['utterances_per_call']} "
        f"utterances each), {report['workers']} worker processes, best of "
        f"{report['repeats']} repeats; {report['machine']['cpus']} CPUs, Python "
        f"{report['machine']['python']}.", "",
        "| run | calls/s | all repeats | calls per CPU-second (one worker) |",
        "|---|---:|---|---:|",
    ]
    labels = {"engine_cold": "engine, caches cleared each repeat",
              "engine_warm": "engine, warm text caches",
              "regex_baseline": "naive regex baseline (1 regex per criterion)"}
    for key, label in labels.items():
        lines.append(f"| {label} | {r[key]['calls_per_s']} | "
                     f"{', '.join(map(str, r[key]['runs_calls_per_s']))} | "
                     f"{r[key]['calls_per_cpu_s']} |")
    lines += ["", f"Engine (cold) / baseline: {report['engine_vs_baseline']}x. Target "
              f">= {report['target_calls_per_s']} calls/s: "
              f"{'met' if report['meets_target'] else 'NOT met'}.", "",
              "The baseline only finds keywords: no windows, negation, look-alikes, "
              "applicability, classifiers, metrics or evidence.",
              f"Host load average (1 min) at the end: {report['machine']['load_average_1m']} "
              "(other work on the shared host lowers calls/s, and calls per CPU-second less so).",
              ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scorecard", default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    report = bench(args.calls, args.workers, args.repeats, args.scorecard)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench_scoring.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out / "bench_scoring.md").write_text(to_markdown(report))
    print(to_markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
