"""Bootstrap presentation for every form of the project: widget classes, errors next to fields."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict
from django.utils.translation import gettext as _


class BootstrapRenderer(DjangoTemplates):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


def one_character_line_breaks(data):
    """The submitted values with each line break as one character. Browsers send a line break
    in a text area as CR LF but count it as one character against its ``maxlength``: counted as
    two here, a text the browser let through would be refused as too long."""
    if isinstance(data, QueryDict):
        posted = (value for _key, values in data.lists() for value in values)
        if not any(isinstance(value, str) and "\r" in value for value in posted):
            return data
        normalised = data.copy()
        for key, values in data.lists():
            normalised.setlist(key, [one_line_break(value) for value in values])
        return normalised
    return {key: one_line_break(value) for key, value in data.items()}


def one_line_break(value):
    """A text with each line break (CR LF, or a lone CR) as one LF; anything else as it is."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class BootstrapFormMixin:
    """Adds Bootstrap classes to widgets and marks invalid fields for assistive technology, and
    counts line breaks as the browser does (``one_character_line_breaks``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = one_character_line_breaks(self.data)
        for _name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = ""
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            classes = [c for c in (widget.attrs.get("class", ""), css) if c]
            widget.attrs["class"] = " ".join(classes)

    def full_clean(self):
        # Marked after validation, never in __init__: reading ``errors`` there would validate the
        # form before subclasses finish setting up their fields.
        super().full_clean()
        if self._errors and self.files:
            # A page that comes back with errors cannot keep a chosen file (browsers clear file
            # fields): say so at a file that was fine, rather than let it vanish unnoticed.
            for name, field in self.fields.items():
                chosen = isinstance(field, forms.FileField) and self.files.get(self.add_prefix(name))
                if chosen and name not in self._errors:
                    self.add_error(name, _("Choose this file again: it was not kept, as nothing was saved."))
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class BootstrapForm(BootstrapFormMixin, forms.Form):
    pass


class BootstrapModelForm(BootstrapFormMixin, forms.ModelForm):
    pass
