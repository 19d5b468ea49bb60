"""Guards and permissions of the stage machines.

django-fsm conditions only answer yes or no; a manager needs to know *why* a move is refused. A
``Guard`` is a condition that also knows how to explain its refusal, so the transition service can
report every failed guard in plain words before firing anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class TransitionContext:
    """What the caller of a transition said: who, why, and whether a manager overrides a gate."""

    actor: Any
    reason: str = ""
    override: bool = False


@dataclass(frozen=True, eq=False)
class Guard:
    code: str
    check: Callable[[Any], bool]
    message: Callable[[Any], str]
    # A manager may override this guard with a written reason (stage gates).
    overridable: bool = False

    def __call__(self, instance: Any) -> bool:
        context: TransitionContext | None = getattr(instance, "_transition_context", None)
        if self.overridable and context is not None and context.override:
            return True
        return bool(self.check(instance))

    def explain(self, instance: Any) -> str:
        return str(self.message(instance))


def failed_guards(instance: Any, conditions: list[Callable[[Any], bool]]) -> list[Guard]:
    return [guard for guard in conditions if isinstance(guard, Guard) and not guard(instance)]


def is_manager(instance: Any, user: Any) -> bool:
    return bool(user is not None and user.is_active and user.is_manager)


def is_startup_member(instance: Any, user: Any) -> bool:
    startup = getattr(instance, "startup", instance)
    return bool(user is not None and user.is_active and startup.has_member(user))


def is_member_or_manager(instance: Any, user: Any) -> bool:
    return is_manager(instance, user) or is_startup_member(instance, user)
