"""Reads of the pipeline that pages and the API share, each with a fixed number of queries."""

from .reviews import (
    RankingRow,
    assignment_for_reviewer,
    call_ranking,
    other_reviews_for_reviewer,
    reviewer_queue,
)
from .startups import (
    DECISION_TRANSITIONS,
    FounderStartup,
    FounderView,
    TodoItem,
    applications_of_founder,
    applications_of_startup,
    feedback_for_founders,
    founder_dashboard,
    founder_view,
    open_calls,
    recent_transitions,
    stage_counts,
    startup_timeline,
    startups_visible_to,
)

__all__ = [
    "DECISION_TRANSITIONS",
    "FounderStartup",
    "FounderView",
    "RankingRow",
    "TodoItem",
    "applications_of_founder",
    "applications_of_startup",
    "assignment_for_reviewer",
    "call_ranking",
    "feedback_for_founders",
    "founder_dashboard",
    "founder_view",
    "open_calls",
    "other_reviews_for_reviewer",
    "recent_transitions",
    "reviewer_queue",
    "stage_counts",
    "startup_timeline",
    "startups_visible_to",
]
