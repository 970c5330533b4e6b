"""Make dual-channel call recordings from a script with espeak-ng and sox.

The project's sample calls and the audio half of the evaluation are made this way, so every
recording the project ships is its own. Agent on the left channel, customer on the right,
8 kHz 16-bit like a telephony recording. Needs the ``espeak-ng`` and ``sox`` programs.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa_analytics.errors import QAError

SAMPLE_RATE = 8000
# Picked by measured tiny.en word error rate on 8 kHz output (~26-29%); espeak-ng's other
# English voices scored 30-68%. A short gap between words helps recognition most.
AGENT_VOICE = "en-us+f2"
CUSTOMER_VOICE = "en-us"
WORD_GAP = {"agent": 4, "customer": 2}  # espeak-ng -g, in 10 ms units
HOLD_MARK = "[hold]"  # a script line "[hold]" (any speaker) plays hold music for hold_s seconds


@dataclass(frozen=True, slots=True)
class SpokenTurn:
    speaker: str
    text: str
    start_s: float
    end_s: float


def tools_available() -> bool:
    return bool(shutil.which("espeak-ng") and shutil.which("sox"))


def speak(text: str, voice: str, *, words_per_minute: int = 155, word_gap: int = 3
          ) -> np.ndarray:
    """One phrase as float32 samples at 8 kHz (espeak-ng -> sox resample)."""
    if not tools_available():
        raise QAError("speech synthesis needs espeak-ng and sox (apt-get install espeak-ng sox)")
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-g", str(word_gap),
         "--stdout", text],
        check=True, capture_output=True,
    ).stdout
    raw = subprocess.run(
        ["sox", "-t", "wav", "-", "-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1",
         "-r", str(SAMPLE_RATE), "-"],
        input=wav, check=True, capture_output=True,
    ).stdout
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def _hold_music(seconds: float) -> np.ndarray:
    # A repetitive two-tone loop: the kind of audio that makes Whisper's fallback expensive.
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    melody = np.where((t % 1.0) < 0.5, 440.0, 554.0)
    return (0.08 * np.sin(2 * np.pi * melody * t)).astype(np.float32)


def synthesize_call_with_timing(
    utterances: Sequence[tuple[str, str]],
    out_path: Path,
    *,
    seed: int = 0,
    gap_s: float = 0.45,
    hold_s: float = 20.0,
    noise_level: float = 0.002,
) -> list[SpokenTurn]:
    """Write a stereo 8 kHz WAV of the script; return when each turn was spoken."""
    import soundfile as sf

    rng = np.random.default_rng(seed)
    voices = {"agent": AGENT_VOICE, "customer": CUSTOMER_VOICE}
    pieces: list[tuple[int, int, np.ndarray]] = []  # (channel, start sample, samples)
    turns: list[SpokenTurn] = []
    cursor = int(0.3 * SAMPLE_RATE)
    for speaker, text in utterances:
        if speaker not in voices:
            raise QAError(f"synth: speaker must be 'agent' or 'customer', got {speaker!r}")
        if text.strip().lower() == HOLD_MARK:
            music = _hold_music(hold_s)
            pieces.append((1, cursor, music))  # the customer hears hold music
            cursor += len(music) + int(gap_s * SAMPLE_RATE)
            continue
        audio = speak(text, voices[speaker], words_per_minute=int(rng.integers(145, 165)),
                      word_gap=WORD_GAP[speaker])
        channel = 0 if speaker == "agent" else 1
        pieces.append((channel, cursor, audio))
        turns.append(SpokenTurn(speaker, text, cursor / SAMPLE_RATE,
                                (cursor + len(audio)) / SAMPLE_RATE))
        cursor += len(audio) + int((gap_s + rng.uniform(0.0, 0.4)) * SAMPLE_RATE)
    total = cursor + int(0.3 * SAMPLE_RATE)
    stereo = rng.normal(0.0, noise_level, size=(total, 2)).astype(np.float32)
    for channel, start, audio in pieces:
        stereo[start:start + len(audio), channel] += audio
    out_path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(out_path), np.clip(stereo, -1.0, 1.0), SAMPLE_RATE, subtype="PCM_16")
    return turns


def synthesize_call(
    utterances: Sequence[tuple[str, str]], out_path: Path, *, seed: int = 0
) -> Path:
    """Write a stereo 8 kHz call (agent left, customer right) for the (speaker, text) script."""
    synthesize_call_with_timing(utterances, out_path, seed=seed)
    return out_path
