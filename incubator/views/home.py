from datetime import date, datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.months import month_in_text
from incubator.selectors import report_due_date
from notifications.rendering import render_title
from notifications.selectors import notifications_of
from pipeline import selectors as pipeline_selectors
from pipeline.models.applications import admission_held
from pipeline.selectors.reviews import is_due_soon, is_overdue, is_pending

from ..access import role_required
from ..models import Call


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors see the open calls; everyone else goes to the page of their main role."""
    user = request.user
    if user.is_authenticated:
        if user.is_manager:
            return redirect("manager-home")
        if user.is_mentor:
            return redirect("mentor-home")
        if user.is_founder:
            return redirect("founder-home")
        return render(request, "incubator/no_role.html")
    now = timezone.now()
    calls = Call.objects.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at")
    return render(request, "incubator/landing.html", {"calls": calls})


@role_required("mentor")
def mentor_home(request: HttpRequest) -> HttpResponse:
    queue = [
        {"assignment": a, "pending": is_pending(a), "overdue": is_overdue(a), "due_soon": is_due_soon(a)}
        for a in pipeline_selectors.reviewer_queue(request.user)
    ]
    # What the reviewer still owes first, soonest due first; then the rest, latest first.
    queue.sort(
        key=lambda row: (
            (0, row["assignment"].due_at.timestamp())
            if row["pending"]
            else (1, -row["assignment"].due_at.timestamp())
        )
    )
    return render(
        request,
        "incubator/mentor_home.html",
        {
            "queue": queue,
            "recent_notifications": _titled(notifications_of(user=request.user)[:5]),
            **_mentees(request.user),
            **mentor_waiting(request.user),
        },
    )


def _mentees(user) -> dict:
    """The mentor's mentees in the programme, then those that have left it (graduated, rejected,
    withdrawn, exited): kept, for their history, but apart. One query."""
    mentees = list(
        pipeline_selectors.startups_visible_to(user)
        .filter(mentor_assignments__mentor=user)
        .prefetch_related(None)  # the list shows names and stages only
        # A mentee whose admission managers have not released yet still shows as applying.
        .annotate(admission_held=admission_held())
    )
    return {
        "mentees": [startup for startup in mentees if startup.stage not in ENDED_STAGES],
        "former_mentees": [startup for startup in mentees if startup.stage in ENDED_STAGES],
    }


def mentor_waiting(user) -> dict:
    """What the mentor's mentees wait for from them: milestone evidence to accept or send back,
    and readiness changes to confirm. Two queries, whatever their number."""
    from ..models import Milestone, ReadinessChange

    mentees = {"startup__mentor_assignments__mentor": user}
    return {
        "evidence_waiting": list(
            Milestone.objects.filter(status=Milestone.Status.SUBMITTED, **mentees)
            .select_related("startup")
            .order_by("due_on", "pk")
        ),
        "readiness_waiting": list(
            ReadinessChange.objects.filter(confirmed_at=None, rejected_at=None, **mentees)
            .select_related("startup")
            .order_by("recorded_at", "pk")
        ),
    }


def _titled(notifications) -> list:
    notifications = list(notifications)
    for notification in notifications:
        notification.title = render_title(kind=notification.kind, context=notification.context)
    return notifications


@login_required
def founder_home(request: HttpRequest) -> HttpResponse:
    startups, calls = pipeline_selectors.founder_dashboard(request.user)
    return render(
        request,
        "incubator/founder_home.html",
        {"startups": startups, "calls": calls, "todo": founder_todo(startups, calls)},
    )


ENDED_STAGES = {"rejected", "withdrawn", "exited", "alumni"}


def founder_todo(startups, calls) -> list[pipeline_selectors.TodoItem]:
    """What the founder should do next, most urgent first."""
    todo: list[pipeline_selectors.TodoItem] = []
    if not startups:
        todo.append(pipeline_selectors.TodoItem(_("Create your startup's profile."), reverse("startup-new")))
    for entry in startups:
        applied_calls = {application.call_id for application, _status in entry.applications}
        for application, status in entry.applications:
            if status != "draft" or not application.call.is_open:
                continue
            if not application.pitch_deck:
                todo.append(
                    pipeline_selectors.TodoItem(
                        _("Upload the pitch deck for “%(call)s”.") % {"call": application.call.title_text},
                        reverse("application-edit", args=[application.pk]),
                        application.call.closes_at,
                    )
                )
            todo.append(
                pipeline_selectors.TodoItem(
                    _("Finish and submit the application to “%(call)s”.")
                    % {"call": application.call.title_text},
                    reverse("application-edit", args=[application.pk]),
                    application.call.closes_at,
                )
            )
        if entry.view.stage in ("application", "rejected", "withdrawn"):
            for call in calls:
                if call.pk not in applied_calls:
                    todo.append(
                        pipeline_selectors.TodoItem(
                            _("Apply with %(startup)s to “%(call)s”.")
                            % {"startup": entry.startup.name, "call": call.title_text},
                            reverse("call-detail", args=[call.slug]),
                            call.closes_at,
                        )
                    )
        for period in entry.missing_reports:
            todo.append(
                pipeline_selectors.TodoItem(
                    _("Send the monthly report of %(startup)s for %(month)s.")
                    % {"startup": entry.startup.name, "month": month_in_text(period)},
                    reverse("kpi-report", args=[entry.startup.pk, period.year, period.month]),
                    report_due_date(period),
                )
            )
        for milestone in entry.open_milestones:
            if milestone.decided_at is not None:
                text = _("Answer the mentor on “%(milestone)s”: the evidence was sent back.")
            else:
                text = _("Reach the milestone “%(milestone)s” and submit its evidence.")
            todo.append(
                pipeline_selectors.TodoItem(
                    text % {"milestone": milestone.title},
                    reverse("milestone-detail", args=[milestone.pk]),
                    milestone.due_on,
                )
            )
        # A team is worth growing while the startup is in the running or in the programme.
        if len(entry.startup.member_ids()) == 1 and entry.view.stage not in ENDED_STAGES:
            todo.append(
                pipeline_selectors.TodoItem(
                    _("Invite your co-founders to %(startup)s.") % {"startup": entry.startup.name},
                    reverse("startup-team", args=[entry.startup.pk]),
                )
            )
    return sorted(todo, key=lambda item: (item.due is None, _as_date(item.due)))


def _as_date(value) -> date:
    if value is None:
        return date.max
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value
