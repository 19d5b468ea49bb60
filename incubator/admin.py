from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _

from pipeline.admin_actions import startup_actions

from .models import (
    Call,
    Criterion,
    MentorAssignment,
    Milestone,
    Organisation,
    Startup,
    TeamMembership,
    TherapeuticArea,
    User,
)


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


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


class MentorAssignmentInline(admin.TabularInline):
    model = MentorAssignment
    extra = 0
    autocomplete_fields = ["mentor"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
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
    # The stage is never edited here: the actions fire transitions through the service.
    readonly_fields = ["stage", "stage_entered_at"]
    inlines = [TeamMembershipInline, MentorAssignmentInline, MilestoneInline]
    actions = startup_actions()


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


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
    readonly_fields = ["decisions_released_at"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "call", "weight", "scale_min", "scale_max", "position"]
    list_filter = ["call"]
    list_select_related = ["call"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "startup", "stage", "due_on", "status"]
    list_filter = ["stage", "status"]
    list_select_related = ["startup"]
    autocomplete_fields = ["startup"]
    readonly_fields = ["status"]


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
