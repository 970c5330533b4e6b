"""Reference transcripts of the real clips in ../shared/data/audio, and WER helpers."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

_NUMBER_WORDS = {"80": "eighty", "1980": "nineteen eighty"}


@dataclass(frozen=True, slots=True)
class ReferenceClip:
    path: Path
    channel: int | None  # None: the whole (downmixed) recording; 0/1: left/right
    text: str
    confidence: str

    @property
    def name(self) -> str:
        suffix = {None: "", 0: "#L", 1: "#R"}[self.channel]
        return f"{self.path.relative_to(SHARED_DATA / 'audio')}{suffix}"


def load_references(root: Path = SHARED_DATA, *, exact_only: bool = True) -> list[ReferenceClip]:
    """Clips from audio/REFERENCES.tsv (exact references only by default)."""
    table = root / "audio" / "REFERENCES.tsv"
    if not table.exists():
        return []
    clips = []
    with table.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            name, confidence = row["file"], (row.get("confidence") or "").strip()
            if exact_only and confidence != "exact":
                continue
            channel = None
            if name.endswith("#L"):
                name, channel = name[:-2], 0
            elif name.endswith("#R"):
                name, channel = name[:-2], 1
            path = root / "audio" / name
            if path.exists():
                clips.append(ReferenceClip(path, channel, row["reference_text"], confidence))
    return clips


def normalise(text: str) -> str:
    """Lower case, no punctuation, hyphens split: how WER is scored here."""
    text = text.lower().replace("-", " ")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    words = [_NUMBER_WORDS.get(w, w) for w in text.split()]
    return " ".join(words)


def word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """Corpus WER (total edits / total reference words) after normalise()."""
    import jiwer

    refs = [normalise(r) for r in references]
    hyps = [normalise(h) for h in hypotheses]
    pairs = [(r, h) for r, h in zip(refs, hyps, strict=True) if r]
    return float(jiwer.wer([r for r, _ in pairs], [h for _, h in pairs]))
