"""Agreement figures for nominal verdicts: percent agreement, Cohen's kappa, Krippendorff's alpha,
confusion matrices. Pure functions over plain data so that tests can check them by hand.

Ratings are given as ``units``: one mapping per rated item (call x criterion) from rater to
verdict; a rater who did not rate an item is simply absent (a missing value).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import combinations

Units = Sequence[Mapping[str, str]]


def percent_agreement(units: Units) -> float | None:
    """Agreeing rater pairs / all rater pairs within units (units with < 2 values add none)."""
    agree = pairs = 0
    for unit in units:
        values = list(unit.values())
        for a, b in combinations(values, 2):
            pairs += 1
            agree += a == b
    return agree / pairs if pairs else None


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's kappa of two aligned label sequences: (p_o - p_e) / (1 - p_e).

    Returns None when undefined: no items, or chance agreement p_e = 1 (both raters used one
    and the same label throughout; agreement is then perfect but carries no information).
    """
    if len(a) != len(b):
        raise ValueError(
            f"cohen_kappa: sequences must have equal length, got {len(a)} and {len(b)}")
    n = len(a)
    if n == 0:
        return None
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    p_e = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)


def pairwise_kappa(units: Units) -> dict[tuple[str, str], float | None]:
    """Cohen's kappa for every pair of raters, over the units both rated."""
    raters = sorted({r for unit in units for r in unit})
    out: dict[tuple[str, str], float | None] = {}
    for r1, r2 in combinations(raters, 2):
        both = [(u[r1], u[r2]) for u in units if r1 in u and r2 in u]
        out[(r1, r2)] = cohen_kappa([x for x, _ in both], [y for _, y in both])
    return out


def krippendorff_alpha_nominal(units: Units) -> float | None:
    """Krippendorff's alpha for nominal data, missing values allowed.

    Coincidence-matrix form: alpha = 1 - (n - 1) * sum_{c!=k} o_ck / sum_{c!=k} n_c * n_k,
    where each unit with m_u >= 2 values adds 1/(m_u - 1) to o_ck for every ordered pair of its
    values from different raters, and n_c are the marginals (n = pairable values). Units with fewer
    than two values are not pairable and are dropped. None when undefined (no pairable values, or
    only one category used: expected disagreement 0).
    """
    o: Counter[tuple[str, str]] = Counter()
    for unit in units:
        values = list(unit.values())
        m = len(values)
        if m < 2:
            continue
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    o[(c, k)] += 1.0 / (m - 1)
    n_c: Counter[str] = Counter()
    for (c, _k), w in o.items():
        n_c[c] += w
    n = sum(n_c.values())
    if n <= 1:
        return None
    d_o = sum(w for (c, k), w in o.items() if c != k)
    d_e = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    if d_e == 0:
        return None
    return 1.0 - (n - 1) * d_o / d_e


def confusion_matrix(
    pairs: Sequence[tuple[str, str]], labels: Sequence[str]
) -> list[list[int]]:
    """Rows: first element of each pair (e.g. the engine); columns: second (the human)."""
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for x, y in pairs:
        matrix[index[x]][index[y]] += 1
    return matrix
