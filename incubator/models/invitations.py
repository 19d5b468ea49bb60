from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Invitation(models.Model):
    """A founder's invitation to a co-founder, sent by e-mail as a signed, expiring link."""

    startup = models.ForeignKey("incubator.Startup", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("co-founder invitation")
        verbose_name_plural = _("co-founder invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.startup}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
