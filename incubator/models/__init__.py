from .calls import Call, Criterion
from .invitations import Invitation
from .organisations import Organisation, TherapeuticArea
from .people import ReviewerConflict, ReviewerProfile, User
from .startups import (
    DevelopmentPhase,
    MentorAssignment,
    Milestone,
    ProductType,
    Startup,
    TeamMembership,
)
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "Call",
    "Criterion",
    "DevelopmentPhase",
    "Invitation",
    "MentorAssignment",
    "Milestone",
    "Organisation",
    "ProductType",
    "ReviewerConflict",
    "ReviewerProfile",
    "Startup",
    "TeamMembership",
    "TherapeuticArea",
    "User",
]
