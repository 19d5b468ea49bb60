"""Request rates for anonymous clients (by address) and token clients (by token). Browser
sessions are not throttled: people clicking through pages are not the risk.

Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` at request time (DRF reads them once at
import), so settings overrides in tests and benchmarks take effect.

An anonymous client's address is the connection's, unless ``REST_FRAMEWORK["NUM_PROXIES"]`` says how
many proxies in front of the application append to ``X-Forwarded-For``.
"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from incubator.models import ApiToken


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonymousThrottle(_SettingsRateThrottle):
    """Requests without credentials, counted per client address."""

    scope = "anon"

    def get_cache_key(self, request: Request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_ident(self, request: Request) -> str | None:
        # With NUM_PROXIES unset DRF counts by the whole X-Forwarded-For header, which the client
        # writes: a new value on every request would never reach the limit.
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR")
        return super().get_ident(request)


class TokenThrottle(_SettingsRateThrottle):
    """Requests authenticated with a personal API token, counted per token."""

    scope = "token"

    def get_cache_key(self, request: Request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
