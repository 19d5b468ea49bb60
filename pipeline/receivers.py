"""Keep the dashboard's derived figures (``pipeline.stats``) in step with every change of an
assignment or a review, whoever makes it."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import stats
from .models import Review, ReviewAssignment


@receiver([post_save, post_delete], sender=ReviewAssignment, dispatch_uid="pipeline-assignment-stats")
def assignment_changed(sender, instance: ReviewAssignment, **kwargs) -> None:
    stats.reviewer_load_refresh(call_id=instance.call_id, reviewer_id=instance.reviewer_id)


@receiver([post_save, post_delete], sender=Review, dispatch_uid="pipeline-review-stats")
def review_changed(sender, instance: Review, **kwargs) -> None:
    assignment = (
        ReviewAssignment.objects.filter(pk=instance.assignment_id).values("call_id", "reviewer_id").first()
    )
    if assignment is None:  # deleted together with its assignment
        return
    stats.assignment_submission_sync(assignment_id=instance.assignment_id)
    stats.reviewer_load_refresh(**assignment)
    stats.score_bins_refresh(call_id=assignment["call_id"])
