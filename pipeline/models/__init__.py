from .applications import Application, ApplicationDocument, ApplicationStatus
from .audit import TransitionLog
from .reviews import Review, ReviewAssignment, ReviewScore

__all__ = [
    "Application",
    "ApplicationDocument",
    "ApplicationStatus",
    "Review",
    "ReviewAssignment",
    "ReviewScore",
    "TransitionLog",
]
