"""Agreement figures and sample sizes against values computed by hand (worked in comments)."""

from __future__ import annotations

import random

import pytest

from qa_analytics.errors import ReviewError
from qa_analytics.review.agreement import (
    cohen_kappa,
    confusion_matrix,
    krippendorff_alpha_nominal,
    pairwise_kappa,
    percent_agreement,
)
from qa_analytics.review.sampling import allocate, draw, sample_size

# greeting, three reviewers, one missing rating:
#   c3: r1 met, r2 met, r3 met;  c4: met, not_met, met;  c5: not_met, not_met, (missing)
UNITS = [
    {"r1": "met", "r2": "met", "r3": "met"},
    {"r1": "met", "r2": "not_met", "r3": "met"},
    {"r1": "not_met", "r2": "not_met"},
]


def test_percent_agreement_counts_agreeing_pairs() -> None:
    # pairs: c3 3/3, c4 1/3, c5 1/1 -> 5/7
    assert percent_agreement(UNITS) == pytest.approx(5 / 7)
    assert percent_agreement([{"r1": "met"}]) is None


def test_cohen_kappa_hand_computed() -> None:
    # po = 2/3; r1 met 2 not 1, r2 met 1 not 2 -> pe = (2*1 + 1*2)/9 = 4/9; k = (2/9)/(5/9)
    assert cohen_kappa(["met", "met", "not_met"], ["met", "not_met", "not_met"]) == \
        pytest.approx(0.4)
    # textbook 2x2: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> po 0.7, pe 0.5, k 0.4
    a = ["y"] * 25 + ["n"] * 25
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(["met", "met"], ["met", "met"]) is None  # pe = 1: undefined
    assert cohen_kappa([], []) is None


def test_pairwise_kappa_uses_items_both_rated() -> None:
    k = pairwise_kappa(UNITS)
    assert k[("r1", "r2")] == pytest.approx(0.4)
    assert k[("r1", "r3")] is None  # both said met on both shared items
    assert k[("r2", "r3")] == pytest.approx(0.0)  # po 1/2, pe (1*2)/4


def test_krippendorff_alpha_nominal_with_missing_value() -> None:
    # coincidences: o_mm = 3 (c3) + 1 (c4) = 4, o_mn = o_nm = 1 (c4), o_nn = 2 (c5)
    # n_m = 5, n_n = 3, n = 8; alpha = 1 - 7 * 2 / (2 * 5 * 3) = 1 - 14/30
    assert krippendorff_alpha_nominal(UNITS) == pytest.approx(1 - 14 / 30)


def test_krippendorff_alpha_known_example() -> None:
    # Krippendorff (2011) nominal example, reliability data 4 observers x 12 units with gaps:
    # published alpha = 0.743
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    units = [{f"o{i}": str(row[u]) for i, row in enumerate(data) if row[u] is not None}
             for u in range(12)]
    assert krippendorff_alpha_nominal(units) == pytest.approx(0.743, abs=5e-4)


def test_alpha_undefined_without_variation() -> None:
    assert krippendorff_alpha_nominal([{"a": "met", "b": "met"}]) is None
    assert krippendorff_alpha_nominal([{"a": "met"}]) is None


def test_confusion_matrix_rows_first_columns_second() -> None:
    m = confusion_matrix([("met", "not_met"), ("met", "met"), ("na", "met")],
                         ["met", "not_met", "na"])
    assert m == [[1, 1, 0], [0, 0, 0], [1, 0, 0]]


@pytest.mark.parametrize(("population", "confidence", "margin", "expected"), [
    (1000, 0.95, 0.05, 278),   # n0 = 1.959964^2 * .25 / .0025 = 384.15; 384.15/(1+383.15/1000)
    (100, 0.95, 0.05, 80),     # 384.15 / (1 + 383.15/100) = 79.5
    (10**9, 0.95, 0.05, 385),  # no correction left: ceil(384.15)
    (500, 0.99, 0.05, 286),    # z = 2.5758: n0 = 663.49; 663.49/(1+662.49/500) = 285.9
    (10, 0.95, 0.2, 8),        # n0 = 24.01; 24.01/(1+23.01/10) = 7.27
    (0, 0.95, 0.05, 0),
])
def test_sample_size(population: int, confidence: float, margin: float, expected: int) -> None:
    assert sample_size(population, confidence, margin) == expected


@pytest.mark.parametrize("bad", [{"confidence": 1.0}, {"margin": 0.0}, {"confidence": 95}])
def test_sample_size_rejects_bad_input(bad: dict[str, float]) -> None:
    with pytest.raises(ReviewError, match="must be between 0 and 1"):
        sample_size(100, **bad)


def test_allocate_proportional_largest_remainder() -> None:
    # 8 over 3/3/4: exact 2.4/2.4/3.2 -> 2/2/3 + the one left to the largest remainder (a1, tie
    # broken by name)
    assert allocate({"a1": 3, "a2": 3, "a3": 4}, 8) == {"a1": 3, "a2": 2, "a3": 3}
    assert sum(allocate({"x": 7, "y": 2, "z": 1}, 5).values()) == 5


def test_draw_stratified_respects_allocation() -> None:
    items = [("a1", i) for i in range(3)] + [("a2", i) for i in range(3)] + \
        [("a3", i) for i in range(4)]
    got = draw(items, 8, rng=random.Random(1), stratum=lambda x: x[0])
    assert sorted(x for x, _ in got).count("a1") == 3
    assert sorted(x for x, _ in got).count("a3") == 3
    assert len(set(got)) == 8
