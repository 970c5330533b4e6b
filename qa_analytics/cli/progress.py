"""Progress bar and summary for batch commands (rich, on stderr)."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from qa_analytics.pipeline import BatchSummary, CallOutcome


class BatchProgress:
    """Calls done, audio hours processed and the real-time factor, updated per call."""

    def __init__(self, enabled: bool = True) -> None:
        self.console = Console(stderr=True)
        self.enabled = enabled
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[audio]}"), TextColumn("{task.fields[rtf]}"),
            TextColumn("{task.fields[failed]}"), TimeElapsedColumn(),
            console=self.console, disable=not enabled, transient=False,
        )
        self.task = None
        self.audio_s = 0.0
        self.processed_s = 0.0
        self.failed = 0
        self.started = time.perf_counter()

    def __enter__(self) -> BatchProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def plan(self, calls: int, _audio_s: float) -> None:
        self.started = time.perf_counter()
        self.task = self.progress.add_task("calls", total=calls, audio="0.00 h audio",
                                           rtf="", failed="")

    def advance(self, outcome: CallOutcome) -> None:
        if outcome.status == "failed":
            self.failed += 1
        else:
            self.audio_s += outcome.duration_s or 0.0
            if outcome.reused is None:
                self.processed_s += outcome.duration_s or 0.0
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        if self.task is not None:
            self.progress.update(
                self.task, advance=1, audio=f"{self.audio_s / 3600:.2f} h audio",
                rtf=f"{self.processed_s / elapsed:.1f}x real time",
                failed=f"[red]{self.failed} failed" if self.failed else "",
            )


def print_summary(summary: BatchSummary, out_dir: Path, scored: bool) -> None:
    console = Console(stderr=True)
    data = summary.as_dict()
    table = Table(title="batch summary", show_header=False)
    table.add_row("calls", str(data["calls"]))
    table.add_row("succeeded", str(data["succeeded"]))
    table.add_row("failed", f"[red]{data['failed']}" if data["failed"] else "0")
    table.add_row("reused (already done or same audio)", str(data["reused"]))
    table.add_row("audio", f"{data['audio_s'] / 60:.1f} min")
    table.add_row("wall time", f"{data['wall_s']:.1f} s")
    if data["x_real_time"]:
        table.add_row("speed", f"{data['x_real_time']}x real time")
    console.print(table)
    for outcome in summary.outcomes:
        if outcome.status == "failed":
            console.print(f"[red]failed[/red] {outcome.call_id}: {outcome.error}")
    if scored:
        scored_outcomes = [o for o in summary.outcomes if o.result and o.result.score is not None]
        if scored_outcomes:
            scores = Table(title="provisional scores")
            for col in ("call", "score", "auto-fail", "needs review"):
                scores.add_column(col)
            for o in scored_outcomes:
                r = o.result
                assert r is not None
                scores.add_row(o.call_id, f"{r.score:.1f}", "yes" if r.auto_fail else "",
                               ", ".join(r.review_reasons[:3]) if r.needs_review else "")
            console.print(scores)
    console.print(f"outputs in {out_dir}/ (transcripts/, calls.jsonl"
                  f"{', results.jsonl' if scored else ''})")
