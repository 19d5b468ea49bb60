from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext

from incubator.formatting import weight_text
from incubator.models import Startup

from ..models import Application

register = template.Library()

STAGE_COLOURS = {
    "application": "secondary",
    "incubation": "info",
    "acceleration": "primary",
    "funding": "success",
    "alumni": "dark",
    "rejected": "danger",
    "withdrawn": "warning",
    "exited": "danger",
}
STATUS_COLOURS = {
    "draft": "light",
    "submitted": "secondary",
    "in_review": "info",
    "accepted": "success",
    "rejected": "danger",
    "waitlisted": "warning",
    "withdrawn": "warning",
}


def _badge(colour: str, label: str):
    text = " text-dark" if colour in ("light", "warning", "info") else ""
    return format_html('<span class="badge text-bg-{}{} stage-badge">{}</span>', colour, text, label)


@register.simple_tag
def stage_badge(stage: str):
    label = dict(Startup._meta.get_field("stage").choices).get(stage, stage)
    return _badge(STAGE_COLOURS.get(stage, "secondary"), label)


@register.simple_tag
def status_badge(status: str):
    label = dict(Application._meta.get_field("status").choices).get(status, status)
    return _badge(STATUS_COLOURS.get(status, "secondary"), label)


@register.filter
def month_in_text(day):
    """A month and year inside a sentence: "отчёт за сентябрь 2026", not "за Сентябрь"."""
    from incubator.months import month_in_text as in_text

    return in_text(day)


@register.filter
def index(container, key):
    """``container[key]`` for a list index or a dict key; empty when missing."""
    try:
        return container[key]
    except (IndexError, KeyError, TypeError):
        return ""


@register.filter
def phase_label(phase: str) -> str:
    """A development phase's name (``preclinical`` → “Preclinical”), in the page's language."""
    from incubator.models import DevelopmentPhase

    return str(dict(DevelopmentPhase.choices).get(phase, phase))


@register.filter
def stage_label(stage: str) -> str:
    """A startup stage's name (``alumni`` → “Alumni”), in the page's language."""
    from pipeline.machines import Stage

    return str(dict(Stage.choices).get(stage, stage))


@register.filter
def weight(value) -> str:
    """A rubric weight: 3, 1.5, 1.25 (see ``incubator.formatting.weight_text``)."""
    return weight_text(value)


@register.filter
def figure(value) -> str:
    """A reported figure as it reads: grouped digits, decimals only when there are any, 0 as 0,
    and "—" only for nothing reported."""
    if value is None or value == "":
        return "—"
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return floatformat(value, "-2g")
    return value


@register.filter
def moscow_datetime(value) -> str:
    """A moment in the site's time zone with the zone named, as e-mails read away from the site
    must say it: "5 March 2026, 9:00 (Moscow time)"."""
    if not value:
        return ""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return str(value)
    return f"{date_format(timezone.localtime(moment), 'DATETIME_FORMAT')} {gettext('(Moscow time)')}"


@register.filter
def status_for(application, user) -> str:
    """The status of ``application`` as ``user`` may know it (a held decision stays hidden from
    everyone but the managers), as its code: ``{{ application|status_for:user }}``."""
    return application.status_shown_to(user)


@register.filter
def status_label(status: str) -> str:
    """An application status's name (``waitlisted`` → “Waitlisted”), in the page's language."""
    from pipeline.models import ApplicationStatus

    return str(dict(ApplicationStatus.choices).get(status, status))
