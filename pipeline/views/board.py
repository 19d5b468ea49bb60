"""The kanban board: one column per stage of the main line; moving a card fires the stage
transition through the transition service, and a refused move says why and leaves the card."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incubator.access import manager_required
from incubator.models import InvestmentReadinessReview, Startup
from incubator.params import id_from

from ..exceptions import TransitionError
from ..machines import PIPELINE_STAGES, GateProgress, Stage
from ..selectors.dashboard import DashboardFilters, filter_options
from ..services import is_final, permitted_transitions, startup_transition

CARDS_PER_COLUMN = 50


def _forward_moves(startup: Startup, user) -> list:
    """The moves a card offers: the manager's transitions to the next stage of the main line."""
    order = list(PIPELINE_STAGES)
    if startup.stage not in order or startup.stage == order[-1]:
        return []
    following = order[order.index(startup.stage) + 1]
    return [option for option in permitted_transitions(startup, user) if option.target == following]


def _with_gates(startups: QuerySet[Startup]) -> QuerySet[Startup]:
    """The counts a card's gate progress reads, in the cards' own query."""
    here = Q(milestones__stage=F("stage"))
    latest = InvestmentReadinessReview.objects.filter(startup=OuterRef("pk")).order_by("-created_at", "-id")
    return startups.annotate(
        milestones_set=Count("milestones", filter=here),
        milestones_accepted=Count("milestones", filter=here & Q(milestones__status="accepted")),
        investment_verdict=Subquery(latest.values("verdict")[:1]),
    )


def _gate(startup: Startup) -> GateProgress:
    return GateProgress(
        stage=startup.stage,
        milestones_set=startup.milestones_set,
        milestones_accepted=startup.milestones_accepted,
        investment_verdict=startup.investment_verdict,
    )


def _board_filters(request: HttpRequest) -> DashboardFilters:
    """The filters the board shows (call and field). The dashboard's others (organisation, dates)
    are not on the board's form, so a link carrying them would narrow the board unseen."""
    return DashboardFilters(
        call_id=id_from(request.GET.get("call")), area_id=id_from(request.GET.get("area"))
    )


def _board_query(filters: DashboardFilters) -> str:
    """The query string that keeps the board's filters across a move."""
    shown = {"call": filters.call_id, "area": filters.area_id}
    return urlencode({name: value for name, value in shown.items() if value})


def board_context(request: HttpRequest, *, errors: dict[int, list[str]] | None = None) -> dict:
    filters = _board_filters(request)
    startups = filters.startups().filter(stage__in=PIPELINE_STAGES)
    counts = dict(startups.order_by().values_list("stage").annotate(n=Count("id")))
    labels = dict(Stage.choices)
    columns = []
    for stage in PIPELINE_STAGES:
        cards = list(
            _with_gates(startups.filter(stage=stage))
            .select_related("therapeutic_area")
            .order_by("stage_entered_at", "pk")[:CARDS_PER_COLUMN]
        )
        columns.append(
            {
                "stage": stage,
                "label": labels[stage],
                # No transition leaves it: dropping a card there asks first.
                "final": is_final(Startup, stage),
                "count": counts.get(stage, 0),
                "hidden": max(counts.get(stage, 0) - len(cards), 0),
                "cards": [
                    {
                        "startup": s,
                        "moves": _forward_moves(s, request.user),
                        "gate": _gate(s),
                        "errors": (errors or {}).get(s.pk, []),
                    }
                    for s in cards
                ],
            }
        )
    return {
        "columns": columns,
        "filters": filters,
        "options": filter_options(),
        "query": _board_query(filters),
    }


@manager_required
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "pipeline/board.html", board_context(request))


@manager_required
@require_POST
def board_move(request: HttpRequest) -> HttpResponse:
    """Move one card, by its button (``transition``) or by dropping it on a column (``target``)."""
    startup = get_object_or_404(Startup, pk=id_from(request.POST.get("startup")))
    name = request.POST.get("transition", "")
    target = request.POST.get("target", "")
    expected = request.POST.get("expected_state") or startup.stage
    errors: dict[int, list[str]] = {}
    if target and not name:
        matching = [o.name for o in permitted_transitions(startup, request.user) if o.target == target]
        if matching:
            name = matching[0]
        elif startup.stage == Stage.APPLICATION and target == Stage.INCUBATION:
            errors[startup.pk] = [
                _(
                    "%(startup)s enters incubation when its application is accepted: decide on it "
                    "from the call's ranking."
                )
                % {"startup": startup.name}
            ]
        elif target != startup.stage and is_final(Startup, startup.stage):
            errors[startup.pk] = [
                _("%(startup)s is in a final stage (%(stage)s): it does not move any more.")
                % {"startup": startup.name, "stage": startup.get_stage_display()}
            ]
        elif target != startup.stage:
            errors[startup.pk] = [
                _(
                    "%(startup)s cannot go from %(source)s to %(target)s on the board; open its page "
                    "to drop it from the pipeline or to override a gate."
                )
                % {
                    "startup": startup.name,
                    "source": startup.get_stage_display(),
                    "target": dict(Stage.choices).get(target, target),
                }
            ]
    if name and not errors:
        try:
            moved = startup_transition(
                startup=startup, name=name, actor=request.user, expected_stage=expected
            )
        except TransitionError as error:
            errors[startup.pk] = error.messages
        else:
            messages.success(
                request,
                _("%(startup)s: the stage is now “%(stage)s”.")
                % {"startup": moved.name, "stage": moved.get_stage_display()},
            )
    if request.htmx:
        return render(request, "pipeline/_board.html", board_context(request, errors=errors))
    for message_list in errors.values():
        for message in message_list:
            messages.error(request, message)
    query = _board_query(_board_filters(request))
    return redirect(reverse("manager-board") + (f"?{query}" if query else ""))
