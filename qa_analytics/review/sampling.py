"""Review-queue sampling: sample size from a confidence level and margin of error, and
random or stratified (proportional) draws.

Sample size for estimating a proportion (Cochran), worst case p = 0.5::

    n0 = z^2 * p * (1 - p) / e^2          z = two-sided normal quantile of the confidence level
    n  = ceil(n0 / (1 + (n0 - 1) / N))    finite population correction for a population of N

e.g. 95 % confidence, 5 % margin: n0 = 1.959964^2 * 0.25 / 0.0025 = 384.15; N = 1000 -> n = 278.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from statistics import NormalDist
from typing import TypeVar

from qa_analytics.errors import ReviewError

T = TypeVar("T")


def sample_size(population: int, confidence: float = 0.95, margin: float = 0.05,
                p: float = 0.5) -> int:
    """Calls to review so that a proportion is estimated within ``margin`` at ``confidence``."""
    if not 0 < confidence < 1:
        raise ReviewError(f"confidence must be between 0 and 1 (e.g. 0.95), got {confidence}")
    if not 0 < margin < 1:
        raise ReviewError(f"margin must be between 0 and 1 (e.g. 0.05), got {margin}")
    if population < 0:
        raise ReviewError(f"population must be >= 0, got {population}")
    if population == 0:
        return 0
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    n0 = z * z * p * (1 - p) / (margin * margin)
    n = n0 / (1 + (n0 - 1) / population)
    return min(population, math.ceil(n - 1e-9))


def allocate(strata_sizes: dict[str, int], n: int) -> dict[str, int]:
    """Proportional allocation of ``n`` over strata, rounded by largest remainder (sums to n)."""
    total = sum(strata_sizes.values())
    if total == 0 or n <= 0:
        return {k: 0 for k in strata_sizes}
    exact = {k: n * size / total for k, size in strata_sizes.items()}
    alloc = {k: math.floor(v) for k, v in exact.items()}
    left = n - sum(alloc.values())
    for k in sorted(exact, key=lambda k: (alloc[k] - exact[k], k))[:left]:
        alloc[k] += 1
    return {k: min(v, strata_sizes[k]) for k, v in alloc.items()}


def draw(items: Sequence[T], n: int, *, rng: random.Random,
         stratum: Callable[[T], str] | None = None) -> list[T]:
    """``n`` items at random, or stratified by ``stratum`` with proportional allocation."""
    if stratum is None:
        return rng.sample(list(items), min(n, len(items)))
    groups: dict[str, list[T]] = defaultdict(list)
    for item in items:
        groups[stratum(item)].append(item)
    chosen: list[T] = []
    for key, k in sorted(allocate({g: len(v) for g, v in groups.items()}, n).items()):
        chosen.extend(rng.sample(groups[key], k))
    return chosen
