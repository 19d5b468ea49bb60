from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .forms_base import BootstrapForm, BootstrapModelForm
from .models import Organisation, ReviewerProfile, Startup, User
from .models.startups import PHASES_BY_PRODUCT_TYPE, DevelopmentPhase, ProductType


class SignUpForm(BootstrapForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _(
                    "An account with this e-mail address already exists. "
                    "Log in, or reset the password if you forgot it."
                ),
                code="duplicate",
            )
        return email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ResendConfirmationForm(BootstrapForm):
    email = forms.EmailField(label=_("E-mail address"))


class StartupForm(BootstrapModelForm):
    affiliations = forms.ModelMultipleChoiceField(
        label=_("Affiliations with member organisations"),
        queryset=Organisation.objects.filter(is_member=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Startup
        fields = [
            "name",
            "summary",
            "therapeutic_area",
            "product_type",
            "development_phase",
            "trl",
            "website",
            "founded_on",
            "affiliations",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "trl": forms.NumberInput(attrs={"min": 1, "max": 9}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapeutic_area"].required = True
        self.fields["development_phase"].help_text = _(
            "Drugs: discovery to clinical phases; devices: concept to clinical investigation; diagnostics: "
            "assay development to clinical validation; then registration and market for all."
        )

    def clean(self):
        cleaned = super().clean()
        product, phase = cleaned.get("product_type"), cleaned.get("development_phase")
        if product and phase and phase not in PHASES_BY_PRODUCT_TYPE[product]:
            allowed = ", ".join(str(DevelopmentPhase(p).label) for p in PHASES_BY_PRODUCT_TYPE[product])
            self.add_error(
                "development_phase",
                _("For %(type)s the phase is one of: %(phases)s.")
                % {"type": str(ProductType(product).label).lower(), "phases": allowed},
            )
        return cleaned


class InvitationForm(BootstrapForm):
    email = forms.EmailField(label=_("Co-founder's e-mail address"))


class ReviewerProfileForm(BootstrapModelForm):
    class Meta:
        model = ReviewerProfile
        fields = ["expertise", "capacity_per_call", "bio"]
        widgets = {"expertise": forms.CheckboxSelectMultiple, "bio": forms.Textarea(attrs={"rows": 3})}


class ConflictForm(BootstrapForm):
    startup = forms.ModelChoiceField(
        label=_("Startup"), queryset=Startup.objects.order_by("name"), required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name"), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("startup") and not cleaned.get("organisation"):
            raise forms.ValidationError(_("Choose a startup or an organisation."))
        return cleaned
