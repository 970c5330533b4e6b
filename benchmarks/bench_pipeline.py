"""Transcription and scoring throughput, side by side with faster-whisper's own pipelines.

    python -m benchmarks [--quick] [--repeats 3] [--device auto|cpu|cuda] [--out DIR]

One run times, on the same audio and the same model (the bundled tiny.en; int8 on CPU,
float16 on CUDA):

  a. naive     faster-whisper ``WhisperModel.transcribe`` with its defaults, one channel
               after another (beam 5, no VAD, temperature fallback);
  b. strong    faster-whisper ``BatchedInferencePipeline`` (batch 8), one channel after
               another (its defaults: VAD, beam 5, no timestamps);
  c. engine    qa-analytics' transcription stage (decode, VAD, packing, batched greedy decoding,
               word timestamps), in its best worker layout for the machine and also in each
               layout of the scaling scan;
  d. e2e       qa-analytics end to end (ingest and hashing, transcription, scoring, database);
  e. scoring   the scoring core alone vs a naive regular-expression scorer
               (``benchmarks.bench_scoring``).

Every variant runs in a fresh child process, so its peak memory (max RSS) is its own. Within a
child, models load first (reported separately) and the corpus is processed ``repeats`` times;
the best run counts. Word error rate is measured for every ASR variant on the reference clips
in ../shared/data/audio. Corpus: the call audio in ../shared/data/calls and the project's
sample calls (whatever is present). Results: benchmarks/results/bench_pipeline.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class CorpusCall:
    call_id: str
    path: str
    customer_path: str | None
    channels: str  # agent,customer | two_leg | mono


# ------------------------------------------------------------------ corpus
def build_corpus(quick: bool) -> list[CorpusCall]:
    from benchmarks.references import SHARED_DATA
    from qa_analytics.samples import SAMPLES_DIR, SCRIPTS

    corpus: list[CorpusCall] = []
    calls = SHARED_DATA / "calls"
    legs = calls / "aws-lca"
    derived = calls / "derived" / "Auto_Repairs_40_UTC_stereo_agentL_callerR_first60s.wav"
    if not quick and (legs / "Auto_Repairs_40_UTC_agent.wav").exists():
        corpus.append(CorpusCall("aws_auto_repairs", str(legs / "Auto_Repairs_40_UTC_agent.wav"),
                                 str(legs / "Auto_Repairs_40_UTC_caller.wav"), "two_leg"))
    if derived.exists():
        corpus.append(CorpusCall("aws_first60s_stereo", str(derived), None, "agent,customer"))
    for call_id in SCRIPTS:
        corpus.append(CorpusCall(call_id, str(SAMPLES_DIR / f"{call_id}.wav"), None,
                                 "agent,customer"))
    return corpus


def channel_arrays(call: CorpusCall) -> list[Any]:
    """The call's channels as 16 kHz arrays, decoded as faster-whisper's own pipelines do."""
    from faster_whisper import decode_audio

    if call.customer_path:
        return [decode_audio(call.path), decode_audio(call.customer_path)]
    left, right = decode_audio(call.path, split_stereo=True)
    return [left, right]


def corpus_audio_s(corpus: list[CorpusCall]) -> float:
    """Recording time (a two-channel call counts once, as a QA team counts calls)."""
    import soundfile as sf

    return sum(max(sf.info(p).duration for p in (c.path, c.customer_path) if p)
               for c in corpus)


# ------------------------------------------------------------------ variants (child side)
def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _whisper_model(device: str, threads: int):  # type: ignore[no-untyped-def]
    from qa_analytics.transcribe.model import load_whisper, pick_device, resolve_model

    return load_whisper(resolve_model(None), pick_device(device), None, threads)


def _reference_audio() -> list[tuple[Any, str]]:
    from benchmarks.references import load_references
    from qa_analytics.audio import decode

    clips = []
    for clip in load_references():
        audio = decode(clip.path)
        if clip.channel is not None:
            samples = audio.channels[clip.channel]
        elif audio.channel_count == 1:
            samples = audio.channels[0]
        else:
            samples = (audio.channels[0] + audio.channels[1]) / 2
        clips.append((samples, clip.text))
    return clips


def _baseline_text(model: Any, batched: Any, samples: Any) -> str:
    if batched is not None:
        segments, _ = batched.transcribe(samples, batch_size=8)
    else:
        segments, _ = model.transcribe(samples)
    return "".join(s.text for s in segments)


def run_baseline(variant: str, corpus: list[CorpusCall], repeats: int, device: str,
                 threads: int) -> dict[str, Any]:
    from faster_whisper import BatchedInferencePipeline

    from benchmarks.references import word_error_rate

    started = time.perf_counter()
    model = _whisper_model(device, threads)
    batched = BatchedInferencePipeline(model) if variant == "strong" else None
    load_s = time.perf_counter() - started
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        for call in corpus:
            for samples in channel_arrays(call):  # decoding counts: it is part of the job
                _baseline_text(model, batched, samples)
        runs.append(time.perf_counter() - started)
    refs, hyps = [], []
    for samples, text in _reference_audio():
        refs.append(text)
        hyps.append(_baseline_text(model, batched, samples))
    return {"load_s": load_s, "runs_s": runs, "wer": word_error_rate(refs, hyps) if refs
            else None, "stage_s": {}}


def _engine_options(device: str, threads: int):  # type: ignore[no-untyped-def]
    from qa_analytics.transcribe import TranscribeOptions

    return TranscribeOptions(device=device, cpu_threads=threads)


def _calls(corpus: list[CorpusCall], suffix: str = ""):  # type: ignore[no-untyped-def]
    from qa_analytics.records import Call

    return [Call(call_id=c.call_id + suffix, source=c.path, customer_source=c.customer_path,
                 channels=c.channels, audio_sha256=c.call_id) for c in corpus]


def _engine_wer(device: str, threads: int) -> float | None:
    from benchmarks.references import word_error_rate
    from qa_analytics.transcribe.engine import ChannelAudio, WhisperEngine

    engine = WhisperEngine(_engine_options(device, threads)).load()
    refs, hyps = [], []
    for samples, text in _reference_audio():
        words = engine.transcribe_calls([[ChannelAudio("agent", samples)]])[0][0]
        refs.append(text)
        hyps.append("".join(w.text for w in words))
    return word_error_rate(refs, hyps) if refs else None


def run_engine(corpus: list[CorpusCall], repeats: int, device: str, threads: int,
               workers: int, calls_per_task: int) -> dict[str, Any]:
    from qa_analytics.pipeline import TranscriptionRunner

    started = time.perf_counter()
    runner = TranscriptionRunner(_engine_options(device, threads), workers, calls_per_task)
    runner.__enter__()
    load_s = time.perf_counter() - started
    runs, stages = [], []
    try:
        for _ in range(repeats):
            before = dict(runner.stage_s)
            started = time.perf_counter()
            outcomes = list(runner.run(_calls(corpus)))
            runs.append(time.perf_counter() - started)
            stages.append({k: v - before.get(k, 0.0) for k, v in runner.stage_s.items()})
            failures = [str(o) for _, o in outcomes if isinstance(o, Exception)]
            if failures:
                raise RuntimeError(f"engine failed on the corpus: {failures}")
    finally:
        runner.__exit__(None, None, None)
    best = min(range(len(runs)), key=runs.__getitem__)
    return {"load_s": load_s, "runs_s": runs, "stage_s": stages[best],
            "wer": _engine_wer(device, threads if workers == 1 else max(1, threads))}


def run_end_to_end(corpus: list[CorpusCall], repeats: int, device: str, threads: int,
                   workers: int, calls_per_task: int) -> dict[str, Any]:
    """End to end and the transcription stage alone, alternating in one process.

    Both share the loaded model and see the same machine conditions run by run, so their ratio
    is not at the mercy of noise between two processes started minutes apart.
    """
    from qa_analytics.pipeline import BatchConfig, BatchRunner, TranscriptionRunner
    from qa_analytics.scorer import load_scorer
    from qa_analytics.transcript_io import read_transcript

    started = time.perf_counter()
    options = _engine_options(device, threads)
    runner = TranscriptionRunner(options, workers, calls_per_task)
    runner.__enter__()
    scorer = load_scorer(None)
    # Build the scorer's matchers and models now: start-up, not per-call work.
    warm = REPO / "benchmarks" / "eval" / "calls"
    sample = next(iter(sorted(warm.glob("*.json"))), None) if warm.exists() else None
    if sample is not None:
        scorer.score(read_transcript(sample))
    load_s = time.perf_counter() - started
    runs, stages, alone_runs = [], [], []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            manifest = Path(tmp) / "corpus.csv"
            lines = ["path,call_id,channels,agent_path,customer_path"]
            for c in corpus:
                if c.customer_path:
                    lines.append(f",{c.call_id},two_leg,{c.path},{c.customer_path}")
                else:
                    lines.append(f"{c.path},{c.call_id},\"{c.channels}\",,")
            manifest.write_text("\n".join(lines) + "\n")
            for i in range(repeats):
                started = time.perf_counter()
                list(runner.run(_calls(corpus)))
                alone_runs.append(time.perf_counter() - started)
                out = Path(tmp) / f"run{i}"  # a fresh output folder and database each time
                batch = BatchRunner(BatchConfig(out_dir=out, options=options, score=True),
                                    transcription=runner, scorer=scorer)
                started = time.perf_counter()
                summary = batch.run([manifest])
                runs.append(time.perf_counter() - started)
                stages.append(summary.stage_s)
                if summary.failed:
                    raise RuntimeError(f"end to end failed: {summary.as_dict()}")
    finally:
        runner.__exit__(None, None, None)
    best = min(range(len(runs)), key=runs.__getitem__)
    return {"load_s": load_s, "runs_s": runs, "stage_s": stages[best], "wer": None,
            "transcription_alone_runs_s": alone_runs}


def child_main(args: argparse.Namespace) -> int:
    corpus = [CorpusCall(**c) for c in json.loads(args.corpus)]
    if args.child in ("naive", "strong"):
        report = run_baseline(args.child, corpus, args.repeats, args.device, args.threads)
    elif args.child == "engine":
        report = run_engine(corpus, args.repeats, args.device, args.threads, args.workers,
                            args.calls_per_task)
    elif args.child == "e2e":
        report = run_end_to_end(corpus, args.repeats, args.device, args.threads, args.workers,
                                args.calls_per_task)
    else:
        raise SystemExit(f"unknown variant {args.child}")
    report["peak_rss_mb"] = _peak_rss_mb()
    # Worker processes have their own memory: count the largest child too.
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    report["peak_rss_children_mb"] = children
    print("RESULT " + json.dumps(report))
    return 0


# ------------------------------------------------------------------ parent side
def _spawn(variant: str, corpus: list[CorpusCall], repeats: int, device: str, threads: int,
           workers: int = 1, calls_per_task: int = 1) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.bench_pipeline", "--child", variant,
           "--corpus", json.dumps([asdict(c) for c in corpus]), "--repeats", str(repeats),
           "--device", device, "--threads", str(threads), "--workers", str(workers),
           "--calls-per-task", str(calls_per_task)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"{variant} failed:\n{done.stderr[-3000:]}")
    return json.loads(line.removeprefix("RESULT "))


def hardware(device: str) -> dict[str, Any]:
    info: dict[str, Any] = {"machine": platform.machine(), "python": platform.python_version(),
                            "cpu_count": os.cpu_count(), "processor": platform.processor()}
    try:
        with open("/proc/cpuinfo") as handle:
            names = [ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name")]
        info["cpu_model"] = names[0] if names else None
    except OSError:
        pass
    try:
        import ctranslate2

        info["cuda_devices"] = ctranslate2.get_cuda_device_count()
        info["ctranslate2"] = ctranslate2.__version__
    except Exception:
        info["cuda_devices"] = 0
    if info.get("cuda_devices"):
        query = subprocess.run(["nvidia-smi", "--query-gpu=name,memory.total",
                                "--format=csv,noheader"], capture_output=True, text=True)
        info["gpu"] = query.stdout.strip() or None
    import faster_whisper

    info["faster_whisper"] = faster_whisper.__version__
    info["device"] = device
    return info


def _summarise(name: str, raw: dict[str, Any], audio_s: float) -> dict[str, Any]:
    best = min(raw["runs_s"])
    peak = max(raw.get("peak_rss_mb", 0.0), raw.get("peak_rss_children_mb", 0.0))
    return {"variant": name, "best_s": round(best, 3), "runs_s": [round(r, 3) for r in
                                                                   raw["runs_s"]],
            "x_real_time": round(audio_s / best, 2), "load_s": round(raw["load_s"], 2),
            "wer": None if raw.get("wer") is None else round(raw["wer"], 4),
            "peak_rss_mb": round(peak, 1),
            "stage_s": {k: round(v, 3) for k, v in (raw.get("stage_s") or {}).items()},
            **({"transcription_alone_runs_s": [round(r, 3) for r in
                                               raw["transcription_alone_runs_s"]]}
               if "transcription_alone_runs_s" in raw else {})}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke check: small corpus, one repeat, short scans")
    parser.add_argument("--repeats", type=int, default=None, help="runs per variant [3]")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--max-workers", type=int, default=None,
                        help="largest worker count in the scaling scan [all cores]")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--calls-per-task", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args)
    return parent_main(args)


def parent_main(args: argparse.Namespace) -> int:
    from benchmarks import bench_scoring
    from qa_analytics.transcribe.model import pick_device

    device = pick_device(args.device)
    repeats = args.repeats or (1 if args.quick else 3)
    cores = os.cpu_count() or 1
    corpus = build_corpus(args.quick)
    audio_s = corpus_audio_s(corpus)
    from qa_analytics.pipeline import CPU_CALLS_PER_TASK

    per_task = 16 if device == "cuda" else CPU_CALLS_PER_TASK
    print(f"corpus: {len(corpus)} calls, {audio_s:.1f} s of recordings; device {device}; "
          f"{repeats} repeat(s)", file=sys.stderr)

    # Worker layouts to scan: 1, 2, 4, ... up to the cores (threads split evenly).
    top = args.max_workers or cores
    layouts = [w for w in (1, 2, 4, 8, 16, 32) if w <= top] if not args.quick else [1, min(2, top)]
    # On a GPU the workers share it: each decodes, runs VAD and packs windows on its own cores,
    # so the host-side work that would otherwise starve the GPU is spread over the machine.
    scan = []
    for workers in sorted(set(layouts)):
        threads = max(1, cores // workers)
        print(f"engine: {workers} worker(s) x {threads} thread(s)", file=sys.stderr)
        raw = _spawn("engine", corpus, repeats, device, threads, workers, per_task)
        scan.append({"workers": workers, "threads": threads,
                     **_summarise(f"engine {workers}x{threads}", raw, audio_s)})
    best_layout = max(scan, key=lambda r: r["x_real_time"])
    workers, threads = best_layout["workers"], best_layout["threads"]

    variants = {}
    for name in ("naive", "strong"):
        print(f"baseline: {name}", file=sys.stderr)
        variants[name] = _summarise(name, _spawn(name, corpus, repeats, device, cores), audio_s)
    variants["engine"] = {**best_layout, "variant": "engine"}
    print(f"end to end: {workers} worker(s) x {threads} thread(s)", file=sys.stderr)
    variants["e2e"] = _summarise("e2e", _spawn("e2e", corpus, repeats, device, threads, workers,
                                               per_task), audio_s)
    print("scoring core vs regex baseline", file=sys.stderr)
    scoring = bench_scoring.bench(100 if args.quick else 400, 1 if args.quick else min(2, cores),
                                  repeats)

    engine, strong, naive, e2e = (variants[k] for k in ("engine", "strong", "naive", "e2e"))
    alone_best = min(e2e["transcription_alone_runs_s"])
    ratios = {
        "engine_vs_strong": round(engine["x_real_time"] / strong["x_real_time"], 2),
        "engine_vs_naive": round(engine["x_real_time"] / naive["x_real_time"], 2),
        # measured alternately in one process (see run_end_to_end)
        "e2e_vs_engine": round(alone_best / e2e["best_s"], 3),
        "wer_engine_minus_strong_points": None if engine["wer"] is None or strong["wer"] is None
        else round(100 * (engine["wer"] - strong["wer"]), 2),
    }
    targets = {
        "engine >= 1.5x strong": ratios["engine_vs_strong"] >= 1.5,
        "engine >= 3x naive": ratios["engine_vs_naive"] >= 3.0,
        "WER <= strong + 1 point": ratios["wer_engine_minus_strong_points"] is not None
        and ratios["wer_engine_minus_strong_points"] <= 1.0,
        "e2e within 10% of transcription": ratios["e2e_vs_engine"] >= 0.9,
        "peak memory <= 1.5 GB": max(v["peak_rss_mb"] for v in (engine, e2e)) <= 1536,
    }
    report = {"when": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "quick": args.quick,
              "hardware": hardware(device), "repeats": repeats,
              "corpus": {"calls": [c.call_id for c in corpus], "audio_s": round(audio_s, 1)},
              "variants": variants, "worker_scan": scan, "ratios": ratios,
              "targets": targets, "scoring": scoring,
              "hours_of_calls_per_hour": round(e2e["x_real_time"], 1)}
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "bench_pipeline_quick" if args.quick else "bench_pipeline"
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    markdown = to_markdown(report)
    (args.out / f"{stem}.md").write_text(markdown)
    print(markdown)
    return 0


def to_markdown(report: dict[str, Any]) -> str:
    hw = report["hardware"]
    lines = [
        f"# Pipeline benchmark ({'quick' if report['quick'] else 'full'})", "",
        f"{report['when']} on {hw.get('cpu_model') or hw['processor']} "
        f"({hw['cpu_count']} cores){', GPU ' + hw['gpu'] if hw.get('gpu') else ''}; "
        f"device {hw['device']}; model tiny.en; faster-whisper {hw['faster_whisper']}; "
        f"corpus {len(report['corpus']['calls'])} calls, {report['corpus']['audio_s']} s; "
        f"best of {report['repeats']}.", "",
        "| variant | best s | x real time | WER | peak RSS MB | model load s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for v in report["variants"].values():
        wer = "" if v["wer"] is None else f"{100 * v['wer']:.1f}%"
        lines.append(f"| {v['variant']} | {v['best_s']} | {v['x_real_time']} | {wer} | "
                     f"{v['peak_rss_mb']} | {v['load_s']} |")
    lines += ["", "Per-stage seconds (best run):", "",
              "| variant | " + " | ".join(["decode", "vad", "features", "asr", "score",
                                            "store", "ingest"]) + " |",
              "|---|" + "---:|" * 7]
    for name in ("engine", "e2e"):
        st = report["variants"][name]["stage_s"]
        lines.append(f"| {name} | " + " | ".join(
            str(st.get(k, "")) for k in ("decode_s", "vad_s", "features_s", "asr_s",
                                         "score_s", "store_s", "ingest_s")) + " |")
    lines += ["", "Worker layouts (engine transcription):", "",
              "| workers x threads | x real time | peak RSS MB |", "|---|---:|---:|"]
    for row in report["worker_scan"]:
        lines.append(f"| {row['workers']} x {row['threads']} | {row['x_real_time']} | "
                     f"{row['peak_rss_mb']} |")
    sc = report["scoring"]
    lines += ["", "Ratios and targets:", ""]
    lines += [f"- {k}: {v}" for k, v in report["ratios"].items()]
    lines += [f"- {'MET' if ok else 'NOT MET'}: {k}" for k, ok in report["targets"].items()]
    res = sc["results"]
    lines += ["", f"Scoring core (ten-minute calls, {sc['workers']} worker(s)): "
              f"{res['engine_cold']['calls_per_s']} calls/s cold, "
              f"{res['engine_warm']['calls_per_s']} warm; naive regex baseline "
              f"{res['regex_baseline']['calls_per_s']} calls/s.", ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
