from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from pipeline.events import transition_recorded

        from .receivers import on_transition_recorded

        transition_recorded.connect(on_transition_recorded, dispatch_uid="notifications.transition_recorded")
