"""Agent/customer attribution for MONO recordings, where the channels cannot tell who spoke.

Transcripts built from this carry ``speakers_inferred=True``: the labels are an estimate.

Method
------
1. **Acoustic features, on speech only.** Frames of 32 ms every 10 ms are taken only inside the
   ASR's word spans (the words double as a voice-activity mask). Per frame: MFCC 1-19 from a
   40-band mel filterbank restricted to the telephone band (200-3800 Hz, so 8 kHz calls and
   wideband mono look alike), and a log-F0 from the normalised autocorrelation (voiced frames
   only). Pitch is the strongest single cue between two voices on a phone line.
2. **Segment clustering.** Words are grouped into segments at pauses >= 0.3 s (and at most 3 s
   long): one person rarely hands over without a pause, and a segment averages enough frames
   to wash out phonetic content. Each segment is described by the mean and standard deviation
   of its MFCCs plus its median log-F0, standardised, reduced by PCA (8 dims) and split into
   two groups by Ward agglomerative clustering (deterministic) fitted on segments with at
   least 0.5 s of speech; shorter segments join the nearer group centre (a lone "okay" has
   noisy statistics and otherwise forms a group of its own).
3. **Re-segmentation.** An 8-component diagonal GMM per group is trained on that group's
   frames; every word gets the two frame log-likelihood sums (scaled by 0.1: neighbouring
   frames are not independent evidence), and a two-state Viterbi pass relabels the words with
   a speaker-change penalty that falls linearly to zero as the pause before the word grows to
   0.6 s (changes mid-phrase are expensive, changes at pauses are free). Two rounds.
4. **One speaker only.** If the per-frame BIC gain of modelling the two groups with separate
   full-covariance Gaussians is below 0.7 (measured: 0.15-0.41 on one-voice minutes of the
   AWS legs, 0.97-2.0 on two-voice recordings), or a group holds under 5 % of the speech,
   every word gets one label: "agent", unless caller phrases outnumber agent phrases.
5. **Naming the groups.** ``agent_score(g) = hits(agent phrases) - hits(caller phrases)
   + 5 * (n(you/your/we/our) - n(I/my/me)) / (words(g) + 20) + 0.5 if g speaks first``;
   the higher score is the agent. Agent phrases: "thank(s) (you) for calling", "my name is",
   "how can/may I help", "anything else", "have a great/nice/good day", "you're through to /
   speaking", "can I take/have/get your", "for holding", "this is X speaking"; caller phrases:
   "I'm/I am calling", "I want/need/would like to", "my account/bill/car/...". One phrase
   outweighs the first-speaker prior; the pronoun lean (agents say "you/we", callers "I/my")
   decides when neither group uses a phrase; failing both, the first speaker is the agent
   (agents open contact-centre calls).

Measured accuracy (``python -m benchmarks.bench_attribution``, words from the bundled tiny.en
run on the mono mix so ASR timing errors count; results in benchmarks/results/attribution.md):

- real, AWS LCA call, agent and caller legs summed (245 s): word accuracy 0.994 (purity
  0.994, naming right); with the caller 6 dB quieter: 0.994.
- real, the same call cut into four 1-minute windows: purity 0.96-1.00; naming right in 3 of
  4 (the 60-120 s window has no greeting and came out swapped: 0.00 for that window).
- real, pyannote sample.wav (30 s, two similar female voices, no agent): purity 0.667;
  naming picked the first RTTM speaker.
- synthetic, 4 synth calls (agent en-us+f2, customer en-us) averaged to mono: 1.000 each.
- stress, 4 synth calls with two similar male voices (en-gb, en-us+m3): 0.61-0.72; found as
  one voice and labelled all "agent" (the agent talks most).
- one voice, AWS agent leg alone / caller leg alone: one voice detected, labelled with its
  true role for 1.000 / 1.000 of words.

Truth: AWS, the leg with more energy inside the word; pyannote, the RTTM turn holding the
word's midpoint (first RTTM speaker = "agent"); synthetic, synth's turn timings.
Cost: about 0.1-0.2 CPU s per minute of audio on one core (features only on word spans).

Limitations: two voices of similar pitch and timbre (pyannote sample, the male/male synth
set) are not separated reliably; naming depends on the greeting or on pronoun lean, so a
recording that starts mid-call can come out with the roles swapped for every word; overlapping
speech gets one label; more than two voices (transfers, conferences) are forced into two.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qa_analytics.records import Word

AGENT = "agent"
CUSTOMER = "customer"

HOP_S = 0.010
WIN_S = 0.032
N_MELS = 40
N_CEPS = 20  # MFCC 1..19 kept: c0 is loudness, which tracks distance to the mic, not the voice
SEGMENT_GAP_S = 0.3
SEGMENT_MAX_S = 3.0
PCA_DIMS = 8
PITCH_WEIGHT = 1.0
MIN_SEGMENT_FRAMES = 50  # 0.5 s of speech
INIT_METHOD = "ward"
GMM_COMPONENTS = 8
SWITCH_COST = 10.0  # Viterbi penalty (in scaled log-likelihood units) for a change with no pause
PAUSE_FREE_S = 0.6
LL_SCALE = 0.1  # frames within a word are correlated: don't count each as independent evidence
RESEG_ROUNDS = 2
GMM_FIT_FRAMES = 3000
ONE_SPEAKER_BIC = 0.7  # one voice in 60 s windows: 0.15-0.41; two voices: 0.97-2.0
MIN_SHARE = 0.05
FIRST_SPEAKER_PRIOR = 0.5
PRONOUN_WEIGHT = 5.0
PRONOUN_SHRINK = 20
AGENT_PRONOUNS = frozenset({"you", "your", "we", "our", "we'll", "we're", "you're"})
CUSTOMER_PRONOUNS = frozenset({"i", "my", "me", "i'm", "i've", "mine"})

AGENT_PHRASES = (
    r"thanks? (you )?for calling", r"my name is", r"how (can|may) i help",
    r"anything else", r"have a (great|nice|good|lovely) day", r"(you are|you're) (through to|"
    r"speaking)", r"can i (take|have|get) your", r"for holding", r"this is \w+ speaking",
)
CUSTOMER_PHRASES = (
    r"i'?m calling", r"i am calling", r"i (want|need|would like|wanted) to",
    r"my (account|bill|car|internet|order|card|policy)",
)


@dataclass(frozen=True, slots=True)
class Attribution:
    """Per-word group (0 = the first word's group), which group is the agent, and why."""

    groups: np.ndarray
    agent_group: int
    agent_scores: tuple[float, float]
    one_speaker: bool

    def speakers(self) -> list[str]:
        return [AGENT if g == self.agent_group else CUSTOMER for g in self.groups]


# ---------------------------------------------------------------------------------- features
def _mel_filterbank(sample_rate: int, n_fft: int) -> np.ndarray:
    def to_mel(f: float) -> float:
        return 2595.0 * float(np.log10(1.0 + f / 700.0))

    mels = np.linspace(to_mel(200.0), to_mel(min(3800.0, sample_rate / 2.0)), N_MELS + 2)
    hz = 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    fb = np.zeros((N_MELS, bins.size))
    for m in range(N_MELS):
        lo, mid, hi = hz[m], hz[m + 1], hz[m + 2]
        fb[m] = np.clip(np.minimum((bins - lo) / (mid - lo), (hi - bins) / (hi - mid)), 0, None)
    return fb


def _word_frames(words: Sequence[Word], n_frames: int) -> list[np.ndarray]:
    out = []
    for w in words:
        a = min(int(w.start_s / HOP_S), n_frames - 1)
        b = min(max(int(np.ceil(w.end_s / HOP_S)), a + 3), n_frames)  # >= 30 ms per word
        out.append(np.arange(max(a, 0), b))
    return out


def frame_features(samples: np.ndarray, frame_index: np.ndarray,
                   sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(MFCC 1..19, log-F0 or NaN when unvoiced) for the given 10 ms frame numbers."""
    from scipy.fft import dct, irfft, rfft

    hop = int(round(HOP_S * sample_rate))
    win = int(round(WIN_S * sample_rate))
    x = np.asarray(samples, dtype=np.float32)
    x = np.pad(x, (0, max(0, int(frame_index.max(initial=0)) * hop + win - x.size)))
    frames = x[frame_index[:, None] * hop + np.arange(win)[None, :]]
    frames -= frames.mean(axis=1, keepdims=True)
    frames *= np.hanning(win).astype(np.float32)
    n_fft = 1 << (2 * win - 1).bit_length()  # room for the autocorrelation without wrap-around
    power = np.abs(rfft(frames, n=n_fft, axis=1)) ** 2
    fb = _mel_filterbank(sample_rate, n_fft).astype(np.float32)
    logmel = np.log(power @ fb.T + 1e-10)
    mfcc = dct(logmel, type=2, axis=1, norm="ortho")[:, 1:N_CEPS].astype(np.float64)
    ac = irfft(power, axis=1)[:, :win]
    ac /= ac[:, :1] + 1e-12
    lo, hi = int(sample_rate / 400), int(sample_rate / 60)
    band = ac[:, lo:hi]
    peak = band.max(axis=1)
    # First lag reaching 90 % of the peak: the true period rather than a multiple of it.
    lag = lo + np.argmax(band >= 0.9 * peak[:, None], axis=1)
    energy = (frames.astype(np.float64) ** 2).mean(axis=1)
    voiced = (peak > 0.5) & (energy > 1e-3 * np.median(energy) + 1e-12)
    log_f0 = np.where(voiced, np.log(sample_rate / lag), np.nan)
    return mfcc, log_f0


# -------------------------------------------------------------------------------- clustering
def _segments(words: Sequence[Word]) -> list[list[int]]:
    segs: list[list[int]] = [[0]]
    for i in range(1, len(words)):
        gap = words[i].start_s - words[i - 1].end_s
        if gap >= SEGMENT_GAP_S or words[i].end_s - words[segs[-1][0]].start_s > SEGMENT_MAX_S:
            segs.append([i])
        else:
            segs[-1].append(i)
    return segs


def _viterbi(loglik: np.ndarray, words: Sequence[Word]) -> np.ndarray:
    n = loglik.shape[0]
    score = loglik[0].copy()
    back = np.zeros((n, 2), dtype=int)
    for i in range(1, n):
        gap = max(0.0, words[i].start_s - words[i - 1].end_s)
        cost = SWITCH_COST * max(0.0, 1.0 - gap / PAUSE_FREE_S)
        switch = score[::-1] - cost
        back[i] = np.where(score >= switch, [0, 1], [1, 0])
        score = np.maximum(score, switch) + loglik[i]
    labels = np.zeros(n, dtype=int)
    labels[-1] = int(np.argmax(score))
    for i in range(n - 1, 0, -1):
        labels[i - 1] = back[i, labels[i]]
    return labels


def _bic_gain(frames: np.ndarray, labels: np.ndarray) -> float:
    """Per-frame BIC gain of modelling two full-covariance Gaussians instead of one."""
    n, d = frames.shape

    def logdet(x: np.ndarray) -> float:
        cov = np.cov(x, rowvar=False) + 1e-6 * np.eye(d)
        return float(np.linalg.slogdet(cov)[1])

    a, b = frames[labels == 0], frames[labels == 1]
    if min(len(a), len(b)) <= d:
        return -np.inf
    gain = 0.5 * (n * logdet(frames) - len(a) * logdet(a) - len(b) * logdet(b))
    penalty = 0.5 * (d + d * (d + 1) / 2) * np.log(n)
    return (gain - penalty) / n


def cluster_words(samples: np.ndarray, words: Sequence[Word], *,
                  sample_rate: int = 16000) -> tuple[np.ndarray, bool]:
    """Group per word (0 = the first word's group) and whether only one voice was found."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.decomposition import PCA
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import GaussianMixture
    from sklearn.preprocessing import StandardScaler

    n = len(words)
    segs = _segments(words) if n else []
    if len(segs) < 2:
        return np.zeros(n, dtype=int), True
    n_frames = int(np.ceil(len(samples) / (HOP_S * sample_rate))) + 1
    per_word = _word_frames(words, n_frames)
    frame_index = np.unique(np.concatenate(per_word))
    mfcc, log_f0 = frame_features(samples, frame_index, sample_rate)
    # Map recording frame numbers to rows of the feature matrices.
    row = np.full(n_frames, -1)
    row[frame_index] = np.arange(frame_index.size)
    word_rows = [row[f] for f in per_word]

    voiced = ~np.isnan(log_f0)
    f0_fill = float(np.median(log_f0[voiced])) if voiced.any() else 0.0
    seg_vecs = []
    seg_frames = []
    for seg in segs:
        rows = np.concatenate([word_rows[i] for i in seg])
        f0 = log_f0[rows][voiced[rows]]
        seg_vecs.append(np.concatenate([mfcc[rows].mean(0), mfcc[rows].std(0),
                                        [np.median(f0) if f0.size >= 3 else f0_fill]]))
        seg_frames.append(rows.size)
    # Short segments (a lone "okay") have noisy statistics and can form a cluster of their own,
    # so the split is learnt on the longer ones and the short ones join the nearer centre.
    long = np.array(seg_frames) >= MIN_SEGMENT_FRAMES
    if long.sum() < 4:
        long[:] = True
    scaler = StandardScaler().fit(np.array(seg_vecs)[long])
    X = scaler.transform(np.array(seg_vecs))
    if not np.any(X[long]):
        return np.zeros(n, dtype=int), True  # silence or identical segments: nothing to split
    X[:, -1] *= PITCH_WEIGHT
    pca = PCA(n_components=min(PCA_DIMS, int(long.sum()) - 1, X.shape[1]), random_state=0)
    Z_long = pca.fit_transform(X[long])
    if INIT_METHOD == "kmeans":
        from sklearn.cluster import KMeans

        long_labels = KMeans(2, n_init=10, random_state=0).fit_predict(Z_long)
    else:
        long_labels = AgglomerativeClustering(2, linkage="ward").fit_predict(Z_long)
    Z = pca.transform(X)
    centres = np.array([Z_long[long_labels == g].mean(0) for g in (0, 1)])
    seg_labels = np.argmin(((Z[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    seg_labels[long] = long_labels
    labels = np.zeros(n, dtype=int)
    for seg, lab in zip(segs, seg_labels, strict=True):
        labels[seg] = lab

    # Frame-level features for re-segmentation; unvoiced frames get the median pitch.
    F = np.hstack([mfcc, np.where(voiced, log_f0, f0_fill)[:, None]])
    F = (F - F.mean(0)) / (F.std(0) + 1e-9)
    frame_word = np.concatenate([np.full(r.size, i) for i, r in enumerate(word_rows)])
    frame_rows = np.concatenate(word_rows)
    for _ in range(RESEG_ROUNDS):
        frame_labels = labels[frame_word]
        if min(np.sum(frame_labels == 0), np.sum(frame_labels == 1)) < 20 * GMM_COMPONENTS:
            break  # too little speech in one group to model it
        loglik = np.zeros((n, 2))
        for g in (0, 1):
            fit_rows = frame_rows[frame_labels == g]
            # An even stride keeps the fit cheap and deterministic; 10 ms frames are redundant.
            fit_rows = fit_rows[:: max(1, fit_rows.size // GMM_FIT_FRAMES)]
            gmm = GaussianMixture(GMM_COMPONENTS, covariance_type="diag", random_state=0,
                                  max_iter=30, init_params="k-means++")
            with warnings.catch_warnings():
                # A capped EM that stops early still separates two voices well enough.
                warnings.simplefilter("ignore", ConvergenceWarning)
                gmm.fit(F[fit_rows])
            np.add.at(loglik[:, g], frame_word, gmm.score_samples(F[frame_rows]))
        labels = _viterbi(LL_SCALE * loglik, words)

    frame_labels = labels[frame_word]
    share = float(np.mean(frame_labels == 1))
    one = (min(share, 1 - share) < MIN_SHARE
           or _bic_gain(F[frame_rows], frame_labels) < ONE_SPEAKER_BIC)
    if one:
        return np.zeros(n, dtype=int), True
    if labels[0] == 1:
        labels = 1 - labels
    return labels, False


# -------------------------------------------------------------------------------------- naming
def _phrase_hits(text: str, phrases: Sequence[str]) -> int:
    return sum(len(re.findall(rf"\b{p}\b", text)) for p in phrases)


def _group_text(words: Sequence[Word], groups: np.ndarray, g: int) -> str:
    # Join each run of the group's words separately so phrases never span the other speaker.
    runs: list[list[str]] = []
    prev = -1
    for i, (w, lab) in enumerate(zip(words, groups, strict=True)):
        if lab != g:
            continue
        if i != prev + 1 or not runs:
            runs.append([])
        runs[-1].append(w.text.strip())
        prev = i
    text = " | ".join(" ".join(r) for r in runs).lower()
    return re.sub(r"[^\w' |]+", " ", text.replace("’", "'"))


def name_groups(words: Sequence[Word], groups: np.ndarray) -> tuple[int, tuple[float, float]]:
    """Which group (0/1) is the agent, and each group's agent score (rule in module doc)."""
    scores = []
    for g in (0, 1):
        text = _group_text(words, groups, g)
        score = _phrase_hits(text, AGENT_PHRASES) - _phrase_hits(text, CUSTOMER_PHRASES)
        # Weak, always-present cue: agents say "you/we/our", callers "I/my/me". The rate is
        # shrunk towards 0 for groups with few words so a short group cannot swing it.
        tokens = text.split()
        lean = (sum(t in AGENT_PRONOUNS for t in tokens)
                - sum(t in CUSTOMER_PRONOUNS for t in tokens)) / (len(tokens) + PRONOUN_SHRINK)
        score += PRONOUN_WEIGHT * lean
        scores.append(score + (FIRST_SPEAKER_PRIOR if g == groups[0] else 0.0))
    agent = 0 if scores[0] >= scores[1] else 1
    return agent, (float(scores[0]), float(scores[1]))


def attribute(samples: np.ndarray, words: Sequence[Word], *,
              sample_rate: int = 16000) -> Attribution:
    groups, one = cluster_words(samples, words, sample_rate=sample_rate)
    if len(words) == 0:
        return Attribution(groups, 0, (0.0, 0.0), True)
    agent, scores = name_groups(words, groups)
    if one:
        # One voice found. On a call that usually means two voices we cannot tell apart, and
        # the agent talks most, so "agent" unless the caller phrases clearly outnumber the
        # agent phrases (a caller-only recording). Pronoun lean is too weak to flip it alone.
        text = _group_text(words, groups, 0)
        phrases = _phrase_hits(text, AGENT_PHRASES) - _phrase_hits(text, CUSTOMER_PHRASES)
        agent = 0 if phrases >= 0 else 1
    return Attribution(groups, agent, scores, one)


def assign_speakers(samples: np.ndarray, words: Sequence[Word], *,
                    sample_rate: int = 16000) -> list[str]:
    """"agent" or "customer" for each word of a mono recording (see the module doc)."""
    return attribute(samples, words, sample_rate=sample_rate).speakers()
