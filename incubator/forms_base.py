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
        for name, field in self.fields.items():
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
            if self.is_bound and name in self.errors:
                classes.append("is-invalid")
                widget.attrs["aria-invalid"] = "true"
            widget.attrs["class"] = " ".join(classes)


class BootstrapForm(BootstrapFormMixin, forms.Form):
    pass


class BootstrapModelForm(BootstrapFormMixin, forms.ModelForm):
    pass
