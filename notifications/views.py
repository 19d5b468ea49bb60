"""Pages of the notifications app: the notification centre, preferences, one-click unsubscribe
and the managers' list of e-mails that could not be sent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.signing import BadSignature
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from incubator.access import manager_required

from . import selectors, services
from .forms import PreferencesForm
from .kinds import OPTIONAL_KINDS, spec_for
from .models import Notification, OutboxMessage
from .rendering import render_title
from .tokens import unsubscribe_token_read

PAGE_SIZE = 50


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    return redirect(target or "notifications:centre")


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_of(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for notification in page.object_list:
        notification.title = render_title(kind=notification.kind, context=notification.context)
    # A number, not the context processor's lazy one: the plural form of the count is chosen
    # with arithmetic on it (Russian's formula uses %).
    unread = selectors.unread_count(user=request.user)
    return render(request, "notifications/centre.html", {"page": page, "unread_notifications": unread})


@login_required
def unread_badge(request: HttpRequest) -> HttpResponse:
    """The header's unread count, fetched by htmx after the page loads (``unread_notifications``
    comes from the context processor)."""
    return render(request, "notifications/_unread_badge.html")


def _read(request: HttpRequest, pk: int) -> Notification:
    """Mark one of the person's notifications read; 404 for anyone else's."""
    try:
        return services.notification_mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist as error:
        raise Http404 from error


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link from the centre: it counts as read from then on."""
    notification = _read(request, pk)
    target = notification.url
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    return redirect(target or "notifications:centre")


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = _read(request, pk)
    if request.htmx:
        notification.title = render_title(kind=notification.kind, context=notification.context)
        # The row, and the centre's "N unread" beside the heading (swapped out of band).
        context = {
            "notification": notification,
            "oob_unread": True,
            "unread_count": selectors.unread_count(user=request.user),
        }
        response = render(request, "notifications/_notification.html", context)
        # The header's badge listens for this event and fetches the new count.
        response["HX-Trigger"] = "notifications-read"
        return response
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return _back(request)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    rows = selectors.preferences_of(user=request.user)
    form = PreferencesForm(request.POST if request.method == "POST" else None, rows=rows)
    if request.method == "POST" and form.is_valid():
        services.preferences_update(
            user=request.user, shown_kinds=form.shown_kinds, enabled_kinds=form.enabled_kinds
        )
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# Mail clients send the RFC 8058 one-click request as a POST without a CSRF token; the signed
# token is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        unsubscribe_request = unsubscribe_token_read(token)
    except BadSignature:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    kind = unsubscribe_request.kind
    if kind not in OPTIONAL_KINDS:
        return render(request, "notifications/unsubscribe_invalid.html", {"mandatory": True}, status=400)
    context = {"token": token, "kind_label": spec_for(kind).label}
    # A GET only asks: link checkers in mail systems open links, and must not unsubscribe anyone.
    if request.method == "GET":
        return render(request, "notifications/unsubscribe_confirm.html", context)
    try:
        services.unsubscribe_apply(token=token)
    except BadSignature:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    return render(request, "notifications/unsubscribe_done.html", context)


@manager_required
def outbox_problems(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    if status not in ("", OutboxMessage.Status.FAILED, "retrying"):
        status = ""
    page = Paginator(selectors.outbox_problems(status=status or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/outbox_problems.html", {"page": page, "status": status})
