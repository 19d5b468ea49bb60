"""The notifications app's writes. Other apps call the functions listed in ``__all__``."""

from .events import (
    notify_decisions_released,
    notify_review_assigned,
    notify_review_declined,
    notify_transition,
)
from .notices import Notice, notices_create, outbox_enqueue
from .outbox import outbox_message_retry, outbox_message_send, outbox_messages_send, outbox_relay
from .portfolio import (
    notify_funding,
    notify_investment_reviewed,
    notify_readiness_decided,
    notify_readiness_proposed,
)
from .preferences import (
    MandatoryKind,
    notification_mark_read,
    notifications_mark_all_read,
    preference_set,
    preferences_update,
    unsubscribe_apply,
)
from .reminders import reminders_sweep, weekly_digest_create
from .settle import (
    draft_reminders_settle,
    kpi_reminders_settle,
    milestone_reminders_settle,
    readiness_notices_settle,
    review_reminders_settle,
)
from .team import notify_mentor_assigned, notify_mentorship_ended, notify_team_joined

__all__ = [
    "MandatoryKind",
    "Notice",
    "draft_reminders_settle",
    "kpi_reminders_settle",
    "milestone_reminders_settle",
    "notices_create",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify_decisions_released",
    "notify_funding",
    "notify_investment_reviewed",
    "notify_mentor_assigned",
    "notify_mentorship_ended",
    "notify_readiness_decided",
    "notify_readiness_proposed",
    "notify_review_assigned",
    "notify_review_declined",
    "notify_team_joined",
    "notify_transition",
    "outbox_enqueue",
    "outbox_message_retry",
    "outbox_message_send",
    "outbox_messages_send",
    "outbox_relay",
    "preference_set",
    "preferences_update",
    "readiness_notices_settle",
    "reminders_sweep",
    "review_reminders_settle",
    "unsubscribe_apply",
    "weekly_digest_create",
]
