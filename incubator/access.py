"""Who may open which page. Pages for one role answer 403 to other signed-in people; objects a
person may not see answer 404, so that ids of other people's data reveal nothing."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

ROLE_FLAGS = {"manager": "is_manager", "mentor": "is_mentor", "founder": "is_founder"}


def role_required(*roles: str) -> Callable:
    flags = [ROLE_FLAGS[role] for role in roles]

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not any(getattr(request.user, flag) for flag in flags):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


manager_required = role_required("manager")
