"""The faster-whisper backend: VAD per channel, speech packed into 30 s windows, windows from
every channel (and every call handed in together) decoded in batches, word timestamps mapped
back to the original recording's clock.

Heavy imports (ctranslate2 through faster_whisper, onnxruntime for VAD) happen in ``load()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from qa_analytics.records import Word
from qa_analytics.transcribe.model import ResolvedModel, load_whisper, pick_device, resolve_model
from qa_analytics.transcribe.options import TranscribeOptions

SAMPLE_RATE = 16000


@dataclass(frozen=True, slots=True)
class ChannelAudio:
    speaker: str  # "agent", "customer", or "unknown" for a mono recording
    samples: np.ndarray  # float32 at 16 kHz


@dataclass(frozen=True, slots=True)
class _Piece:
    window_start_s: float  # where this stretch of speech starts inside its window
    original_start_s: float  # where it starts in its recording
    duration_s: float
    call_index: int = 0
    channel_index: int = 0


@dataclass(frozen=True, slots=True)
class _Stretch:
    call_index: int
    channel_index: int
    start: int  # samples
    end: int


@dataclass(slots=True)
class _Window:
    audio: np.ndarray
    pieces: list[_Piece]

    def _piece_at(self, t: float) -> _Piece:
        for piece in reversed(self.pieces):
            if t >= piece.window_start_s - 1e-6:
                return piece
        return self.pieces[0]

    def to_original(self, start: float, end: float) -> tuple[_Piece, float, float]:
        """Map a word's window times to its piece (call and channel) and the recording's clock.
        A word cannot span two packed pieces, so its end stays inside its start's piece."""
        piece = self._piece_at(start)
        offset = piece.original_start_s - piece.window_start_s
        limit = piece.original_start_s + piece.duration_s
        mapped_start = min(start + offset, limit)
        return piece, mapped_start, max(mapped_start, min(end + offset, limit))


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """Speech windows and their features for a group of calls, ready for the model."""

    channels: list[int]  # channel count per call
    windows: list[_Window]
    features: list[np.ndarray]  # one array per model batch of windows


@dataclass(slots=True)
class StageTimes:
    """Seconds spent per stage in this engine, summed over calls (for benchmarks)."""

    vad_s: float = 0.0
    features_s: float = 0.0
    asr_s: float = 0.0
    speech_s: float = 0.0  # audio seconds that reached the model after VAD
    windows: int = 0
    retried_windows: int = 0  # packed windows rejected whole and re-decoded piece by piece

    def as_dict(self) -> dict[str, float]:
        return {"vad_s": self.vad_s, "features_s": self.features_s, "asr_s": self.asr_s,
                "speech_s": self.speech_s, "windows": float(self.windows),
                "retried_windows": float(self.retried_windows)}


