"""Personal API tokens as a DRF authentication class.

``Authorization: Bearer <token>`` (or ``Token <token>``) authenticates as the token's owner. A
request without that header falls through to the next class (the browser's session). A request
that presents a token which is unknown, revoked or belongs to a deactivated person is refused with
401 rather than treated as anonymous: the client should learn at once that its token is dead.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from incubator.models import ApiToken, User
from incubator.services.tokens import api_token_for_key, api_token_touch

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    """Authenticates with a personal API token; sets ``request.auth`` to the ``ApiToken``."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Bearer <token>”, without spaces in the token.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from error
        token = api_token_for_key(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid, or it was revoked."))
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Its presence makes DRF answer 401 (not 403) to requests without credentials.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes token authentication."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _(
                    "A personal API token, created on the account's token page. "
                    "“Authorization: Token <token>” is accepted too."
                )
            ),
        }
