from .calls import Call, Criterion
from .invitations import Invitation
from .organisations import Organisation, TherapeuticArea
from .people import ReviewerConflict, ReviewerProfile, User
from .portfolio import (
    Currency,
    FundingRecord,
    FundingTranche,
    InvestmentReadinessReview,
    KpiReport,
    KpiReportRevision,
    MilestoneEvidence,
    ReadinessChange,
)
from .startups import (
    DevelopmentPhase,
    MentorAssignment,
    Milestone,
    ProductType,
    Startup,
    StartupNote,
    TeamMembership,
)
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "Call",
    "Criterion",
    "Currency",
    "DevelopmentPhase",
    "FundingRecord",
    "FundingTranche",
    "InvestmentReadinessReview",
    "Invitation",
    "KpiReport",
    "KpiReportRevision",
    "MentorAssignment",
    "Milestone",
    "MilestoneEvidence",
    "Organisation",
    "ProductType",
    "ReadinessChange",
    "ReviewerConflict",
    "ReviewerProfile",
    "Startup",
    "StartupNote",
    "TeamMembership",
    "TherapeuticArea",
    "User",
]
