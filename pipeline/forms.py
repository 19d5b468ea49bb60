from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from incubator.forms_base import BootstrapForm, BootstrapModelForm

from .documents import validate_pdf
from .models import Application


class TransitionForm(BootstrapForm):
    """What a person sends to fire a transition: which, the state they saw, and why."""

    transition = forms.CharField(widget=forms.HiddenInput, max_length=50)
    expected_state = forms.CharField(widget=forms.HiddenInput, max_length=20)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    override = forms.BooleanField(label=_("Override the gate (reason required)"), required=False)


class PdfField(forms.FileField):
    """A file field that accepts only a readable PDF within the upload limit."""

    widget = forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"})

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and value is not initial and hasattr(value, "size"):
            try:
                validate_pdf(value)
            except ValidationError as error:
                raise forms.ValidationError(error.messages, code=error.code) from error
        return value


class ApplicationForm(BootstrapModelForm):
    """The founder's answers; every field may be empty in a draft, and the submit guard lists
    what is still missing."""

    version = forms.CharField(widget=forms.HiddenInput)
    new_pitch_deck = PdfField(
        label=_("Pitch deck (PDF, up to 20 MB)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = Application
        fields = [
            "problem",
            "solution",
            "science_ip",
            "regulatory_path",
            "market",
            "team_description",
            "funding_needed",
            "use_of_funds",
        ]
        help_texts = {
            "problem": _("Which patients or clinicians have the problem, and how serious is it?"),
            "solution": _("What you make and how it works."),
            "science_ip": _("Your data so far, publications, patents and freedom to operate."),
            "regulatory_path": _("How the product will be registered, and what stands in the way."),
            "market": _("Who pays, how many of them, and who else competes."),
            "team_description": _("Who does what, full or part time, and who is missing."),
            "funding_needed": _("In roubles."),
            "use_of_funds": _("What the money pays for, in which order."),
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 4, "maxlength": 4000})
            for name in [
                "problem",
                "solution",
                "science_ip",
                "regulatory_path",
                "market",
                "team_description",
                "use_of_funds",
            ]
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funding_needed"].widget.attrs.update({"min": 0, "step": "1000"})
        self.fields["funding_needed"].min_value = 0

    def clean_funding_needed(self):
        value = self.cleaned_data.get("funding_needed")
        if value is not None and value < 0:
            raise forms.ValidationError(_("The amount cannot be negative."))
        return value


class DocumentForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = PdfField(label=_("File (PDF, up to 20 MB)"))


class WithdrawForm(BootstrapForm):
    expected_state = forms.CharField(widget=forms.HiddenInput, max_length=20)
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional, the cluster managers will see it)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
