from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Notification, NotificationPreference, OutboxMessage
from .services import outbox_message_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Every e-mail the project sent or will send, readable as it went out. Rows are written only
    by the notification services; the one change offered is sending failed e-mails again."""

    list_display = ["created_at", "kind", "to_email", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["recipient"]
    search_fields = ["to_email", "subject", "dedup_key"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    fieldsets = [
        (None, {"fields": ["kind", "recipient", "to_email", "subject", "status", "sent_at"]}),
        (_("Content"), {"fields": ["body_text", "html_preview", "body_html"]}),
        (
            _("Delivery"),
            {
                "fields": [
                    "dedup_key",
                    "attempts",
                    "next_attempt_at",
                    "claimed_until",
                    "last_error",
                    "created_at",
                    "context",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("HTML part as it is shown"))
    def html_preview(self, obj: OutboxMessage) -> str:
        if not obj.body_html:
            return "—"
        # A sandboxed frame: the e-mail's markup is shown, its links and scripts do nothing here.
        return format_html(
            '<iframe sandbox="" srcdoc="{}" title="{}" style="width:100%;max-width:680px;height:420px;'
            'border:1px solid #ccc;background:#fff"></iframe>',
            obj.body_html,
            _("HTML part"),
        )

    @admin.action(description=_("Send the selected failed e-mails again"))
    def send_again(self, request: HttpRequest, queryset) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        count = outbox_message_retry(message_ids=ids)
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail will be sent again by the next relay sweep.",
                    "%(count)d e-mails will be sent again by the next relay sweep.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        if skipped := len(ids) - count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected e-mail has not failed and was left as it is: only failed "
                    "e-mails are sent again.",
                    "%(count)d selected e-mails have not failed and were left as they are: only failed "
                    "e-mails are sent again.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient"]
    search_fields = ["recipient__email", "dedup_key"]
    readonly_fields = ["recipient", "kind", "dedup_key", "context", "url", "created_at", "read_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "email_enabled", "updated_at"]
    list_filter = ["kind", "email_enabled"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    autocomplete_fields = ["user"]
