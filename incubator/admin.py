from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from pipeline.admin_actions import milestone_actions, startup_actions
from pipeline.services.reviews import criteria_name_clash, rubric_lock_reason

from .admin_base import ReadOnlyAdmin
from .models import (
    ApiToken,
    Call,
    Criterion,
    FundingRecord,
    FundingTranche,
    InvestmentReadinessReview,
    Invitation,
    KpiReport,
    KpiReportRevision,
    MentorAssignment,
    Milestone,
    MilestoneEvidence,
    Organisation,
    ReadinessChange,
    ReviewerConflict,
    ReviewerProfile,
    Startup,
    StartupNote,
    TeamMembership,
    TherapeuticArea,
    User,
)
from .models.portfolio import POSITIVE_AMOUNT, TRANCHE_OF_ANOTHER_STARTUP, TRANCHES_OVER_AMOUNT
from .services.portfolio import milestone_problems


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "short_name", "kind", "is_member", "city"]
    list_filter = ["kind", "is_member"]
    search_fields = ["name", "short_name"]


@admin.register(TherapeuticArea)
class TherapeuticAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "organisation",
        "is_founder",
        "is_mentor",
        "is_manager",
        "is_active",
    ]
    list_filter = ["is_founder", "is_mentor", "is_manager", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    list_select_related = ["organisation"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "organisation", "position", "language", "email_confirmed")}),
        (_("Roles"), {"fields": ("is_founder", "is_mentor", "is_manager")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    # What a manager who is not a superuser sees and may change: a person's details and roles,
    # never their sign-in (e-mail, password) or admin rights.
    manager_fieldsets = (
        (None, {"fields": ("email",)}),
        (_("Person"), {"fields": ("full_name", "organisation", "position", "language", "email_confirmed")}),
        (_("Roles"), {"fields": ("is_founder", "is_mentor", "is_manager", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            return self.manager_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not request.user.is_superuser:
            # The manager role opens every founder's data: superusers grant it.
            return ["email", "email_confirmed", "is_manager", "last_login", "date_joined"]
        return super().get_readonly_fields(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        # Accounts with admin access, or superusers, are changed by superusers only.
        if obj is not None and (obj.is_staff or obj.is_superuser) and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


class MentorAssignmentInline(admin.TabularInline):
    model = MentorAssignment
    extra = 0
    autocomplete_fields = ["mentor"]


class MilestoneForm(forms.ModelForm):
    """A milestone added here keeps the rules of the startup's page: due today or later, and not
    for incubation once the startup is past it."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("stage"):
            startup = cleaned.get("startup")
            if startup is None:
                try:
                    startup = self.instance.startup  # inline: the startup being edited
                except ObjectDoesNotExist:
                    startup = None
            if startup is not None:
                problems = milestone_problems(
                    startup=startup, stage=cleaned["stage"], due_on=cleaned.get("due_on")
                )
                for field, message in problems.items():
                    self.add_error(field if field in self.fields else None, message)
        return cleaned


class MilestoneInline(admin.TabularInline):
    model = Milestone
    form = MilestoneForm
    extra = 0
    fields = ["stage", "title", "due_on", "status"]
    readonly_fields = ["status"]


@admin.register(Startup)
class StartupAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "stage",
        "therapeutic_area",
        "product_type",
        "development_phase",
        "trl",
        "stage_entered_at",
    ]
    list_filter = ["stage", "therapeutic_area", "product_type", "development_phase", "trl"]
    list_select_related = ["therapeutic_area"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["affiliations"]
    # The stage is never edited here: the actions fire transitions through the service. Nor the
    # readiness level and phase: a change of them is proposed and confirmed on the startup's page,
    # which keeps its history.
    readonly_fields = ["stage", "stage_entered_at", "trl", "development_phase"]
    inlines = [TeamMembershipInline, MentorAssignmentInline, MilestoneInline]
    actions = startup_actions()


class CriterionFormSet(forms.BaseInlineFormSet):
    """The rubric's rules as on its page: every criterion with its own name, in either language."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        problem = criteria_name_clash(kept)
        if problem:
            raise ValidationError(problem)


class CriterionInline(admin.TabularInline):
    """A call's criteria; read only once the rubric is locked by a submitted review."""

    model = Criterion
    formset = CriterionFormSet
    extra = 0

    def _editable(self, request, obj) -> bool:
        return obj is None or obj.pk is None or rubric_lock_reason(obj) is None

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and self._editable(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._editable(request, obj)


class CriterionForm(forms.ModelForm):
    """A criterion edited on its own: not in a locked rubric, and not named as another of its call's."""

    def clean(self):
        cleaned = super().clean()
        call = cleaned.get("call")
        if call is not None:
            reason = rubric_lock_reason(call)
            if reason:
                raise ValidationError(reason)
            others = call.criteria.exclude(pk=self.instance.pk).values("name", "name_ru")
            problem = criteria_name_clash([*others, cleaned])
            if problem:
                raise ValidationError(problem)
        return cleaned


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "opens_at",
        "closes_at",
        "review_deadline",
        "capacity",
        "min_reviews",
        "blind_review",
    ]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["managers"]
    inlines = [CriterionInline]
    readonly_fields = ["created_at", "decisions_released_at"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    form = CriterionForm
    list_display = ["name", "call", "weight", "scale_min", "scale_max", "position"]
    list_filter = ["call"]
    list_select_related = ["call"]

    def _editable(self, obj) -> bool:
        return obj is None or rubric_lock_reason(obj.call) is None

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._editable(obj)


class MilestoneEvidenceInline(admin.TabularInline):
    model = MilestoneEvidence
    extra = 0
    fields = ["original_name", "note", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    form = MilestoneForm
    list_display = ["title", "startup", "stage", "due_on", "status"]
    list_filter = ["stage", "status"]
    list_select_related = ["startup"]
    autocomplete_fields = ["startup"]
    # The status is never edited here: the actions fire transitions through the service.
    readonly_fields = ["status", "submitted_at", "decided_at"]
    inlines = [MilestoneEvidenceInline]
    actions = milestone_actions()


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "startup", "role", "joined_at"]
    list_select_related = ["user", "startup"]
    autocomplete_fields = ["user", "startup"]


@admin.register(MentorAssignment)
class MentorAssignmentAdmin(admin.ModelAdmin):
    list_display = ["mentor", "startup", "since"]
    list_select_related = ["mentor", "startup"]
    autocomplete_fields = ["mentor", "startup"]


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "capacity_per_call"]
    list_select_related = ["user"]
    filter_horizontal = ["expertise"]
    autocomplete_fields = ["user"]


@admin.register(ReviewerConflict)
class ReviewerConflictAdmin(admin.ModelAdmin):
    list_display = ["reviewer", "startup", "organisation", "declared_at"]
    list_select_related = ["reviewer", "startup", "organisation"]
    autocomplete_fields = ["reviewer", "startup"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "startup", "invited_by", "created_at", "accepted_at", "revoked_at"]
    list_select_related = ["startup", "invited_by"]
    readonly_fields = ["accepted_at", "accepted_by"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are created by their owner, who alone sees the secret once


@admin.register(StartupNote)
class StartupNoteAdmin(ReadOnlyAdmin):
    """Programme notes are written and removed on the startup's page (removed by their author or
    a manager)."""

    list_display = ["startup", "author", "created_at"]
    list_select_related = ["startup", "author"]
    search_fields = ["startup__name", "body"]


@admin.register(ReadinessChange)
class ReadinessChangeAdmin(admin.ModelAdmin):
    list_display = ["startup", "trl_from", "trl_to", "phase_to", "recorded_by", "confirmed_by", "recorded_at"]
    list_select_related = ["startup", "recorded_by", "confirmed_by"]
    readonly_fields = ["trl_from", "phase_from", "confirmed_by", "confirmed_at", "rejected_at"]


@admin.register(InvestmentReadinessReview)
class InvestmentReadinessReviewAdmin(admin.ModelAdmin):
    list_display = ["startup", "verdict", "reviewer", "created_at"]
    list_select_related = ["startup", "reviewer"]


class KpiReportRevisionInline(admin.TabularInline):
    """What a report said before each correction: a record, never edited."""

    model = KpiReportRevision
    extra = 0
    fields = ["figures", "submitted_by", "submitted_at", "replaced_by", "replaced_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(KpiReport)
class KpiReportAdmin(admin.ModelAdmin):
    inlines = [KpiReportRevisionInline]
    list_display = [
        "startup",
        "period",
        "team_size",
        "revenue",
        "grants_received",
        "patents_filed",
        "publications",
    ]
    list_filter = ["period"]
    list_select_related = ["startup"]


# A tranche paid or cancelled is settled: the admin changes it no more.
SETTLED_MESSAGES = {
    FundingTranche.Status.PAID: _("A paid tranche stays as it was paid."),
    FundingTranche.Status.CANCELLED: _("A cancelled tranche stays cancelled."),
}


class FundingTrancheFormSet(forms.BaseInlineFormSet):
    """The ledger's rules as on the startup's page: each tranche more than zero, tied (if at all)
    to a milestone of the same startup, and together no more than the record's amount."""

    def clean(self):
        super().clean()
        record = self.instance
        total = 0
        problems = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            status = form.instance.status if form.instance.pk else None
            if status in SETTLED_MESSAGES and data and (data.get("DELETE") or form.has_changed()):
                # For the whole set: a form marked for deletion is not validated on its own.
                problems.append(SETTLED_MESSAGES[status])
            if not data or data.get("DELETE"):
                continue
            amount, milestone = data.get("amount"), data.get("milestone")
            if amount is not None and amount <= 0:
                form.add_error("amount", POSITIVE_AMOUNT)
            total += amount or 0
            if milestone is not None and milestone.startup_id != record.startup_id:
                form.add_error("milestone", TRANCHE_OF_ANOTHER_STARTUP)
        if record.amount is not None and total > record.amount:
            problems.append(TRANCHES_OVER_AMOUNT)
        if problems:
            raise ValidationError(list(dict.fromkeys(problems)))


class FundingTrancheInline(admin.TabularInline):
    """Tranches are planned here; one is paid or cancelled from the startup's page, which checks
    its milestone and tells the founders."""

    model = FundingTranche
    formset = FundingTrancheFormSet
    extra = 0
    readonly_fields = ["status", "paid_on", "cancelled_at", "cancelled_by", "cancellation_reason"]

    # A void record's tranches take no more changes, as on the startup's page.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj and obj.voided_at)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.voided_at)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.voided_at)


@admin.register(FundingRecord)
class FundingRecordAdmin(admin.ModelAdmin):
    list_display = ["startup", "kind", "date", "amount", "currency", "investor", "investor_name", "voided_at"]
    list_filter = ["kind", "currency", ("voided_at", admin.EmptyFieldListFilter)]
    list_select_related = ["startup", "investor"]
    date_hierarchy = "date"
    inlines = [FundingTrancheInline]
    VOID_FIELDS = ["voided_at", "voided_by", "void_reason"]

    def get_readonly_fields(self, request, obj=None):
        # A record is voided on the startup's page (which tells the founders) and then stays as
        # it was. Its tranches may be tied to the startup's milestones: it stays with its startup.
        if obj is not None and obj.voided_at:
            return [field.name for field in FundingRecord._meta.fields if field.name != "id"]
        return ["startup", *self.VOID_FIELDS] if obj is not None else self.VOID_FIELDS

    def has_delete_permission(self, request, obj=None):
        # A void record stays in the ledger, with why it was voided.
        return super().has_delete_permission(request, obj) and not (obj and obj.voided_at)
