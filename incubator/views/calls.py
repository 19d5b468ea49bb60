from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from pipeline.selectors import open_calls

from ..models import Call


def call_list(request: HttpRequest) -> HttpResponse:
    startups = []
    if request.user.is_authenticated:
        startups = list(request.user.startups.all())
    return render(request, "incubator/call_list.html", {"calls": open_calls(), "startups": startups})


def call_detail(request: HttpRequest, slug: str) -> HttpResponse:
    call = get_object_or_404(Call.objects.prefetch_related("criteria"), slug=slug)
    startups, applied = [], {}
    if request.user.is_authenticated:
        startups = list(request.user.startups.all())
        applied = dict(call.applications.filter(startup__in=startups).values_list("startup_id", "pk"))
    return render(
        request,
        "incubator/call_detail.html",
        {"call": call, "startups": [(s, applied.get(s.pk)) for s in startups]},
    )
