from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str) -> "User":
        """The account of an address however it is capitalised (addresses are kept in lower case,
        as signup, invitations and password resets treat them): an exact match first, in case two
        older accounts differ only in case."""
        username = (username or "").strip()
        matches = list(self.filter(email__iexact=username)[:2])
        exact = [user for user in matches if user.email == username]
        if exact:
            return exact[0]
        if len(matches) == 1:
            return matches[0]
        raise self.model.DoesNotExist

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_manager", True)
        return self._create_user(email, password, **extra_fields)


def _perms(app_label: str, model: str, *actions: str) -> set[str]:
    return {f"{app_label}.{action}_{model}" for action in actions}


# What a cluster manager with staff access may do in the admin, whatever their groups: keep the
# reference data (member organisations, fields, calls and their managers, reviewer profiles,
# people's founder and mentor roles) and look at the rest, schedules included. Rubrics are edited
# on the call's rubric page, which locks them once reviews exist; states change only through the
# pages' and admin actions, which call the transition services.
MANAGER_ADMIN_PERMISSIONS = frozenset(
    set()
    | _perms("incubator", "organisation", "view", "add", "change")
    | _perms("incubator", "therapeuticarea", "view", "add", "change")
    | _perms("incubator", "call", "view", "add", "change")
    | _perms("incubator", "user", "view", "change")
    | _perms("incubator", "reviewerprofile", "view", "add", "change")
    | _perms("incubator", "mentorassignment", "view")
    | _perms("incubator", "criterion", "view")
    | _perms("incubator", "startup", "view")
    | _perms("incubator", "teammembership", "view")
    | _perms("incubator", "reviewerconflict", "view")
    | _perms("incubator", "invitation", "view")
    | _perms("incubator", "milestone", "view")
    | _perms("incubator", "readinesschange", "view")
    | _perms("incubator", "investmentreadinessreview", "view")
    | _perms("incubator", "kpireport", "view")
    | _perms("incubator", "fundingrecord", "view")
    | _perms("incubator", "startupnote", "view")
    | _perms("pipeline", "application", "view")
    | _perms("pipeline", "transitionlog", "view")
    | _perms("pipeline", "reviewassignment", "view")
    | _perms("pipeline", "review", "view")
    | _perms("notifications", "outboxmessage", "view", "change")
    | _perms("django_celery_beat", "periodictask", "view")
    | _perms("django_celery_beat", "crontabschedule", "view")
    | _perms("django_celery_beat", "intervalschedule", "view")
)
MANAGER_ADMIN_APPS = frozenset(perm.split(".", 1)[0] for perm in MANAGER_ADMIN_PERMISSIONS)


class User(AbstractUser):
    """A person. Roles are flags because one person may hold several (a mentor who also founded a
    startup, a manager who reviews)."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    organisation = models.ForeignKey(
        "incubator.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    position = models.CharField(pgettext_lazy("job title", "position"), max_length=200, blank=True)
    is_founder = models.BooleanField(_("founder"), default=False)
    is_mentor = models.BooleanField(_("mentor / reviewer"), default=False)
    is_manager = models.BooleanField(_("cluster manager"), default=False)
    email_confirmed = models.BooleanField(_("e-mail confirmed"), default=False)
    # Blank until the person chooses (the switch, the account page, or the page they signed up
    # on): until then pages follow the browser, and e-mails are in the site's default language.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("", _("As the browser asks")), ("en", "English"), ("ru", "Русский")],
        default="",
        blank=True,
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    def clean(self) -> None:
        super().clean()
        self.email = (self.email or "").strip().lower()  # as signup and invitations keep them

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_admin_manager(self) -> bool:
        """A cluster manager with access to the admin (``MANAGER_ADMIN_PERMISSIONS``)."""
        return bool(self.is_active and self.is_staff and self.is_manager)

    def has_perm(self, perm, obj=None) -> bool:
        if self.is_admin_manager and perm in MANAGER_ADMIN_PERMISSIONS:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_admin_manager and app_label in MANAGER_ADMIN_APPS:
            return True
        return super().has_module_perms(app_label)

    @property
    def role_names(self) -> list[str]:
        names = []
        if self.is_manager:
            names.append(str(_("Cluster manager")))
        if self.is_mentor:
            names.append(str(_("Mentor / reviewer")))
        if self.is_founder:
            names.append(str(_("Founder")))
        return names


class ReviewerProfile(models.Model):
    """What automatic assignment needs to know about a mentor / reviewer."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="reviewer_profile")
    expertise = models.ManyToManyField(
        "incubator.TherapeuticArea", verbose_name=_("fields of expertise"), blank=True, related_name="experts"
    )
    capacity_per_call = models.PositiveSmallIntegerField(
        _("reviews per call"),
        default=6,
        help_text=_("The most applications of one call this reviewer is given."),
    )
    bio = models.TextField(_("short bio"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("reviewer profile")
        verbose_name_plural = _("reviewer profiles")

    def __str__(self) -> str:
        return str(self.user)


class ReviewerConflict(models.Model):
    """A conflict of interest a reviewer declared, with a startup or with a whole organisation."""

    reviewer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="declared_conflicts")
    startup = models.ForeignKey(
        "incubator.Startup",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="declared_conflicts",
    )
    organisation = models.ForeignKey(
        "incubator.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="declared_conflicts",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = _("declared conflict of interest")
        verbose_name_plural = _("declared conflicts of interest")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(startup__isnull=False) | models.Q(organisation__isnull=False),
                name="conflict_names_a_startup_or_an_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.startup or self.organisation}"
