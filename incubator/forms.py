import json

from django import forms
from django.contrib.auth import password_validation
from django.db.models import Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .forms_base import BootstrapForm, BootstrapModelForm
from .models import (
    FundingRecord,
    InvestmentReadinessReview,
    KpiReport,
    Organisation,
    ReviewerProfile,
    Startup,
    User,
)
from .models.portfolio import LEDGER_MAX, POSITIVE_AMOUNT, TRANCHES_OVER_AMOUNT, funding_date_problem
from .models.startups import PHASES_BY_PRODUCT_TYPE, DevelopmentPhase, ProductType
from .services.portfolio import milestone_due_problem, milestone_problems

# Organisations are listed as they are shown: by short name where they have one.
BY_SHOWN_NAME = [Coalesce(NullIf("short_name", Value("")), "name"), "name"]


class SignUpForm(BootstrapForm):
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        # Lazy, so the rules are listed in the reader's language, not the one active at import.
        help_text=lazy(password_validation.password_validators_help_text_html, SafeString)(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        # An address already registered is not refused here: the page must not tell who has an
        # account (``user_sign_up`` writes to that address instead).
        return User.objects.normalize_email(self.cleaned_data["email"]).strip().lower()

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
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class StartupForm(BootstrapModelForm):
    affiliations = forms.ModelMultipleChoiceField(
        label=_("Affiliations with member organisations"),
        queryset=Organisation.objects.filter(is_member=True).order_by(*BY_SHOWN_NAME),
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
        if "trl" in self.fields:
            # The field's own lower bound (0, a positive integer's) would replace the widget's.
            self.fields["trl"].widget.attrs.update({"min": 1, "max": 9})
        if "development_phase" in self.fields:
            # static/js/phases.js offers only the phases of the chosen product type.
            self.fields["development_phase"].widget.attrs["data-phases-by-type"] = json.dumps(
                PHASES_BY_PRODUCT_TYPE
            )
            self.fields["development_phase"].help_text = _(
                "Drugs: discovery to clinical phases; devices: concept to clinical investigation; "
                "diagnostics: assay development to clinical validation; then registration and market."
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
        label=_("Organisation"), queryset=Organisation.objects.order_by(*BY_SHOWN_NAME), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("startup") and not cleaned.get("organisation"):
            raise forms.ValidationError(_("Choose a startup or an organisation."))
        return cleaned


class StartupEditForm(StartupForm):
    """Editing a profile: readiness level and phase change only through a recorded readiness
    change, with evidence."""

    class Meta(StartupForm.Meta):
        fields = [
            "name",
            "summary",
            "therapeutic_area",
            "product_type",
            "website",
            "founded_on",
            "affiliations",
        ]

    def clean(self):
        cleaned = super(StartupForm, self).clean()
        product = cleaned.get("product_type")
        if product and self.instance.development_phase not in PHASES_BY_PRODUCT_TYPE[product]:
            self.add_error(
                "product_type",
                _(
                    "The current development phase does not fit this product type; "
                    "record a readiness change first."
                ),
            )
        return cleaned


class MilestoneEditForm(BootstrapForm):
    """Correcting a milestone: its stage stays (the stage gate counts it)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    required_evidence = forms.CharField(
        label=_("Evidence required"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, milestone=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone = milestone

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if self.milestone is None:  # a new one: MilestoneForm.clean() checks it with the rest
            return due_on
        if problem := milestone_due_problem(current=self.milestone.due_on, due_on=due_on):
            raise forms.ValidationError(problem)
        return due_on


class MilestoneForm(MilestoneEditForm):
    """Setting a milestone: the fields of a correction, and the stage whose gate it counts for."""

    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("incubation", _("Incubation")), ("acceleration", _("Acceleration"))]
    )
    field_order = ["stage", "title", "due_on", "description", "required_evidence"]

    def __init__(self, *args, startup, **kwargs):
        super().__init__(*args, **kwargs)
        self.startup = startup
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()
        if startup.stage != "incubation":
            self.fields["stage"].choices = [("acceleration", _("Acceleration"))]

    def clean(self):
        cleaned = super().clean()
        problems = milestone_problems(
            startup=self.startup, stage=cleaned.get("stage", ""), due_on=cleaned.get("due_on")
        )
        for name, message in problems.items():
            self.add_error(name, message)
        return cleaned


class EvidenceForm(BootstrapForm):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(
        label=_("File (PDF, up to 20 MB)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            from pipeline.documents import validate_pdf

            validate_pdf(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("note", "").strip() and not cleaned.get("file"):
            raise forms.ValidationError(_("Add a file or write a note."))
        return cleaned


class ReadinessForm(EvidenceForm):
    trl = forms.TypedChoiceField(
        label=_("Technology readiness level"), coerce=int, choices=[(n, str(n)) for n in range(1, 10)]
    )
    phase = forms.ChoiceField(label=_("Development phase"))
    field_order = ["trl", "phase", "note", "file"]

    def __init__(self, *args, startup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [
            (p, DevelopmentPhase(p).label) for p in PHASES_BY_PRODUCT_TYPE[startup.product_type]
        ]
        self.fields["phase"].widget.attrs["class"] = "form-select"
        self.fields["trl"].widget.attrs["class"] = "form-select"
        self.fields["note"].label = _("What shows the progress")
        self.fields["trl"].help_text = _(
            "A lower level or an earlier phase is recorded as a step back: say in the evidence what happened."
        )


class InvestmentReviewForm(BootstrapModelForm):
    class Meta:
        model = InvestmentReadinessReview
        fields = ["verdict", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}


class KpiReportForm(BootstrapModelForm):
    class Meta:
        model = KpiReport
        fields = KpiReport.FIGURES
        widgets = {
            "clinical_regulatory_progress": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        for name in ("revenue", "grants_received"):
            if cleaned.get(name) is not None and cleaned[name] < 0:
                self.add_error(name, _("The amount cannot be negative."))
        return cleaned


class FundingForm(BootstrapModelForm):
    class Meta:
        model = FundingRecord
        fields = [
            "kind",
            "title",
            "date",
            "amount",
            "currency",
            "investor",
            "investor_name",
            "from_programme",
            "note",
        ]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}), "note": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "kind": {"required": _("Choose the kind: a grant, an equity round or a loan.")},
            "date": {"required": _("Give the date the funding was secured.")},
            "amount": {"required": _("Give the amount.")},
        }

    def __init__(self, *args, startup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investor"].queryset = Organisation.objects.filter(is_member=True).order_by(
            *BY_SHOWN_NAME
        )
        # Funding is recorded once secured (``not_in_the_future``); the picker stops at today.
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        if startup.founded_on:
            self.fields["date"].widget.attrs["min"] = startup.founded_on.isoformat()
        self.fields["amount"].widget.attrs["min"] = "0.01"
        self.startup = startup
        milestones = [(m.pk, str(m)) for m in startup.milestones.all()]
        for n in range(1, 4):
            self.fields[f"tranche_{n}_amount"] = forms.DecimalField(
                label=_("Tranche %(n)d amount") % {"n": n},
                required=False,
                max_digits=16,
                max_value=LEDGER_MAX,
                decimal_places=2,
            )
            self.fields[f"tranche_{n}_amount"].widget.attrs["min"] = "0.01"
            self.fields[f"tranche_{n}_milestone"] = forms.TypedChoiceField(
                label=_("Tranche %(n)d paid on reaching") % {"n": n},
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "—"), *milestones],
            )
            self.fields[f"tranche_{n}_amount"].widget.attrs["class"] = "form-control"
            self.fields[f"tranche_{n}_milestone"].widget.attrs["class"] = "form-select"

    def clean(self):
        """Every problem at once, before the ledger's own checks (``funding_record_create``)."""
        cleaned = super().clean()
        investor, name = cleaned.get("investor"), (cleaned.get("investor_name") or "").strip()
        if investor is not None and name:
            self.add_error(
                "investor_name",
                _("Choose a member organisation or type another name, not both: the record has one source."),
            )
        elif investor is None and not name and not cleaned.get("from_programme"):
            self.add_error(
                "investor", _("Name the investor or grantor: a member organisation or another name.")
            )
        for n in range(1, 4):
            tranche = cleaned.get(f"tranche_{n}_amount")
            if tranche is not None and tranche <= 0:
                self.add_error(
                    f"tranche_{n}_amount",
                    _("A tranche's amount must be more than zero; leave it empty for no tranche."),
                )
            elif tranche is None and cleaned.get(f"tranche_{n}_milestone"):
                self.add_error(
                    f"tranche_{n}_amount",
                    _("Give this tranche's amount, or clear the milestone it is paid on reaching."),
                )
        amount = cleaned.get("amount")
        planned = sum((cleaned.get(f"tranche_{n}_amount") or 0 for n in range(1, 4)), 0)
        if amount is not None and amount <= 0:
            self.add_error("amount", POSITIVE_AMOUNT)
        elif amount is not None and planned > amount:
            self.add_error("amount", TRANCHES_OVER_AMOUNT)
        day = cleaned.get("date")
        problem = day and funding_date_problem(self.startup, day)
        if problem:
            self.add_error("date", problem)
        return cleaned

    def tranches(self) -> list[dict]:
        from .models import Milestone

        result = []
        for n in range(1, 4):
            amount = self.cleaned_data.get(f"tranche_{n}_amount")
            if amount:
                milestone_id = self.cleaned_data.get(f"tranche_{n}_milestone")
                milestone = (
                    Milestone.objects.filter(pk=milestone_id, startup=self.startup).first()
                    if milestone_id
                    else None
                )
                result.append({"amount": amount, "milestone": milestone})
        return result


class AccountForm(BootstrapModelForm):
    """What a person says about themselves, and the language of their pages and e-mails."""

    class Meta:
        model = User
        # Not the organisation: it decides which startups a reviewer has a conflict with, so the
        # cluster's managers keep it (in the admin).
        fields = ["full_name", "position", "language"]
        help_texts = {"language": _("Pages open in it when you log in, and your e-mails are written in it.")}
        error_messages = {"full_name": {"required": _("Write your name as colleagues know it.")}}
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "position": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }
