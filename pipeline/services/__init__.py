from .applications import (
    ApplicationError,
    answers_locked_reason,
    application_create,
    application_update,
    application_version,
    document_add,
    document_delete,
    documents_locked_reason,
)
from .transitions import (
    TransitionOption,
    application_transition,
    is_final,
    milestone_transition,
    permitted_transitions,
    startup_transition,
    transition_options,
)

__all__ = [
    "ApplicationError",
    "TransitionOption",
    "answers_locked_reason",
    "application_create",
    "application_transition",
    "application_update",
    "application_version",
    "document_add",
    "document_delete",
    "documents_locked_reason",
    "is_final",
    "milestone_transition",
    "permitted_transitions",
    "startup_transition",
    "transition_options",
]
