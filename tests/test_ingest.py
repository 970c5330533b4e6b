from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qa_analytics.errors import ManifestError
from qa_analytics.ingest import IngestFailure, discover, read_manifest, safe_call_id, sha256_file
from qa_analytics.records import Call


def _wav(path: Path, seed: int = 0, channels: int = 2) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    sf.write(str(path), rng.normal(0, 0.1, (800, channels)).astype(np.float32), 8000)
    return path


def test_folders_are_searched_recursively_for_audio(tmp_path: Path) -> None:
    _wav(tmp_path / "day" / "a.wav", 1)
    _wav(tmp_path / "day" / "team2" / "b.wav", 2)
    (tmp_path / "day" / "readme.txt").write_text("not audio")
    calls = list(discover([tmp_path / "day"]))
    assert [c.call_id for c in calls] == ["a", "b"]
    assert all(isinstance(c, Call) and len(c.audio_sha256) == 64 for c in calls)


def test_same_name_different_audio_gets_unique_ids(tmp_path: Path) -> None:
    first = _wav(tmp_path / "x" / "call.wav", 1)
    second = _wav(tmp_path / "y" / "call.wav", 2)
    calls = list(discover([first, second]))
    assert calls[0].call_id == "call"
    assert calls[1].call_id == f"call-{sha256_file(second)[:8]}"


def test_same_file_listed_twice_is_one_call(tmp_path: Path) -> None:
    path = _wav(tmp_path / "a.wav")
    assert len(list(discover([path, path, tmp_path]))) == 1


def test_same_audio_under_two_names_shares_a_hash(tmp_path: Path) -> None:
    a = _wav(tmp_path / "a.wav", 5)
    b = tmp_path / "b.wav"
    b.write_bytes(a.read_bytes())
    calls = list(discover([a, b]))
    assert calls[0].audio_sha256 == calls[1].audio_sha256
    assert {c.call_id for c in calls} == {"a", "b"}


def test_manifest_columns_and_relative_paths(tmp_path: Path) -> None:
    _wav(tmp_path / "rec" / "one.wav", 1)
    _wav(tmp_path / "rec" / "two.wav", 2, channels=1)
    _wav(tmp_path / "rec" / "agent.wav", 3, channels=1)
    _wav(tmp_path / "rec" / "cust.wav", 4, channels=1)
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "path,call_id,agent_id,team,queue,started_at,channels,agent_path,customer_path\n"
        "rec/one.wav,C1,a7,billing,complaints,2026-11-22T09:00:00,\"customer,agent\",,\n"
        "rec/two.wav,C2,a8,sales,general,2026-11-22T10:00:00,mono,,\n"
        ",C3,a9,sales,general,,,rec/agent.wav,rec/cust.wav\n"
    )
    c1, c2, c3 = list(read_manifest(manifest))
    assert isinstance(c1, Call) and c1.channels == "customer,agent"
    assert (c1.agent_id, c1.team, c1.queue, c1.started_at) == (
        "a7", "billing", "complaints", "2026-11-22T09:00:00")
    assert c1.source == str(tmp_path / "rec" / "one.wav")
    assert isinstance(c2, Call) and c2.channels == "mono"
    assert isinstance(c3, Call) and c3.channels == "two_leg"
    assert c3.customer_source == str(tmp_path / "rec" / "cust.wav")


def test_manifest_bad_rows_are_per_call_failures(tmp_path: Path) -> None:
    _wav(tmp_path / "ok.wav")
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "path,call_id,channels\n"
        "ok.wav,ok,agent,customer\n"  # unquoted comma: an extra column, still parsed
        "missing.wav,gone,mono\n"
        "ok.wav,weird,left-right\n"
    )
    items = list(read_manifest(manifest))
    assert isinstance(items[0], Call)
    assert isinstance(items[1], IngestFailure) and "missing.wav: file not found" in items[1].error
    assert isinstance(items[2], IngestFailure)
    assert "m.csv: row 4: channels must be one of" in items[2].error


def test_manifest_without_path_column_is_a_usage_error(tmp_path: Path) -> None:
    manifest = tmp_path / "bad.csv"
    manifest.write_text("file,id\nx.wav,1\n")
    with pytest.raises(ManifestError, match=r"bad\.csv: header must have a 'path' column"):
        list(read_manifest(manifest))


def test_missing_and_empty_inputs_are_failures(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    items = list(discover([empty, tmp_path / "nowhere.wav"]))
    assert [type(i) for i in items] == [IngestFailure, IngestFailure]
    assert "file is empty (0 bytes)" in items[0].error
    assert "file not found" in items[1].error


def test_safe_call_id() -> None:
    assert safe_call_id("Call 12/a b") == "Call_12_a_b"
    assert safe_call_id("///") == "call"
