"""The demo's recorded past: audit records written in one go once a startup's story is known,
and the reviews of its application."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from pipeline.models import Application, Review, ReviewAssignment, ReviewScore, TransitionLog
from pipeline.scoring import CriterionScore, weighted_score

from ..models import Call, Startup, User


def write_reviews(
    *,
    application: Application,
    call: Call,
    reviewers: list[User],
    manager: User,
    rng: random.Random,
    now: datetime,
    complete: bool,
    good: bool,
    submitted: int = 1,
) -> None:
    """Reviews of one application: all submitted for a past call; for the open call, the first
    ``submitted`` reviewers have submitted and the others still have it in their queue."""
    criteria = list(call.criteria.all())
    for position, reviewer in enumerate(reviewers):
        assigned_at = call.closes_at + timedelta(days=1) if complete else now - timedelta(days=2)
        assignment = ReviewAssignment.objects.create(
            application=application,
            reviewer=reviewer,
            due_at=call.review_deadline,
            assigned_by=manager,
            is_automatic=True,
            created_at=assigned_at,
        )
        if not complete and position >= submitted:
            continue  # still to be reviewed: shows in the reviewer's queue
        leniency = (reviewer.pk % 3) - 1  # some reviewers are harsher than others
        base = 4 if good else 2
        scores = [
            max(c.scale_min, min(c.scale_max, base + leniency + rng.choice([-1, 0, 0, 1]))) for c in criteria
        ]
        # Within the days since assignment for the open call: nothing is dated after "now".
        submitted_at = assigned_at + (
            timedelta(days=rng.randint(2, 10)) if complete else timedelta(hours=rng.randint(2, 40))
        )
        review = Review.objects.create(
            assignment=assignment,
            status=Review.Status.SUBMITTED,
            recommendation=Review.Recommendation.ACCEPT if good else Review.Recommendation.REJECT,
            confidence=rng.choice([2, 3]),
            comment_for_founders=(
                "Strong data and a credible team; plan the regulatory work early."
                if good
                else "The unmet need is clear, but the data do not yet support the claims."
            ),
            confidential_note="Discussed with the team lead at the pitch day.",
            created_at=assigned_at,
            submitted_at=submitted_at,
            weighted_score=Decimal(
                str(
                    round(
                        weighted_score(
                            CriterionScore(s, c.weight, c.scale_min, c.scale_max)
                            for s, c in zip(scores, criteria, strict=True)
                        ),
                        4,
                    )
                )
            ),
        )
        ReviewScore.objects.bulk_create(
            ReviewScore(review=review, criterion=c, score=s) for s, c in zip(scores, criteria, strict=True)
        )


@dataclass
class History:
    """Audit records of one startup, written in one go once its story is known."""

    startup: Startup
    application: Application

    def __post_init__(self) -> None:
        self.rows: list[TransitionLog] = []
        self.causes: dict[int, TransitionLog] = {}

    def _add(
        self, machine: str, name: str, source: str, target: str, actor: User, at: datetime, **fields
    ) -> None:
        self.rows.append(
            TransitionLog(
                machine=machine,
                startup=self.startup,
                transition=name,
                source=source,
                target=target,
                actor=actor,
                created_at=at,
                **fields,
            )
        )

    def app(self, name: str, source: str, target: str, actor: User, at: datetime, reason: str = "") -> None:
        self._add("application", name, source, target, actor, at, application=self.application, reason=reason)

    def stage(
        self,
        name: str,
        source: str,
        target: str,
        actor: User,
        at: datetime,
        reason: str = "",
        follows: bool = False,
    ) -> None:
        """A stage change; ``follows`` links it to the application change just recorded."""
        if follows:
            cause = next(row for row in reversed(self.rows) if row.machine == "application")
            self.causes[len(self.rows)] = cause
        self._add("startup", name, source, target, actor, at, reason=reason)

    def milestone(
        self,
        milestone,
        name: str,
        source: str,
        target: str,
        actor: User,
        at: datetime,
        since: datetime,
        reason: str = "",
    ) -> None:
        """A milestone's status change; ``since`` is when it entered ``source``."""
        self._add(
            "milestone",
            name,
            source,
            target,
            actor,
            at,
            milestone=milestone,
            reason=reason,
            source_entered_at=since,
        )

    def entered(self, stage: str) -> datetime | None:
        """When the startup entered ``stage``, if it did."""
        return next(
            (row.created_at for row in self.rows if row.machine == "startup" and row.target == stage), None
        )

    def last_stage_change(self) -> datetime | None:
        times = [row.created_at for row in self.rows if row.machine == "startup"]
        return max(times) if times else None

    def write(self) -> None:
        order = sorted(range(len(self.rows)), key=lambda i: (self.rows[i].created_at, i))
        stage_since = self.startup.created_at
        team = set(self.startup.memberships.values_list("user_id", flat=True))
        for index in order:
            row = self.rows[index]
            row.by_team = row.actor_id in team
            if index in self.causes:
                row.caused_by = self.causes[index]
            if row.machine == "startup":
                row.source_entered_at, stage_since = stage_since, row.created_at
            row.save()
