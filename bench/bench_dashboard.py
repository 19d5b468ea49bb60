"""Benchmark: the managers' dashboard over 20,000 startups and 200,000 reviews on PostgreSQL.

Seeds a throwaway database (with a progress bar), then reports:
1. the dashboard page's SQL query count (target: at most 12);
2. its median response time through Django's test client, rendering included (target: under
   150 ms on this machine);
3. the median time of the same aggregates written by hand as raw SQL, run in the same process
   on the same data, and the ratio of the two (target: the page within 3x of the raw SQL).
Results are printed and written to bench/results/dashboard.json.

Run by `make bench` (DATABASE_URL from scripts/with-test-services).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

from bench import databases  # noqa: E402  (needs BASE_DIR on the path when run as a script)

STARTUPS = int(os.environ.get("BENCH_STARTUPS", "20000"))
REVIEWS = int(os.environ.get("BENCH_REVIEWS", "200000"))
RUNS = int(os.environ.get("BENCH_RUNS", "25"))
TARGET_QUERIES = 12
TARGET_MS = 150.0
TARGET_RATIO = 3.0
RESULTS = BASE_DIR / "bench" / "results" / "dashboard.json"
BATCH = 5000


def seed() -> None:
    from django.utils import timezone
    from tqdm import tqdm

    from incubator.models import Call, Criterion, FundingRecord, Organisation, Startup, TherapeuticArea, User
    from pipeline.models import Application, Review, ReviewAssignment, TransitionLog

    rng = random.Random(2026)
    now = timezone.now()
    areas = TherapeuticArea.objects.bulk_create(
        TherapeuticArea(name=f"Area {i}", slug=f"area-{i}") for i in range(12)
    )
    Organisation.objects.bulk_create(Organisation(name=f"Member {i}", short_name=f"M{i}") for i in range(10))
    calls = [
        Call.objects.create(
            title=f"Call {i}",
            slug=f"call-{i}",
            opens_at=now - timedelta(days=400 - 100 * i),
            closes_at=now - timedelta(days=360 - 100 * i),
            review_deadline=now - timedelta(days=340 - 100 * i),
            capacity=5000,
        )
        for i in range(4)
    ]
    for call in calls:
        Criterion.objects.bulk_create(
            Criterion(call=call, name=f"Criterion {n}", position=n) for n in range(5)
        )
    reviewers = User.objects.bulk_create(
        User(email=f"reviewer{i}@bench.example", full_name=f"Reviewer {i}", is_mentor=True)
        for i in range(400)
    )
    stages = (
        ["application"] * 6
        + ["incubation"] * 5
        + ["acceleration"] * 3
        + ["funding"] * 2
        + ["alumni", "rejected", "withdrawn", "exited"]
    )
    progress = tqdm(total=STARTUPS + STARTUPS + REVIEWS, desc="seeding", unit="rows")
    startups = []
    for start in range(0, STARTUPS, BATCH):
        batch = [
            Startup(
                name=f"Startup {i}",
                slug=f"startup-{i}",
                stage=rng.choice(stages),
                therapeutic_area=rng.choice(areas),
                trl=rng.randint(1, 9),
                development_phase=rng.choice(["discovery", "preclinical", "clinical_1", "prototype"]),
                stage_entered_at=now - timedelta(days=rng.randint(1, 500)),
                created_at=now - timedelta(days=rng.randint(400, 700)),
            )
            for i in range(start, min(start + BATCH, STARTUPS))
        ]
        startups.extend(Startup.objects.bulk_create(batch))
        progress.update(len(batch))
    status_for = {"application": "in_review", "rejected": "rejected", "withdrawn": "withdrawn"}
    applications = []
    for start in range(0, len(startups), BATCH):
        batch = [
            Application(
                startup=s, call=rng.choice(calls), status=status_for.get(s.stage, "accepted"), decided_at=now
            )
            for s in startups[start : start + BATCH]
        ]
        applications.extend(Application.objects.bulk_create(batch))
        progress.update(len(batch))
    logs, funding = [], []
    order = ["application", "incubation", "acceleration", "funding", "alumni"]
    for s in startups:
        if s.stage in order[1:]:
            entered = s.created_at
            for source, target in itertools.pairwise(order[: order.index(s.stage) + 1]):
                left = entered + timedelta(days=rng.randint(20, 200))
                logs.append(
                    TransitionLog(
                        machine="startup",
                        startup=s,
                        transition="move",
                        source=source,
                        target=target,
                        source_entered_at=entered,
                        created_at=left,
                    )
                )
                entered = left
            if rng.random() < 0.3:
                funding.append(
                    FundingRecord(
                        startup=s,
                        kind="equity",
                        date=date(2026, rng.randint(1, 10), 1),
                        amount=Decimal(rng.randint(1, 50)) * 100000,
                        currency=rng.choice(["RUB", "RUB", "USD"]),
                        investor_name="Fund",
                    )
                )
    TransitionLog.objects.bulk_create(logs, batch_size=BATCH)
    FundingRecord.objects.bulk_create(funding, batch_size=BATCH)
    per_application = max(1, REVIEWS // len(applications))
    for start in range(0, len(applications), BATCH // per_application):
        chunk = applications[start : start + BATCH // per_application]
        assignments = []
        for application in chunk:
            for reviewer in rng.sample(reviewers, per_application):
                assignments.append(
                    ReviewAssignment(
                        application=application,
                        call_id=application.call_id,
                        reviewer=reviewer,
                        due_at=now + timedelta(days=rng.randint(-30, 30)),
                    )
                )
        assignments = ReviewAssignment.objects.bulk_create(assignments)
        # Every assignment has its review: nine in ten submitted, the rest drafts.
        reviews = []
        for assignment in assignments:
            submitted = rng.random() < 0.9
            reviews.append(
                Review(
                    assignment=assignment,
                    status="submitted" if submitted else "draft",
                    weighted_score=Decimal(str(round(rng.uniform(0, 10), 2))) if submitted else None,
                    submitted_at=now - timedelta(days=rng.randint(1, 300)) if submitted else None,
                    recommendation="accept",
                    confidence=2,
                )
            )
        Review.objects.bulk_create(reviews)
        progress.update(len(assignments))
    progress.close()
    # bulk_create skips the receivers that keep the derived figures: set them as the services would.
    from django.db.models import OuterRef, Subquery

    from pipeline.stats import dashboard_counters_rebuild

    accepted = Application.objects.filter(startup_id=OuterRef("pk"), status="accepted")
    admitted = TransitionLog.objects.filter(startup_id=OuterRef("pk"), target="incubation")
    Startup.objects.update(
        admitted_call_id=Subquery(accepted.values("call_id")[:1]),
        admitted_at=Subquery(admitted.values("created_at")[:1]),
    )
    dashboard_counters_rebuild()
    User.objects.create(
        email="manager@bench.example", full_name="Bench Manager", is_manager=True, is_staff=True
    )
    from django.db import connection

    # A database in use has been vacuumed by autovacuum; after a bulk load, do it now so the
    # measurement sees the steady state (index-only scans need the visibility map).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# The page's aggregates written by hand, reading the same tables as the page (including the
# per-call reviewer loads and score bins that the services keep up to date).
RAW_SQL = [
    # Startups by stage, TRL and phase.
    "SELECT stage, trl, development_phase, COUNT(*) FROM incubator_startup GROUP BY 1, 2, 3",
    # Applications per call by status and by the applicant's stage, with the decisions not yet
    # released.
    """SELECT a.call_id, c.slug, c.title, a.status, s.stage, COUNT(*),
              COUNT(*) FILTER (WHERE a.status IN ('accepted', 'rejected', 'waitlisted')
                               AND (a.decision_released_at IS NULL OR a.decision_released_at < a.decided_at))
       FROM pipeline_application a
       JOIN incubator_call c ON c.id = a.call_id JOIN incubator_startup s ON s.id = a.startup_id
       GROUP BY 1, 2, 3, 4, 5""",
    # Moves between stages with the median and 90th percentile of the stay.
    """SELECT source, target, COUNT(DISTINCT startup_id),
              percentile_cont(0.5) WITHIN GROUP (ORDER BY created_at - source_entered_at),
              percentile_cont(0.9) WITHIN GROUP (ORDER BY created_at - source_entered_at)
       FROM pipeline_transitionlog
       WHERE machine = 'startup' AND source_entered_at IS NOT NULL AND source <> target
       GROUP BY 1, 2""",
    # Filter options.
    """SELECT 'call', id, title, stall_limit_days FROM incubator_call
       UNION ALL SELECT 'area', id, name, 0 FROM incubator_therapeuticarea
       UNION ALL SELECT 'org', id, name, 0 FROM incubator_organisation WHERE is_member""",
    # Reviewer progress: loads per reviewer, and open assignments past due.
    """SELECT l.reviewer_id, u.full_name, SUM(l.assigned), SUM(l.done),
              COALESCE((SELECT COUNT(*) FROM pipeline_reviewassignment ra
                        WHERE ra.reviewer_id = l.reviewer_id AND ra.submitted_at IS NULL
                          AND ra.declined_at IS NULL AND ra.due_at < now()), 0)
       FROM pipeline_reviewerload l JOIN incubator_user u ON u.id = l.reviewer_id GROUP BY 1, 2""",
    # Score distribution per call.
    "SELECT c.title, b.bin, b.reviews FROM pipeline_scorebin b JOIN incubator_call c ON c.id = b.call_id",
    # Funding per admitting call and currency, with follow-on after admission.
    """SELECT c.title, f.currency, SUM(f.amount),
              SUM(f.amount) FILTER (WHERE NOT f.from_programme AND f.date >= s.admitted_at::date), COUNT(*)
       FROM incubator_fundingrecord f JOIN incubator_startup s ON s.id = f.startup_id
       LEFT JOIN incubator_call c ON c.id = s.admitted_call_id GROUP BY 1, 2""",
    # Stalled startups.
    """SELECT s.id, s.name FROM incubator_startup s LEFT JOIN incubator_call c ON c.id = s.admitted_call_id
       WHERE s.stage IN ('incubation', 'acceleration', 'funding')
         AND s.stage_entered_at < now() - make_interval(days => COALESCE(c.stall_limit_days, 120))
       ORDER BY s.stage_entered_at LIMIT 25""",
    # Monthly reports since admission.
    """SELECT s.id, s.name, s.admitted_at,
              COUNT(k.id) FILTER (WHERE k.period >= date_trunc('month', s.admitted_at))
       FROM incubator_startup s LEFT JOIN incubator_kpireport k ON k.startup_id = s.id
       WHERE s.stage IN ('incubation', 'acceleration', 'funding') AND s.admitted_at IS NOT NULL
       GROUP BY 1, 2, 3""",
]

# The two review panels counted from the reviews themselves, as the page would without the
# derived figures: reported for comparison, not part of the page.
RAW_SQL_FROM_REVIEWS = [
    """SELECT ra.reviewer_id, u.full_name, COUNT(*), COUNT(*) FILTER (WHERE r.status = 'submitted'),
              COUNT(*) FILTER (WHERE (r.status IS NULL OR r.status <> 'submitted') AND ra.due_at < now())
       FROM pipeline_reviewassignment ra JOIN incubator_user u ON u.id = ra.reviewer_id
       LEFT JOIN pipeline_review r ON r.assignment_id = ra.id WHERE ra.declined_at IS NULL GROUP BY 1, 2""",
    """SELECT c.title, LEAST(FLOOR(r.weighted_score), 9), COUNT(*) FROM pipeline_review r
       JOIN pipeline_reviewassignment ra ON ra.id = r.assignment_id
       JOIN pipeline_application a ON a.id = ra.application_id
       JOIN incubator_call c ON c.id = a.call_id
       WHERE r.status = 'submitted' AND r.weighted_score IS NOT NULL GROUP BY 1, 2""",
]


def _median_ms(cursor, statements: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure() -> dict:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from incubator.models import User

    client = Client()
    client.force_login(User.objects.get(email="manager@bench.example"))
    client.get("/manage/")  # warm caches
    # Each request resets the connection's query log when it starts, so it is emptied first and
    # the count read right after the request.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/manage/")
    assert response.status_code == 200, response.status_code
    query_count = len(captured.captured_queries)
    if os.environ.get("BENCH_VERBOSE"):
        for query in captured.captured_queries:
            print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:150]}")
    page_ms = []
    for _ in range(RUNS):
        reset_queries()
        started = time.perf_counter()
        client.get("/manage/")
        page_ms.append((time.perf_counter() - started) * 1000)
    with connection.cursor() as cursor:
        raw = _median_ms(cursor, RAW_SQL)
        from_reviews = _median_ms(cursor, RAW_SQL_FROM_REVIEWS)
    page = statistics.median(page_ms)
    return {
        "startups": STARTUPS,
        "reviews_target": REVIEWS,
        "queries": query_count,
        "page_median_ms": round(page, 1),
        "raw_sql_median_ms": round(raw, 1),
        "review_panels_from_reviews_raw_sql_ms": round(from_reviews, 1),
        "ratio": round(page / raw, 2),
        "targets": {"queries": TARGET_QUERIES, "page_median_ms": TARGET_MS, "ratio": TARGET_RATIO},
    }


def main() -> int:
    with databases.throwaway_database("bench_dashboard"):
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        seed()
        from pipeline.models import Review

        result = measure()
        result["reviews"] = Review.objects.count()
    ok = (
        result["queries"] <= TARGET_QUERIES
        and result["page_median_ms"] < TARGET_MS
        and result["ratio"] <= TARGET_RATIO
    )
    result["met"] = ok
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print("dashboard benchmark:", "targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
