"""Reading transcript files: the JSON contract, or plain text with ``Agent:``/``Customer:`` lines.

Text transcripts have no times (time windows then fall back to turn counts). A line without
a speaker label continues the previous turn; blank lines and ``#`` comments are skipped.
Every error is a TranscriptFormatError that names the file (and line or key).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from qa_analytics.errors import TranscriptFormatError
from qa_analytics.records import Transcript, Utterance, transcript_from_dict

SUFFIXES = (".json", ".txt")
_SPEAKER_LINE = re.compile(r"^\s*(agent|customer|caller|client|advisor|adviser|rep)\s*:\s*(.*)$",
                           re.I)
_ALIASES = {"caller": "customer", "client": "customer", "advisor": "agent", "adviser": "agent",
            "rep": "agent"}


def iter_transcript_files(inputs: Iterable[str | Path]) -> Iterator[Path]:
    """Transcript files among ``inputs``: files as given, folders searched recursively
    (``*.json``, ``*.txt``, not hidden) in sorted order. A missing path raises
    TranscriptFormatError."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUFFIXES
                # hidden files and folders (".git", editor back-ups) are not transcripts
                and not any(part.startswith(".") for part in p.relative_to(path).parts))
        elif path.is_file():
            yield path
        else:
            raise TranscriptFormatError(f"{path}: no such file or folder")


def parse_text_transcript(text: str, call_id: str, origin: str) -> Transcript:
    utterances: list[list[str]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _SPEAKER_LINE.match(stripped)
        if m:
            speaker = m.group(1).lower()
            utterances.append([_ALIASES.get(speaker, speaker), m.group(2).strip()])
        elif utterances:
            utterances[-1][1] = f"{utterances[-1][1]} {stripped}".strip()
        else:
            raise TranscriptFormatError(f"{origin}: line {n}: expected 'Agent: ...' or "
                                        f"'Customer: ...', got {stripped[:60]!r}")
    if not utterances:
        raise TranscriptFormatError(f"{origin}: no 'Agent:'/'Customer:' lines found")
    return Transcript(call_id=call_id,
                      utterances=tuple(Utterance(speaker=s, text=t) for s, t in utterances),
                      source=origin)


def read_transcript(path: str | Path) -> Transcript:
    """Read one transcript file (.json contract or Agent:/Customer: text)."""
    file = Path(path)
    origin = str(file)
    try:
        raw = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TranscriptFormatError(f"{origin}: not UTF-8 text") from None
    except OSError as exc:
        raise TranscriptFormatError(f"{origin}: cannot read ({exc.strerror or exc})") from None
    if file.suffix.lower() == ".json" or raw.lstrip().startswith("{"):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise TranscriptFormatError(
                f"{origin}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
        transcript = transcript_from_dict(data, origin)
        if not transcript.utterances:
            raise TranscriptFormatError(f"{origin}: utterances: must not be empty")
        if transcript.source is None:
            from dataclasses import replace

            transcript = replace(transcript, source=origin)
        return transcript
    return parse_text_transcript(raw, file.stem, origin)
