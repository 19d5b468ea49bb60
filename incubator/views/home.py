from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from pipeline import selectors as pipeline_selectors
from pipeline.machines import Stage

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


@role_required("manager")
def manager_home(request: HttpRequest) -> HttpResponse:
    counts = pipeline_selectors.stage_counts()
    return render(
        request,
        "incubator/manager_home.html",
        {
            "stage_counts": [(stage, counts[stage.value]) for stage in Stage],
            "recent": pipeline_selectors.recent_transitions(),
            "startups": pipeline_selectors.startups_visible_to(request.user).order_by("name"),
        },
    )


@role_required("mentor")
def mentor_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "incubator/mentor_home.html",
        {
            "mentees": pipeline_selectors.startups_visible_to(request.user).filter(
                mentor_assignments__mentor=request.user
            )
        },
    )


@login_required
def founder_home(request: HttpRequest) -> HttpResponse:
    startups = list(
        pipeline_selectors.startups_visible_to(request.user).filter(memberships__user=request.user)
    )
    return render(request, "incubator/founder_home.html", {"startups": startups})
