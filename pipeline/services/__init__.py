from .transitions import (
    TransitionOption,
    application_transition,
    permitted_transitions,
    startup_transition,
    transition_options,
)

__all__ = [
    "TransitionOption",
    "application_transition",
    "permitted_transitions",
    "startup_transition",
    "transition_options",
]
