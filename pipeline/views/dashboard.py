"""The managers' dashboard, its CSV exports, and the kanban board."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from incubator.access import manager_required
from incubator.models import Call
from incubator.params import id_from

from .. import selectors
from ..machines import PIPELINE_STAGES, Stage
from ..models import ApplicationStatus
from ..selectors.dashboard import DashboardFilters, manager_dashboard


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _date_range(request: HttpRequest) -> tuple[date | None, date | None, bool]:
    """The "from" and "to" dates, malformed ones as ``None``, swapped when given the wrong way
    round; and whether they were swapped."""
    date_from, date_to = _date(request.GET.get("from")), _date(request.GET.get("to"))
    if date_from and date_to and date_from > date_to:
        return date_to, date_from, True
    return date_from, date_to, False


def filters_from(request: HttpRequest) -> DashboardFilters:
    """The dashboard filters from the query string; anything malformed is ignored, and dates
    given the wrong way round are swapped (``date_notices`` says so on the page)."""
    date_from, date_to, _swapped = _date_range(request)
    return DashboardFilters(
        call_id=id_from(request.GET.get("call")),
        area_id=id_from(request.GET.get("area")),
        organisation_id=id_from(request.GET.get("org")),
        date_from=date_from,
        date_to=date_to,
    )


def date_notices(request: HttpRequest) -> list[str]:
    """What the page did with dates it could not take as given."""
    notices = []
    labels = {"from": _("From"), "to": _("To")}
    for name, label in labels.items():
        value = request.GET.get(name)
        if value and _date(value) is None:
            notices.append(
                _("“%(label)s” is not a date (%(value)s), so it is not applied.")
                % {"label": label, "value": Truncator(value).chars(20)}
            )
    if _date_range(request)[2]:
        notices.append(_("“From” was later than “To”; the dates are swapped."))
    return notices


@manager_required
def dashboard(request: HttpRequest) -> HttpResponse:
    filters = filters_from(request)
    data = manager_dashboard(filters)
    stage_labels = dict(Stage.choices)
    charts = {
        "funnel": {
            "labels": [str(stage_labels[s]) for s in PIPELINE_STAGES],
            "values": [data.stage_counts[s] for s in PIPELINE_STAGES],
        },
        "conversion": {
            "labels": [f"{row['source_label']} → {row['target_label']}" for row in data.conversion],
            "values": [
                round(100 * row["rate"], 1) if row["rate"] is not None else 0 for row in data.conversion
            ],
        },
        "stage_times": {
            "labels": [row.label for row in data.stage_times],
            "median": [row.median_days for row in data.stage_times],
            "p90": [row.p90_days for row in data.stage_times],
            "median_label": _("median"),
            "p90_label": _("90th percentile"),
        },
        "trl": {"labels": [str(level) for level in data.trl_mix], "values": list(data.trl_mix.values())},
        "scores": {
            "labels": [f"{n}–{n + 1}" for n in range(10)],
            "series": [{"label": row["title"], "values": row["bins"]} for row in data.score_distribution],
        },
    }
    return render(
        request,
        "pipeline/dashboard.html",
        {
            "data": data,
            "charts": charts,
            "stage_rows": [(s, stage_labels[s], data.stage_counts[s]) for s in Stage],
            "pipeline_stages": [(s, stage_labels[s]) for s in PIPELINE_STAGES],
            "statuses": [
                (status.value, status.label)
                for status in (
                    ApplicationStatus.DRAFT,
                    ApplicationStatus.SUBMITTED,
                    ApplicationStatus.IN_REVIEW,
                    ApplicationStatus.ACCEPTED,
                    ApplicationStatus.WAITLISTED,
                    ApplicationStatus.REJECTED,
                    ApplicationStatus.WITHDRAWN,
                )
            ],
            "phase_rows": sorted(
                ((selectors.phase_label(phase), n) for phase, n in data.phase_mix.items()),
                key=lambda row: -row[1],
            ),
            "recent": selectors.recent_transitions(limit=8, filters=filters),
            "query": request.GET.urlencode(),
            "date_notices": date_notices(request),
        },
    )


class _Echo:
    """A file-like object whose ``write`` returns the line, for streaming csv rows."""

    def write(self, value: str) -> str:
        return value


# A text cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# A plain number, such as a negative score: a spreadsheet reads it as a number, never a formula.
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_cell(value):
    """Text that a spreadsheet would run as a formula, quoted so it is shown as typed."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    """Stream rows as CSV, one line at a time. A byte-order mark first, so that spreadsheets open
    Cyrillic names as UTF-8; text that would run as a formula is quoted."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@manager_required
def dashboard_export(request: HttpRequest) -> StreamingHttpResponse:
    """The startups behind the filtered dashboard, one row each, streamed from the database."""
    filters = filters_from(request)
    header = [
        _("Startup"),
        _("Stage"),
        _("In stage since"),
        _("Field"),
        _("Product type"),
        _("Development phase"),
        _("TRL"),
        _("Affiliations"),
        _("Calls"),
        _("Founded"),
    ]
    stamp = timezone.localdate().isoformat()
    return csv_response(f"pipeline-{stamp}.csv", [str(h) for h in header], selectors.dashboard_rows(filters))


def fixed(value: float | None, places: int) -> str:
    """``value`` with ``places`` decimals, rounded half up as the pages' ``floatformat`` rounds
    (Python's format rounds 8.125 to 8.12 where the ranking page shows 8.13)."""
    if value is None:
        return ""
    return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@manager_required
def call_export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """A call's applications with their review figures, in ranking order, filtered and sorted
    as the ranking page that links here."""
    call = get_object_or_404(Call, slug=slug)
    filters = selectors.ranking_filters(request.GET)
    header = [
        _("Rank"),
        _("Startup"),
        _("Field"),
        _("Status"),
        _("Completed reviews"),
        _("Assigned reviewers"),
        _("Mean score (0–10)"),
        _("Normalised score"),
        _("Spread"),
        _("Flagged"),
        _("Submitted at"),
    ]

    def rows() -> Iterator[list]:
        for row in selectors.call_ranking(call, **filters):
            application = row.application
            yield [
                row.rank,
                application.startup.name,
                str(application.startup.therapeutic_area or ""),
                application.get_status_display(),
                row.completed,
                row.assigned,
                fixed(row.mean, 2),
                fixed(row.normalised, 3),
                fixed(row.spread, 2),
                _("yes") if row.flagged else "",
                timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M")
                if application.submitted_at
                else "",
            ]

    return csv_response(f"{call.slug}-applications.csv", [str(h) for h in header], rows())
