from .calls import Call, Criterion
from .invitations import Invitation
from .organisations import Organisation, TherapeuticArea
from .people import User
from .startups import (
    DevelopmentPhase,
    MentorAssignment,
    Milestone,
    ProductType,
    Startup,
    TeamMembership,
)

__all__ = [
    "Call",
    "Criterion",
    "DevelopmentPhase",
    "Invitation",
    "MentorAssignment",
    "Milestone",
    "Organisation",
    "ProductType",
    "Startup",
    "TeamMembership",
    "TherapeuticArea",
    "User",
]
