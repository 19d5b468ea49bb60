"""Conflicts of interest between reviewers and startups, computed for many pairs at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from incubator.models import ReviewerConflict, Startup, TeamMembership, User

from ..models import ReviewAssignment


@dataclass
class ConflictIndex:
    """Everything needed to tell, without further queries, whether a reviewer may review a
    startup: their organisation against the startup's affiliations, their declared conflicts,
    the startup's team, and applications they declined for a conflict."""

    reviewer_org: dict[int, int | None]
    startup_orgs: dict[int, set[int]]
    startup_team: dict[int, set[int]]
    declared_startups: dict[int, set[int]]
    declared_orgs: dict[int, set[int]]
    declined_for_conflict: set[tuple[int, int]]  # (reviewer_id, startup_id)

    @classmethod
    def build(cls, *, reviewers: Iterable[User], startup_ids: Iterable[int]) -> ConflictIndex:
        reviewers = list(reviewers)
        startup_ids = list(startup_ids)
        reviewer_ids = [r.pk for r in reviewers]
        startup_orgs: dict[int, set[int]] = defaultdict(set)
        for startup_id, org_id in Startup.affiliations.through.objects.filter(
            startup_id__in=startup_ids
        ).values_list("startup_id", "organisation_id"):
            startup_orgs[startup_id].add(org_id)
        startup_team: dict[int, set[int]] = defaultdict(set)
        for startup_id, user_id in TeamMembership.objects.filter(startup_id__in=startup_ids).values_list(
            "startup_id", "user_id"
        ):
            startup_team[startup_id].add(user_id)
        declared_startups: dict[int, set[int]] = defaultdict(set)
        declared_orgs: dict[int, set[int]] = defaultdict(set)
        for reviewer_id, startup_id, org_id in ReviewerConflict.objects.filter(
            reviewer_id__in=reviewer_ids
        ).values_list("reviewer_id", "startup_id", "organisation_id"):
            if startup_id:
                declared_startups[reviewer_id].add(startup_id)
            if org_id:
                declared_orgs[reviewer_id].add(org_id)
        declined = set(
            ReviewAssignment.objects.filter(
                reviewer_id__in=reviewer_ids,
                declined_for_conflict=True,
                application__startup_id__in=startup_ids,
            ).values_list("reviewer_id", "application__startup_id")
        )
        return cls(
            reviewer_org={r.pk: r.organisation_id for r in reviewers},
            startup_orgs=startup_orgs,
            startup_team=startup_team,
            declared_startups=declared_startups,
            declared_orgs=declared_orgs,
            declined_for_conflict=declined,
        )

    def reason(self, reviewer_id: int, startup_id: int) -> str | None:
        """Why ``reviewer_id`` must not review ``startup_id``, or ``None``."""
        if reviewer_id in self.startup_team.get(startup_id, set()):
            return _("is on the startup's team")
        org = self.reviewer_org.get(reviewer_id)
        if org is not None and org in self.startup_orgs.get(startup_id, set()):
            return _("works for an organisation the startup is affiliated with")
        return self.declared(reviewer_id, startup_id)

    def declared(self, reviewer_id: int, startup_id: int) -> str | None:
        """The conflict the person declared with ``startup_id`` themselves, or ``None``."""
        if startup_id in self.declared_startups.get(reviewer_id, set()):
            return _("declared a conflict of interest with the startup")
        if self.declared_orgs.get(reviewer_id, set()) & self.startup_orgs.get(startup_id, set()):
            return _("declared a conflict of interest with one of the startup's organisations")
        if (reviewer_id, startup_id) in self.declined_for_conflict:
            return _("declined this startup for a conflict of interest")
        return None
