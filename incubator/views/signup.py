from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import ratelimits
from ..forms import ResendConfirmationForm, SignUpForm
from ..services import SignupLinkError, user_confirm_email, user_resend_confirmation, user_sign_up
from .accounts import set_language_cookie


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = SignUpForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid() and ratelimits.count(request, "signup"):
        form.add_error(None, ratelimits.message("signup"))
        return render(request, "incubator/signup.html", {"form": form, "next": next_url}, status=429)
    if request.method == "POST" and form.is_valid():
        user_sign_up(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
            next_url=next_url,
            language=request.LANGUAGE_CODE,
        )
        # The same answer whether the address was new or already registered.
        request.session["signup_email"] = form.cleaned_data["email"]
        return redirect("signup-done")
    return render(request, "incubator/signup.html", {"form": form, "next": next_url})


def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "incubator/signup_done.html", {"email": request.session.get("signup_email", "")})


def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user, next_url, newly_confirmed = user_confirm_email(token=token)
    except SignupLinkError as error:
        return render(
            request,
            "incubator/signup_confirm_failed.html",
            {"error": str(error), "form": ResendConfirmationForm()},
            status=400,
        )
    if not newly_confirmed and request.user.is_authenticated and request.user.pk == user.pk:
        messages.info(request, _("Your e-mail address is already confirmed."))
        return redirect(next_url or "home")
    if not newly_confirmed:
        messages.info(request, _("Your e-mail address is already confirmed. Log in to continue."))
        return redirect(f"{reverse('login')}?next={next_url}" if next_url else "login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if user.language:
        # The link may be opened in another browser: the pages open in the language of the signup.
        translation.activate(user.language)
    messages.success(request, _("Your e-mail address is confirmed. Welcome!"))
    response = redirect(next_url or "founder-home")
    if user.language:
        set_language_cookie(response, user.language)
    return response


@require_http_methods(["GET", "POST"])
def signup_resend(request: HttpRequest) -> HttpResponse:
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and ratelimits.count(request, "signup"):
        form.add_error(None, ratelimits.message("signup"))
        return render(request, "incubator/signup_resend.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        user_resend_confirmation(email=form.cleaned_data["email"])
        request.session["signup_email"] = form.cleaned_data["email"]
        return redirect("signup-done")
    return render(request, "incubator/signup_resend.html", {"form": form})
