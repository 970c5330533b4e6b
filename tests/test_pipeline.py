"""Batches end to end with the real model: bad input, re-runs, duplicates, kill -9 and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import func, select

from qa_analytics.pipeline import BatchConfig, BatchRunner
from qa_analytics.samples import SAMPLES_DIR
from qa_analytics.store import open_database, schema
from qa_analytics.transcribe import TranscribeOptions

pytestmark = pytest.mark.slow
SAMPLE = SAMPLES_DIR / "sample_rude_agent.wav"


def _variant(src: Path, dest: Path, pad_s: float) -> Path:
    """The same speech with extra trailing silence: different bytes, so a different call."""
    data, rate = sf.read(str(src))
    pad = np.zeros((int(rate * pad_s), data.shape[1]))
    dest.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(dest), np.concatenate([data, pad]), rate, subtype="PCM_16")
    return dest


def _bad_inputs(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "random.wav").write_bytes(os.urandom(20000))
    (folder / "empty.wav").write_bytes(b"")
    (folder / "truncated.wav").write_bytes(SAMPLE.read_bytes()[:40])
    (folder / "notes.mp3").write_text("Agent: this is a text file, not audio\n" * 50)
    sf.write(str(folder / "surround.wav"), np.zeros((8000, 3), dtype=np.float32), 8000)
    sf.write(str(folder / "silence.wav"), np.zeros((8000 * 10, 2), dtype=np.float32), 8000)
    return {"random": "cannot decode audio", "empty": "file is empty (0 bytes)",
            "truncated": "cannot decode audio", "notes": "cannot decode audio",
            "surround": "has 3 channels"}


def _runner(out: Path, **kw) -> BatchRunner:  # type: ignore[no-untyped-def]
    return BatchRunner(BatchConfig(out_dir=out, options=TranscribeOptions(device="cpu"), **kw))


def test_bad_inputs_fail_alone_and_the_batch_completes(tmp_path: Path) -> None:
    expected = _bad_inputs(tmp_path / "in")
    _variant(SAMPLE, tmp_path / "in" / "good.wav", 0.0)
    summary = _runner(tmp_path / "out").run([tmp_path / "in"])
    by_id = {o.call_id: o for o in summary.outcomes}
    assert summary.failed == len(expected)
    for call_id, message in expected.items():
        assert by_id[call_id].status == "failed"
        assert message in by_id[call_id].error and call_id in by_id[call_id].error
    assert by_id["good"].status == "transcribed"
    assert by_id["silence"].status == "transcribed"  # silence is a call with no speech
    silence = json.loads((tmp_path / "out" / "transcripts" / "silence.json").read_text())
    assert silence["utterances"] == []
    calls_file = tmp_path / "out" / "calls.jsonl"
    lines = [json.loads(line) for line in calls_file.read_text().splitlines()]
    assert {line["call_id"] for line in lines} == set(by_id)
    assert set(lines[0]) == {"call_id", "source", "status", "error", "duration_s", "audio_sha256"}


def test_two_hour_recording_is_processed_without_trouble(tmp_path: Path) -> None:
    # Two hours of line noise with one spoken turn at the start: the energy gate and VAD keep
    # the model to the speech, so this takes seconds, and memory stays bounded.
    speech, rate = sf.read(str(SAMPLE), dtype="float32")
    long_audio = np.zeros((rate * 7200, 2), dtype=np.float32)
    long_audio[: len(speech)] = speech
    path = tmp_path / "in" / "two_hours.wav"
    path.parent.mkdir()
    sf.write(str(path), long_audio, rate, subtype="PCM_16")
    del long_audio
    summary = _runner(tmp_path / "out").run([path])
    outcome = summary.outcomes[0]
    assert outcome.status == "transcribed"
    assert outcome.duration_s == pytest.approx(7200, abs=1)
    transcript = json.loads((tmp_path / "out" / "transcripts" / "two_hours.json").read_text())
    assert transcript["utterances"] and transcript["utterances"][-1]["end_s"] < 60


def test_rerun_skips_done_work_and_reuses_duplicate_audio(tmp_path: Path) -> None:
    a = _variant(SAMPLE, tmp_path / "in" / "a.wav", 0.1)
    b = tmp_path / "in" / "copy_of_a.wav"
    b.write_bytes(a.read_bytes())
    first = _runner(tmp_path / "out").run([tmp_path / "in"])
    reused = {o.call_id: o.reused for o in first.outcomes}
    assert reused == {"a": None, "copy_of_a": "duplicate"}
    runner = _runner(tmp_path / "out")
    second = runner.run([tmp_path / "in"])
    assert [o.reused for o in second.outcomes] == ["done", "done"]
    assert second.stage_s.get("asr_s", 0.0) == 0.0  # nothing went through the model
    with runner.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.calls)).scalar() == 2
        assert conn.execute(select(func.count()).select_from(schema.transcripts)).scalar() == 2
    # changing a setting that changes the words re-transcribes
    third = BatchRunner(BatchConfig(out_dir=tmp_path / "out", options=TranscribeOptions(
        device="cpu", beam_size=2))).run([tmp_path / "in"])
    assert [o.reused for o in third.outcomes] == [None, "duplicate"]


def test_workers_produce_the_same_transcripts(tmp_path: Path) -> None:
    inputs = [_variant(SAMPLE, tmp_path / "in" / f"v{i}.wav", 0.1 * i) for i in range(3)]
    _runner(tmp_path / "one").run(inputs)
    summary = _runner(tmp_path / "two", workers=2).run(inputs)
    assert summary.failed == 0
    for path in inputs:
        one = json.loads((tmp_path / "one" / "transcripts" / f"{path.stem}.json").read_text())
        two = json.loads((tmp_path / "two" / "transcripts" / f"{path.stem}.json").read_text())
        assert [u["text"] for u in one["utterances"]] == [u["text"] for u in two["utterances"]]


def test_kill_dash_nine_mid_batch_then_resume(tmp_path: Path) -> None:
    inputs = [_variant(SAMPLES_DIR / "sample_billing_complaint.wav",
                       tmp_path / "in" / f"call{i}.wav", 0.05 * i) for i in range(6)]
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "qa_analytics", "transcribe", str(tmp_path / "in"),
           "--out", str(out), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    db_path = out / "qa.db"
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline and proc.poll() is None:
        if db_path.exists():
            engine = open_database(db_path, migrate=False)
            try:
                with engine.connect() as conn:
                    done = conn.execute(select(func.count()).select_from(schema.calls)
                                        .where(schema.calls.c.status == "transcribed")).scalar()
            except Exception:
                done = 0
            engine.dispose()
            if done >= 2:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "batch finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 2 <= done < len(inputs)

    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["calls"] == len(inputs) and summary["failed"] == 0
    assert summary["reused"] >= 2  # calls finished before the kill were not redone
    engine = open_database(db_path)
    with engine.connect() as conn:
        statuses = [r[0] for r in conn.execute(select(schema.calls.c.status))]
        assert statuses == ["transcribed"] * len(inputs)
        assert conn.execute(select(func.count()).select_from(schema.transcripts)).scalar() == 6
    lines = (out / "calls.jsonl").read_text().splitlines()
    assert len(lines) == len(inputs)
    assert not list(out.glob("transcripts/.*.tmp"))


def crash_on_marker(calls):  # type: ignore[no-untyped-def]
    """Worker function for the test below: dies like an out-of-memory kill on 'poison'."""
    from qa_analytics import pipeline

    if any("poison" in call.source for call in calls):
        os._exit(137)
    return pipeline._worker_transcribe(calls)


def test_a_dying_worker_fails_only_its_call(tmp_path: Path) -> None:
    from qa_analytics.pipeline import TranscriptionRunner

    inputs = [_variant(SAMPLE, tmp_path / "in" / name, 0.1 * i)
              for i, name in enumerate(["a.wav", "poison.wav", "b.wav", "c.wav"])]
    runner = TranscriptionRunner(TranscribeOptions(device="cpu"), workers=2, calls_per_task=1,
                                 worker_fn=crash_on_marker)
    with runner:
        batch = BatchRunner(BatchConfig(out_dir=tmp_path / "out"), transcription=runner)
        summary = batch.run(inputs)
    by_id = {o.call_id: o for o in summary.outcomes}
    assert by_id["poison"].status == "failed"
    assert "worker process transcribing it died" in by_id["poison"].error
    assert [by_id[k].status for k in ("a", "b", "c")] == ["transcribed"] * 3
