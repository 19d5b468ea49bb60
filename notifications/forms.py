from django import forms
from django.utils.translation import gettext_lazy as _

from incubator.forms_base import BootstrapForm

from .selectors import PreferenceRow


class PreferencesForm(BootstrapForm):
    """One checkbox per kind that concerns the person; mandatory kinds are shown checked and
    disabled, so they are listed but cannot be turned off."""

    def __init__(self, *args, rows: list[PreferenceRow], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            field = forms.BooleanField(
                label=row.spec.label,
                required=False,
                initial=row.email_enabled,
                help_text=row.spec.description
                if row.spec.optional
                else _("%(description)s Always sent: it cannot be turned off.")
                % {"description": row.spec.description},
                disabled=not row.spec.optional,
            )
            self.fields[row.spec.kind.value] = field

    @property
    def shown_kinds(self) -> list[str]:
        return [row.spec.kind.value for row in self.rows]

    @property
    def enabled_kinds(self) -> list[str]:
        return [kind for kind in self.shown_kinds if self.cleaned_data.get(kind)]

    def groups(self):
        """The bound fields grouped by audience, for the template."""
        grouped: dict[str, list] = {}
        for row in self.rows:
            grouped.setdefault(str(row.spec.audience.label), []).append(self[row.spec.kind.value])
        return list(grouped.items())
