"""Reading transcript files: JSON contract and Agent:/Customer: text; errors name the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa_analytics.errors import TranscriptFormatError
from qa_analytics.transcript_io import iter_transcript_files, read_transcript


def test_transcript_io_reads_json_contract(tmp_path: Path) -> None:
    path = tmp_path / "c1.json"
    path.write_text(json.dumps({"call_id": "c1", "agent_id": "a7", "utterances": [
        {"speaker": "agent", "text": "Thank you for calling", "start_s": 0.0, "end_s": 3.2},
        {"speaker": "customer", "text": "Hi", "start_s": 3.5, "end_s": 4.0}]}))
    t = read_transcript(path)
    assert t.call_id == "c1" and t.agent_id == "a7" and t.timed
    assert t.utterances[0].end_s == 3.2 and t.source == str(path)


def test_transcript_io_reads_text_with_continuation_lines(tmp_path: Path) -> None:
    path = tmp_path / "call 7.txt"
    path.write_text("# exported from the dialler\nAgent: Hello, thanks for calling.\n"
                    "  How can I help?\n\nCustomer: My bill is wrong.\nCALLER: again\n")
    t = read_transcript(path)
    assert t.call_id == "call 7" and not t.timed
    assert [(u.speaker, u.text) for u in t.utterances] == [
        ("agent", "Hello, thanks for calling. How can I help?"),
        ("customer", "My bill is wrong."), ("customer", "again")]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bad.json", "{not json", r"bad.json: not valid JSON \(line 1"),
    ("bad.json", json.dumps({"call_id": "x", "utterances": [{"speaker": "bot", "text": "hi"}]}),
     r"bad.json: utterances -> 0 -> speaker: must be 'agent' or 'customer', got 'bot'"),
    ("bad.json", json.dumps({"call_id": "x", "utterances": []}),
     r"bad.json: utterances: must not be empty"),
    ("bad.txt", "Hello there\nAgent: hi\n", r"bad.txt: line 1: expected 'Agent: ...'"),
    ("empty.txt", "\n\n", r"empty.txt: no 'Agent:'/'Customer:' lines"),
])
def test_transcript_io_errors_name_the_file(tmp_path: Path, name: str, content: str,
                                            message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(TranscriptFormatError, match=message):
        read_transcript(path)


def test_transcript_io_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "audio.txt"
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(TranscriptFormatError, match="audio.txt: not UTF-8"):
        read_transcript(path)


def test_transcript_io_iterates_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "deep").mkdir()
    (tmp_path / "a" / ".hidden").mkdir()
    for rel in ("a/2.json", "a/1.txt", "a/deep/3.json", "a/notes.md", "x.txt",
                "a/.hidden/4.json", "a/.5.txt"):
        (tmp_path / rel).write_text("Agent: hi")
    found = list(iter_transcript_files([tmp_path / "a", tmp_path / "x.txt"]))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a/1.txt", "a/2.json", "a/deep/3.json", "x.txt"]
    with pytest.raises(TranscriptFormatError, match="no such file or folder"):
        list(iter_transcript_files([tmp_path / "missing"]))
