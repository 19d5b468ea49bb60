"""Loads the demo cluster. Safe to run again: everything is keyed by natural keys (e-mail,
slug, name) and a startup's history is written only in the run that creates the startup.

The history is written as it would have been recorded (application and stage changes with their
audit records, reviews, milestones), dated relative to today so that one call is always open.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from pipeline.models import Application, ReviewAssignment

from ..models import (
    Call,
    Criterion,
    MentorAssignment,
    Milestone,
    Organisation,
    ReviewerProfile,
    Startup,
    TeamMembership,
    TherapeuticArea,
    User,
)
from . import data
from .history import History, write_reviews
from .portfolio import demo_pdf, seed_portfolio

ACTIVE = {"incubation", "acceleration", "funding", "alumni"}


@dataclass
class DemoSummary:
    created_startups: int
    logins: list[tuple[str, str, str]]


class DemoLoader:
    def __init__(self, *, now: datetime | None = None, seed: int = 2026) -> None:
        self.now = now or timezone.now()
        self.rng = random.Random(seed)
        self.orgs: dict[str, Organisation] = {}
        self.areas: dict[str, TherapeuticArea] = {}
        self.managers: list[User] = []
        self.mentors: list[User] = []
        self.mentor_expertise: dict[int, list[str]] = {}
        self._password_hash: str | None = None

    def days_ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    @transaction.atomic
    def load(self) -> DemoSummary:
        self._organisations()
        self._people()
        past_call, open_call = self._calls()
        created = 0
        for index, row in enumerate(data.STARTUPS):
            if self._startup(index, row, past_call, open_call):
                created += 1
        if created:
            self._review_due_soon(open_call)
        return DemoSummary(created_startups=created, logins=self.logins())

    def _review_due_soon(self, call: Call) -> None:
        """One of the demo reviewer's open reviews is due in two days, so the reminder sweep has
        something to say as soon as the demo starts."""
        pending = (
            ReviewAssignment.objects.filter(
                reviewer__email="mentor@cluster.demo",
                application__call=call,
                application__status__in=["submitted", "in_review"],
                review__isnull=True,
            )
            .order_by("pk")
            .first()
        )
        if pending is not None:
            ReviewAssignment.objects.filter(pk=pending.pk).update(due_at=self.days_ago(-2))

    def logins(self) -> list[tuple[str, str, str]]:
        return [
            ("Cluster manager", "manager@cluster.demo", data.DEMO_PASSWORD),
            ("Mentor / reviewer", "mentor@cluster.demo", data.DEMO_PASSWORD),
            ("Founder, applying now (CardioGene)", "founder@cluster.demo", data.DEMO_PASSWORD),
            ("Founder, in incubation (NeuroRegen)", "incubation@cluster.demo", data.DEMO_PASSWORD),
            ("Administrator (Django admin)", "admin@cluster.demo", data.DEMO_PASSWORD),
        ]

    # Reference data and people

    def _organisations(self) -> None:
        for name, short, kind, city in data.ORGANISATIONS:
            org, _ = Organisation.objects.get_or_create(
                name=name, defaults={"short_name": short, "kind": kind, "city": city}
            )
            self.orgs[short] = org
        for name, name_ru, slug in data.AREAS:
            area, _ = TherapeuticArea.objects.get_or_create(
                slug=slug, defaults={"name": name, "name_ru": name_ru}
            )
            if not area.name_ru:  # a demo database loaded before fields had Russian names
                TherapeuticArea.objects.filter(pk=area.pk).update(name_ru=name_ru)
            self.areas[slug] = area

    def _user(self, email: str, full_name: str, **fields) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            if self._password_hash is None:
                # Hash once: every demo account shares the password, and hashing is slow on purpose.
                self._password_hash = make_password(data.DEMO_PASSWORD)
            user = User(
                email=email, full_name=full_name, email_confirmed=True, password=self._password_hash, **fields
            )
            user.save()
        return user

    def _people(self) -> None:
        self._user(
            "admin@cluster.demo", "Cluster administrator", is_staff=True, is_superuser=True, is_manager=True
        )
        for email, name, org, position in data.MANAGERS:
            self.managers.append(
                self._user(
                    email,
                    name,
                    organisation=self.orgs[org],
                    position=position,
                    is_manager=True,
                    is_staff=True,
                )
            )
        for email, name, org, position, expertise in data.MENTORS:
            mentor = self._user(email, name, organisation=self.orgs[org], position=position, is_mentor=True)
            profile, created = ReviewerProfile.objects.get_or_create(
                user=mentor, defaults={"capacity_per_call": 8}
            )
            if created:
                profile.expertise.set([self.areas[slug] for slug in expertise])
            self.mentors.append(mentor)
            self.mentor_expertise[mentor.pk] = expertise

    def _calls(self) -> tuple[Call, Call]:
        past, created = Call.objects.get_or_create(
            slug="cohort-2025",
            defaults={
                "title": "Cohort 2025: incubation call",
                "summary": "Seed incubation for drug, device and diagnostics startups of the cluster.",
                "rules": (
                    "Startups with a working prototype or preclinical data and at least one founder "
                    "full time. Up to 16 places; 3 million RUB of seed funding per startup."
                ),
                "opens_at": self.days_ago(420),
                "closes_at": self.days_ago(380),
                "review_deadline": self.days_ago(365),
                "capacity": 16,
                "min_reviews": 2,
                "reviewers_per_application": 3,
                "blind_review": True,
                "funding_per_startup": Decimal("3000000"),
                "decisions_released_at": self.days_ago(358),
                **data.CALLS_RU["cohort-2025"],
            },
        )
        if created:
            self._criteria(past)
            past.managers.set(self.managers)
        current, created = Call.objects.get_or_create(
            slug="cohort-2026-autumn",
            defaults={
                "title": "Cohort 2026: autumn call",
                "summary": "Incubation for startups in oncology, neurology, cardiology and perinatal care.",
                "rules": (
                    "Open to startups affiliated with a cluster member or applying together with one. "
                    "Submit the application with a pitch deck (PDF, up to 20 MB) before the call closes. "
                    "Up to 10 places."
                ),
                "opens_at": self.days_ago(30),
                "closes_at": self.days_ago(-6),
                "review_deadline": self.days_ago(-26),
                "capacity": 10,
                "min_reviews": 2,
                "reviewers_per_application": 3,
                "blind_review": True,
                "hide_founder_names": True,
                "funding_per_startup": Decimal("3500000"),
                **data.CALLS_RU["cohort-2026-autumn"],
            },
        )
        if created:
            self._criteria(current)
            current.managers.set(self.managers)
        self._russian_texts_of_an_older_demo(past, current)
        return past, current

    def _russian_texts_of_an_older_demo(self, *calls: Call) -> None:
        """A demo database loaded before calls and rubrics had Russian texts gets them too."""
        russian = {name: (name_ru, guidance_ru) for name, _g, _w, name_ru, guidance_ru in data.CRITERIA}
        for call in calls:
            Call.objects.filter(pk=call.pk, title_ru="").update(**data.CALLS_RU[call.slug])
            for criterion in call.criteria.filter(name_ru="", name__in=list(russian)):
                name_ru, guidance_ru = russian[criterion.name]
                Criterion.objects.filter(pk=criterion.pk).update(name_ru=name_ru, guidance_ru=guidance_ru)

    def _criteria(self, call: Call) -> None:
        for position, (name, guidance, weight, name_ru, guidance_ru) in enumerate(data.CRITERIA):
            Criterion.objects.create(
                call=call,
                name=name,
                name_ru=name_ru,
                guidance=guidance,
                guidance_ru=guidance_ru,
                weight=Decimal(weight),
                position=position,
            )

    # Startups and their history

    def _startup(self, index: int, row: tuple, past_call: Call, open_call: Call) -> bool:
        name, area, product, phase, trl, affiliations, stage, which_call, status, summary = row
        slug = slugify(name)
        if Startup.objects.filter(slug=slug).exists():
            return False
        call = past_call if which_call == "past" else open_call
        created_at = call.opens_at - timedelta(days=self.rng.randint(10, 60))
        startup = Startup.objects.create(
            name=name,
            slug=slug,
            summary=summary,
            therapeutic_area=self.areas[area],
            product_type=product,
            development_phase=phase,
            trl=trl,
            website=f"https://{slug}.example",
            founded_on=(created_at - timedelta(days=self.rng.randint(100, 900))).date(),
            created_at=created_at,
            stage=stage,
        )
        startup.affiliations.set([self.orgs[short] for short in affiliations])
        founders = self._founders(index, startup, created_at)
        lead = founders[0]
        application = Application.objects.create(
            startup=startup,
            call=call,
            status=status,
            created_by=lead,
            created_at=created_at + timedelta(days=1),
            **self._answers(startup, complete=status != "draft" or index % 2 == 0),
        )
        if status != "draft":
            # Submitted applications came with their pitch deck.
            application.pitch_deck.save("pitch-deck.pdf", demo_pdf(f"{startup.name}: pitch deck"), save=False)
            application.pitch_deck_name = f"{slugify(startup.name)}-pitch-deck.pdf"
            application.save(update_fields=["pitch_deck", "pitch_deck_name"])
        history = History(startup=startup, application=application)
        manager = self.managers[index % len(self.managers)]

        if status != "draft":
            submitted = (
                call.closes_at - timedelta(days=self.rng.randint(2, 35))
                if which_call == "past"
                else self.days_ago(self.rng.randint(4, 25))
            )
            application.submitted_at = submitted
            history.app("submit", "draft", "submitted", lead, submitted)
        if status in ("in_review", "accepted", "rejected") or (
            status == "withdrawn" and which_call == "past"
        ):
            started = (
                call.closes_at + timedelta(days=1)
                if which_call == "past"
                else self.days_ago(self.rng.randint(1, 3))
            )
            history.app("start_review", "submitted", "in_review", manager, started)
        if status != "draft" and status != "submitted":
            reviewers = self._eligible_reviewers(startup)[: call.reviewers_per_application]
            if which_call != "past" and name not in data.STRONG_OPEN_APPLICATIONS:
                # The demo reviewer still has these in the queue (the first reviewer has submitted).
                reviewers.sort(key=lambda reviewer: reviewer.email == "mentor@cluster.demo")
            write_reviews(
                application=application,
                call=call,
                reviewers=reviewers,
                manager=self.managers[0],
                rng=self.rng,
                now=self.now,
                complete=which_call == "past",
                good=status == "accepted" or name in data.STRONG_OPEN_APPLICATIONS,
                # Two of the open call's applications already have enough reviews for a decision.
                submitted=2 if name in data.STRONG_OPEN_APPLICATIONS else 1,
            )

        decided = self.days_ago(360)
        if status == "accepted":
            application.decided_at = decided
            application.decision_released_at = call.decisions_released_at
            history.app("accept", "in_review", "accepted", manager, decided)
            history.stage("admit", "application", "incubation", manager, decided, follows=True)
        elif status == "rejected":
            application.decided_at = decided
            application.decision_released_at = call.decisions_released_at
            history.app("reject", "in_review", "rejected", manager, decided)
            history.stage("reject", "application", "rejected", manager, decided, follows=True)
        elif status == "withdrawn":
            withdrawn_at = call.closes_at + timedelta(days=5) if which_call == "past" else self.days_ago(9)
            reason = (
                "We joined a pharma partner's programme instead."
                if which_call == "past"
                else "We will apply next year with clinical data."
            )
            source = "in_review" if which_call == "past" else "submitted"
            history.app("withdraw", source, "withdrawn", lead, withdrawn_at, reason)
            history.stage("withdraw", "application", "withdrawn", lead, withdrawn_at, reason, follows=True)
        application.save()

        if stage in ACTIVE or stage == "exited":
            mentor = self._mentor(startup, index, decided)
            self._progress(startup, stage, history, manager, decided, lead=lead, mentor=mentor)
            seed_portfolio(
                startup=startup,
                stage=stage,
                admitted=decided,
                funded=history.entered("funding"),
                mentor=mentor,
                manager=manager,
                fund=self.orgs["KSI Ventures"],
                rng=self.rng,
                now=self.now,
            )
        history.write()
        last = history.last_stage_change()
        admitted = {"admitted_at": decided, "admitted_call": call} if status == "accepted" else {}
        Startup.objects.filter(pk=startup.pk).update(stage_entered_at=last or created_at, **admitted)
        return True

    def _founders(self, index: int, startup: Startup, created_at: datetime) -> list[User]:
        first, last = data.FIRST_NAMES[index], data.LAST_NAMES[index]
        email = data.FEATURED_FOUNDERS.get(
            startup.name, f"{first.lower()}.{last.lower()}@{startup.slug}.example"
        )
        lead = self._user(email, f"{first} {last}", is_founder=True)
        people = [lead]
        if index % 3 == 0:
            j = (index + 7) % len(data.FIRST_NAMES)
            people.append(
                self._user(
                    f"{data.FIRST_NAMES[j].lower()}.{data.LAST_NAMES[j].lower()}@{startup.slug}.example",
                    f"{data.FIRST_NAMES[j]} {data.LAST_NAMES[j]}",
                    is_founder=True,
                )
            )
        for position, person in enumerate(people):
            TeamMembership.objects.get_or_create(
                startup=startup,
                user=person,
                defaults={
                    "role": TeamMembership.Role.FOUNDER if position == 0 else TeamMembership.Role.COFOUNDER,
                    "title": "CEO" if position == 0 else "CSO",
                    "joined_at": created_at,
                },
            )
        return people

    def _answers(self, startup: Startup, *, complete: bool) -> dict:
        answers = {
            "problem": f"{startup.summary} Today patients and clinicians have no good option for this.",
            "solution": f"{startup.name}: {startup.summary}",
            "science_ip": "Proof-of-concept data in two models; a priority patent application is filed.",
            "regulatory_path": "Registration through the national procedure, with EAEU recognition later.",
            "market": "Federal and regional clinics first, then export to the EAEU.",
            "team_description": "A scientist-founder, a clinician and an engineer, full time.",
            "funding_needed": Decimal(self.rng.choice([3, 5, 8, 12, 20]) * 1_000_000),
            "use_of_funds": "Preclinical package, a pilot batch and the first regulatory consultations.",
        }
        if not complete:
            for key in ("science_ip", "regulatory_path", "market", "use_of_funds"):
                answers[key] = ""
            answers["funding_needed"] = None
        return answers

    def _eligible_reviewers(self, startup: Startup) -> list[User]:
        affiliated = set(startup.affiliations.values_list("pk", flat=True))
        area = startup.therapeutic_area.slug
        eligible = [m for m in self.mentors if m.organisation_id not in affiliated]
        # Experts in the startup's field first, then the rest, in a stable order.
        return sorted(eligible, key=lambda m: (area not in self.mentor_expertise[m.pk], m.email))

    def _progress(
        self,
        startup: Startup,
        stage: str,
        history: History,
        manager: User,
        admitted: datetime,
        *,
        lead: User,
        mentor: User,
    ) -> None:
        incubation_done = stage in ("acceleration", "funding", "alumni")
        if incubation_done:
            statuses = ["accepted", "accepted", "accepted"]
        elif stage == "exited":
            # It left the programme before the later milestones came due.
            statuses = ["accepted", "in_progress", "planned"]
        else:
            statuses = self._incubation_statuses(startup)
        titles = [
            "Preclinical proof of concept",
            "Freedom-to-operate analysis",
            "Investor pitch and financial model",
        ]
        for offset, (title, status) in enumerate(zip(titles, statuses, strict=True)):
            self._milestone(
                history,
                startup=startup,
                stage="incubation",
                title=title,
                due_on=(admitted + timedelta(days=60 * (offset + 1))).date(),
                status=status,
                set_at=admitted + timedelta(days=3),
                set_by=mentor,
                lead=lead,
                required_evidence="A short report (PDF) signed by the mentor.",
            )
        if stage == "exited":
            history.stage(
                "exit",
                "incubation",
                "exited",
                manager,
                self.days_ago(250),
                "The team could not secure lab space after the university contract ended.",
            )
            return
        if stage == "incubation":
            return
        accelerated = self.days_ago(200 + self.rng.randint(-15, 15))
        history.stage("accelerate", "incubation", "acceleration", manager, accelerated)
        acceleration_done = stage in ("funding", "alumni")
        for offset, title in enumerate(
            ["First pilot customer or clinical site", "Regulatory consultation held"]
        ):
            status = "accepted" if acceleration_done or offset == 0 else "in_progress"
            self._milestone(
                history,
                startup=startup,
                stage="acceleration",
                title=title,
                due_on=(accelerated + timedelta(days=45 * (offset + 1))).date(),
                status=status,
                set_at=accelerated + timedelta(days=2),
                set_by=mentor,
                lead=lead,
            )
        if stage == "acceleration":
            return
        funded = self.days_ago(110 + self.rng.randint(-10, 10))
        history.stage("fund", "acceleration", "funding", manager, funded)
        if stage == "alumni":
            history.stage(
                "graduate",
                "funding",
                "alumni",
                manager,
                self.days_ago(30 + self.rng.randint(-10, 10)),
                "Closed a seed round; graduated from the programme.",
            )

    def _milestone(
        self,
        history: History,
        *,
        status: str,
        set_at: datetime,
        set_by: User,
        lead: User,
        **fields,
    ) -> Milestone:
        """A milestone with the history that led to its status: the team started it, submitted its
        evidence two days before it was due (the evidence is dated a day earlier), and the mentor
        accepted it two days later. Nothing is dated after now."""
        latest = self.now - timedelta(hours=1)
        due = timezone.make_aware(datetime.combine(fields["due_on"], datetime.min.time()))
        started = min(set_at + timedelta(days=10), latest)
        submitted = min(max(due - timedelta(days=2), started + timedelta(hours=1)), latest)
        accepted = min(submitted + timedelta(days=2), latest)
        milestone = Milestone.objects.create(
            status=status,
            created_at=set_at,
            created_by=set_by,
            submitted_at=submitted if status in ("submitted", "accepted") else None,
            decided_at=accepted if status == "accepted" else None,
            **fields,
        )
        if status == "planned":
            return milestone
        history.milestone(milestone, "start", "planned", "in_progress", lead, started, since=set_at)
        if status == "in_progress":
            return milestone
        history.milestone(milestone, "submit", "in_progress", "submitted", lead, submitted, since=started)
        if status == "accepted":
            history.milestone(milestone, "accept", "submitted", "accepted", set_by, accepted, since=submitted)
        return milestone

    def _incubation_statuses(self, startup: Startup) -> list[str]:
        if startup.name == "NeuroRegen":
            return ["accepted", "submitted", "in_progress"]
        if startup.name == "PerinaTest":
            return ["accepted", "accepted", "accepted"]
        return self.rng.choice(
            [
                ["accepted", "in_progress", "planned"],
                ["in_progress", "planned", "planned"],
                ["accepted", "accepted", "submitted"],
            ]
        )

    def _mentor(self, startup: Startup, index: int, admitted: datetime) -> User:
        if startup.name in ("NeuroRegen", "AlzMark"):
            mentor = next(m for m in self.mentors if m.email == "mentor@cluster.demo")
        else:
            mentor = self._eligible_reviewers(startup)[index % 2]
        # Mentors were given on admission, before the milestones they set.
        since = timezone.localdate(admitted + timedelta(days=1))
        MentorAssignment.objects.get_or_create(startup=startup, mentor=mentor, defaults={"since": since})
        return mentor
