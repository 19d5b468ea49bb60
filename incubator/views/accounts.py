from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import i18n as i18n_views
from django.views.decorators.http import require_http_methods, require_POST

from .. import ratelimits
from ..forms import AccountForm
from ..forms_base import BootstrapFormMixin
from ..models import User
from ..services.accounts import user_account_update, user_language_set
from ..services.tokens import api_tokens_revoke_all


class EmailAuthenticationForm(BootstrapFormMixin, AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail address")
        widget = self.fields["username"].widget
        widget.input_type = "email"  # the widget's own type, not a second ``type`` attribute
        widget.attrs["autocomplete"] = "email"

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            # The right password for an account still waiting for its e-mail confirmation: say so
            # instead of the generic error, and offer the link again.
            email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
            pending = User.objects.filter(
                email__iexact=email or "", is_active=False, email_confirmed=False
            ).first()
            if pending is not None and password and pending.check_password(password):
                raise forms.ValidationError(
                    format_html(
                        _(
                            "Confirm your e-mail address first: follow the link we sent to {email}. "
                            '<a href="{resend}">Send the link again</a>.'
                        ),
                        email=pending.email,
                        resend=reverse("signup-resend"),
                    ),
                    code="unconfirmed",
                ) from None
            raise


def _refused(view, form, name: str) -> HttpResponse:
    """The form again with what was typed and the limit's message, as 429 Too Many Requests."""
    form.add_error(None, ratelimits.message(name))
    return view.render_to_response(view.get_context_data(form=form), status=429)


class LoginView(auth_views.LoginView):
    """Logging in by e-mail; failed attempts are limited (``incubator.ratelimits``)."""

    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if ratelimits.reached(request, "login"):
            # Not cleaned, so the password is not even checked: a right guess gets no further.
            form._errors, form.cleaned_data = ErrorDict(), {}
            return _refused(self, form, "login")
        if form.is_valid():
            return self.form_valid(form)
        ratelimits.count(request, "login")
        return self.form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        chosen = self.request.session.pop(CHOSEN_LOGGED_OUT, None)
        if chosen:
            # Chosen on the way to logging in: the person's language from now on.
            user_language_set(user=user, language=chosen)
        elif user.language:
            # Whatever an earlier visitor of this browser chose, the pages open in the language
            # this person chose before.
            set_language_cookie(response, user.language)
        return response


# The session key of a language chosen before logging in.
CHOSEN_LOGGED_OUT = "language_chosen_logged_out"


def set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice on a signed-in person's account:
    their e-mails are written in it, and it is theirs in every browser they log in from."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    else:
        # Kept for the login that may follow in this session (see LoginView).
        request.session[CHOSEN_LOGGED_OUT] = language
    return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            # The session is gone; the message travels in a cookie to the login page.
            messages.success(request, _("You are logged out."))
        return response


class ResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    pass


class NewPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetForm
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        if ratelimits.count(self.request, "password_reset"):
            return _refused(self, form, "password_reset")
        # The link names the site's public address, as every other e-mail does, not the Host
        # header of the request that asked for it.
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password after a reset: the account may have been in someone else's hands, so its
    personal API tokens are revoked too (other sessions end, as Django does)."""

    form_class = NewPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        revoked = api_tokens_revoke_all(user=form.user)
        if revoked:
            messages.info(
                self.request,
                ngettext(
                    "Your API token was revoked with the old password: create a new one if a "
                    "program needs it.",
                    "Your %(count)d API tokens were revoked with the old password: create new ones "
                    "for the programs that need them.",
                    revoked,
                )
                % {"count": revoked},
            )
        return response


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The person's own account: name, position, organisation and language; links to the password,
    e-mail preferences and API tokens."""
    # A copy: a form that fails validation must not leave its values on the signed-in user.
    form = AccountForm(request.POST or None, instance=User.objects.get(pk=request.user.pk))
    if request.method == "POST" and form.is_valid():
        user = user_account_update(user=form.instance, **form.cleaned_data)
        if user.language:
            translation.activate(user.language)  # the message is stored as text: in the language chosen
        messages.success(request, _("Your account is saved."))
        response = redirect("account")
        if user.language:
            set_language_cookie(response, user.language)
        else:  # back to the browser's language
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
        return response
    return render(request, "incubator/account.html", {"form": form})


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "incubator/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session logged in
        messages.success(self.request, _("Your password is changed."))
        return response
