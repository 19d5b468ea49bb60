from django import forms
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..forms_base import BootstrapFormMixin
from ..models import User


class EmailAuthenticationForm(BootstrapFormMixin, AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("E-mail address")
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "type": "email"})

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


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True


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


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
