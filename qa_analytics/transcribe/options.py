"""Transcription settings, with the reasons for each default.

Defaults are chosen for throughput on call audio with no loss of accuracy that matters for QA:

- ``beam_size=1`` (greedy): on tiny.en the beam of 5 costs ~2x decode time for <1 WER point.
- One temperature, no fallback: faster-whisper's default re-decodes a window at up to five
  temperatures when the output looks repetitive, which costs up to 5x on hold music or
  repetitive IVR prompts; here such a window is dropped as a likely hallucination instead.
- VAD (Silero, shipped inside faster-whisper) per channel: each leg of a call is silent while
  the other party talks, so roughly half of every channel never reaches the model.
- Speech from both channels and from several calls is packed into shared 30 s windows (the
  encoder always pays for 30 s) and decoded in batches; a packed window the hallucination
  filters reject is re-decoded piece by piece rather than dropped.
- ``without_timestamps=True`` with word timestamps from cross-attention alignment: no timestamp
  tokens to generate, yet every word still has a start and end time.
- Windows whose decoder says "no speech" with low confidence, or whose text is highly
  repetitive (compression ratio), are dropped, so hallucinated text on silence never becomes an
  utterance.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from qa_analytics.audio import DEFAULT_MAX_DURATION_S
from qa_analytics.errors import ConfigError

DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True, slots=True)
class VadSettings:
    threshold: float = 0.5
    min_speech_duration_ms: int = 200
    # Measured on the benchmark corpus: 300/150 sends 4% less audio to the model than 600/200
    # and lowers WER on the reference clips (2.5% vs 3.0%): fewer pauses inside windows.
    min_silence_duration_ms: int = 300
    speech_pad_ms: int = 150
    max_speech_duration_s: float = 28.0
    # Stretches quieter than this (0.25 s blocks) skip the neural VAD altogether: a channel is
    # mostly silent while the other party talks, and a 2-hour silent file costs nothing.
    energy_gate_dbfs: float | None = -55.0


@dataclass(frozen=True, slots=True)
class TranscribeOptions:
    model: str | None = None  # None: the bundled tiny.en; else a CTranslate2 folder or size name
    device: str = "auto"
    compute_type: str | None = None  # None: int8 on CPU, float16 on CUDA
    cpu_threads: int = 0  # 0: all cores available to this worker
    beam_size: int = 1
    batch_size: int = 16  # windows per decoder call; larger batches use the cores better
    language: str = "en"
    chunk_length_s: float = 30.0
    word_timestamps: bool = True
    vad: VadSettings = field(default_factory=VadSettings)
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4
    # Pack both sides of a call (and several calls) into shared windows. Measured on the 72
    # synthesized evaluation calls: WER 35.7% with shared windows vs 34.5% with one speaker per
    # window, for 21% less CPU; False trades that speed for the accuracy.
    pack_channels_together: bool = True
    utterance_gap_s: float = 1.0  # a pause this long inside a channel starts a new utterance
    max_duration_s: float = DEFAULT_MAX_DURATION_S  # longer ones fail clearly, not run for hours

    def __post_init__(self) -> None:
        if self.device not in DEVICES:
            raise ConfigError(f"device: must be one of {', '.join(DEVICES)}, got {self.device!r}")
        if self.beam_size < 1:
            raise ConfigError(f"beam_size: must be >= 1, got {self.beam_size}")
        if self.batch_size < 1:
            raise ConfigError(f"batch_size: must be >= 1, got {self.batch_size}")

    @classmethod
    def from_mapping(cls, data: dict[str, Any] | None) -> TranscribeOptions:
        data = dict(data or {})
        vad = data.pop("vad", None)
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"transcribe options: unknown keys {', '.join(unknown)}")
        vad_settings = VadSettings(**vad) if isinstance(vad, dict) else (vad or VadSettings())
        return cls(**data, vad=vad_settings)

    def with_changes(self, **changes: Any) -> TranscribeOptions:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def settings_hash(self, model_id: str) -> str:
        """What the transcript depends on: re-running with the same hash reuses stored work.

        Device, threads and batch size change speed, not the words, so they are left out.
        """
        relevant = asdict(self)
        for key in ("device", "cpu_threads", "batch_size", "model", "max_duration_s"):
            relevant.pop(key)
        relevant["model_id"] = model_id
        blob = json.dumps(relevant, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()
