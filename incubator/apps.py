from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubatorConfig(AppConfig):
    name = "incubator"
    verbose_name = _("Incubator")

    def ready(self) -> None:
        # The <id:...> path converter, registered before any URLconf is read.
        from config import converters  # noqa: F401
