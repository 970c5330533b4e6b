"""Agreement between gold and predicted verdicts: accuracy, precision/recall of `met`,
Cohen's kappa and a confusion matrix. Plain Python, no dependencies.

A prediction that is missing (the scorer failed, or did not return the criterion) is the
label ``"missing"``: it counts as a disagreement and appears as its own confusion column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

VERDICTS: tuple[str, ...] = ("met", "not_met", "na")
MISSING = "missing"


def _check_lengths(gold: Sequence[str], pred: Sequence[str]) -> None:
    if len(gold) != len(pred):
        raise ValueError(f"gold and predicted must have the same length, got {len(gold)} "
                         f"and {len(pred)}")


def label_set(gold: Sequence[str], pred: Sequence[str]) -> tuple[str, ...]:
    """The three verdicts in fixed order, then any other label seen (e.g. "missing")."""
    extra = sorted((set(gold) | set(pred)) - set(VERDICTS))
    return VERDICTS + tuple(extra)


def confusion_matrix(gold: Sequence[str], pred: Sequence[str],
                     labels: Sequence[str] | None = None) -> dict[str, dict[str, int]]:
    """``matrix[gold_label][predicted_label]`` = count, every label pair present."""
    _check_lengths(gold, pred)
    labels = tuple(labels) if labels is not None else label_set(gold, pred)
    matrix = {g: dict.fromkeys(labels, 0) for g in labels}
    for g, p in zip(gold, pred, strict=True):
        matrix.setdefault(g, dict.fromkeys(labels, 0))
        matrix[g][p] = matrix[g].get(p, 0) + 1
    return matrix


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float | None:
    _check_lengths(gold, pred)
    if not gold:
        return None
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold)


def precision_recall(gold: Sequence[str], pred: Sequence[str],
                     positive: str = "met") -> tuple[float | None, float | None]:
    """Precision and recall of one label; None where the denominator is zero."""
    _check_lengths(gold, pred)
    tp = sum(g == positive and p == positive for g, p in zip(gold, pred, strict=True))
    predicted = sum(p == positive for p in pred)
    actual = sum(g == positive for g in gold)
    return (tp / predicted if predicted else None, tp / actual if actual else None)


def cohen_kappa(gold: Sequence[str], pred: Sequence[str]) -> float | None:
    """Cohen's kappa (unweighted) over all labels seen. None for no items.

    The review app's implementation, except where it is undefined: when chance agreement is 1
    (both raters used one and the same label throughout), an evaluation report needs a number,
    so this returns 1.0 when they also agree perfectly and 0.0 otherwise.
    """
    from qa_analytics.review.agreement import cohen_kappa as kappa_or_none

    _check_lengths(gold, pred)
    if not gold:
        return None
    kappa = kappa_or_none(gold, pred)
    if kappa is None:
        return 1.0 if all(g == p for g, p in zip(gold, pred, strict=True)) else 0.0
    return kappa


def criterion_metrics(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    """Everything the report shows for one criterion."""
    precision, recall = precision_recall(gold, pred, "met")
    labels = label_set(gold, pred)
    return {
        "n": len(gold),
        "accuracy": accuracy(gold, pred),
        "precision_met": precision,
        "recall_met": recall,
        "kappa": cohen_kappa(gold, pred),
        "support": {v: sum(g == v for g in gold) for v in VERDICTS},
        "predicted": {v: sum(p == v for p in pred) for v in labels},
        "confusion": confusion_matrix(gold, pred, labels),
    }
