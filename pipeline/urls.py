from django.urls import path

from .views import startups

urlpatterns = [
    path("startups/<int:pk>/", startups.startup_detail, name="startup-detail"),
    path("startups/<int:pk>/transition/", startups.startup_transition_view, name="startup-transition"),
]
