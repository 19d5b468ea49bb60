from .accounts import (
    SignupLinkError,
    confirmation_token,
    user_confirm_email,
    user_resend_confirmation,
    user_sign_up,
)
from .reviewers import reviewer_conflict_declare, reviewer_conflict_remove
from .startups import (
    InvitationError,
    MentorError,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
    mentor_assign,
    mentor_unassign,
    startup_create,
    startup_update,
)

__all__ = [
    "InvitationError",
    "MentorError",
    "SignupLinkError",
    "confirmation_token",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_revoke",
    "mentor_assign",
    "mentor_unassign",
    "reviewer_conflict_declare",
    "reviewer_conflict_remove",
    "startup_create",
    "startup_update",
    "user_confirm_email",
    "user_resend_confirmation",
    "user_sign_up",
]
