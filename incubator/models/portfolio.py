"""What a life-sciences portfolio tracks beyond the stage: readiness history, milestone evidence,
investment-readiness reviews, monthly KPI reports and the funding ledger."""

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


def not_in_the_future(value) -> None:
    """The ledger records funding once it is secured; what is paid later is a tranche."""
    if value > timezone.localdate():
        raise ValidationError(
            _(
                "The date cannot be in the future: record funding once it is secured, "
                "with later payments as tranches."
            ),
            code="future",
        )


def _portfolio_path(instance, filename: str) -> str:
    # Generated names: the uploader's file name is kept only as a label.
    return f"portfolio/{instance.startup_id}/{uuid.uuid4().hex}.pdf"


class ReadinessChange(models.Model):
    """One step of a startup's technology readiness level and development phase, with its
    evidence. A change recorded by a manager or the startup's mentor is confirmed at once; one
    proposed by a founder waits for their confirmation before the startup's profile changes."""

    startup = models.ForeignKey(
        "incubator.Startup", on_delete=models.CASCADE, related_name="readiness_changes"
    )
    trl_from = models.PositiveSmallIntegerField(_("TRL before"), null=True, blank=True)
    trl_to = models.PositiveSmallIntegerField(
        _("TRL"), validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    phase_from = models.CharField(_("phase before"), max_length=30, blank=True)
    phase_to = models.CharField(_("development phase"), max_length=30)
    evidence_note = models.TextField(_("evidence"), max_length=4000, blank=True)
    evidence_file = models.FileField(
        _("evidence file"), upload_to=_portfolio_path, blank=True, max_length=300
    )
    evidence_file_name = models.CharField(_("evidence file name"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(_("why it was rejected"), max_length=2000, blank=True)

    class Meta:
        ordering = ["startup", "recorded_at", "id"]
        verbose_name = _("readiness change")
        verbose_name_plural = _("readiness changes")

    def __str__(self) -> str:
        return f"{self.startup}: TRL {self.trl_from} → {self.trl_to}"

    @property
    def is_pending(self) -> bool:
        return self.confirmed_at is None and self.rejected_at is None

    @property
    def is_step_back(self) -> bool:
        """A lower readiness level or an earlier phase than before (a failed study, a redesign)."""
        from .startups import phase_goes_back

        lower = self.trl_from is not None and self.trl_to < self.trl_from
        return lower or phase_goes_back(self.phase_from, self.phase_to)


class MilestoneEvidence(models.Model):
    milestone = models.ForeignKey("incubator.Milestone", on_delete=models.CASCADE, related_name="evidence")
    startup = models.ForeignKey("incubator.Startup", on_delete=models.CASCADE, related_name="+")
    note = models.TextField(_("note"), max_length=4000, blank=True)
    file = models.FileField(_("file"), upload_to=_portfolio_path, blank=True, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("milestone evidence")
        verbose_name_plural = _("milestone evidence")

    def __str__(self) -> str:
        return self.original_name or self.note[:40]


class InvestmentReadinessReview(models.Model):
    """A manager's or mentor's judgement that a startup is (or is not yet) ready for investors;
    the latest one must say ready before the startup moves from acceleration to funding."""

    class Verdict(models.TextChoices):
        READY = "ready", _("Ready for investors")
        NOT_READY = "not_ready", _("Not ready yet")

    startup = models.ForeignKey(
        "incubator.Startup", on_delete=models.CASCADE, related_name="investment_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    summary = models.TextField(_("summary"), max_length=4000)
    created_at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("investment-readiness review")
        verbose_name_plural = _("investment-readiness reviews")

    def __str__(self) -> str:
        return f"{self.startup}: {self.get_verdict_display()}"


class KpiReport(models.Model):
    """A startup's monthly report. ``period`` is the first day of the month reported on."""

    # What the team reports each month, in the order the form asks for it.
    FIGURES = [
        "team_size",
        "revenue",
        "grants_received",
        "patents_filed",
        "publications",
        "clinical_regulatory_progress",
        "notes",
    ]

    startup = models.ForeignKey("incubator.Startup", on_delete=models.CASCADE, related_name="kpi_reports")
    period = models.DateField(_("month"))
    team_size = models.PositiveIntegerField(_("team size"))
    revenue = models.DecimalField(_("revenue (RUB)"), max_digits=14, decimal_places=2, default=0)
    grants_received = models.DecimalField(
        _("grants received (RUB)"), max_digits=14, decimal_places=2, default=0
    )
    patents_filed = models.PositiveIntegerField(_("patent applications filed"), default=0)
    publications = models.PositiveIntegerField(_("publications"), default=0)
    clinical_regulatory_progress = models.TextField(
        _("clinical or regulatory progress"), max_length=4000, blank=True
    )
    notes = models.TextField(_("anything else"), max_length=4000, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ["startup", "-period"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        constraints = [models.UniqueConstraint(fields=["startup", "period"], name="one_report_per_month")]

    def __str__(self) -> str:
        return f"{self.startup} {self.period:%Y-%m}"


class KpiReportRevision(models.Model):
    """The figures a monthly report had before a correction replaced them: who submitted them
    and when, and who corrected them when. A report's history is its revisions, oldest first,
    then the report itself."""

    report = models.ForeignKey(KpiReport, on_delete=models.CASCADE, related_name="revisions")
    # The figures as they were (``KpiReport.FIGURES``), numbers as text.
    figures = models.JSONField(_("figures"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrected by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replaced_at = models.DateTimeField(_("corrected at"), default=timezone.now)

    class Meta:
        ordering = ["report", "replaced_at", "id"]
        verbose_name = _("earlier version of a monthly report")
        verbose_name_plural = _("earlier versions of monthly reports")

    def __str__(self) -> str:
        return gettext("%(report)s as submitted %(moment)s") % {
            "report": self.report,
            "moment": formats.date_format(timezone.localtime(self.submitted_at), "SHORT_DATETIME_FORMAT"),
        }


class Currency(models.TextChoices):
    RUB = "RUB", "RUB"
    USD = "USD", "USD"
    EUR = "EUR", "EUR"
    CNY = "CNY", "CNY"
    AED = "AED", "AED"


POSITIVE_AMOUNT = _("The amount must be more than zero.")
POSITIVE_TRANCHE = _("A tranche's amount must be more than zero.")
TRANCHES_OVER_AMOUNT = _("The tranches add up to more than the amount.")
TRANCHE_OF_ANOTHER_STARTUP = _("A tranche can only depend on a milestone of the same startup.")


def funding_date_problem(startup, day: date) -> str | None:
    """Why funding cannot be dated ``day``, if it cannot: before the startup was founded."""
    if startup.founded_on and day < startup.founded_on:
        return gettext("The startup was founded on %(founded)s; its funding cannot be dated earlier.") % {
            "founded": formats.date_format(startup.founded_on)
        }
    return None


# Digits a ledger amount may have, cents included (up to 9,999,999,999,999.99): as many as a
# double-precision number keeps exactly, so SQLite (the demo's database, which stores decimals
# as such numbers) keeps every amount as typed. The columns keep their 16 digits, so amounts
# recorded before the limit stay as they are.
LEDGER_DIGITS = 15
LEDGER_MAX = Decimal("9999999999999.99")


class FundingRecordQuerySet(models.QuerySet):
    def in_force(self) -> "FundingRecordQuerySet":
        """The records that count: not voided."""
        return self.filter(voided_at__isnull=True)


class FundingRecord(models.Model):
    """A grant, equity round or loan a startup received. Amounts stay in their own currency:
    totals are given per currency, never converted. A record entered by mistake is voided, with
    the reason, rather than deleted: it stays in the ledger and counts in no total."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("Grant")
        EQUITY = "equity", _("Equity round")
        LOAN = "loan", _("Loan")

    startup = models.ForeignKey("incubator.Startup", on_delete=models.CASCADE, related_name="funding_records")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("round or programme"), max_length=200, blank=True)
    date = models.DateField(_("date"), validators=[not_in_the_future])
    amount = models.DecimalField(
        _("amount"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(LEDGER_MAX)],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.RUB)
    investor = models.ForeignKey(
        "incubator.Organisation",
        verbose_name=_("investor or grantor (member)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funding_given",
    )
    investor_name = models.CharField(_("investor or grantor (other)"), max_length=200, blank=True)
    from_programme = models.BooleanField(
        _("the programme's own funding"),
        default=False,
        help_text=_("The cluster programme's own grant or investment; not counted as follow-on funding."),
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    void_reason = models.TextField(_("why it was voided"), max_length=2000, blank=True)

    objects = FundingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("funding record")
        verbose_name_plural = _("funding records")
        indexes = [models.Index(fields=["date"]), models.Index(fields=["startup", "date"])]

    def __str__(self) -> str:
        return f"{self.startup}: {self.amount} {self.currency} ({self.get_kind_display()})"

    def clean(self) -> None:
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = POSITIVE_AMOUNT
        problem = self.startup_id and self.date and funding_date_problem(self.startup, self.date)
        if problem:
            errors["date"] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def funded(self) -> Decimal:
        """The amount less its cancelled tranches (those loaded with the record): what the
        startup got or is still to get; nothing once voided. ``incubator.selectors.funded_amount``
        in SQL."""
        if self.voided_at is not None:
            return Decimal("0")
        cancelled = FundingTranche.Status.CANCELLED
        return self.amount - sum(
            (tranche.amount for tranche in self.tranches.all() if tranche.status == cancelled), Decimal("0")
        )

    @property
    def source(self) -> str:
        """Who provided it; the programme itself when the record is its own and names no one."""
        if self.investor_id:
            return str(self.investor)
        if not self.investor_name and self.from_programme:
            return str(_("The cluster's programme"))
        return self.investor_name


class FundingTranche(models.Model):
    """Part of a funding record paid out when a milestone is reached."""

    class Status(models.TextChoices):
        # In context: Russian agrees the word with "tranche" (транш: выплачен).
        PLANNED = "planned", pgettext_lazy("tranche status", "Planned")
        PAID = "paid", pgettext_lazy("tranche status", "Paid")
        CANCELLED = "cancelled", pgettext_lazy("tranche status", "Cancelled")

    record = models.ForeignKey(FundingRecord, on_delete=models.CASCADE, related_name="tranches")
    amount = models.DecimalField(
        _("amount"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(LEDGER_MAX)],
    )
    milestone = models.ForeignKey(
        "incubator.Milestone", null=True, blank=True, on_delete=models.SET_NULL, related_name="tranches"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    # A planned tranche that will not be paid (its milestone missed, the agreement changed): its
    # amount no longer counts towards the record's funding.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancellation_reason = models.TextField(_("why it was cancelled"), max_length=2000, blank=True)

    class Meta:
        ordering = ["record", "id"]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")

    def __str__(self) -> str:
        return f"{self.amount} {self.record.currency}"
