"""Routes of the notifications API (included under ``/api/v1/`` by ``config.api_urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/read-all/", views.NotificationReadAllView.as_view(), name="notification-read-all"),
    path("notifications/<id:pk>/", views.NotificationDetailView.as_view(), name="notification-detail"),
    path("notifications/<id:pk>/read/", views.NotificationReadView.as_view(), name="notification-read"),
]
