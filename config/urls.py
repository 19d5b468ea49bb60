from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, reverse

from incubator.api import pages as token_pages
from incubator.views import accounts

handler500 = "incubator.api.errors.server_error"


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin has no login of its own: its users log in on the site's page, where failed
    attempts are limited, and come back to where they were going in the admin."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


def favicon(request: HttpRequest) -> HttpResponse:
    """The site's icon, by its current (fingerprinted) name: looked up per request and not a
    permanent redirect, so a new icon is found after the next deployment."""
    return redirect(static("favicon.svg"))


urlpatterns = [
    # Browsers ask for /favicon.ico on pages that do not name their icon (the admin's).
    path("favicon.ico", favicon),
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("account/tokens/", token_pages.token_list, name="api-tokens"),
    path("account/tokens/<id:pk>/revoke/", token_pages.token_revoke, name="api-token-revoke"),
    path("i18n/setlang/", accounts.set_language, name="set_language"),
    path("", include("incubator.urls")),
    path("", include("pipeline.urls")),
    path("notifications/", include("notifications.urls")),
]
