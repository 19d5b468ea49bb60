from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from incubator.api import pages as token_pages
from incubator.views import accounts

handler500 = "incubator.api.errors.server_error"

urlpatterns = [
    # Browsers ask for /favicon.ico on pages that do not name their icon (the admin's).
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("account/tokens/", token_pages.token_list, name="api-tokens"),
    path("account/tokens/<int:pk>/revoke/", token_pages.token_revoke, name="api-token-revoke"),
    path("i18n/setlang/", accounts.set_language, name="set_language"),
    path("", include("incubator.urls")),
    path("", include("pipeline.urls")),
    path("notifications/", include("notifications.urls")),
]
