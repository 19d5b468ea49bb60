"""The startup's stage machine, as an abstract model that ``incubator.Startup`` inherits.

application -> incubation -> acceleration -> funding -> alumni, with the off-ramps rejected,
withdrawn (by the founder) and exited (dropped by a manager). Every method below is a django-fsm
transition: it declares its sources, target, guards and permission, and it is fired only by
``pipeline.services.transitions.startup_transition``.
"""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .guards import Guard, is_manager, is_member_or_manager, is_startup_member


class Stage(models.TextChoices):
    APPLICATION = "application", _("Application")
    INCUBATION = "incubation", _("Incubation")
    ACCELERATION = "acceleration", _("Acceleration")
    FUNDING = "funding", _("Funding")
    ALUMNI = "alumni", _("Alumni")
    # In context: these name where a startup went, not what became of an application.
    REJECTED = "rejected", pgettext_lazy("startup stage", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("startup stage", "Withdrawn")
    EXITED = "exited", _("Exited")


# The main line of the pipeline, in order; the kanban board shows one column for each.
PIPELINE_STAGES = [
    Stage.APPLICATION,
    Stage.INCUBATION,
    Stage.ACCELERATION,
    Stage.FUNDING,
    Stage.ALUMNI,
]
OFF_RAMPS = [Stage.REJECTED, Stage.WITHDRAWN, Stage.EXITED]
ACTIVE_STAGES = [Stage.INCUBATION, Stage.ACCELERATION, Stage.FUNDING]

LIVE_APPLICATION_STATUSES = ["draft", "submitted", "in_review", "waitlisted"]


def _has_accepted_application(startup) -> bool:
    return startup.applications.filter(status="accepted").exists()


def _live_applications(startup):
    return startup.applications.filter(status__in=LIVE_APPLICATION_STATUSES)


def _milestones_accepted(stage: str):
    def check(startup) -> bool:
        statuses = list(startup.milestones.filter(stage=stage).values_list("status", flat=True))
        return bool(statuses) and all(status == "accepted" for status in statuses)

    return check


def _milestones_message(stage_label):
    def message(startup) -> str:
        statuses = list(startup.milestones.filter(stage=stage_label[0]).values_list("status", flat=True))
        if not statuses:
            return gettext(
                "No %(stage)s milestones have been set for %(startup)s yet, so none can be "
                "accepted. A manager may override this gate with a written reason."
            ) % {"stage": stage_label[1], "startup": startup.name}
        open_count = sum(1 for status in statuses if status != "accepted")
        return gettext(
            "%(open)d of %(total)d %(stage)s milestones of %(startup)s are not accepted yet. "
            "A manager may override this gate with a written reason."
        ) % {
            "open": open_count,
            "total": len(statuses),
            "stage": stage_label[1],
            "startup": startup.name,
        }

    return message


HAS_ACCEPTED_APPLICATION = Guard(
    code="has_accepted_application",
    check=_has_accepted_application,
    message=lambda startup: (
        gettext(
            "%(startup)s has no accepted application; a startup enters incubation only through an "
            "accepted application."
        )
        % {"startup": startup.name}
    ),
)

INCUBATION_MILESTONES_ACCEPTED = Guard(
    code="incubation_milestones_accepted",
    check=_milestones_accepted("incubation"),
    message=_milestones_message(("incubation", _("incubation"))),
    overridable=True,
)

ACCELERATION_MILESTONES_ACCEPTED = Guard(
    code="acceleration_milestones_accepted",
    check=_milestones_accepted("acceleration"),
    message=_milestones_message(("acceleration", _("acceleration"))),
    overridable=True,
)


def _investment_ready(startup) -> bool:
    latest = (
        startup.investment_reviews.order_by("-created_at", "-id").values_list("verdict", flat=True).first()
    )
    return latest == "ready"


def _investment_ready_message(startup) -> str:
    latest = startup.investment_reviews.order_by("-created_at", "-id").first()
    if latest is None:
        return gettext(
            "%(startup)s has had no investment-readiness review yet. A manager may override this "
            "gate with a written reason."
        ) % {"startup": startup.name}
    return gettext(
        "The latest investment-readiness review of %(startup)s (%(date)s) found it not ready yet. "
        "A manager may override this gate with a written reason."
    ) % {
        "startup": startup.name,
        "date": formats.date_format(timezone.localdate(latest.created_at), "DATE_FORMAT"),
    }


INVESTMENT_READY = Guard(
    code="investment_ready",
    check=_investment_ready,
    message=_investment_ready_message,
    overridable=True,
)


@dataclass(frozen=True)
class GateProgress:
    """How far a startup is through the gate of its next move on the main line, from counts read
    in SQL for many startups at once (the kanban board): the current stage's milestones accepted
    of those set and, before funding, the latest investment-readiness verdict. ``ready`` is what
    the move's guards will answer (a test holds the two together)."""

    stage: str
    milestones_set: int
    milestones_accepted: int
    investment_verdict: str | None

    @property
    def asks_milestones(self) -> bool:
        return self.stage in (Stage.INCUBATION, Stage.ACCELERATION)

    @property
    def asks_investment_review(self) -> bool:
        return self.stage == Stage.ACCELERATION

    @property
    def milestones_done(self) -> bool:
        return self.milestones_set > 0 and self.milestones_accepted == self.milestones_set

    @property
    def ready(self) -> bool:
        if not self.asks_milestones:
            return False
        investment_ready = not self.asks_investment_review or self.investment_verdict == "ready"
        return self.milestones_done and investment_ready


def _reason_written(instance: Any) -> bool:
    """Whether the transition being fired came with a reason (its context holds the words)."""
    context = getattr(instance, "_transition_context", None)
    return bool(context and context.reason.strip())


REASON_GIVEN = Guard(
    code="reason_given",
    check=_reason_written,
    message=lambda startup: (
        gettext("Write down why %(startup)s leaves the pipeline.") % {"startup": startup.name}
    ),
)

NO_LIVE_APPLICATION = Guard(
    code="no_live_application",
    check=lambda startup: not _live_applications(startup).exists(),
    message=lambda startup: (
        gettext("%(startup)s still has a live application (%(calls)s); it stays in the application stage.")
        % {
            "startup": startup.name,
            "calls": ", ".join(
                application.call.title_text
                for application in _live_applications(startup).select_related("call")
            ),
        }
    ),
)

HAS_LIVE_APPLICATION = Guard(
    code="has_live_application",
    check=lambda startup: _live_applications(startup).exists(),
    message=lambda startup: (
        gettext("%(startup)s has no live application to return to the application stage with.")
        % {"startup": startup.name}
    ),
)


class StartupStageMachine(ConcurrentTransitionMixin, models.Model):
    stage = FSMField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.APPLICATION, protected=True
    )
    stage_entered_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    # Facts of the admission, kept with the startup because dashboards group by them constantly
    # (funding by cohort, follow-on after admission, stall limits, monthly reports since).
    admitted_at = models.DateTimeField(_("admitted at"), null=True, blank=True, editable=False)
    admitted_call = models.ForeignKey(
        "incubator.Call",
        verbose_name=_("admitted through"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="cohort",
    )

    class Meta:
        abstract = True

    def _entered_stage(self) -> None:
        self.stage_entered_at = timezone.now()

    @transition(
        field="stage",
        source=Stage.APPLICATION,
        target=Stage.INCUBATION,
        conditions=[HAS_ACCEPTED_APPLICATION],
        permission=is_manager,
        custom={"label": _("Admit to incubation"), "auto": True},
    )
    def admit(self) -> None:
        self._entered_stage()
        accepted = self.applications.filter(status="accepted").order_by("-decided_at", "-pk").first()
        self.admitted_at = self.stage_entered_at
        self.admitted_call_id = accepted.call_id if accepted else None

    @transition(
        field="stage",
        source=Stage.INCUBATION,
        target=Stage.ACCELERATION,
        conditions=[INCUBATION_MILESTONES_ACCEPTED],
        permission=is_manager,
        custom={"label": _("Move to acceleration")},
    )
    def accelerate(self) -> None:
        self._entered_stage()

    @transition(
        field="stage",
        source=Stage.ACCELERATION,
        target=Stage.FUNDING,
        conditions=[ACCELERATION_MILESTONES_ACCEPTED, INVESTMENT_READY],
        permission=is_manager,
        custom={"label": _("Move to funding")},
    )
    def fund(self) -> None:
        self._entered_stage()

    @transition(
        field="stage",
        source=Stage.FUNDING,
        target=Stage.ALUMNI,
        permission=is_manager,
        custom={"label": _("Graduate to alumni")},
    )
    def graduate(self) -> None:
        self._entered_stage()

    @transition(
        field="stage",
        source=[Stage.INCUBATION, Stage.ACCELERATION, Stage.FUNDING],
        target=Stage.EXITED,
        conditions=[REASON_GIVEN],
        permission=is_manager,
        custom={"label": _("Drop from the pipeline"), "needs_reason": True},
    )
    def exit(self) -> None:
        self._entered_stage()

    @transition(
        field="stage",
        source=Stage.APPLICATION,
        target=Stage.REJECTED,
        conditions=[NO_LIVE_APPLICATION],
        permission=is_manager,
        custom={"label": _("Reject"), "auto": True},
    )
    def reject(self) -> None:
        self._entered_stage()

    @transition(
        field="stage",
        source=Stage.APPLICATION,
        target=Stage.WITHDRAWN,
        conditions=[NO_LIVE_APPLICATION],
        permission=is_startup_member,
        custom={"label": _("Withdraw"), "auto": True},
    )
    def withdraw(self) -> None:
        self._entered_stage()

    @transition(
        field="stage",
        source=[Stage.REJECTED, Stage.WITHDRAWN],
        target=Stage.APPLICATION,
        conditions=[HAS_LIVE_APPLICATION],
        permission=is_member_or_manager,
        custom={"label": _("Apply again"), "auto": True},
    )
    def reapply(self) -> None:
        self._entered_stage()


class MilestoneStatus(models.TextChoices):
    # In context: Russian agrees the word with "milestone" (контрольная точка: принята).
    PLANNED = "planned", pgettext_lazy("milestone status", "Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Evidence submitted")
    ACCEPTED = "accepted", pgettext_lazy("milestone status", "Accepted")
    MISSED = "missed", pgettext_lazy("milestone status", "Missed")


def _mentor_or_manager(instance, user) -> bool:
    return is_manager(instance, user) or bool(
        user is not None and user.is_active and instance.startup.has_mentor(user)
    )


def _member_mentor_or_manager(instance, user) -> bool:
    return is_startup_member(instance, user) or _mentor_or_manager(instance, user)


HAS_EVIDENCE = Guard(
    code="has_evidence",
    check=lambda milestone: milestone.evidence.exists(),
    message=lambda milestone: (
        gettext("Add the evidence for “%(milestone)s” (a PDF or a note) before submitting it.")
        % {"milestone": milestone.title}
    ),
)

# Stages after the programme: a startup here takes no more milestone work.
PROGRAMME_LEFT = [*OFF_RAMPS, Stage.ALUMNI]


def programme_left_message(startup) -> str:
    return gettext("%(startup)s has left the programme (%(stage)s): its milestones take no more work.") % {
        "startup": startup.name,
        "stage": Stage(startup.stage).label,
    }


STARTUP_IN_PROGRAMME = Guard(
    code="programme_left",
    check=lambda milestone: milestone.startup.stage not in PROGRAMME_LEFT,
    message=lambda milestone: programme_left_message(milestone.startup),
)

REVIEW_COMMENT_GIVEN = Guard(
    code="reason_given",
    check=_reason_written,
    message=lambda milestone: gettext("Tell the founders what is missing before sending the milestone back."),
)

MISS_REASON_GIVEN = Guard(
    code="reason_given",
    check=_reason_written,
    message=lambda milestone: gettext("Tell the founders why the milestone counts as missed."),
)


class MilestoneMachine(ConcurrentTransitionMixin, models.Model):
    """A milestone's status: planned -> in progress -> evidence submitted -> accepted, sent back
    to in progress with a comment, or missed (with the reason, for the founders). Fired only by
    ``milestone_transition``. Once the startup has left the programme (dropped, or alumni),
    nothing opens new work: evidence already submitted may still be accepted, and an open
    milestone marked as missed."""

    status = FSMField(
        _("status"),
        max_length=20,
        choices=MilestoneStatus.choices,
        default=MilestoneStatus.PLANNED,
        protected=True,
    )

    class Meta:
        abstract = True

    @transition(
        field="status",
        source=MilestoneStatus.PLANNED,
        target=MilestoneStatus.IN_PROGRESS,
        conditions=[STARTUP_IN_PROGRAMME],
        permission=_member_mentor_or_manager,
        custom={"label": _("Start")},
    )
    def start(self) -> None:
        pass

    @transition(
        field="status",
        source=[MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS],
        target=MilestoneStatus.SUBMITTED,
        conditions=[STARTUP_IN_PROGRAMME, HAS_EVIDENCE],
        permission=is_startup_member,
        custom={"label": _("Submit the evidence")},
    )
    def submit(self) -> None:
        self.submitted_at = timezone.now()

    @transition(
        field="status",
        source=MilestoneStatus.SUBMITTED,
        target=MilestoneStatus.ACCEPTED,
        permission=_mentor_or_manager,
        custom={"label": _("Accept")},
    )
    def accept(self) -> None:
        self.decided_at = timezone.now()

    @transition(
        field="status",
        source=MilestoneStatus.SUBMITTED,
        target=MilestoneStatus.IN_PROGRESS,
        conditions=[STARTUP_IN_PROGRAMME, REVIEW_COMMENT_GIVEN],
        permission=_mentor_or_manager,
        custom={"label": _("Send back"), "needs_reason": True},
    )
    def send_back(self) -> None:
        self.decided_at = timezone.now()

    @transition(
        field="status",
        source=[MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS],
        target=MilestoneStatus.MISSED,
        conditions=[MISS_REASON_GIVEN],
        permission=is_manager,
        custom={"label": _("Mark as missed"), "needs_reason": True},
    )
    def miss(self) -> None:
        self.decided_at = timezone.now()

    @transition(
        field="status",
        source=MilestoneStatus.MISSED,
        target=MilestoneStatus.IN_PROGRESS,
        conditions=[STARTUP_IN_PROGRAMME],
        permission=is_manager,
        custom={"label": _("Reopen")},
    )
    def reopen(self) -> None:
        self.decided_at = None
