from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pipeline.machines import MilestoneMachine, MilestoneStatus, StartupStageMachine


class ProductType(models.TextChoices):
    DRUG = "drug", _("Drug or biologic")
    DEVICE = "device", _("Medical device")
    DIAGNOSTIC = "diagnostic", _("Diagnostics")
    DIGITAL = "digital", _("Digital health")


class DevelopmentPhase(models.TextChoices):
    # Drugs and biologics
    DISCOVERY = "discovery", _("Discovery")
    PRECLINICAL = "preclinical", _("Preclinical")
    CLINICAL_1 = "clinical_1", _("Clinical phase I")
    CLINICAL_2 = "clinical_2", _("Clinical phase II")
    CLINICAL_3 = "clinical_3", _("Clinical phase III")
    # Medical devices
    CONCEPT = "concept", _("Concept")
    PROTOTYPE = "prototype", _("Prototype")
    VERIFICATION = "verification", _("Bench and animal verification")
    CLINICAL_INVESTIGATION = "clinical_investigation", _("Clinical investigation")
    # Diagnostics
    ASSAY_DEVELOPMENT = "assay_development", _("Assay development")
    ANALYTICAL_VALIDATION = "analytical_validation", _("Analytical validation")
    CLINICAL_VALIDATION = "clinical_validation", _("Clinical validation")
    # Digital health
    MVP = "mvp", _("Minimum viable product")
    PILOT = "pilot", _("Clinical pilot")
    # Shared by all
    REGISTRATION = "registration", _("Registration")
    MARKET = "market", _("Market")


# The phases that make sense for each product type, in the order a product passes them.
PHASES_BY_PRODUCT_TYPE: dict[str, list[str]] = {
    ProductType.DRUG: [
        DevelopmentPhase.DISCOVERY,
        DevelopmentPhase.PRECLINICAL,
        DevelopmentPhase.CLINICAL_1,
        DevelopmentPhase.CLINICAL_2,
        DevelopmentPhase.CLINICAL_3,
        DevelopmentPhase.REGISTRATION,
        DevelopmentPhase.MARKET,
    ],
    ProductType.DEVICE: [
        DevelopmentPhase.CONCEPT,
        DevelopmentPhase.PROTOTYPE,
        DevelopmentPhase.VERIFICATION,
        DevelopmentPhase.CLINICAL_INVESTIGATION,
        DevelopmentPhase.REGISTRATION,
        DevelopmentPhase.MARKET,
    ],
    ProductType.DIAGNOSTIC: [
        DevelopmentPhase.ASSAY_DEVELOPMENT,
        DevelopmentPhase.ANALYTICAL_VALIDATION,
        DevelopmentPhase.CLINICAL_VALIDATION,
        DevelopmentPhase.REGISTRATION,
        DevelopmentPhase.MARKET,
    ],
    ProductType.DIGITAL: [
        DevelopmentPhase.CONCEPT,
        DevelopmentPhase.MVP,
        DevelopmentPhase.PILOT,
        DevelopmentPhase.REGISTRATION,
        DevelopmentPhase.MARKET,
    ],
}


def phase_goes_back(before: str, after: str) -> bool:
    """Whether ``after`` comes earlier than ``before`` on the path of a product type that has both."""
    for phases in PHASES_BY_PRODUCT_TYPE.values():
        if before in phases and after in phases:
            return phases.index(after) < phases.index(before)
    return False


def founded_in_the_past(value) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("A founding date cannot be in the future."), code="future")


class Startup(StartupStageMachine):
    """A startup and its life-sciences profile. Its ``stage`` is a protected state field: it
    changes only through ``pipeline.services.startup_transition``."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    therapeutic_area = models.ForeignKey(
        "incubator.TherapeuticArea",
        verbose_name=_("field / therapeutic area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="startups",
    )
    product_type = models.CharField(
        _("product type"), max_length=20, choices=ProductType.choices, default=ProductType.DRUG
    )
    development_phase = models.CharField(
        _("development phase"),
        max_length=30,
        choices=DevelopmentPhase.choices,
        default=DevelopmentPhase.DISCOVERY,
    )
    trl = models.PositiveSmallIntegerField(
        _("technology readiness level"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("1 (basic principles observed) to 9 (proven in routine use)."),
    )
    website = models.URLField(_("website"), blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True, validators=[founded_in_the_past])
    affiliations = models.ManyToManyField(
        "incubator.Organisation",
        verbose_name=_("affiliations"),
        blank=True,
        related_name="affiliated_startups",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="incubator.TeamMembership",
        related_name="startups",
        verbose_name=_("team"),
    )
    mentors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="incubator.MentorAssignment",
        related_name="mentees",
        verbose_name=_("mentors"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("startup")
        verbose_name_plural = _("startups")
        indexes = [models.Index(fields=["stage", "stage_entered_at"])]

    def __str__(self) -> str:
        return self.name

    def member_ids(self) -> set[int]:
        """Ids of the team, from the prefetch cache when a selector filled it."""
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "memberships" in cache:
            return {membership.user_id for membership in cache["memberships"]}
        return set(self.memberships.values_list("user_id", flat=True))

    def has_member(self, user) -> bool:
        return bool(user and user.is_authenticated and user.pk in self.member_ids())

    def mentor_ids(self) -> set[int]:
        """Ids of the startup's mentors, from the prefetch cache when a selector filled it."""
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "mentor_assignments" in cache:
            return {assignment.mentor_id for assignment in cache["mentor_assignments"]}
        return set(self.mentor_assignments.values_list("mentor_id", flat=True))

    def has_mentor(self, user) -> bool:
        return bool(user and user.is_authenticated and user.pk in self.mentor_ids())


class TeamMembership(models.Model):
    class Role(models.TextChoices):
        FOUNDER = "founder", _("Founder")
        COFOUNDER = "cofounder", _("Co-founder")

    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.FOUNDER)
    title = models.CharField(_("title"), max_length=120, blank=True)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [models.UniqueConstraint(fields=["startup", "user"], name="unique_team_membership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.startup}"


class MentorAssignment(models.Model):
    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="mentor_assignments")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_assignments"
    )
    since = models.DateField(_("since"), default=timezone.localdate)

    class Meta:
        verbose_name = _("mentor assignment")
        verbose_name_plural = _("mentor assignments")
        constraints = [models.UniqueConstraint(fields=["startup", "mentor"], name="unique_mentor_assignment")]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.startup}"


class Milestone(MilestoneMachine):
    """A goal a startup must reach in a stage, with the evidence that shows it; the stage gates
    count accepted milestones. ``status`` changes only through ``milestone_transition``."""

    Status = MilestoneStatus

    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="milestones")
    stage = models.CharField(
        _("stage"),
        max_length=20,
        choices=[("incubation", _("Incubation")), ("acceleration", _("Acceleration"))],
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    required_evidence = models.TextField(_("required evidence"), blank=True)
    due_on = models.DateField(_("due on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("evidence submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["startup", "due_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        """Past its due date with the evidence still owed."""
        open_ = self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS)
        return open_ and self.due_on < timezone.localdate()


class StartupNote(models.Model):
    """A note on a startup by the people who run its programme, its managers and mentors: a
    meeting, a concern, a lead. The startup's team and reviewers never see them."""

    startup = models.ForeignKey(Startup, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("programme note")
        verbose_name_plural = _("programme notes")
        indexes = [models.Index(fields=["startup", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.startup}: {self.body[:60]}"
