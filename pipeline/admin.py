from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from incubator.admin_base import ReadOnlyAdmin

from .admin_actions import application_actions
from .models import (
    Application,
    ApplicationDocument,
    Review,
    ReviewAssignment,
    ReviewerLoad,
    ReviewScore,
    ScoreBin,
    TransitionLog,
)
from .stats import dashboard_counters_rebuild


class ApplicationDocumentInline(admin.TabularInline):
    model = ApplicationDocument
    extra = 0
    readonly_fields = ["title", "original_name", "size", "uploaded_by", "uploaded_at"]
    exclude = ["file"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["startup", "call", "status", "submitted_at", "decided_at", "decision_released_at"]
    list_filter = ["call", "status"]
    list_select_related = ["startup", "call"]
    search_fields = ["startup__name"]
    autocomplete_fields = ["startup"]
    # The status is never edited here: the actions fire transitions through the service.
    readonly_fields = [
        "status",
        "submitted_at",
        "decided_at",
        "decision_released_at",
        "pitch_deck",
        "created_by",
    ]
    inlines = [ApplicationDocumentInline]
    actions = application_actions()

    def get_readonly_fields(self, request, obj=None):
        # An application stays with its startup and its call: its reviews scored it on that call's
        # rubric, and the call's places and ranking count it.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "startup", "call"] if obj is not None else fields


class TargetStateFilter(admin.SimpleListFilter):
    """The state a change led to, by its name in any of the machines."""

    title = _("to")
    parameter_name = "target"

    def lookups(self, request, model_admin):
        labels: dict[str, list[str]] = {}
        for model, field in TransitionLog.state_fields().values():
            for value, label in model._meta.get_field(field).choices:
                names = labels.setdefault(value, [])
                if str(label) not in names:  # one value may be named differently by two machines
                    names.append(str(label))
        return sorted(
            ((value, " / ".join(names)) for value, names in labels.items()), key=lambda item: item[1]
        )

    def queryset(self, request, queryset):
        return queryset.filter(target=self.value()) if self.value() else queryset


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdmin):
    """The audit trail: read-only, even for superusers."""

    list_display = [
        "created_at",
        "machine",
        "startup",
        "application",
        "source_state",
        "target_state",
        "actor",
        "is_override",
        "reason_excerpt",
    ]
    list_filter = ["machine", TargetStateFilter, "is_override"]
    list_select_related = ["startup", "application__call", "application__startup", "actor"]
    search_fields = ["startup__name", "reason"]
    date_hierarchy = "created_at"

    @admin.display(description=_("reason"))
    def reason_excerpt(self, log: TransitionLog) -> str:
        return Truncator(log.reason).chars(80)

    @admin.display(description=_("from"), ordering="source")
    def source_state(self, log: TransitionLog) -> str:
        return log.source_label

    @admin.display(description=_("to"), ordering="target")
    def target_state(self, log: TransitionLog) -> str:
        return log.target_label


class ReviewScoreInline(admin.TabularInline):
    model = ReviewScore
    extra = 0


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(admin.ModelAdmin):
    list_display = ["application", "reviewer", "due_at", "is_automatic", "declined_at"]
    list_filter = ["application__call", "is_automatic"]
    list_select_related = ["application__startup", "application__call", "reviewer"]
    autocomplete_fields = ["reviewer", "application"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["assignment", "status", "recommendation", "weighted_score", "submitted_at"]
    list_filter = ["status", "recommendation"]
    list_select_related = [
        "assignment__application__startup",
        "assignment__application__call",
        "assignment__reviewer",
    ]
    inlines = [ReviewScoreInline]
    readonly_fields = ["status", "weighted_score", "submitted_at"]


class CounterAdmin(admin.ModelAdmin):
    """The dashboard's derived counters: read only (the receivers keep them), with an action
    that recounts every one from the assignments and reviews."""

    actions = ["recount"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Recount every dashboard counter from the reviews"))
    def recount(self, request, queryset) -> None:
        dashboard_counters_rebuild()
        self.message_user(request, _("Every dashboard counter was recounted."))


@admin.register(ReviewerLoad)
class ReviewerLoadAdmin(CounterAdmin):
    list_display = ["reviewer", "call", "assigned", "done"]
    list_filter = ["call"]
    list_select_related = ["reviewer", "call"]


@admin.register(ScoreBin)
class ScoreBinAdmin(CounterAdmin):
    list_display = ["call", "bin", "reviews"]
    list_filter = ["call"]
    list_select_related = ["call"]
