"""Every API error in one JSON shape::

    {"error": {"status": 409, "code": "guard_failed", "message": "...", "details": {...}}}

``message`` is a sentence for a person (translated); ``code`` is stable for programs; ``details``
carries what belongs to the error: field errors for 400 (``{"fields": {"name": ["..."]}}``), the
guards' explanations for a refused transition, the seconds to wait for 429.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from pipeline.exceptions import (
    GuardFailed,
    TransitionConflict,
    TransitionError,
    TransitionForbidden,
    TransitionNotAvailable,
)


class Conflict(exceptions.APIException):
    """409: the request was understood and allowed, but the object's state refuses it."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object's current state does not allow this.")
    default_code = "conflict"

    def __init__(self, detail: str | None = None, code: str | None = None, details: dict | None = None):
        super().__init__(detail, code)
        self.code = code or self.default_code
        self.details = details or {}


class Forbidden(exceptions.PermissionDenied):
    """403 with a message that says what the person may not do."""

    def __init__(self, detail: str | None = None, code: str | None = None, details: dict | None = None):
        super().__init__(detail, code)
        self.code = code or self.default_code
        self.details = details or {}


def transition_refused(error: TransitionError) -> exceptions.APIException:
    """The API error for a transition the service refused."""
    details = {"messages": [str(message) for message in error.messages]}
    if isinstance(error, TransitionForbidden):
        return Forbidden(error.message, code="transition_forbidden", details=details)
    if isinstance(error, GuardFailed):
        details["guards"] = list(error.codes)
        return Conflict(error.message, code="guard_failed", details=details)
    if isinstance(error, TransitionConflict):
        return Conflict(error.message, code="concurrent_change", details=details)
    if isinstance(error, TransitionNotAvailable):
        return Conflict(error.message, code="transition_not_available", details=details)
    return Conflict(error.message, code=error.code, details=details)


def _validation_details(detail: Any) -> dict:
    if isinstance(detail, dict):
        return {"fields": detail}
    return {"fields": {"non_field_errors": detail if isinstance(detail, list) else [detail]}}


def _code(exc: exceptions.APIException) -> str:
    explicit = getattr(exc, "code", None)
    if isinstance(explicit, str):
        return explicit
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


def error_body(*, status_code: int, code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"status": status_code, "code": code, "message": message, "details": details or {}}}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: the consistent error shape for every API error."""
    if isinstance(exc, Http404):
        # Django's message names the model; an id that is not yours says nothing more than this.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, TransitionError):
        exc = transition_refused(exc)
    # Django raises these two while DRF reads the body; unhandled, they become its HTML 400 page.
    elif isinstance(exc, RequestDataTooBig):
        exc = exceptions.ParseError(
            _("The request body is too large: at most %(size)d bytes, besides uploaded files.")
            % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
            code="request_too_large",
        )
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(_("The request has too many fields or files."), code="request_too_large")
    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    details = dict(getattr(exc, "details", {}) or {})
    if isinstance(exc, exceptions.ValidationError):
        message = str(_("The request is not valid: see the errors of each field."))
        details = _validation_details(exc.detail)
    else:
        message = str(exc.detail)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = f"{int(exc.wait)}"
        details["retry_after"] = int(exc.wait)
    set_rollback()
    body = error_body(status_code=exc.status_code, code=_code(exc), message=message, details=details)
    return Response(body, status=exc.status_code, headers=headers)


# Any method, with or without a CSRF token: there is nothing here to protect.
@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """A JSON 404 for any address under the API that names no endpoint."""
    body = error_body(status_code=404, code="not_found", message=str(exceptions.NotFound.default_detail))
    return JsonResponse(body, status=404)


def server_error(request: HttpRequest, *args: Any, **kwargs: Any):
    """``handler500``: under the API an unexpected failure answers in the error shape too; the
    pages keep Django's error page."""
    if request.path.startswith("/api/"):
        body = error_body(
            status_code=500,
            code="server_error",
            message=str(_("Something went wrong on our side; the team has been told. Try again later.")),
        )
        return JsonResponse(body, status=500)
    from django.views.defaults import server_error as page_error

    return page_error(request)
