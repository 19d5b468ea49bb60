from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from .. import ratelimits
from ..access import manager_required
from ..forms import InvitationForm, StartupEditForm, StartupForm
from ..models import Invitation, MentorAssignment, Startup, User
from ..services import (
    InvitationError,
    MentorError,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
    mentor_assign,
    mentor_unassign,
    startup_create,
    startup_update,
)


def _own_startup(request: HttpRequest, pk: int) -> Startup:
    """A startup the user is on the team of; 404 for anyone else's, so ids reveal nothing."""
    startup = Startup.objects.filter(pk=pk, memberships__user=request.user).first()
    if startup is None:
        raise Http404
    return startup


def _profile(form: StartupForm) -> dict:
    data = dict(form.cleaned_data)
    data.pop("affiliations", None)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def startup_new(request: HttpRequest) -> HttpResponse:
    form = StartupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        startup = startup_create(
            founder=request.user, affiliations=list(form.cleaned_data["affiliations"]), **_profile(form)
        )
        messages.success(
            request,
            _("%(startup)s is created. Next: invite your co-founders, then apply to an open call.")
            % {"startup": startup.name},
        )
        return redirect("startup-team", pk=startup.pk)
    return render(request, "incubator/startup_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def startup_edit(request: HttpRequest, pk: int) -> HttpResponse:
    startup = _own_startup(request, pk)
    # The form edits its own copy: after a refused save the page still names the startup as saved.
    form = StartupEditForm(request.POST or None, instance=Startup.objects.get(pk=startup.pk))
    if request.method == "POST" and not form.is_valid():
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
    elif request.method == "POST":
        startup_update(
            startup=startup,
            actor=request.user,
            affiliations=list(form.cleaned_data["affiliations"]),
            **_profile(form),
        )
        messages.success(request, _("The profile is saved."))
        return redirect("startup-detail", pk=startup.pk)
    return render(
        request, "incubator/startup_form.html", {"form": form, "startup": startup, "creating": False}
    )


@login_required
@require_http_methods(["GET", "POST"])
def startup_team(request: HttpRequest, pk: int) -> HttpResponse:
    startup = _own_startup(request, pk)
    form = InvitationForm(request.POST or None)
    limited = request.method == "POST" and form.is_valid() and ratelimits.count(request, "invitation")
    if limited:
        form.add_error("email", ratelimits.message("invitation"))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(
                startup=startup, email=form.cleaned_data["email"], invited_by=request.user
            )
        except InvitationError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "We sent an invitation to %(email)s. The link works for %(days)d day.",
                    "We sent an invitation to %(email)s. The link works for %(days)d days.",
                    settings.INVITATION_MAX_AGE_DAYS,
                )
                % {"email": invitation.email, "days": settings.INVITATION_MAX_AGE_DAYS},
            )
            return redirect("startup-team", pk=startup.pk)
    return render(
        request,
        "incubator/startup_team.html",
        {
            "startup": startup,
            "form": form,
            "members": startup.memberships.select_related("user").order_by("joined_at"),
            "invitations": startup.invitations.filter(accepted_at=None, revoked_at=None),
        },
        status=429 if limited else 200,
    )


@login_required
@require_POST
def invitation_revoke_view(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    startup = _own_startup(request, pk)
    invitation = get_object_or_404(Invitation, pk=invitation_pk, startup=startup)
    invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect("startup-team", pk=startup.pk)


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_for_token(token)
    except InvitationError as error:
        return render(request, "incubator/invitation.html", {"error": str(error)}, status=400)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            startup = invitation_accept(token=token, user=request.user)
        except InvitationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("You joined %(startup)s.") % {"startup": startup.name})
            return redirect("startup-detail", pk=startup.pk)
    here = reverse("invitation-accept", args=[token])
    return render(
        request,
        "incubator/invitation.html",
        {
            "invitation": invitation,
            "email_matches": request.user.is_authenticated
            and request.user.email.lower() == invitation.email.lower(),
            "login_url": f"{reverse('login')}?next={here}",
            "signup_url": f"{reverse('signup')}?next={here}&email={invitation.email}",
        },
    )


@manager_required
@require_POST
def mentor_add(request: HttpRequest, pk: int) -> HttpResponse:
    startup = get_object_or_404(Startup, pk=pk)
    chosen = request.POST.get("mentor", "")
    mentor = (
        User.objects.filter(pk=int(chosen), is_mentor=True).first()
        if chosen.isdecimal() and len(chosen) < 12
        else None
    )
    if mentor is None:
        messages.error(request, _("Choose a mentor from the list."))
        return redirect("startup-detail", pk=startup.pk)
    try:
        mentor_assign(startup=startup, mentor=mentor, actor=request.user)
    except MentorError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s now mentors %(startup)s; they and the team are told.")
            % {"name": mentor, "startup": startup.name},
        )
    return redirect("startup-detail", pk=startup.pk)


@manager_required
@require_POST
def mentor_remove(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(MentorAssignment.objects.select_related("startup", "mentor"), pk=pk)
    mentor_unassign(assignment=assignment, actor=request.user)
    messages.success(
        request,
        _("%(name)s no longer mentors %(startup)s.")
        % {"name": assignment.mentor, "startup": assignment.startup.name},
    )
    return redirect("startup-detail", pk=assignment.startup_id)
