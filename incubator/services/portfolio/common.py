"""What every part of the portfolio's writes shares: who steers a startup and sees its
portfolio, and the refusal they raise."""

from __future__ import annotations

from ...models import (
    Startup,
    User,
)

REPORTING_STAGES = ["incubation", "acceleration", "funding"]


class PortfolioError(Exception):
    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


def can_steer(startup: Startup, user: User) -> bool:
    """Managers, and mentors for their mentees: they set milestones and confirm progress."""
    return bool(user.is_active and (user.is_manager or startup.has_mentor(user)))


def can_see_portfolio(startup: Startup, user: User) -> bool:
    """The team, its mentors and managers: evidence, reports and the ledger are confidential."""
    return bool(
        user.is_authenticated and (user.is_manager or startup.has_member(user) or startup.has_mentor(user))
    )
