"""Decode any supported recording to 16 kHz float32, one array per channel.

WAV (8-bit unsigned, 16/24/32-bit, float), FLAC, MP3 and OGG/Opus go through libsndfile
(soundfile); anything else libsndfile cannot read goes through FFmpeg's libraries (PyAV,
shipped with faster-whisper). Errors are AudioError naming the file and the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np

from qa_analytics.errors import AudioError

TARGET_RATE = 16000
MAX_CHANNELS = 2
# Longer than any real call; beyond this a file is almost certainly a mistake (a day's dump).
DEFAULT_MAX_DURATION_S = 4 * 3600.0


@dataclass(frozen=True, slots=True)
class DecodedAudio:
    path: str
    channels: tuple[np.ndarray, ...]  # float32 mono arrays at TARGET_RATE
    source_rate: int
    duration_s: float

    @property
    def channel_count(self) -> int:
        return len(self.channels)


def resample(samples: np.ndarray, source_rate: int, target_rate: int = TARGET_RATE) -> np.ndarray:
    """Polyphase resampling (exact rational ratio); cheap for telephony 8k -> 16k."""
    if source_rate == target_rate:
        return np.ascontiguousarray(samples, dtype=np.float32)
    from scipy.signal import resample_poly

    g = gcd(source_rate, target_rate)
    out = resample_poly(samples, target_rate // g, source_rate // g, axis=0)
    return np.ascontiguousarray(out, dtype=np.float32)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise AudioError(f"{path}: file not found")
    if not path.is_file():
        raise AudioError(f"{path}: not a regular file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: file is empty (0 bytes)")


def _read_soundfile(path: Path, max_duration_s: float) -> tuple[np.ndarray, int] | None:
    import soundfile as sf

    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError):
        return None  # not a format libsndfile knows: try FFmpeg
    if info.channels > MAX_CHANNELS:
        raise AudioError(
            f"{path}: has {info.channels} channels; expected mono or stereo (agent/customer)"
        )
    if info.samplerate <= 0 or info.frames <= 0:
        raise AudioError(f"{path}: contains no audio samples")
    if info.frames / info.samplerate > max_duration_s:
        raise AudioError(
            f"{path}: is {info.frames / info.samplerate / 3600:.1f} h long; the limit is "
            f"{max_duration_s / 3600:.1f} h (raise --max-duration to process it)"
        )
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioError(f"{path}: cannot decode audio ({exc}); the file may be truncated") from exc
    return data, rate


def _read_ffmpeg(path: Path) -> tuple[np.ndarray, int]:
    try:
        import av
    except ImportError as exc:  # pragma: no cover - av ships with faster-whisper
        raise AudioError(f"{path}: unsupported format and PyAV is not installed") from exc
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError(f"{path}: cannot decode audio (no audio stream found)")
            stream = container.streams.audio[0]
            channels = stream.codec_context.channels
            if channels > MAX_CHANNELS:
                raise AudioError(
                    f"{path}: has {channels} channels; expected mono or stereo (agent/customer)"
                )
            rate = stream.codec_context.sample_rate
            frames = []
            for frame in container.decode(stream):
                array = frame.to_ndarray()
                if array.dtype.kind in "iu":
                    array = array.astype(np.float32) / np.iinfo(array.dtype).max
                if frame.format.is_planar:
                    frames.append(array.T)
                else:
                    frames.append(array.reshape(-1, channels))
    except AudioError:
        raise
    except Exception as exc:  # av raises many error types for broken input
        raise AudioError(f"{path}: cannot decode audio ({exc})") from exc
    if not frames:
        raise AudioError(f"{path}: cannot decode audio (no audio samples found)")
    return np.concatenate(frames).astype(np.float32), rate


def decode(path: str | Path, *, max_duration_s: float = DEFAULT_MAX_DURATION_S) -> DecodedAudio:
    """Decode a recording into per-channel 16 kHz float32 arrays."""
    path = Path(path)
    _check_file(path)
    read = _read_soundfile(path, max_duration_s)
    data, rate = read if read is not None else _read_ffmpeg(path)
    if data.ndim != 2 or data.shape[0] == 0:
        raise AudioError(f"{path}: contains no audio samples")
    if data.shape[1] > MAX_CHANNELS:
        raise AudioError(
            f"{path}: has {data.shape[1]} channels; expected mono or stereo (agent/customer)"
        )
    duration_s = data.shape[0] / rate
    if duration_s > max_duration_s:
        raise AudioError(f"{path}: is {duration_s / 3600:.1f} h long; the limit is "
                         f"{max_duration_s / 3600:.1f} h")
    if not np.isfinite(data).all():
        raise AudioError(f"{path}: contains invalid (NaN or infinite) samples")
    channels = tuple(resample(data[:, c], rate) for c in range(data.shape[1]))
    return DecodedAudio(str(path), channels, rate, duration_s)
