"""A reviewer's review as the tests write it: every criterion of the call scored 4."""

from __future__ import annotations

from pipeline.models import Review, ReviewAssignment
from pipeline.services.reviews import review_save


def review_write(assignment: ReviewAssignment, *, submit: bool = True) -> Review:
    """Save (or, with ``submit``, submit) a complete review of ``assignment`` as its reviewer."""
    return review_save(
        assignment=assignment,
        actor=assignment.reviewer,
        scores={criterion.pk: (4, "") for criterion in assignment.application.call.criteria.all()},
        comment_for_founders="",
        confidential_note="",
        recommendation="accept" if submit else "",
        confidence=2 if submit else None,
        submit=submit,
    )
