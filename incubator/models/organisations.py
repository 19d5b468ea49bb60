from django.db import models
from django.utils.translation import gettext_lazy as _

from ..localised import localised


class Organisation(models.Model):
    """A member organisation of the cluster (or an outside one that founders are affiliated with)."""

    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("University")
        PHARMA = "pharma", _("Pharma company")
        HOSPITAL = "hospital", _("Hospital / research institute")
        FUND = "fund", _("Fund")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    is_member = models.BooleanField(_("cluster member"), default=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.short_name or self.name


class TherapeuticArea(models.Model):
    """A field or therapeutic area, used both for startups and for reviewers' expertise."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_ru = models.CharField(
        _("name in Russian"),
        max_length=120,
        blank=True,
        help_text=_("Shown on Russian pages and e-mails; the text above when left blank."),
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("field / therapeutic area")
        verbose_name_plural = _("fields / therapeutic areas")

    def __str__(self) -> str:
        return localised(self, "name")
