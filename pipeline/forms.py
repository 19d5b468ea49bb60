from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incubator.formatting import weight_text
from incubator.forms_base import BootstrapForm, BootstrapModelForm
from incubator.models import Criterion, User
from incubator.services.notes import NOTE_LENGTH

from .documents import validate_pdf
from .models import Application, Review
from .services.assignment import DEFAULT_CAPACITY
from .services.reviews import review_version


class StartupNoteForm(BootstrapForm):
    body = forms.CharField(
        label=_("New note"),
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by the cluster's managers and the startup's mentors, never by its team."),
    )


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


class ReviewForm(BootstrapForm):
    """One score (and comment) per criterion of the call's rubric, then the overall fields."""

    comment_for_founders = forms.CharField(
        label=_("Comment for the founders"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to the founders, without your name, once the managers release the decision."),
    )
    confidential_note = forms.CharField(
        label=_("Confidential note for the managers"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the cluster managers see this."),
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        required=False,
        choices=[("", "—"), *list(Review.Recommendation.choices)],
    )
    confidence = forms.TypedChoiceField(
        label=_("Confidence"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *list(Review.Confidence.choices)],
    )

    # What the review was when the page was opened: a save from an older page is refused.
    version = forms.CharField(widget=forms.HiddenInput, required=False, empty_value=None)

    def __init__(self, *args, criteria, blind: bool = True, **kwargs):
        self.criteria = list(criteria)
        super().__init__(*args, **kwargs)
        # Who reads a criterion comment: under blind review the other reviewers only once they
        # have submitted their own (``other_reviews_for_reviewer``).
        if blind:
            comment_audience = _(
                "For the managers and the call's other reviewers once they have reviewed; "
                "not shown to the founders."
            )
        else:
            comment_audience = _(
                "For the managers and the call's other reviewers; not shown to the founders."
            )
        new_fields = {}
        for criterion in self.criteria:
            new_fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("%(name)s (weight %(weight)s)")
                % {"name": criterion.name_text, "weight": weight_text(criterion.weight)},
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "—")]
                + [(n, str(n)) for n in range(criterion.scale_min, criterion.scale_max + 1)],
                help_text=criterion.guidance_text,
            )
            new_fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(name)s”") % {"name": criterion.name_text},
                required=False,
                max_length=3000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=comment_audience,
            )
        self.fields = {**new_fields, **self.fields}
        # The mixin ran before these fields existed.
        for name in new_fields:
            widget = self.fields[name].widget
            widget.attrs["class"] = "form-select" if name.startswith("score_") else "form-control"

    def scores(self) -> dict[int, tuple[int | None, str]]:
        return {
            c.pk: (self.cleaned_data.get(f"score_{c.pk}"), self.cleaned_data.get(f"comment_{c.pk}", ""))
            for c in self.criteria
        }

    @staticmethod
    def initial_from(review) -> dict:
        if review is None:
            return {"version": review_version(None)}
        initial = {
            "version": review_version(review),
            "comment_for_founders": review.comment_for_founders,
            "confidential_note": review.confidential_note,
            "recommendation": review.recommendation,
            "confidence": review.confidence,
        }
        for score in review.scores.all():
            initial[f"score_{score.criterion_id}"] = score.score
            initial[f"comment_{score.criterion_id}"] = score.comment
        return initial


class DeclineForm(BootstrapForm):
    conflict = forms.BooleanField(
        label=_("I have a conflict of interest with this startup"),
        required=False,
        help_text=_("Recorded as a declared conflict: you will not be asked to review this startup again."),
    )
    reason = forms.CharField(
        label=_("Reason (the managers see it)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes styled as Bootstrap's, the class on each box and not on the list around them."""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        option["attrs"]["class"] = "form-check-input"
        return option


class ReviewerChoiceField(forms.ModelMultipleChoiceField):
    """Reviewers as a manager chooses them: organisation, fields of expertise and how many of the
    call's applications they already review against their capacity."""

    def __init__(self, *args, **kwargs):
        self.loads: dict[int, int] = {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, reviewer) -> str:
        profile = getattr(reviewer, "reviewer_profile", None)
        parts = [str(reviewer)]
        if reviewer.organisation:
            parts.append(str(reviewer.organisation))
        if profile is not None:
            fields = ", ".join(str(area) for area in profile.expertise.all())
            if fields:
                parts.append(fields)
        capacity = profile.capacity_per_call if profile is not None else DEFAULT_CAPACITY
        parts.append(
            _("%(load)s of %(capacity)s in this call")
            % {"load": self.loads.get(reviewer.pk, 0), "capacity": capacity}
        )
        return " · ".join(parts)


class BulkAssignForm(BootstrapForm):
    applications = forms.ModelMultipleChoiceField(
        queryset=Application.objects.none(),
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": _("Tick at least one application."),
            "invalid_choice": _("An application you ticked no longer takes reviewers; reload the page."),
        },
    )
    reviewers = ReviewerChoiceField(
        label=_("Reviewers"),
        queryset=User.objects.none(),
        widget=CheckboxList,
        error_messages={"required": _("Choose at least one reviewer.")},
        help_text=_(
            "Each with their organisation, fields of expertise, and the applications of this call "
            "they review against their capacity. Conflicts of interest are checked when you assign."
        ),
    )
    due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: the call's review deadline."),
    )

    def __init__(self, *args, call, reviewers, loads=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = Application.objects.filter(
            call=call, status__in=["submitted", "in_review"]
        )
        self.fields["reviewers"].queryset = reviewers
        self.fields["reviewers"].loads = loads or {}

    def clean_due_at(self):
        due_at = self.cleaned_data["due_at"]
        if due_at is not None and due_at <= timezone.now():
            raise ValidationError(_("The review must be due later than now."))
        return due_at


class CriterionForm(BootstrapModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "name_ru", "guidance", "guidance_ru", "weight", "scale_min", "scale_max"]
        widgets = {
            "guidance": forms.Textarea(attrs={"rows": 2}),
            "guidance_ru": forms.Textarea(attrs={"rows": 2}),
        }


class DecisionForm(BootstrapForm):
    applications = forms.ModelMultipleChoiceField(
        queryset=Application.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one application.")},
    )
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("waitlist", _("Waitlist")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = Application.objects.filter(call=call).exclude(status="draft")
