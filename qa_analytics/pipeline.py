"""Chains the stages over a batch: ingest -> transcribe -> (score) -> store.

Guarantees a QA team relies on:
- one broken recording becomes a failed call with its error; the batch goes on;
- each call is committed (transcript file, database rows) as soon as it is done, so a batch
  killed mid-way loses at most the calls in flight, and re-running the same command
  completes it without duplicate rows;
- a call already done with the same audio and settings is not transcribed again, and the same
  audio under another name is transcribed once and its transcript reused.

Transcription runs in this process (``workers=1``) or in worker processes that each load the
model once; the database has a single writer, this process.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from qa_analytics.errors import QAError, TranscriptionError
from qa_analytics.ingest import IngestFailure, discover
from qa_analytics.records import (
    Call,
    ProvisionalScore,
    Transcript,
    score_to_dict,
    transcript_to_dict,
)
from qa_analytics.store import open_database, repository
from qa_analytics.transcribe import TranscribeOptions, Transcriber


@dataclass(frozen=True, slots=True)
class CallOutcome:
    call_id: str
    source: str
    status: str  # transcribed | scored | failed
    error: str | None = None
    duration_s: float | None = None
    audio_sha256: str | None = None
    reused: str | None = None  # "done" (skipped, already stored) or "duplicate" (same audio)
    result: ProvisionalScore | None = None

    def as_record(self) -> dict[str, Any]:
        return {"call_id": self.call_id, "source": self.source, "status": self.status,
                "error": self.error, "duration_s": self.duration_s,
                "audio_sha256": self.audio_sha256}


@dataclass
class BatchSummary:
    outcomes: list[CallOutcome] = field(default_factory=list)
    wall_s: float = 0.0
    stage_s: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(o.status == "failed" for o in self.outcomes)

    @property
    def succeeded(self) -> int:
        return len(self.outcomes) - self.failed

    @property
    def audio_s(self) -> float:
        return sum(o.duration_s or 0.0 for o in self.outcomes if o.status != "failed")

    @property
    def processed_audio_s(self) -> float:
        return sum(o.duration_s or 0.0 for o in self.outcomes
                   if o.status != "failed" and o.reused is None)

    def as_dict(self) -> dict[str, Any]:
        reused = sum(o.reused is not None for o in self.outcomes)
        return {
            "calls": len(self.outcomes), "succeeded": self.succeeded, "failed": self.failed,
            "reused": reused, "audio_s": round(self.audio_s, 2),
            "wall_s": round(self.wall_s, 2),
            "x_real_time": round(self.processed_audio_s / self.wall_s, 2) if self.wall_s else None,
            "stage_s": {k: round(v, 3) for k, v in self.stage_s.items()},
        }


CPU_CALLS_PER_TASK = 4


@dataclass(frozen=True, slots=True)
class BatchConfig:
    out_dir: Path
    db: str | None = None  # URL or path; default out_dir/qa.db
    options: TranscribeOptions = field(default_factory=TranscribeOptions)
    workers: int = 1
    calls_per_task: int = 0  # 0: CPU_CALLS_PER_TASK on CPU, 16 on a GPU
    scorecard: str | Path | None = None
    score: bool = False


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a killed run never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# ------------------------------------------------------------------ worker processes
_WORKER: Transcriber | None = None


def _init_worker(options: TranscribeOptions) -> None:
    global _WORKER
    _WORKER = Transcriber(options).load()


def _worker_transcribe(calls: list[Call]) -> tuple[list[Transcript | QAError], dict[str, float]]:
    assert _WORKER is not None  # set by _init_worker in this process
    before = {**_WORKER.times.as_dict(), "decode_s": _WORKER.decode_s}
    outcomes = _WORKER.transcribe_batch(calls)
    after = {**_WORKER.times.as_dict(), "decode_s": _WORKER.decode_s}
    return outcomes, {k: after[k] - before[k] for k in after}


def _worker_ready() -> bool:
    return _WORKER is not None


def _chunks(items: Sequence[Call], size: int) -> Iterator[list[Call]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


class TranscriptionRunner:
    """Runs transcription in-process or across worker processes, yielding as calls finish.

    Use as a context manager: the worker pool (each worker loads the model once) lives until
    exit, so several batches, or repeated benchmark runs, pay the start-up once.
    """

    def __init__(self, options: TranscribeOptions, workers: int = 1, calls_per_task: int = 1,
                 worker_fn: Callable[[list[Call]], tuple[list[Transcript | QAError],
                                                         dict[str, float]]] | None = None,
                 ) -> None:
        """``worker_fn`` runs in the worker processes (a module-level function; default
        ``_worker_transcribe``)."""
        self.options = options
        self.worker_fn = worker_fn or _worker_transcribe
        self.workers = max(1, workers)
        self.calls_per_task = max(1, calls_per_task)
        self.stage_s: dict[str, float] = {}
        self._local: Transcriber | None = None
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> TranscriptionRunner:
        if self.workers == 1:
            self._local = self._local or Transcriber(self.options).load()
            return self
        threads = self.options.cpu_threads or max(1, (os.cpu_count() or 1) // self.workers)
        worker_options = replace(self.options, cpu_threads=threads)
        self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"),
                                         initializer=_init_worker, initargs=(worker_options,))
        # Start every worker (and load its model) now rather than inside the first batch.
        for future in [self._pool.submit(_worker_ready) for _ in range(self.workers)]:
            future.result()  # also starts each worker; _worker_ready only confirms it loaded
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _add_times(self, times: dict[str, float]) -> None:
        for key, value in times.items():
            self.stage_s[key] = self.stage_s.get(key, 0.0) + value

    def run(self, calls: Sequence[Call]) -> Iterator[tuple[Call, Transcript | QAError]]:
        if not calls:
            return
        if self._pool is None and self._local is None:
            self.__enter__()
        groups = list(_chunks(calls, self.calls_per_task))
        if self._pool is None:
            yield from self._run_local(groups)
            return
        pending: dict[Future, list[Call]] = {}
        queue = iter(groups)

        def submit(group: list[Call]) -> None:
            assert self._pool is not None
            pending[self._pool.submit(self.worker_fn, group)] = group

        # Two tasks per worker in flight: enough to hide hand-off latency, few enough that a
        # kill loses little work.
        for group in queue:
            submit(group)
            if len(pending) >= 2 * self.workers:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                group = pending.pop(future)
                try:
                    outcomes, times = future.result()
                except BrokenProcessPool:
                    # A worker died (out of memory, a crash in native code) and took every
                    # task in flight with it: find the culprit by re-running those calls one
                    # at a time, then carry on with the rest of the batch.
                    suspects = group + [c for g in pending.values() for c in g]
                    pending.clear()
                    yield from self._isolate(suspects)
                    break
                self._add_times(times)
                yield from zip(group, outcomes, strict=True)
            while len(pending) < 2 * self.workers:
                nxt = next(queue, None)
                if nxt is None:
                    break
                submit(nxt)

    def _run_local(self, groups: list[list[Call]]
                   ) -> Iterator[tuple[Call, Transcript | QAError]]:
        """In this process: while the model transcribes one group, a helper thread decodes
        and prepares the next (numpy, onnxruntime and CTranslate2 release the GIL), so the
        model is not left waiting for host work, which matters most on a GPU."""
        local = self._local
        assert local is not None
        with ThreadPoolExecutor(1, thread_name_prefix="qa-prepare") as helper:
            upcoming = helper.submit(local.prepare_batch, groups[0]) if groups else None
            for number, group in enumerate(groups):
                assert upcoming is not None
                before = {**local.times.as_dict(), "decode_s": local.decode_s}
                prepared = upcoming.result()
                if number + 1 < len(groups):
                    upcoming = helper.submit(local.prepare_batch, groups[number + 1])
                outcomes = local.finish_batch(prepared)
                after = {**local.times.as_dict(), "decode_s": local.decode_s}
                self._add_times({k: after[k] - before[k] for k in after})
                yield from zip(group, outcomes, strict=True)

    def _restart_pool(self) -> None:
        self.__exit__(None, None, None)
        self.__enter__()

    def _isolate(self, calls: list[Call]) -> Iterator[tuple[Call, Transcript | QAError]]:
        self._restart_pool()
        for call in calls:
            assert self._pool is not None
            try:
                outcomes, times = self._pool.submit(self.worker_fn, [call]).result()
            except BrokenProcessPool:
                yield call, TranscriptionError(
                    f"{call.source}: the worker process transcribing it died (out of memory, "
                    f"or a crash in the decoder); the rest of the batch went on")
                self._restart_pool()
                continue
            self._add_times(times)
            yield call, outcomes[0]


# ------------------------------------------------------------------ the batch
class BatchRunner:
    def __init__(self, config: BatchConfig,
                 on_outcome: Callable[[CallOutcome], None] | None = None,
                 on_plan: Callable[[int, float], None] | None = None,
                 *, transcription: TranscriptionRunner | None = None,
                 scorer: Any = None) -> None:
        """``transcription`` and ``scorer`` may be passed in to share loaded models across
        batches; by default they are made from the config."""
        self.config = config
        self.on_outcome = on_outcome or (lambda _o: None)
        self.on_plan = on_plan or (lambda _n, _s: None)
        self.transcripts_dir = config.out_dir / "transcripts"
        self.engine = open_database(config.db or config.out_dir / "qa.db")
        self.transcription = transcription
        self.scorer = scorer
        self._stage_s: dict[str, float] = {}
        if config.score and scorer is None:
            from qa_analytics.scorer import load_scorer

            self.scorer = load_scorer(config.scorecard)

    def run(self, inputs: Iterable[str | Path]) -> BatchSummary:
        started = time.perf_counter()
        self._stage_s = {"ingest_s": 0.0}
        summary = BatchSummary()
        transcriber_options = self.config.options
        settings_hash = transcriber_options.settings_hash(
            Transcriber(transcriber_options).model_id)
        items = list(discover(inputs))
        self._timed("ingest_s", started)
        self.on_plan(len(items), 0.0)
        todo, duplicates = self._plan(items, settings_hash, summary)
        owned = self.transcription is None
        runner = self.transcription or TranscriptionRunner(
            transcriber_options, self.config.workers, self._calls_per_task())
        before = dict(runner.stage_s)
        try:
            self._transcribe_all(runner, todo, duplicates, settings_hash, summary)
        finally:
            if owned:
                runner.__exit__(None, None, None)
        summary.stage_s = {k: v - before.get(k, 0.0) for k, v in runner.stage_s.items()}
        summary.stage_s.update(self._stage_s)
        summary.wall_s = time.perf_counter() - started
        self._write_reports(summary)
        return summary

    def _plan(self, items: list[Call | IngestFailure], settings_hash: str,
              summary: BatchSummary) -> tuple[list[Call], dict[str, list[Call]]]:
        """Settle what needs no model (failures, work already done, audio seen before) and
        return the calls to transcribe, with the same-audio twins of each."""
        todo: list[Call] = []
        duplicates: dict[str, list[Call]] = {}
        for item in items:
            if isinstance(item, IngestFailure):
                call = Call(call_id=item.call_id, source=item.source, channels="mono")
                repository.mark_failed(self.engine, call, item.error)
                self._emit(summary, self._failed(call, item.error))
                continue
            if repository.is_done(self.engine, item, settings_hash):
                self._emit(summary, self._reuse_done(item))
                continue
            if item.audio_sha256 in duplicates:
                duplicates[item.audio_sha256].append(item)
                continue
            found = repository.find_transcript_by_audio(self.engine, item.audio_sha256,
                                                        settings_hash)
            if found:
                self._emit(summary, self._store(item, found[1], settings_hash,
                                                duplicate_of=found[0]))
                continue
            duplicates[item.audio_sha256] = []
            repository.mark_pending(self.engine, item, settings_hash)
            todo.append(item)
        return todo, duplicates

    def _calls_per_task(self) -> int:
        if self.config.calls_per_task:
            return self.config.calls_per_task
        # Several calls per task let speech from different calls share the encoder's 30 s
        # windows (and on a GPU keep batches full); a killed run loses at most these calls.
        return 16 if self.config.options.device == "cuda" else CPU_CALLS_PER_TASK

    def _transcribe_all(self, runner: TranscriptionRunner, todo: list[Call],
                        duplicates: dict[str, list[Call]], settings_hash: str,
                        summary: BatchSummary) -> None:
        for call, outcome in runner.run(todo):
            if isinstance(outcome, QAError):
                repository.mark_failed(self.engine, call, str(outcome), settings_hash)
                self._emit(summary, self._failed(call, str(outcome)))
                for twin in duplicates.get(call.audio_sha256, []):
                    repository.mark_failed(self.engine, twin, str(outcome), settings_hash)
                    self._emit(summary, self._failed(twin, str(outcome)))
                continue
            self._emit(summary, self._store(call, outcome, settings_hash))
            for twin in duplicates.get(call.audio_sha256, []):
                self._emit(summary, self._store(twin, outcome, settings_hash,
                                                duplicate_of=call.call_id))

    # -------------------------------------------------------------- per call
    def _timed(self, stage: str, started: float) -> float:
        now = time.perf_counter()
        self._stage_s[stage] = self._stage_s.get(stage, 0.0) + now - started
        return now

    def _emit(self, summary: BatchSummary, outcome: CallOutcome) -> None:
        summary.outcomes.append(outcome)
        self.on_outcome(outcome)

    def _failed(self, call: Call, error: str) -> CallOutcome:
        result = None
        if self.scorer is not None:
            from qa_analytics.scorer import failed_result

            result = failed_result(call.call_id, call.source, error)
            repository.save_result(self.engine, result, call=call)
        return CallOutcome(call.call_id, call.source, "failed", error,
                           audio_sha256=call.audio_sha256 or None, result=result)

    def _store(self, call: Call, transcript: Transcript, settings_hash: str,
               duplicate_of: str | None = None) -> CallOutcome:
        if transcript.call_id != call.call_id or transcript.source != call.source:
            transcript = replace(transcript, call_id=call.call_id, source=call.source,
                                 agent_id=call.agent_id)
        started = time.perf_counter()
        write_atomic(self.transcripts_dir / f"{call.call_id}.json",
                     json.dumps(transcript_to_dict(transcript), indent=1))
        repository.save_transcript(self.engine, call, transcript, settings_hash,
                                   duplicate_of=duplicate_of)
        self._timed("store_s", started)
        return self._score(call, transcript, reused="duplicate" if duplicate_of else None)

    def _reuse_done(self, call: Call) -> CallOutcome:
        transcript = repository.load_transcript(self.engine, call.call_id)
        path = self.transcripts_dir / f"{call.call_id}.json"
        if transcript is not None and not path.exists():
            write_atomic(path, json.dumps(transcript_to_dict(transcript), indent=1))
        if transcript is None:  # row says done but transcript is gone: treat as failed
            return CallOutcome(call.call_id, call.source, "failed",
                               "stored transcript missing; re-run with a fresh --db")
        return self._score(call, transcript, reused="done")

    def _score(self, call: Call, transcript: Transcript, reused: str | None) -> CallOutcome:
        result = None
        status = "transcribed"
        if self.scorer is not None:
            started = time.perf_counter()
            try:
                result = self.scorer.score(transcript, source=call.source)
            except QAError as exc:
                from qa_analytics.scorer import failed_result

                result = failed_result(call.call_id, call.source, f"{call.source}: {exc}")
            started = self._timed("score_s", started)
            repository.save_result(self.engine, result, call=call)
            self._timed("store_s", started)
            status = "scored" if result.status == "scored" else "failed"
        return CallOutcome(call.call_id, call.source, status,
                           result.error if result is not None else None,
                           transcript.duration_s, call.audio_sha256 or None, reused, result)

    def _write_reports(self, summary: BatchSummary) -> None:
        # Rewritten whole at the end of every run, from this run's outcomes: no duplicates.
        lines = [json.dumps(o.as_record()) for o in summary.outcomes]
        write_atomic(self.config.out_dir / "calls.jsonl",
                     "\n".join(lines) + ("\n" if lines else ""))
        if self.scorer is not None:
            results = [json.dumps(score_to_dict(o.result)) for o in summary.outcomes
                       if o.result is not None]
            write_atomic(self.config.out_dir / "results.jsonl",
                         "\n".join(results) + ("\n" if results else ""))
