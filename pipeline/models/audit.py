from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Reasons the system records itself, stored in English and shown in the reader's language.
REVIEWERS_ASSIGNED = gettext_noop("Reviewers assigned.")
SYSTEM_REASONS = {REVIEWERS_ASSIGNED: _("Reviewers assigned.")}


class TransitionLog(models.Model):
    """One row per fired transition of either machine: who, when, from, to, why.

    Rows are written by the transition service in the same database transaction as the state
    change, so the log and the states never disagree. The startup is set on every row (for an
    application, its startup) so a startup's whole history is one indexed query.
    """

    class Machine(models.TextChoices):
        STARTUP = "startup", _("Startup stage")
        APPLICATION = "application", _("Application status")
        MILESTONE = "milestone", _("Milestone status")

    machine = models.CharField(_("machine"), max_length=20, choices=Machine.choices)
    startup = models.ForeignKey(
        "incubator.Startup",
        verbose_name=_("startup"),
        on_delete=models.CASCADE,
        related_name="transition_logs",
    )
    application = models.ForeignKey(
        "pipeline.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="transition_logs",
    )
    milestone = models.ForeignKey(
        "incubator.Milestone",
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="transition_logs",
    )
    transition = models.CharField(_("transition"), max_length=50)
    source = models.CharField(_("from"), max_length=20)
    target = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transition_logs",
    )
    # When the object entered the state it leaves here, so a stay's length is one subtraction
    # (dashboards compute medians over it without window functions).
    source_entered_at = models.DateTimeField(_("in the previous state since"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # Whether the actor was on the startup's team when the change was made: the team's own
    # reasons (a withdrawal's) are shown to the team, a manager's are not. Recorded then, so a
    # later change of the team changes nobody's view of the past.
    by_team = models.BooleanField(_("by the startup's team"), default=False)
    is_override = models.BooleanField(_("gate overridden"), default=False)
    # Set on a change that followed from another one in the same transaction (the startup's
    # admission that followed its application's acceptance), so the two are held or shown together.
    caused_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="consequences"
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("transition record")
        verbose_name_plural = _("transition records")
        indexes = [
            models.Index(fields=["startup", "created_at"]),
            models.Index(fields=["machine", "target", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_machine_display()}: {self.source} → {self.target} ({self.transition})"

    @classmethod
    def state_fields(cls) -> dict[str, tuple[type[models.Model], str]]:
        """Each machine's model and the field that holds its state."""
        from incubator.models import Milestone, Startup

        from .applications import Application

        return {
            cls.Machine.STARTUP: (Startup, "stage"),
            cls.Machine.APPLICATION: (Application, "status"),
            cls.Machine.MILESTONE: (Milestone, "status"),
        }

    def state_label(self, state: str) -> str:
        model, name = self.state_fields()[self.machine]
        return str(dict(model._meta.get_field(name).choices).get(state, state))

    @property
    def is_system_reason(self) -> bool:
        return self.reason in SYSTEM_REASONS

    @property
    def reason_text(self) -> str:
        """The reason as a page shows it: one the system wrote, in the reader's language."""
        return str(SYSTEM_REASONS.get(self.reason, self.reason))

    @property
    def source_label(self) -> str:
        return self.state_label(self.source)

    @property
    def target_label(self) -> str:
        return self.state_label(self.target)
