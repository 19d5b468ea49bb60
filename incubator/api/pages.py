"""The account page where a person creates, sees and revokes their personal API tokens.

A new token is shown once, on the page that answers the creation (not after a redirect: the
secret must never travel through the session or a URL). Because that page answers a POST, the
browser offers to send the form again when it is refreshed; each form therefore carries a
one-time id, and a form whose id has already created a token creates no second one (the
database holds one token per form, so two clicks at once make one token too)."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from incubator.forms_base import BootstrapForm
from incubator.models import ApiToken
from incubator.services.tokens import TokenFormUsed, TokenNameTaken, api_token_create, api_token_revoke


class TokenForm(BootstrapForm):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, such as “reporting script” or “laptop”."),
    )


def _page(
    request: HttpRequest, form: TokenForm, new_key: str | None = None, status: int = 200
) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at", "-pk")
    return render(
        request,
        "incubator/tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key, "form_id": secrets.token_urlsafe(16)},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    form_id = request.POST.get("form_id", "")
    if not form_id or len(form_id) > 64:
        form.add_error(None, _("The form was out of date. Check the name and create the token again."))
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        token, key = api_token_create(user=request.user, name=form.cleaned_data["name"], form_id=form_id)
    except TokenFormUsed:
        messages.info(
            request,
            _(
                "That form has already created its token, so no second one was made. Its secret "
                "was shown once; if you did not copy it, revoke the token and create another."
            ),
        )
        return redirect("api-tokens")
    except TokenNameTaken:
        form.add_error(
            "name",
            _("You already have a token called “%(name)s”; give this one another name, to tell them apart.")
            % {"name": form.cleaned_data["name"].strip()},
        )
        return _page(request, form, status=400)
    messages.success(
        request,
        _("The token “%(name)s” is created. Copy it now: it will not be shown again.") % {"name": token.name},
    )
    return _page(request, TokenForm(), new_key=key)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api-tokens")
