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
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("home")
