from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewerLoad(models.Model):
    """How many live assignments a reviewer has in a call and how many are done: the dashboard's
    reviewer panel reads these rows instead of counting every review. Recomputed from the
    assignments whenever one of them or its review changes (``pipeline.stats``)."""

    call = models.ForeignKey("incubator.Call", on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned = models.PositiveIntegerField(_("assigned"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)

    class Meta:
        verbose_name = _("reviewer load")
        verbose_name_plural = _("reviewer loads")
        constraints = [
            models.UniqueConstraint(fields=["call", "reviewer"], name="one_load_per_reviewer_and_call")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id}@{self.call_id}: {self.done}/{self.assigned}"


class ScoreBin(models.Model):
    """How many submitted reviews of a call have a weighted score in [bin, bin + 1) (the last bin
    includes 10): the dashboard's score distribution."""

    call = models.ForeignKey("incubator.Call", on_delete=models.CASCADE, related_name="+")
    bin = models.PositiveSmallIntegerField(_("score from"))
    reviews = models.PositiveIntegerField(_("reviews"), default=0)

    class Meta:
        verbose_name = _("score bin")
        verbose_name_plural = _("score bins")
        constraints = [models.UniqueConstraint(fields=["call", "bin"], name="one_row_per_score_bin")]

    def __str__(self) -> str:
        return f"{self.call_id}: {self.bin}–{self.bin + 1}: {self.reviews}"
