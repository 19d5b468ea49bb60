"""The pipeline's API: startups' applications, review assignments, reviews, the audit trail and
the managers' call operations."""
