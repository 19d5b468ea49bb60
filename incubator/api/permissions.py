"""Role permissions of the API, the same as the pages': a page for one role answers 403 to other
signed-in people; objects a person may not see answer 404 (their querysets leave them out)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request


class IsManager(IsAuthenticated):
    message = _("Only cluster managers may do this.")

    def has_permission(self, request: Request, view) -> bool:
        return super().has_permission(request, view) and request.user.is_manager


class IsReviewerOrManager(IsAuthenticated):
    message = _("Only reviewers and cluster managers may see reviews.")

    def has_permission(self, request: Request, view) -> bool:
        return super().has_permission(request, view) and (request.user.is_mentor or request.user.is_manager)
