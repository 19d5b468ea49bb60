"""Score arithmetic against hand-computed examples, and its invariants as properties."""

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.scoring import (
    CriterionScore,
    ScoredReview,
    application_scores,
    normalise,
    population_sd,
    weighted_score,
)


def test_weighted_score_by_hand():
    # Scale 1..5 maps 1 -> 0, 3 -> 5, 5 -> 10. Weights 3 and 1: (3*5 + 1*10) / 4 = 6.25
    scores = [CriterionScore(3, Decimal("3"), 1, 5), CriterionScore(5, Decimal("1"), 1, 5)]
    assert weighted_score(scores) == pytest.approx(6.25)


def test_weighted_score_mixes_scales():
    # 7 on 0..10 is 7; 2 on 1..3 is 5. Equal weights: 6.
    scores = [CriterionScore(7, 1, 0, 10), CriterionScore(2, 1, 1, 3)]
    assert weighted_score(scores) == pytest.approx(6.0)


def test_weighted_score_of_nothing_is_none():
    assert weighted_score([]) is None


def test_normalisation_by_hand():
    # Reviewer 1 gives 4, 6, 8 (mean 6, population sd sqrt(8/3) = 1.63299).
    # Reviewer 2 gives 2 and 4 (mean 3, sd 1). Reviewer 3 gives a single 9.
    reviews = [
        ScoredReview(1, 10, 4.0),
        ScoredReview(1, 11, 6.0),
        ScoredReview(1, 12, 8.0),
        ScoredReview(2, 10, 2.0),
        ScoredReview(2, 11, 4.0),
        ScoredReview(3, 12, 9.0),
    ]
    z = normalise(reviews)
    sd1 = math.sqrt(8 / 3)
    assert z[(1, 10)] == pytest.approx(-2 / sd1)
    assert z[(1, 11)] == pytest.approx(0.0)
    assert z[(1, 12)] == pytest.approx(2 / sd1)
    assert z[(2, 10)] == pytest.approx(-1.0)
    assert z[(2, 11)] == pytest.approx(1.0)
    assert z[(3, 12)] == 0.0  # one review: no information on the reviewer's scale

    per_application = application_scores(reviews)
    a10 = per_application[10]
    assert a10.completed == 2
    assert a10.mean == pytest.approx(3.0)
    assert a10.normalised == pytest.approx((-2 / sd1 - 1) / 2)
    assert a10.spread == pytest.approx(1.0)
    a12 = per_application[12]
    assert a12.mean == pytest.approx(8.5)
    assert a12.normalised == pytest.approx((2 / sd1 + 0) / 2)
    assert a12.spread == pytest.approx(0.5)
    assert a12.flagged(0.4)
    assert not a12.flagged(0.5)


def test_a_single_review_has_no_spread():
    assert application_scores([ScoredReview(1, 1, 5.0)])[1].spread is None


def test_identical_scores_normalise_to_zero():
    z = normalise([ScoredReview(1, 1, 5.0), ScoredReview(1, 2, 5.0)])
    assert set(z.values()) == {0.0}


score_values = st.floats(min_value=0, max_value=10, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def call_reviews(draw):
    """Random reviews of a call: reviewers 1..6 each reviewing a subset of applications 1..12."""
    reviews = []
    for reviewer in range(1, draw(st.integers(1, 6)) + 1):
        applications = draw(st.sets(st.integers(1, 12), min_size=1, max_size=12))
        for application in sorted(applications):
            reviews.append(ScoredReview(reviewer, application, draw(score_values)))
    return reviews


@settings(max_examples=200, deadline=None)
@given(call_reviews())
def test_each_reviewers_normalised_scores_have_mean_zero(reviews):
    z = normalise(reviews)
    for reviewer in {r.reviewer_id for r in reviews}:
        own = [z[(r.reviewer_id, r.application_id)] for r in reviews if r.reviewer_id == reviewer]
        assert sum(own) / len(own) == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(call_reviews(), st.integers(1, 6), st.floats(min_value=-5, max_value=5, allow_nan=False))
def test_shifting_one_reviewers_scores_changes_no_normalised_score(reviews, reviewer, shift):
    shifted = [
        ScoredReview(
            r.reviewer_id, r.application_id, r.score + shift if r.reviewer_id == reviewer else r.score
        )
        for r in reviews
    ]
    before, after = normalise(reviews), normalise(shifted)
    assert before.keys() == after.keys()
    for key in before:
        assert after[key] == pytest.approx(before[key], abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 5), st.integers(1, 9)), min_size=1, max_size=8),
    st.floats(min_value=0.01, max_value=100, allow_nan=False),
)
def test_weights_scale_as_expected(pairs, factor):
    scores = [CriterionScore(score, weight, 1, 5) for score, weight in pairs]
    scaled = [CriterionScore(s.score, s.weight * factor, 1, 5) for s in scores]
    assert weighted_score(scaled) == pytest.approx(weighted_score(scores))
    # Doubling one criterion's weight moves the result towards that criterion's score.
    first = scores[0]
    heavier = [CriterionScore(first.score, first.weight * 2, 1, 5), *scores[1:]]
    target = 10 * (first.score - 1) / 4
    before, after = weighted_score(scores), weighted_score(heavier)
    assert abs(after - target) <= abs(before - target) + 1e-9
    assert 0 <= weighted_score(scores) <= 10


@settings(max_examples=100, deadline=None)
@given(st.lists(score_values, min_size=1, max_size=20))
def test_population_sd_is_never_negative_and_zero_for_constants(values):
    assert population_sd(values) >= 0
    assert population_sd([values[0]] * len(values)) == pytest.approx(0.0, abs=1e-9)


def test_equal_scores_with_a_rounding_residue_count_as_constant():
    # 0.188 three times: the float mean is not exactly 0.188, so the spread is about 1e-17.
    reviews = [ScoredReview(1, application, 0.188) for application in (1, 2, 3)]
    assert set(normalise(reviews).values()) == {0.0}
