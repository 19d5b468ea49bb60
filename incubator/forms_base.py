"""Bootstrap presentation for every form of the project: widget classes, errors next to fields."""

from django import forms
from django.forms.renderers import DjangoTemplates


class BootstrapRenderer(DjangoTemplates):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class BootstrapFormMixin:
    """Adds Bootstrap classes to widgets and marks invalid fields for assistive technology."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class BootstrapForm(BootstrapFormMixin, forms.Form):
    pass


class BootstrapModelForm(BootstrapFormMixin, forms.ModelForm):
    pass
