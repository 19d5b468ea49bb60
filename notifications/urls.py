from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("<id:pk>/read/", views.mark_read, name="mark-read"),
    path("<id:pk>/open/", views.open_notification, name="open"),
    path("unread/", views.unread_badge, name="unread-badge"),
    path("read-all/", views.mark_all_read, name="mark-all-read"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("outbox/", views.outbox_problems, name="outbox-problems"),
]
