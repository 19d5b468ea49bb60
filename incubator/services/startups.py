"""Startup profiles and their teams."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..emails import send_account_email
from ..models import Invitation, MentorAssignment, Organisation, Startup, TeamMembership, User

INVITATION_SALT = "incubator.cofounder-invitation"

PROFILE_FIELDS = [
    "name",
    "summary",
    "therapeutic_area",
    "product_type",
    "development_phase",
    "trl",
    "website",
    "founded_on",
]


class InvitationError(Exception):
    """An invitation link that cannot be used; the message says why."""


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:180] or "startup"
    slug, n = base, 2
    taken = Startup.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def startup_create(*, founder: User, affiliations: list[Organisation] | None = None, **profile) -> Startup:
    """Create a startup in the application stage with ``founder`` as its first team member."""
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    startup = Startup.objects.create(slug=_unique_slug(profile["name"]), **profile)
    if affiliations:
        startup.affiliations.set(affiliations)
    TeamMembership.objects.create(startup=startup, user=founder, role=TeamMembership.Role.FOUNDER)
    if not founder.is_founder:
        founder.is_founder = True
        founder.save(update_fields=["is_founder"])
    return startup


@transaction.atomic
def startup_update(
    *, startup: Startup, actor: User, affiliations: list[Organisation] | None = None, **profile
) -> Startup:
    """Change a startup's profile; its team and managers may. The stage is not a profile field."""
    if not (actor.is_manager or startup.has_member(actor)):
        raise PermissionDenied
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    locked = Startup.objects.select_for_update().get(pk=startup.pk)
    for name, value in profile.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(profile))
    if affiliations is not None:
        locked.affiliations.set(affiliations)
    return locked


def _invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"invitation": invitation.pk, "email": invitation.email}, salt=INVITATION_SALT)


@transaction.atomic
def invitation_create(*, startup: Startup, email: str, invited_by: User) -> Invitation:
    """Invite a co-founder by e-mail. Inviting the same address again re-sends a fresh link
    instead of piling up invitations."""
    if not startup.has_member(invited_by):
        raise PermissionDenied
    email = User.objects.normalize_email(email).strip().lower()
    if startup.memberships.filter(user__email__iexact=email).exists():
        raise InvitationError(_("%(email)s is already on the team.") % {"email": email})
    invitation = startup.invitations.filter(email=email, accepted_at=None, revoked_at=None).first()
    if invitation is None:
        invitation = Invitation.objects.create(startup=startup, email=email, invited_by=invited_by)
    else:
        invitation.created_at = timezone.now()
        invitation.invited_by = invited_by
        invitation.save(update_fields=["created_at", "invited_by"])
    link = settings.SITE_URL.rstrip("/") + reverse("invitation-accept", args=[_invitation_token(invitation)])
    invitee = User.objects.filter(email__iexact=email).values_list("language", flat=True).first()
    send_account_email(
        to=email,
        language=invitee,  # someone with an account reads it in their language
        template="invitation",
        context={
            "startup": startup,
            "inviter": invited_by,
            "link": link,
            "days": settings.INVITATION_MAX_AGE_DAYS,
        },
    )
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The pending invitation a link stands for, or ``InvitationError`` saying what is wrong."""
    try:
        payload = signing.loads(
            token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE_DAYS * 24 * 3600
        )
    except signing.SignatureExpired as exc:
        raise InvitationError(_("This invitation has expired. Ask the team to invite you again.")) from exc
    except signing.BadSignature as exc:
        raise InvitationError(
            _("This invitation link is not valid. Check that you copied all of it.")
        ) from exc
    invitation = (
        Invitation.objects.select_related("startup", "invited_by")
        .filter(pk=payload["invitation"], email=payload["email"])
        .first()
    )
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationError(_("This invitation was withdrawn by the team."))
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been accepted."))
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Startup:
    """Join the team the invitation is for; only the invited address may."""
    invitation = invitation_for_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been accepted."))
    if user.email.lower() != invitation.email.lower():
        raise InvitationError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership, joined = TeamMembership.objects.get_or_create(
        startup=invitation.startup, user=user, defaults={"role": TeamMembership.Role.COFOUNDER}
    )
    if joined:
        from notifications.services import notify_team_joined

        notify_team_joined(membership_id=membership.pk)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if not user.is_founder:
        user.is_founder = True
        user.save(update_fields=["is_founder"])
    return invitation.startup


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    if not invitation.startup.has_member(actor):
        raise PermissionDenied
    if invitation.is_pending:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


class MentorError(Exception):
    """A mentor assignment that cannot be made; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


MENTORED_STAGES = ["incubation", "acceleration", "funding"]


@transaction.atomic
def mentor_assign(*, startup: Startup, mentor: User, actor: User) -> MentorAssignment:
    """A manager gives a startup in the programme a mentor, who is told, and so is the team.
    Not while the admission is held: the team would learn its acceptance from the notice."""
    from pipeline.models.applications import admission_held

    if not (actor.is_active and actor.is_manager):
        raise PermissionDenied
    locked = Startup.objects.select_for_update().annotate(held=admission_held()).get(pk=startup.pk)
    if locked.stage not in MENTORED_STAGES:
        raise MentorError(
            _("%(startup)s is in %(stage)s: mentors are given to startups in the programme.")
            % {"startup": locked.name, "stage": locked.get_stage_display()}
        )
    if locked.held:
        raise MentorError(
            _(
                "The admission of %(startup)s is not released to its founders yet; "
                "give it a mentor once it is."
            )
            % {"startup": locked.name}
        )
    if not (mentor.is_active and mentor.is_mentor):
        raise MentorError(_("%(name)s is not an active mentor.") % {"name": mentor})
    if locked.memberships.filter(user=mentor).exists():
        raise MentorError(_("%(name)s is on the startup's team.") % {"name": mentor})
    from pipeline.services.conflicts import ConflictIndex

    # Working where the startup is affiliated suits a mentor; a conflict they declared does not.
    conflict = ConflictIndex.build(reviewers=[mentor], startup_ids=[locked.pk]).declared(mentor.pk, locked.pk)
    if conflict:
        raise MentorError(
            _("%(name)s cannot mentor %(startup)s: %(reason)s.")
            % {"name": mentor, "startup": locked.name, "reason": conflict}
        )
    assignment, created = MentorAssignment.objects.get_or_create(startup=locked, mentor=mentor)
    if not created:
        raise MentorError(
            _("%(name)s already mentors %(startup)s.") % {"name": mentor, "startup": locked.name}
        )
    from notifications.services import notify_mentor_assigned

    notify_mentor_assigned(assignment_id=assignment.pk)
    return assignment


@transaction.atomic
def mentor_unassign(*, assignment: MentorAssignment, actor: User) -> None:
    """A manager ends a mentorship; the mentor is told. What they were already told stays in
    their inbox."""
    if not (actor.is_active and actor.is_manager):
        raise PermissionDenied
    deleted, _rows = MentorAssignment.objects.filter(pk=assignment.pk).delete()
    if deleted:
        from notifications.services import notify_mentorship_ended

        notify_mentorship_ended(startup_id=assignment.startup_id, mentor_id=assignment.mentor_id)
