from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qa_analytics.audio import TARGET_RATE, decode, resample
from qa_analytics.errors import AudioError


def _tone(rate: int, seconds: float = 1.0, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _peak_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.argmax(spectrum) * TARGET_RATE / len(samples))


@pytest.mark.parametrize(
    ("fmt", "subtype", "suffix"),
    [
        ("WAV", "PCM_U8", ".wav"),
        ("WAV", "PCM_16", ".wav"),
        ("WAV", "PCM_24", ".wav"),
        ("WAV", "FLOAT", ".wav"),
        ("FLAC", "PCM_16", ".flac"),
        ("OGG", "VORBIS", ".ogg"),
        ("OGG", "OPUS", ".opus"),
        ("MP3", "MPEG_LAYER_III", ".mp3"),
    ],
)
def test_decode_formats_to_16k_float(tmp_path: Path, fmt: str, subtype: str, suffix: str) -> None:
    rate = 48000 if subtype == "OPUS" else 8000 if fmt == "WAV" else 44100
    stereo = np.stack([_tone(rate, freq=440.0), _tone(rate, freq=1000.0)], axis=1)
    path = tmp_path / f"call{suffix}"
    try:
        sf.write(str(path), stereo, rate, format=fmt, subtype=subtype)
    except (sf.LibsndfileError, TypeError, ValueError) as exc:  # pragma: no cover
        pytest.skip(f"libsndfile cannot write {fmt}/{subtype} here: {exc}")
    audio = decode(path)
    assert audio.channel_count == 2
    assert audio.source_rate == rate
    assert abs(audio.duration_s - 1.0) < 0.1
    left, right = audio.channels
    assert left.dtype == np.float32 and abs(len(left) - TARGET_RATE) < 0.1 * TARGET_RATE
    # channels stay apart and keep their pitch through resampling
    assert abs(_peak_hz(left) - 440) < 15
    assert abs(_peak_hz(right) - 1000) < 15


def test_decode_mono_telephony_rate(tmp_path: Path) -> None:
    path = tmp_path / "mono.wav"
    sf.write(str(path), _tone(8000, 2.0), 8000, subtype="PCM_16")
    audio = decode(path)
    assert audio.channel_count == 1 and audio.source_rate == 8000
    assert len(audio.channels[0]) == 2 * TARGET_RATE


def test_more_than_two_channels_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "surround.wav"
    sf.write(str(path), np.zeros((8000, 4), dtype=np.float32), 8000)
    with pytest.raises(AudioError, match=r"surround\.wav: has 4 channels; expected mono or stereo"):
        decode(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.wav", b"", r"empty\.wav: file is empty \(0 bytes\)"),
        ("noise.wav", np.random.default_rng(7).bytes(4096), r"noise\.wav: cannot decode audio"),
        ("notes.wav", b"Agent: hello\nCustomer: hi\n" * 20, r"notes\.wav: cannot decode audio"),
    ],
)
def test_bad_files_name_the_file_and_problem(tmp_path: Path, name: str, content: bytes,
                                             message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AudioError, match=message):
        decode(path)


def test_truncated_wav_fails_or_decodes_what_is_there(tmp_path: Path) -> None:
    whole = tmp_path / "whole.wav"
    sf.write(str(whole), _tone(8000, 2.0), 8000, subtype="PCM_16")
    data = whole.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[:30])  # header cut mid-way
    with pytest.raises(AudioError, match=r"cut\.wav"):
        decode(cut)
    half = tmp_path / "half.wav"
    half.write_bytes(data[: len(data) // 2])  # data chunk shorter than its header says
    try:
        audio = decode(half)
    except AudioError as exc:
        assert "half.wav" in str(exc)
    else:
        assert 0.5 < audio.duration_s <= 1.1


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="file not found"):
        decode(tmp_path / "nope.wav")


def test_too_long_recording_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    sf.write(str(path), np.zeros(8000 * 30, dtype=np.float32), 8000, subtype="PCM_16")
    with pytest.raises(AudioError, match=r"long\.wav: is 0\.0 h long; the limit is"):
        decode(path, max_duration_s=10)


def test_resample() -> None:
    assert resample(np.ones(16000, dtype=np.float32), 16000).shape == (16000,)
    assert resample(_tone(44100), 44100).shape == (16000,)
