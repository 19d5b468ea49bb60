"""Errors a transition can end with. Each carries a message meant for the person who tried."""

from __future__ import annotations


class TransitionError(Exception):
    """Base class: the transition did not happen and nothing was changed."""

    def __init__(self, message: str, *, messages: list[str] | None = None, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.messages = messages or [message]
        self.code = code

    def __str__(self) -> str:
        return self.message


class TransitionNotAvailable(TransitionError):
    """The transition does not leave from the object's current state."""


class TransitionForbidden(TransitionError):
    """The person may not fire this transition."""


class GuardFailed(TransitionError):
    """One or more guards refused; ``messages`` says which, in plain words."""

    def __init__(self, messages: list[str], codes: list[str]):
        super().__init__(" ".join(messages), messages=messages, code="guard")
        self.codes = codes


class TransitionConflict(TransitionError):
    """Somebody else changed the object first; the caller saw a state that is no longer true."""
