"""The REST API, mounted at ``/api/v1/``: every app's resources, the OpenAPI schema and its
documentation pages (served from drf-spectacular-sidecar, under a policy that lets the browser
load from this site only, so they work offline)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from incubator.api.docs import RedocView, SwaggerView
from incubator.api.errors import not_found
from incubator.api.root import ApiRootView

app_name = "api"

urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("", include("incubator.api.urls")),
    path("", include("pipeline.api.urls")),
    path("", include("notifications.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", RedocView.as_view(url_name="api:schema"), name="redoc"),
    # Anything else under the API answers in the API's error shape, not with an HTML page: a
    # pattern that matches every path, line breaks included ("^.*$" would not).
    re_path(r"^", not_found),
]
