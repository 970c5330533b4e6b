"""`qa-analytics score`, `qa-analytics scorecard validate|show` and `qa-analytics train`."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import click

from qa_analytics.errors import QAError

EXIT_OK, EXIT_FAILED_CALLS, EXIT_USAGE = 0, 1, 2
_SCORECARD_HELP = "Scorecard YAML file (default: the bundled default scorecard)."


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--scorecard", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=_SCORECARD_HELP)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Output folder: results.jsonl (and qa.db unless --db).")
@click.option("--db", default=None, help="Database path or URL (default: OUT/qa.db).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def score(inputs: tuple[str, ...], scorecard: Path | None, out_dir: Path, db: str | None,
          as_json: bool) -> int:
    """Score transcripts against a scorecard: provisional scores with evidence.

    INPUTS are transcript files (.json in the transcript contract, or .txt with
    'Agent:'/'Customer:' lines) or folders searched recursively. Writes OUT/results.jsonl
    and stores each result in the database. A bad transcript is a failed call, never the
    end of the batch. Exit code 0: all scored; 1: some calls failed; 2: usage/config error.

    \b
    Examples:
      qa-analytics score out/transcripts/ --out out/
      qa-analytics score a.json b.txt --scorecard configs/examples/complaints.yaml --out out/
      qa-analytics score transcripts/ --out out/ --db postgresql://qa@db/qa --json
    """
    from qa_analytics.scorer import load_scorer
    from qa_analytics.store import open_database
    from qa_analytics.transcript_io import iter_transcript_files

    scorer = load_scorer(scorecard)  # a bad scorecard stops here, before any call (exit 2)
    scorer.build()
    files = list(iter_transcript_files(inputs))
    if not files:
        raise click.UsageError("no transcript files (.json, .txt) found in the inputs")
    out_dir.mkdir(parents=True, exist_ok=True)
    engine = open_database(db or out_dir / "qa.db")
    results_path = out_dir / "results.jsonl"
    records = []
    with _progress(len(files), enabled=not as_json) as advance, \
            results_path.open("w", encoding="utf-8") as sink:
        for file in files:
            record = _score_file(scorer, file, engine)
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            sink.flush()
            records.append(record)
            advance(record["status"] == "failed")
    summary = summarise(records, results_path, scorer)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        _print_summary(summary)
    return EXIT_FAILED_CALLS if summary["failed"] else EXIT_OK


def _score_file(scorer: Any, file: Path, engine: Any) -> dict[str, Any]:
    from qa_analytics.records import score_to_dict
    from qa_analytics.scorer import failed_result
    from qa_analytics.store import repository
    from qa_analytics.transcript_io import read_transcript

    try:
        transcript = read_transcript(file)
        result = scorer.score(transcript, source=str(file))
    except QAError as exc:
        result = failed_result(file.stem, str(file), str(exc), scorer.versions())
    except Exception as exc:  # a bug on one call must not lose the rest of the batch
        result = failed_result(file.stem, str(file),
                               f"{file}: internal error while scoring: {exc!r}",
                               scorer.versions())
    repository.save_result(engine, result)
    return score_to_dict(result)


class _progress:
    """A rich progress bar on stderr (only on a terminal); yields advance(failed)."""

    def __init__(self, total: int, enabled: bool) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        console = Console(stderr=True)
        self.bar = Progress("[bold]scoring", BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=console,
                            disable=not (enabled and console.is_terminal and total > 1))
        self.total = total

    def __enter__(self) -> Any:
        self.bar.__enter__()
        task = self.bar.add_task("calls", total=self.total)
        return lambda failed: self.bar.update(task, advance=1)

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)  # type: ignore[arg-type]


def summarise(records: list[dict[str, Any]], results_path: Path, scorer: Any) -> dict[str, Any]:
    scored = [r for r in records if r["status"] == "scored"]
    scores = [r["score"] for r in scored if r["score"] is not None]
    verdicts: dict[str, Counter[str]] = {}
    for r in scored:
        for c in r["criteria"]:
            verdicts.setdefault(c["id"], Counter())[c["verdict"]] += 1
    ids = Counter(r["call_id"] for r in records)
    return {
        "calls": len(records),
        "scored": len(scored),
        "failed": len(records) - len(scored),
        "mean_score": round(sum(scores) / len(scores), 2) if scores else None,
        "auto_fail": sum(1 for r in scored if r["auto_fail"]),
        "needs_review": sum(1 for r in scored if r["needs_review"]),
        "criteria": {cid: dict(c) for cid, c in verdicts.items()},
        "failures": [{"source": r["source"], "error": r["error"]}
                     for r in records if r["status"] == "failed"],
        # the database keeps one result per call id: the last file with that id wins
        "duplicate_call_ids": sorted(cid for cid, n in ids.items() if n > 1),
        "results": str(results_path),
        "scorecard": scorer.versions()["scorecard"],
        "scorecard_sha256": scorer.scorecard_sha256,
    }


def _print_summary(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=False, soft_wrap=True)
    console.print(f"[bold]{summary['scored']}[/] of {summary['calls']} calls scored "
                  f"against {summary['scorecard']}; mean score {summary['mean_score']}, "
                  f"{summary['auto_fail']} auto-failed, {summary['needs_review']} need review.")
    if summary["criteria"]:
        table = Table("criterion", "met", "not met", "n/a")
        for cid, counts in summary["criteria"].items():
            table.add_row(cid, str(counts.get("met", 0)), str(counts.get("not_met", 0)),
                          str(counts.get("na", 0)))
        console.print(table)
    if summary["duplicate_call_ids"]:
        console.print(f"[yellow]warning[/]: several files share call ids "
                      f"{', '.join(summary['duplicate_call_ids'])}; the database keeps the last",
                      highlight=False)
    for failure in summary["failures"]:
        console.print(f"[red]failed[/]: {failure['error']}", highlight=False)
    console.print(f"results: {summary['results']}")


@click.group()
def scorecard() -> None:
    """Check and inspect scorecard files.

    \b
    Examples:
      qa-analytics scorecard validate configs/default.yaml
      qa-analytics scorecard show configs/examples/complaints.yaml --json
    """


@scorecard.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def validate(file: Path) -> int:
    """Validate a scorecard: schema, check parameters, patterns and models.

    Exit code 0 when valid; 2 with every problem (file and key path) when not.

    \b
    Example:
      qa-analytics scorecard validate configs/default.yaml
    """
    from qa_analytics.scorer import load_scorer

    scorer = load_scorer(file).build()  # building also checks patterns and model labels
    card = scorer.scorecard
    click.echo(f"{file}: valid ({card.id}@{card.version}, {len(card.criteria)} criteria, "
               f"sha256 {scorer.scorecard_sha256[:12]})")
    return EXIT_OK


@scorecard.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the validated scorecard as JSON.")
def show(file: Path | None, as_json: bool) -> int:
    """Show a scorecard's sections, criteria, weights and thresholds (default: bundled).

    \b
    Examples:
      qa-analytics scorecard show
      qa-analytics scorecard show configs/default.yaml --json
    """
    from qa_analytics.config import load_scorecard

    loaded = load_scorecard(file)
    card = loaded.model
    if as_json:
        click.echo(json.dumps({"sha256": loaded.sha256, **card.model_dump(mode="json")},
                              indent=2))
        return EXIT_OK
    from rich.console import Console
    from rich.table import Table

    total = sum(c.weight for c in card.criteria.values()) or 1.0
    console = Console(soft_wrap=True, width=max(Console().width, 120))
    console.print(f"[bold]{card.name}[/] ({card.id}@{card.version}) sha256 {loaded.sha256[:12]}")
    table = Table("section")
    table.add_column("criterion", no_wrap=True)
    for name in ("weight", "share", "critical", "check", "applies"):
        table.add_column(name)
    for cid, c in card.criteria.items():
        table.add_row(c.section, cid, f"{c.weight:g}", f"{100 * c.weight / total:.0f}%",
                      "yes" if c.critical else "", str(c.check.get("type")),
                      "always" if c.applies_when is None else "when " + str(
                          c.applies_when.get("describe") or c.applies_when.get("type")))
    console.print(table)
    for name, bounds in card.metrics.thresholds.items():
        console.print(f"metric {name}: min {bounds.min} max {bounds.max}")
    return EXIT_OK


@click.command()
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder of labelled <model>.tsv files (default models/training).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Where to write <model>.onnx + .json (default models/).")
@click.option("--json", "as_json", is_flag=True, help="Print the models' metadata as JSON.")
def train(data_dir: Path | None, out_dir: Path | None, as_json: bool) -> int:
    """Train the utterance classifiers and export them to ONNX (needs the train extra).

    \b
    Examples:
      qa-analytics train
      qa-analytics train --data my_labels/ --out my_models/ --json
    """
    from qa_analytics.checks.classifier import MODELS_DIR, PACKAGED_MODELS_DIR, models_dir
    from qa_analytics.training.classifiers import train_all

    target = out_dir or models_dir()
    metas = train_all(data_dir or target / "training", target)
    if out_dir is None and target == MODELS_DIR:
        # keep the copies an installed package uses identical to the trained models
        for m in metas:
            for suffix in (".onnx", ".json"):
                shutil.copyfile(target / f"{m['name']}{suffix}",
                                PACKAGED_MODELS_DIR / f"{m['name']}{suffix}")
    if as_json:
        click.echo(json.dumps(metas, indent=2))
    else:
        for m in metas:
            metrics = m["metrics"]
            click.echo(f"{target / (m['name'] + '.onnx')}: classes {', '.join(m['classes'])}; "
                       f"{metrics['n_examples']} examples, cross-validated accuracy "
                       f"{metrics['cv_accuracy']:.2f}, macro F1 {metrics['cv_macro_f1']:.2f}")
    return EXIT_OK


def register(cli: click.Group) -> None:
    cli.add_command(score)
    cli.add_command(scorecard)
    cli.add_command(train)

