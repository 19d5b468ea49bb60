"""Score arithmetic, free of the database so it can be checked by hand and by property tests.

A review's *weighted score* puts every criterion on the same footing before weighting: each score
is mapped onto 0..10 by its criterion's scale (lowest score -> 0, highest -> 10), then the weighted
mean is taken. Multiplying every weight by the same constant changes nothing.
"""

from __future__ import annotations

import math
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


@dataclass(frozen=True)
class ScoredReview:
    reviewer_id: int
    application_id: int
    score: float


SPREAD_TOLERANCE = 1e-9


def normalise(reviews: Iterable[ScoredReview]) -> dict[tuple[int, int], float]:
    """z-score of every review within its reviewer's reviews of the call:
    ``z = (score - reviewer's mean) / reviewer's standard deviation`` (population).

    A harsh reviewer's 5 and a lenient reviewer's 8 can then mean the same. A reviewer with a
    single review, or who gave every application the same score, tells us nothing about their
    scale: their reviews get z = 0 (exactly average) in the normalised figure, while the raw mean
    still counts them. Keys are ``(reviewer_id, application_id)``.
    """
    by_reviewer: dict[int, list[ScoredReview]] = {}
    for review in reviews:
        by_reviewer.setdefault(review.reviewer_id, []).append(review)
    result: dict[tuple[int, int], float] = {}
    for reviewer_id, own in by_reviewer.items():
        scores = [r.score for r in own]
        mean = math.fsum(scores) / len(scores)
        spread = population_sd(scores)
        # Equal scores can leave a rounding residue of about 1e-17 as their spread; weighted
        # scores are stored to four decimals, so a real spread is far above this tolerance.
        constant = spread <= SPREAD_TOLERANCE
        for review in own:
            z = 0.0 if len(own) < 2 or constant else (review.score - mean) / spread
            result[(reviewer_id, review.application_id)] = z
    return result


def population_sd(values: list[float]) -> float:
    if not values:
        return 0.0
    mean = math.fsum(values) / len(values)
    return (math.fsum((v - mean) ** 2 for v in values) / len(values)) ** 0.5


@dataclass
class ApplicationScore:
    application_id: int
    completed: int
    mean: float | None
    normalised: float | None
    spread: float | None

    def flagged(self, threshold: float) -> bool:
        return self.spread is not None and self.spread > threshold


def application_scores(reviews: list[ScoredReview]) -> dict[int, ApplicationScore]:
    """Per application: completed reviews, mean weighted score, mean z-score, and the spread
    (population standard deviation of the weighted scores; ``None`` below two reviews)."""
    z = normalise(reviews)
    grouped: dict[int, list[ScoredReview]] = {}
    for review in reviews:
        grouped.setdefault(review.application_id, []).append(review)
    result = {}
    for application_id, own in grouped.items():
        scores = [r.score for r in own]
        zs = [z[(r.reviewer_id, r.application_id)] for r in own]
        result[application_id] = ApplicationScore(
            application_id=application_id,
            completed=len(own),
            mean=sum(scores) / len(scores),
            normalised=sum(zs) / len(zs),
            spread=population_sd(scores) if len(scores) >= 2 else None,
        )
    return result