def active_regions(samples: np.ndarray, gate_dbfs: float | None, block_s: float = 0.25,
                   margin_blocks: int = 2) -> list[tuple[int, int]]:
    """Sample ranges louder than gate_dbfs (with a margin), merged; the whole signal if no gate."""
    if samples.size == 0:
        return []
    if gate_dbfs is None:
        return [(0, len(samples))]
    block = int(block_s * SAMPLE_RATE)
    count = -(-len(samples) // block)
    padded = np.zeros(count * block, dtype=np.float32)
    padded[:len(samples)] = samples
    power = np.mean(np.square(padded.reshape(count, block)), axis=1)
    active = power > 10 ** (gate_dbfs / 10)
    if not active.any():
        return []
    # Widen each loud block so quiet word onsets and endings still reach the VAD.
    kernel = np.ones(2 * margin_blocks + 1, dtype=bool)
    active = np.convolve(active, kernel, mode="same") > 0
    edges = np.flatnonzero(np.diff(np.concatenate(([0], active.astype(np.int8), [0]))))
    return [(int(a) * block, min(int(b) * block, len(samples)))
            for a, b in zip(edges[::2], edges[1::2], strict=True)]


PIECE_GAP_S = 0.1  # silence between packed pieces, so words of two pieces never run together


def pack_speech(
    stretches: Sequence[_Stretch], audio: Sequence[Sequence[np.ndarray]], max_window_s: float,
    *, together: Callable[[_Stretch], object] = lambda s: None, gap_s: float = PIECE_GAP_S,
) -> list[_Window]:
    """Pack speech stretches into as few windows of at most max_window_s as fit, first-fit in
    the order given (conversation order), across channels and calls.

    The encoder always processes 30 s, so a half-empty window costs as much as a full one;
    packing both sides of a call together roughly halves the windows of a short call.
    """
    limit = int(max_window_s * SAMPLE_RATE)
    gap = int(gap_s * SAMPLE_RATE)
    bins: list[tuple[list[np.ndarray], list[_Piece], list[int]]] = []  # parts, pieces, [used]
    keys: list[object] = []
    for stretch in stretches:
        length = min(stretch.end - stretch.start, limit)
        if length <= 0:
            continue
        key = together(stretch)
        target = next((b for b, k in zip(bins, keys, strict=True)
                       if k == key and b[2][0] + gap + length <= limit), None)
        if target is None:
            target = ([], [], [0])
            bins.append(target)
            keys.append(key)
        parts, pieces, used = target
        if parts:
            parts.append(np.zeros(gap, dtype=np.float32))
            used[0] += gap
        samples = audio[stretch.call_index][stretch.channel_index]
        parts.append(samples[stretch.start:stretch.start + length])
        pieces.append(_Piece(used[0] / SAMPLE_RATE, stretch.start / SAMPLE_RATE,
                             length / SAMPLE_RATE, stretch.call_index, stretch.channel_index))
        used[0] += length
    windows = []
    for parts, pieces, _used in bins:
        order = sorted(range(len(pieces)), key=lambda i: pieces[i].window_start_s)
        windows.append(_Window(np.concatenate(parts), [pieces[i] for i in order]))
    return windows


@dataclass
class WhisperEngine:
    """Loads the model once (``load``) and transcribes channels of many calls in batches."""

    options: TranscribeOptions = field(default_factory=TranscribeOptions)
    times: StageTimes = field(default_factory=StageTimes)

    def __post_init__(self) -> None:
        self.resolved_: ResolvedModel | None = None
        self.model_ = None
        self.pipeline_ = None
        self.tokenizer_ = None
        self.whisper_options_ = None
        self.device_: str | None = None

    # ------------------------------------------------------------------ loading
    @property
    def model_id(self) -> str:
        resolved = self.resolved_ or resolve_model(self.options.model)
        return resolved.model_id

    def load(self) -> WhisperEngine:
        if self.model_ is not None:
            return self
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import BatchedInferencePipeline, TranscriptionOptions

        self.resolved_ = resolve_model(self.options.model)
        self.device_ = pick_device(self.options.device)
        self.model_ = load_whisper(self.resolved_, self.device_, self.options.compute_type,
                                   self.options.cpu_threads)
        model = self.model_
        self.pipeline_ = BatchedInferencePipeline(model)
        language = self.options.language if model.model.is_multilingual else "en"
        self.tokenizer_ = Tokenizer(model.hf_tokenizer, model.model.is_multilingual,
                                    task="transcribe", language=language)
        self.whisper_options_ = TranscriptionOptions(
            beam_size=self.options.beam_size, best_of=1, patience=1.0, length_penalty=1.0,
            repetition_penalty=1.0, no_repeat_ngram_size=0,
            log_prob_threshold=self.options.log_prob_threshold,
            no_speech_threshold=self.options.no_speech_threshold,
            compression_ratio_threshold=self.options.compression_ratio_threshold,
            temperatures=[0.0], initial_prompt=None, prefix=None, suppress_blank=True,
            suppress_tokens=_suppressed(self.tokenizer_),
            prepend_punctuations="\"'“¿([{-", append_punctuations="\"'.。,，!！?？:：”)]}、",
            max_new_tokens=None, hotwords=None, word_timestamps=self.options.word_timestamps,
            hallucination_silence_threshold=None, condition_on_previous_text=False,
            clip_timestamps=[], prompt_reset_on_temperature=0.5, multilingual=False,
            without_timestamps=True, max_initial_timestamp=0.0,
        )
        return self

    # ------------------------------------------------------------------ stages
    def detect_speech(self, samples: np.ndarray) -> list[dict[str, int]]:
        """Speech stretches (sample offsets): energy gate first, Silero VAD on what is left."""
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        v = self.options.vad
        vad_options = VadOptions(
            threshold=v.threshold, min_speech_duration_ms=v.min_speech_duration_ms,
            min_silence_duration_ms=v.min_silence_duration_ms, speech_pad_ms=v.speech_pad_ms,
            max_speech_duration_s=v.max_speech_duration_s,
        )
        started = time.perf_counter()
        speech: list[dict[str, int]] = []
        for region_start, region_end in active_regions(samples, v.energy_gate_dbfs):
            region = samples[region_start:region_end]
            for stretch in get_speech_timestamps(region, vad_options):
                speech.append({"start": stretch["start"] + region_start,
                               "end": stretch["end"] + region_start})
        self.times.vad_s += time.perf_counter() - started
        return speech

    def transcribe_calls(self, calls: Sequence[Sequence[ChannelAudio]]) -> list[list[list[Word]]]:
        """Words (on the recording's clock) per call, per channel, for several calls at once."""
        return self.infer(self.prepare(calls))

    def prepare(self, calls: Sequence[Sequence[ChannelAudio]]) -> PreparedBatch:
        """Host-side work: VAD, packing into windows, log-mel features (no model call).

        Safe to run on another thread while ``infer`` runs the model on the previous batch:
        numpy and onnxruntime release the GIL.
        """
        self.load()
        stretches: list[_Stretch] = []
        for call_index, channels in enumerate(calls):
            for channel_index, channel in enumerate(channels):
                stretches.extend(_Stretch(call_index, channel_index, s["start"], s["end"])
                                 for s in self.detect_speech(channel.samples))
        # Conversation order: both sides of a call interleaved in time, call after call.
        stretches.sort(key=lambda s: (s.call_index, s.start, s.channel_index))
        audio = [[channel.samples for channel in channels] for channels in calls]
        windows = pack_speech(
            stretches, audio, self.options.chunk_length_s,
            together=(lambda s: None) if self.options.pack_channels_together
            else (lambda s: (s.call_index, s.channel_index)))
        started = time.perf_counter()
        features = [self._features(windows[i:i + self.options.batch_size])
                    for i in range(0, len(windows), self.options.batch_size)]
        self.times.features_s += time.perf_counter() - started
        return PreparedBatch([len(channels) for channels in calls], windows, features)

    def infer(self, prepared: PreparedBatch) -> list[list[list[Word]]]:
        """Model work on a prepared batch: words per call, per channel."""
        self.load()
        size = self.options.batch_size
        words: list[list[list[Word]]] = [[[] for _ in range(n)] for n in prepared.channels]
        rejected: list[_Window] = []
        for number, features in enumerate(prepared.features):
            batch = prepared.windows[number * size:(number + 1) * size]
            for window, subsegments in zip(batch, self._decode(batch, features), strict=True):
                kept = self._window_words(window, subsegments)
                if kept is None and len(window.pieces) > 1:
                    rejected.append(window)
                for piece, word in kept or ():
                    words[piece.call_index][piece.channel_index].append(word)
        # A packed window the filters reject (the decoder looped, or said "no speech") may
        # still hold good speech in most of its pieces: decode those one by one rather than
        # lose up to 30 s of both speakers. Rare, so cheap; a piece rejected alone is dropped.
        singles = [_Window(w.audio[int(p.window_start_s * SAMPLE_RATE):
                                   int((p.window_start_s + p.duration_s) * SAMPLE_RATE)],
                           [_Piece(0.0, p.original_start_s, p.duration_s, p.call_index,
                                   p.channel_index)])
                   for w in rejected for p in w.pieces]
        self.times.retried_windows += len(rejected)
        for start in range(0, len(singles), size):
            batch = singles[start:start + size]
            for window, subsegments in zip(batch, self._decode(batch, self._features(batch)),
                                           strict=True):
                for piece, word in self._window_words(window, subsegments) or ():
                    words[piece.call_index][piece.channel_index].append(word)
        for per_call in words:
            for channel_words in per_call:
                channel_words.sort(key=lambda w: w.start_s)
        return words

    def _features(self, batch: list[_Window]) -> np.ndarray:
        from faster_whisper.audio import pad_or_trim

        extract = self.model_.feature_extractor
        return np.stack([pad_or_trim(extract(w.audio)[..., :-1]) for w in batch])

    def _decode(self, batch: list[_Window], features: np.ndarray) -> list[list[dict]]:
        self.times.speech_s += sum(len(w.audio) for w in batch) / SAMPLE_RATE
        self.times.windows += len(batch)
        started = time.perf_counter()
        metadata = [{"offset": 0.0, "duration": len(w.audio) / SAMPLE_RATE, "segments": []}
                    for w in batch]
        self.pipeline_.last_speech_timestamp = 0.0
        outputs = self.pipeline_.forward(features, self.tokenizer_, metadata,
                                         self.whisper_options_)
        self.times.asr_s += time.perf_counter() - started
        return outputs

    def _window_words(self, window: _Window, subsegments: list[dict]
                      ) -> list[tuple[_Piece, Word]] | None:
        """Words of a decoded window on the recording's clock; None when every segment is
        rejected as a likely hallucination (no speech, or repetitive text)."""
        o = self.options
        result: list[tuple[_Piece, Word]] = []
        accepted = False
        for seg in subsegments:
            silent = (seg["no_speech_prob"] > o.no_speech_threshold
                      and seg["avg_logprob"] < o.log_prob_threshold)
            repetitive = seg["compression_ratio"] > o.compression_ratio_threshold
            if silent or repetitive:
                continue  # likely hallucination on silence, music or noise
            accepted = True
            for w in seg.get("words") or []:
                text = w["word"]
                if not text.strip():
                    continue
                piece, start, end = window.to_original(float(w["start"]), float(w["end"]))
                result.append((piece, Word(text=text, start_s=round(start, 3),
                                           end_s=round(end, 3),
                                           probability=float(w["probability"]))))
        return result if accepted or not subsegments else None


def _suppressed(tokenizer) -> list[int]:  # type: ignore[no-untyped-def]
    from faster_whisper.transcribe import get_suppressed_tokens

    return get_suppressed_tokens(tokenizer, [-1])
