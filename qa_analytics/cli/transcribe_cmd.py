"""`qa-analytics transcribe` and `qa-analytics run`: batches of recordings."""

from __future__ import annotations

import json
from pathlib import Path

import click

from qa_analytics.audio import DEFAULT_MAX_DURATION_S
from qa_analytics.cli.progress import BatchProgress, print_summary
from qa_analytics.pipeline import BatchConfig, BatchRunner, BatchSummary
from qa_analytics.transcribe import TranscribeOptions

EXIT_OK, EXIT_FAILED_CALLS = 0, 1


def _asr_options(f):  # type: ignore[no-untyped-def]
    options = [
        click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                     required=True, help="Output folder (transcripts/, calls.jsonl, qa.db)."),
        click.option("--db", help="Database URL or SQLite path [default: OUT/qa.db]."),
        click.option("--model", help="CTranslate2 Whisper model folder, or a size name "
                     "(downloads only where allowed). Default: the bundled tiny.en."),
        click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto",
                     show_default=True, help="Where to run the model."),
        click.option("--compute-type", help="CTranslate2 compute type [default: int8 on "
                     "CPU, float16 on CUDA]."),
        click.option("--workers", type=click.IntRange(1, 256), default=1, show_default=True,
                     help="Worker processes, each with its own model and a share of cores."),
        click.option("--batch-size", type=click.IntRange(1, 512), help="Speech windows "
                     "decoded together [default: 16]."),
        click.option("--beam-size", type=click.IntRange(1, 10), help="Beam width [default: 1, "
                     "greedy]."),
        click.option("--max-duration", type=float, default=DEFAULT_MAX_DURATION_S,
                     show_default=True, help="Refuse recordings longer than this many seconds."),
        click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _config(out_dir: Path, db: str | None, model: str | None, device: str,
            compute_type: str | None, workers: int, batch_size: int | None,
            beam_size: int | None, max_duration: float, **extra
            ) -> BatchConfig:  # type: ignore[no-untyped-def]
    options = TranscribeOptions().with_changes(model=model, device=device,
                                               compute_type=compute_type,
                                               batch_size=batch_size, beam_size=beam_size,
                                               max_duration_s=max_duration)
    return BatchConfig(out_dir=out_dir, db=db, options=options, workers=workers, **extra)


def _run_batch(config: BatchConfig, inputs: list[str], as_json: bool) -> int:
    progress = BatchProgress(enabled=not as_json)
    runner = BatchRunner(config, on_outcome=progress.advance, on_plan=progress.plan)
    with progress:
        summary: BatchSummary = runner.run(inputs)
    if as_json:
        click.echo(json.dumps({**summary.as_dict(),
                               "calls_file": str(config.out_dir / "calls.jsonl"),
                               "failures": [o.as_record() for o in summary.outcomes
                                            if o.status == "failed"]}, indent=2))
    else:
        print_summary(summary, config.out_dir, scored=config.score)
    return EXIT_FAILED_CALLS if summary.failed else EXIT_OK


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@_asr_options
def transcribe(inputs: tuple[str, ...], out_dir: Path, as_json: bool,
               **kwargs) -> int:  # type: ignore[no-untyped-def]
    """Transcribe recordings into speaker-attributed transcripts.

    INPUTS are audio files, folders (searched recursively) or CSV manifests with columns
    path, call_id, agent_id, team, queue, started_at, channels (agent,customer | customer,agent
    | mono), or agent_path and customer_path for calls recorded as two legs.

    Writes OUT/transcripts/<call_id>.json and OUT/calls.jsonl, and stores everything in the
    database. Re-running skips calls already done with the same audio and settings.
    Exit status: 0 all calls succeeded, 1 some calls failed, 2 usage or configuration error.

    \b
    Examples:
      qa-analytics transcribe recordings/2026-11-22/ --out out/
      qa-analytics transcribe manifest.csv --out out/ --workers 2 --json
      qa-analytics transcribe call.wav --out out/ --model /models/base.en-ct2 --device cuda
    """
    config = _config(out_dir, **kwargs)
    return _run_batch(config, list(inputs), as_json)


@click.command()
@click.argument("inputs", nargs=-1)
@click.option("--scorecard", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Scorecard YAML [default: the bundled default scorecard].")
@click.option("--samples", is_flag=True, help="Also process the bundled sample calls.")
@_asr_options
def run(inputs: tuple[str, ...], scorecard: Path | None, samples: bool, out_dir: Path,
        as_json: bool, **kwargs) -> int:  # type: ignore[no-untyped-def]
    """Transcribe and score recordings in one go.

    Takes the same INPUTS as `transcribe`; writes OUT/transcripts/, OUT/calls.jsonl and
    OUT/results.jsonl (one provisional score per call, with evidence), and stores them in
    the database for review. Exit status as for `transcribe`.

    \b
    Examples:
      qa-analytics run --samples --out out/demo
      qa-analytics run recordings/ --scorecard configs/default.yaml --out out/
      qa-analytics run manifest.csv --out out/ --db postgresql://qa@db/qa --workers 2
    """
    items = list(inputs)
    if samples:
        from qa_analytics.samples import samples_manifest

        items.append(str(samples_manifest()))
    if not items:
        raise click.UsageError("give recordings, folders or manifests to process, or --samples")
    config = _config(out_dir, scorecard=scorecard, score=True, **kwargs)
    return _run_batch(config, items, as_json)


def register(cli: click.Group) -> None:
    cli.add_command(transcribe)
    cli.add_command(run)
