"""How well the scoring engine agrees with the labelled evaluation set.

    python -m benchmarks.evaluate                 # text: the 72 gold calls -> eval_text.{json,md}
    python -m benchmarks.evaluate --quick         # a fixed subset (faster)
    python -m benchmarks.evaluate --audio         # also synthesize -> transcribe -> score
    python -m benchmarks.evaluate --shared        # also the third-party corpora in ../shared/data
    python -m benchmarks.evaluate --out DIR       # where reports go (default benchmarks/results)
    python -m benchmarks.evaluate --calls benchmarks/holdout/calls \
        --labels benchmarks/holdout/labels.csv --name holdout   # another set -> eval_holdout_text.*

Per criterion: accuracy, precision and recall of `met`, Cohen's kappa over the three verdicts,
support per verdict and a confusion matrix, plus every disagreement (call, gold, predicted).
Targets: kappa >= 0.8 on text, >= 0.7 through audio. Gold labels: benchmarks/eval/labels.csv.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.agreement import MISSING, VERDICTS, cohen_kappa, criterion_metrics

HERE = Path(__file__).resolve().parent
EVAL_DIR = HERE / "eval"
DEFAULT_OUT = HERE / "results"
DEFAULT_WORK = HERE.parent / "out" / "eval_work"  # git-ignored: WAVs, pipeline database
CRITERIA: tuple[str, ...] = (
    "greeting", "agent_introduction", "recording_disclosure", "identity_verification",
    "empathy", "apology", "take_action", "hold_etiquette", "prohibited_language", "closing",
)
TEXT_TARGET = 0.8
AUDIO_TARGET = 0.7
QUICK_TEXT_EVERY = 3  # --quick keeps every 3rd call (24 of 72) for text
QUICK_AUDIO_CALLS = 8
HOLD_GAP_S = 20.0  # in the gold set a hold is a silent gap this long before an agent turn

Predictions = dict[str, dict[str, str]]  # call_id -> criterion -> verdict


@dataclass(frozen=True, slots=True)
class EvalCall:
    call_id: str
    data: dict[str, Any]  # the transcript contract
    gold: dict[str, str]


# ------------------------------------------------------------------ data
def load_eval_set(eval_dir: Path = EVAL_DIR, *, calls_dir: Path | None = None,
                  labels: Path | None = None) -> list[EvalCall]:
    """Calls from `calls_dir` (default eval_dir/calls), gold from `labels` (eval_dir/labels.csv)."""
    gold: dict[str, dict[str, str]] = {}
    with open(labels or eval_dir / "labels.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            gold.setdefault(row["call_id"], {})[row["criterion"]] = row["verdict"]
    calls = []
    for path in sorted((calls_dir or eval_dir / "calls").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        calls.append(EvalCall(data["call_id"], data, gold.get(data["call_id"], {})))
    return calls


def quick_subset(calls: Sequence[EvalCall], every: int) -> list[EvalCall]:
    return [c for i, c in enumerate(calls) if i % every == 0]


def audio_subset(calls: Sequence[EvalCall], n: int) -> list[EvalCall]:
    """A fixed spread: calls with and without holds, clean and ASR-styled, evenly picked."""
    step = max(1, len(calls) // n)
    return list(calls[::step][:n])


# ------------------------------------------------------------------ scoring
def load_default_scorer() -> Any:
    try:
        from qa_analytics.scorer import load_scorer
    except ImportError as exc:
        raise SystemExit(f"evaluate: the scorer is not available ({exc})") from exc
    return load_scorer(None)


def verdicts_of(result: Any) -> dict[str, str]:
    """criterion -> verdict from a ProvisionalScore; empty for a failed call."""
    if getattr(result, "status", "scored") != "scored":
        return {}
    return {c.id: c.verdict for c in result.criteria}


def score_transcripts(scorer: Any, transcripts: Iterable[dict[str, Any]]) -> Predictions:
    from qa_analytics.records import transcript_from_dict

    preds: Predictions = {}
    for data in transcripts:
        call_id = data["call_id"]
        try:
            preds[call_id] = verdicts_of(scorer.score(transcript_from_dict(data, call_id)))
        except Exception as exc:  # noqa: BLE001 - a broken call is reported, never fatal
            print(f"evaluate: {call_id}: scoring failed: {exc}", file=sys.stderr)
            preds[call_id] = {}
    return preds


# ------------------------------------------------------------------ report
def build_report(gold: Mapping[str, Mapping[str, str]], preds: Predictions, *, mode: str,
                 target: float, criteria: Sequence[str] = CRITERIA,
                 extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    per_criterion: dict[str, Any] = {}
    disagreements = []
    for criterion in criteria:
        ids = [cid for cid in sorted(gold) if criterion in gold[cid]]
        g = [gold[cid][criterion] for cid in ids]
        p = [preds.get(cid, {}).get(criterion, MISSING) for cid in ids]
        if not ids:
            continue
        metrics = criterion_metrics(g, p)
        kappa = metrics["kappa"]
        metrics["meets_target"] = kappa is not None and kappa >= target
        per_criterion[criterion] = metrics
        disagreements += [{"call_id": cid, "criterion": criterion, "gold": gv, "predicted": pv}
                          for cid, gv, pv in zip(ids, g, p, strict=True) if gv != pv]
    scored = [m for m in per_criterion.values() if m["kappa"] is not None]
    return {
        "mode": mode,
        "calls": len(gold),
        "failed_calls": sorted(cid for cid in gold if not preds.get(cid)),
        "target_kappa": target,
        "all_meet_target": bool(scored) and all(m["meets_target"] for m in scored),
        "mean_kappa": round(sum(m["kappa"] for m in scored) / len(scored), 3) if scored else None,
        "criteria": per_criterion,
        "disagreements": disagreements,
        **dict(extra or {}),
    }


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def render_markdown(report: Mapping[str, Any], title: str) -> str:
    lines = [f"# {title}", ""]
    info = {k: v for k, v in report.items()
            if k not in {"criteria", "disagreements", "calls_detail"}}
    lines += [f"- {k}: {v}" for k, v in info.items()] + [""]
    lines += ["| criterion | n | accuracy | precision (met) | recall (met) | kappa | "
              f"kappa ≥ {report['target_kappa']} | support met/not_met/na |",
              "|---|---|---|---|---|---|---|---|"]
    for name, m in report["criteria"].items():
        s = m["support"]
        lines.append(f"| {name} | {m['n']} | {_f(m['accuracy'])} | {_f(m['precision_met'])} | "
                     f"{_f(m['recall_met'])} | {_f(m['kappa'])} | "
                     f"{'yes' if m['meets_target'] else '**no**'} | "
                     f"{s['met']}/{s['not_met']}/{s['na']} |")
    lines += ["", "## Confusion matrices (rows: gold, columns: predicted)", ""]
    for name, m in report["criteria"].items():
        cols = list(next(iter(m["confusion"].values())))
        lines += [f"**{name}**", "", "| gold \\ pred | " + " | ".join(cols) + " |",
                  "|---" * (len(cols) + 1) + "|"]
        for gold_label, row in m["confusion"].items():
            if gold_label in VERDICTS or any(row.values()):
                lines.append(f"| {gold_label} | " + " | ".join(str(row[c]) for c in cols) + " |")
        lines.append("")
    lines += ["## Disagreements", "", "| call | criterion | gold | predicted |",
              "|---|---|---|---|"]
    lines += [f"| {d['call_id']} | {d['criterion']} | {d['gold']} | {d['predicted']} |"
              for d in report["disagreements"]]
    return "\n".join(lines) + "\n"


def write_report(report: Mapping[str, Any], out_dir: Path, stem: str, title: str) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{stem}.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    (out_dir / f"{stem}.md").write_text(render_markdown(report, title), encoding="utf-8")


def print_summary(report: Mapping[str, Any], label: str) -> None:
    print(f"{label}: {report['calls']} calls, mean kappa {_f(report['mean_kappa'])}, "
          f"all criteria >= {report['target_kappa']}: {report['all_meet_target']}")
    for name, m in report["criteria"].items():
        print(f"  {name:22s} kappa {_f(m['kappa'])}  acc {_f(m['accuracy'])}")


# ------------------------------------------------------------------ runs
def run_text(calls: Sequence[EvalCall], out_dir: Path, quick: bool, *, name: str | None = None
             ) -> tuple[dict[str, Any], Predictions]:
    scorer = load_default_scorer()
    started = time.perf_counter()
    preds = score_transcripts(scorer, [c.data for c in calls])
    wall = time.perf_counter() - started
    report = build_report({c.call_id: c.gold for c in calls}, preds, mode="text",
                          target=TEXT_TARGET,
                          extra={"subset": "quick" if quick else "full",
                                 "wall_s": round(wall, 2), "versions": _versions(scorer),
                                 "accuracy_by_group": accuracy_by_group(calls, preds)})
    stem, title = (("eval_text", "Evaluation set") if name is None
                   else (f"eval_{name}_text", f"Evaluation set '{name}'"))
    write_report(report, out_dir, stem, f"{title}, text transcripts")
    return report, preds


def accuracy_by_group(calls: Sequence[EvalCall], preds: Predictions) -> dict[str, Any]:
    """Label accuracy (all criteria pooled) for ASR-styled vs clean calls, and per variety."""
    groups: dict[str, list[bool]] = {}
    for call in calls:
        meta = call.data.get("metadata") or {}
        keys = ["asr_noise" if meta.get("asr_noise") else "clean",
                f"variety:{meta.get('variety', '?')}"]
        hits = [preds.get(call.call_id, {}).get(k, MISSING) == v for k, v in call.gold.items()]
        for key in keys:
            groups.setdefault(key, []).extend(hits)
    return {k: {"labels": len(v), "accuracy": round(sum(v) / len(v), 3)}
            for k, v in sorted(groups.items()) if v}


def _versions(scorer: Any) -> dict[str, Any]:
    import qa_analytics

    return {"engine": getattr(qa_analytics, "__version__", None),
            "scorecard_sha256": getattr(scorer, "scorecard_sha256", None)}


# ------------------------------------------------------------------ audio (full pipeline)
def speech_script(data: Mapping[str, Any], hold_mark: str | None
                  ) -> tuple[list[tuple[str, str]], float]:
    """(speaker, text) pairs for the synthesizer; a gold hold gap becomes the hold mark."""
    script: list[tuple[str, str]] = []
    hold_s, prev_end = 0.0, None
    for u in data["utterances"]:
        start = u.get("start_s")
        gap = start - prev_end if start is not None and prev_end is not None else 0.0
        if hold_mark and u["speaker"] == "agent" and gap >= HOLD_GAP_S:
            script.append(("agent", hold_mark))
            hold_s = max(hold_s, gap)
        script.append((u["speaker"], u["text"]))
        prev_end = u.get("end_s")
    return script, hold_s


def synthesize_calls(calls: Sequence[EvalCall], wav_dir: Path) -> dict[str, Path]:
    """One dual-channel 8 kHz WAV per call (agent left); existing files are reused."""
    import zlib

    from qa_analytics import synth

    if not synth.tools_available():
        raise RuntimeError("speech synthesis needs espeak-ng and sox")
    hold_mark = getattr(synth, "HOLD_MARK", None)
    timed = getattr(synth, "synthesize_call_with_timing", None)
    wav_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for call in calls:
        path = wav_dir / f"{call.call_id}.wav"
        if not path.exists():
            script, hold_s = speech_script(call.data, hold_mark if timed else None)
            tmp = path.with_name(path.stem + ".partial.wav")
            seed = zlib.crc32(call.call_id.encode())
            if timed is not None and hold_s:
                timed(script, tmp, seed=seed, hold_s=hold_s)
            else:
                synth.synthesize_call(script, tmp, seed=seed)
            tmp.replace(path)
        paths[call.call_id] = path
    return paths


def run_pipeline(rows: Sequence[Mapping[str, str]], work_dir: Path, device: str
                 ) -> tuple[Predictions, dict[str, dict[str, Any]], dict[str, Any]]:
    """Ingest a manifest of ``rows`` -> transcribe -> score with the project's pipeline.

    Returns predictions, transcripts (contract form) and the batch summary.
    """
    from qa_analytics.pipeline import BatchConfig, BatchRunner
    from qa_analytics.transcribe import TranscribeOptions

    work_dir.mkdir(parents=True, exist_ok=True)
    manifest = work_dir / "manifest.csv"
    fields = sorted({k for row in rows for k in row})
    with open(manifest, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    config = BatchConfig(out_dir=work_dir / "pipeline", score=True,
                         options=TranscribeOptions(device=device))
    summary = BatchRunner(config).run([manifest])
    preds: Predictions = {}
    transcripts: dict[str, dict[str, Any]] = {}
    for outcome in summary.outcomes:
        preds[outcome.call_id] = verdicts_of(outcome.result) if outcome.result else {}
        if outcome.error:
            print(f"evaluate: {outcome.call_id}: {outcome.error}", file=sys.stderr)
        path = config.out_dir / "transcripts" / f"{outcome.call_id}.json"
        if path.exists():
            transcripts[outcome.call_id] = json.loads(path.read_text(encoding="utf-8"))
    return preds, transcripts, summary.as_dict()


def word_error_rate(calls: Sequence[EvalCall], transcripts: Mapping[str, Mapping[str, Any]]
                    ) -> float | None:
    """Corpus WER per speaker stream (jiwer; None when it is not installed)."""
    try:
        import jiwer
    except ImportError:
        return None
    import re

    def norm(text: str) -> str:
        return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).strip()

    refs, hyps = [], []
    for call in calls:
        hyp = transcripts.get(call.call_id)
        if hyp is None:
            continue
        for speaker in ("agent", "customer"):
            ref = norm(" ".join(u["text"] for u in call.data["utterances"]
                                if u["speaker"] == speaker))
            out = norm(" ".join(u["text"] for u in hyp["utterances"] if u["speaker"] == speaker))
            if ref:
                refs.append(ref)
                hyps.append(out)
    return round(float(jiwer.wer(refs, hyps)), 4) if refs else None


def _unavailable(out_dir: Path, stem: str, title: str, reason: str) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    report = {"mode": stem, "status": "pipeline not available", "reason": reason}
    (out_dir / f"{stem}.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    (out_dir / f"{stem}.md").write_text(f"# {title}\n\npipeline not available: {reason}\n",
                                        encoding="utf-8")
    print(f"{stem}: pipeline not available: {reason}")


def consistency(calls: Sequence[EvalCall], audio: Predictions, text: Predictions
                ) -> dict[str, float | None]:
    """Kappa of audio verdicts against the same engine's text verdicts: the ASR's own effect."""
    out: dict[str, float | None] = {}
    for criterion in CRITERIA:
        ids = [c.call_id for c in calls if c.call_id in text]
        out[criterion] = cohen_kappa([text[i].get(criterion, MISSING) for i in ids],
                                     [audio.get(i, {}).get(criterion, MISSING) for i in ids])
    return out


def run_audio(calls: Sequence[EvalCall], out_dir: Path, work_dir: Path, *, device: str,
              quick: bool, text_preds: Predictions | None = None,
              name: str | None = None) -> dict[str, Any] | None:
    stem = "eval_audio" if name is None else f"eval_{name}_audio"
    label = "Evaluation set" if name is None else f"Evaluation set '{name}'"
    title = f"{label}, synthesized audio through the full pipeline"
    try:
        import qa_analytics.pipeline  # noqa: F401
        wavs = synthesize_calls(calls, work_dir / "wav")
    except (ImportError, RuntimeError) as exc:
        _unavailable(out_dir, stem, title, str(exc))
        return None
    rows = [{"call_id": c.call_id, "path": str(wavs[c.call_id]),
             "agent_id": str(c.data.get("agent_id") or ""), "channels": "agent,customer"}
            for c in calls]
    started = time.perf_counter()
    preds, transcripts, summary = run_pipeline(rows, work_dir, device)
    report = build_report({c.call_id: c.gold for c in calls}, preds, mode="audio",
                          target=AUDIO_TARGET,
                          extra={"subset": "quick" if quick else "full", "device": device,
                                 "wall_s": round(time.perf_counter() - started, 2),
                                 "wer": word_error_rate(calls, transcripts),
                                 "kappa_vs_text_verdicts": consistency(calls, preds,
                                                                       text_preds or {}),
                                 "pipeline": summary})
    write_report(report, out_dir, stem, title)
    return report


# ------------------------------------------------------------------ third-party corpora
def run_shared(out_dir: Path, *, audio: bool, work_dir: Path, device: str) -> dict[str, Any]:
    from benchmarks.shared_corpora import DEFAULT_ROOT, aws_lca_call, load_text_corpora

    if not DEFAULT_ROOT.is_dir():
        print(f"shared: {DEFAULT_ROOT} is absent, skipped")
        return {}
    scorer = load_default_scorer()
    calls = load_text_corpora(DEFAULT_ROOT)
    preds = score_transcripts(scorer, [c.transcript for c in calls])
    gold = {c.call_id: c.gold for c in calls}
    corpus = {c.call_id: c.corpus for c in calls}
    notes: dict[str, Any] = {}
    if audio:
        aws = aws_lca_call(DEFAULT_ROOT)
        if aws is None:
            notes["aws-lca"] = "absent"
        else:
            try:
                row = {"call_id": aws.call_id, "agent_path": str(aws.agent_path),
                       "customer_path": str(aws.customer_path), "channels": "two_leg"}
                aws_preds, _, summary = run_pipeline([row], work_dir / "shared", device)
                preds.update(aws_preds)
                gold[aws.call_id] = aws.gold
                corpus[aws.call_id] = aws.corpus
                notes["aws-lca"] = summary
            except ImportError as exc:
                notes["aws-lca"] = f"pipeline not available: {exc}"
    rows = [{"corpus": corpus[cid], "call_id": cid, "criterion": crit, "gold": verdict,
             "predicted": preds.get(cid, {}).get(crit, MISSING),
             "agree": preds.get(cid, {}).get(crit, MISSING) == verdict}
            for cid in gold for crit, verdict in gold[cid].items()]
    agreed = sum(r["agree"] for r in rows)
    report = {"mode": "shared", "labels": len(rows), "agreed": agreed,
              "agreement": round(agreed / len(rows), 3) if rows else None,
              "note": "few labels: per-label agreement only, kappa is not meaningful here",
              "audio": notes, "rows": rows,
              "predicted_all": {cid: preds.get(cid, {}) for cid in gold}}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "shared.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    lines = ["# Third-party corpora (../shared/data)", "",
             f"{agreed} of {len(rows)} gold labels agree ({report['note']}).", "",
             "| corpus | call | criterion | gold | predicted | agree |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r['corpus']} | {r['call_id']} | {r['criterion']} | {r['gold']} | "
              f"{r['predicted']} | {'yes' if r['agree'] else '**no**'} |" for r in rows]
    (out_dir / "shared.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"shared: {agreed}/{len(rows)} gold labels agree")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.evaluate", description=__doc__.split("\n")[0],
        epilog="example: python -m benchmarks.evaluate --quick --shared")
    parser.add_argument("--quick", action="store_true", help="use a fixed subset of calls")
    parser.add_argument("--audio", action="store_true",
                        help="also synthesize each call and run it through the full pipeline")
    parser.add_argument("--shared", action="store_true",
                        help="also evaluate the third-party corpora in ../shared/data")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report folder")
    parser.add_argument("--device", default="auto", help="ASR device for --audio (auto/cpu/cuda)")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for synthesized audio and pipeline state "
                             "(default out/eval_work; re-runs reuse it)")
    parser.add_argument("--calls", type=Path, default=None,
                        help="folder of <call_id>.json to evaluate (default benchmarks/eval/calls)")
    parser.add_argument("--labels", type=Path, default=None,
                        help="gold labels CSV for --calls (default benchmarks/eval/labels.csv)")
    parser.add_argument("--name", default=None,
                        help="set name: reports become eval_<name>_text/_audio (default eval_text)")
    args = parser.parse_args(argv)
    # Absolute: the pipeline reads manifest paths relative to the manifest's own folder.
    work = (args.work or DEFAULT_WORK).resolve()

    calls = load_eval_set(calls_dir=args.calls, labels=args.labels)
    text_calls = quick_subset(calls, QUICK_TEXT_EVERY) if args.quick else calls
    text_report, text_preds = run_text(text_calls, args.out, args.quick, name=args.name)
    print_summary(text_report, "text")
    if args.audio:
        audio_calls = audio_subset(calls, QUICK_AUDIO_CALLS) if args.quick else calls
        report = run_audio(audio_calls, args.out, work,
                           device=args.device, quick=args.quick, text_preds=text_preds,
                           name=args.name)
        if report is not None:
            print_summary(report, "audio")
    if args.shared:
        run_shared(args.out, audio=args.audio, work_dir=work,
                   device=args.device)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
