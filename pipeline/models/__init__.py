from .applications import Application, ApplicationDocument, ApplicationStatus
from .audit import TransitionLog
from .reviews import Review, ReviewAssignment, ReviewScore
from .stats import ReviewerLoad, ScoreBin

__all__ = [
    "Application",
    "ApplicationDocument",
    "ApplicationStatus",
    "Review",
    "ReviewAssignment",
    "ReviewScore",
    "ReviewerLoad",
    "ScoreBin",
    "TransitionLog",
]
