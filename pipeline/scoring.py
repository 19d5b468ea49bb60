"""Score arithmetic, free of the database so it can be checked by hand and by property tests.

A review's *weighted score* puts every criterion on the same footing before weighting: each score
is mapped onto 0..10 by its criterion's scale (lowest score -> 0, highest -> 10), then the weighted
mean is taken. Multiplying every weight by the same constant changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CriterionScore:
    score: int
    weight: Decimal | float
    scale_min: int
    scale_max: int


def weighted_score(scores: Iterable[CriterionScore]) -> float | None:
    """Weighted mean of the scores on a 0..10 scale; ``None`` when nothing was scored."""
    total_weight = 0.0
    total = 0.0
    for item in scores:
        span = item.scale_max - item.scale_min
        if span <= 0:
            raise ValueError("A criterion's scale must span more than one value.")
        weight = float(item.weight)
        total += weight * 10.0 * (item.score - item.scale_min) / span
        total_weight += weight
    if total_weight == 0:
        return None
    return total / total_weight
