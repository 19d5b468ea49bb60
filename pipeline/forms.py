from django import forms
from django.utils.translation import gettext_lazy as _

from incubator.forms_base import BootstrapForm


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
