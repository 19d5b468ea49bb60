"""Milestones and their evidence. Status changes go through
``pipeline.services.milestone_transition``."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pipeline.documents import pdf_file_name, validate_pdf
from pipeline.machines import PROGRAMME_LEFT, programme_left_message

from ...models import (
    FundingTranche,
    Milestone,
    MilestoneEvidence,
    Startup,
    User,
)
from .common import PortfolioError, can_steer


def milestone_stage_left(milestone_stage: str, startup_stage: str) -> bool:
    """Whether a startup in ``startup_stage`` has left the stage of milestones of
    ``milestone_stage`` behind: incubation ones once in acceleration or funding (acceleration
    milestones are still set in funding)."""
    return milestone_stage == "incubation" and startup_stage in ("acceleration", "funding")


def milestone_problems(*, startup: Startup, stage: str, due_on: date | None) -> dict[str, str]:
    """What is wrong with a new milestone, by field: due in the past, or for a stage the startup
    has left (the incubation gate was passed without it)."""
    problems = {}
    if due_on is not None and due_on < timezone.localdate():
        problems["due_on"] = _("A new milestone is due today or later.")
    if milestone_stage_left(stage, startup.stage):
        problems["stage"] = _("%(startup)s is past incubation: set its milestones for acceleration.") % {
            "startup": startup.name
        }
    return problems


@transaction.atomic
def milestone_create(
    *,
    startup: Startup,
    actor: User,
    stage: str,
    title: str,
    due_on: date,
    description: str = "",
    required_evidence: str = "",
) -> Milestone:
    if not can_steer(startup, actor):
        raise PermissionDenied
    # The stage read under the row's lock, so a move past incubation at the same moment is seen.
    startup = Startup.objects.select_for_update().get(pk=startup.pk)
    if startup.stage in PROGRAMME_LEFT:
        raise PortfolioError(programme_left_message(startup), code="programme_left")
    problems = milestone_problems(startup=startup, stage=stage, due_on=due_on)
    if problems:
        raise PortfolioError(" ".join(problems.values()))
    return Milestone.objects.create(
        startup=startup,
        stage=stage,
        title=title.strip(),
        due_on=due_on,
        description=description.strip(),
        required_evidence=required_evidence.strip(),
        created_by=actor,
    )


def milestone_due_problem(*, current: date, due_on: date) -> str | None:
    """Why a milestone may not be moved to ``due_on``: a new date is today or later (an unchanged
    past one may stay while other fields change)."""
    if due_on != current and due_on < timezone.localdate():
        return _("A new due date is today or later.")
    return None


def _steered_milestone(milestone: Milestone, actor: User) -> Milestone:
    locked = Milestone.objects.select_for_update(of=("self",)).select_related("startup").get(pk=milestone.pk)
    if not can_steer(locked.startup, actor):
        raise PermissionDenied
    if locked.startup.stage in PROGRAMME_LEFT:
        raise PortfolioError(programme_left_message(locked.startup), code="programme_left")
    return locked


@transaction.atomic
def milestone_update(
    *,
    milestone: Milestone,
    actor: User,
    title: str | None = None,
    due_on: date | None = None,
    description: str | None = None,
    required_evidence: str | None = None,
) -> Milestone:
    """A manager or mentor corrects a milestone or moves its due date (a reopened one, say); a
    field not given keeps what the locked row has. Its stage stays: the stage gate counts it. An
    accepted milestone stays as it was accepted. Reminders of the old due date are settled; the
    new date gets its own."""
    locked = _steered_milestone(milestone, actor)
    if locked.status == Milestone.Status.ACCEPTED:
        raise PortfolioError(_("An accepted milestone stays as it was accepted."), code="accepted")
    if due_on is not None and due_on != locked.due_on:
        if problem := milestone_due_problem(current=locked.due_on, due_on=due_on):
            raise PortfolioError(problem, code="due_in_past")
        from notifications.services import milestone_reminders_settle

        milestone_reminders_settle(milestone_id=locked.pk, startup_id=locked.startup_id)
        locked.due_on = due_on
    texts = {"title": title, "description": description, "required_evidence": required_evidence}
    for name, value in texts.items():
        if value is not None:
            setattr(locked, name, value.strip())
    locked.save(update_fields=["title", "due_on", "description", "required_evidence"])
    return locked


@transaction.atomic
def milestone_remove(*, milestone: Milestone, actor: User) -> None:
    """A manager or mentor removes a milestone set by mistake, as long as nothing happened to it:
    still planned, without evidence, and without planned funding tied to it (it would otherwise
    hold the stage gate shut for good)."""
    locked = _steered_milestone(milestone, actor)
    if locked.status != Milestone.Status.PLANNED or locked.evidence.exists():
        raise PortfolioError(
            _("Only a milestone still planned, without evidence, can be removed; mark it as missed instead."),
            code="started",
        )
    # A tranche settled (cancelled, or voided with its record) holds nothing back; it keeps its
    # reason, no longer its milestone.
    if locked.tranches.filter(status=FundingTranche.Status.PLANNED).exists():
        raise PortfolioError(
            _("Funding tranches are tied to this milestone: tie them to another one first."),
            code="tranches",
        )
    from notifications.services import milestone_reminders_settle

    # Its reminders would point at a page that is gone.
    milestone_reminders_settle(milestone_id=locked.pk, startup_id=locked.startup_id)
    locked.delete()


def _team_milestone(milestone_id: int, actor: User, closed: str) -> Milestone:
    """The milestone, locked, for its team's evidence while it is open; ``closed`` is the refusal
    once it is not (with its status as ``%(status)s``)."""
    locked = Milestone.objects.select_for_update(of=("self",)).select_related("startup").get(pk=milestone_id)
    if not locked.startup.has_member(actor):
        raise PermissionDenied
    if locked.startup.stage in PROGRAMME_LEFT:
        raise PortfolioError(programme_left_message(locked.startup), code="programme_left")
    if locked.status not in (Milestone.Status.PLANNED, Milestone.Status.IN_PROGRESS):
        raise PortfolioError(closed % {"status": locked.get_status_display()})
    return locked


@transaction.atomic
def milestone_evidence_add(
    *, milestone: Milestone, actor: User, note: str = "", upload: UploadedFile | None = None
) -> MilestoneEvidence:
    """The team adds a PDF or a note as evidence while the milestone is open."""
    locked = _team_milestone(
        milestone.pk, actor, _("The milestone is “%(status)s”; evidence can no longer be added.")
    )
    if upload is None and not note.strip():
        raise PortfolioError(_("Add a file or write a note."))
    evidence = MilestoneEvidence(
        milestone=locked, startup=locked.startup, note=note.strip(), uploaded_by=actor
    )
    if upload is not None:
        validate_pdf(upload)
        evidence.original_name = pdf_file_name(upload.name, "evidence.pdf")
        evidence.file.save("evidence.pdf", upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def milestone_evidence_remove(*, evidence: MilestoneEvidence, actor: User) -> None:
    """The team takes back a note or a file added by mistake, while the milestone is still open
    (planned, or in progress again after being sent back); submitted evidence stays as the
    mentor saw it. The file leaves storage once the removal is committed."""
    locked = _team_milestone(
        evidence.milestone_id,
        actor,
        _("The milestone is “%(status)s”; its evidence can no longer be removed."),
    )
    current = MilestoneEvidence.objects.filter(pk=evidence.pk, milestone=locked).first()
    if current is None:
        raise PortfolioError(_("This evidence was already removed."))
    name, storage = current.file.name, current.file.storage
    current.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
