"""Tags of the site's frame (``base.html``)."""

from urllib.parse import urlsplit

from django import template
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

register = template.Library()


@register.simple_tag(takes_context=True)
def page_to_return_to(context) -> str:
    """Where the language switch brings the person back: this page, or, on a page that answers a
    form (a POST, whose address cannot be opened again), the page the form was on."""
    request = context.get("request")
    if request is None:
        return reverse("home")
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    if context.get("return_to"):  # the view names the page of its form
        return context["return_to"]
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        # Not the form's own address (a second refusal in a row comes from there), and a path of
        # this site, never one that a browser would read as another host's ("//host/...").
        if parts.path != request.path and parts.path.startswith("/") and not parts.path.startswith("//"):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("home")
