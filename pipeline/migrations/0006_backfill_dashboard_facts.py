from django.db import migrations
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Floor, Least


def backfill(apps, schema_editor):
    Application = apps.get_model("pipeline", "Application")
    ReviewAssignment = apps.get_model("pipeline", "ReviewAssignment")
    Review = apps.get_model("pipeline", "Review")
    ReviewerLoad = apps.get_model("pipeline", "ReviewerLoad")
    ScoreBin = apps.get_model("pipeline", "ScoreBin")
    Startup = apps.get_model("incubator", "Startup")
    TransitionLog = apps.get_model("pipeline", "TransitionLog")

    ReviewAssignment.objects.update(
        call_id=Subquery(Application.objects.filter(pk=OuterRef("application_id")).values("call_id")[:1])
    )
    ReviewAssignment.objects.update(
        submitted_at=Subquery(
            Review.objects.filter(assignment_id=OuterRef("pk"), status="submitted").values("submitted_at")[:1]
        )
    )
    loads = (
        ReviewAssignment.objects.filter(declined_at__isnull=True)
        .order_by()
        .values("call_id", "reviewer_id")
        .annotate(assigned=Count("id"), done=Count("id", filter=Q(submitted_at__isnull=False)))
    )
    ReviewerLoad.objects.bulk_create(ReviewerLoad(**row) for row in loads)
    bins = (
        Review.objects.filter(status="submitted", weighted_score__isnull=False)
        .order_by()
        .annotate(bin=Least(Floor("weighted_score"), Value(9), output_field=IntegerField()))
        .values("assignment__call_id", "bin")
        .annotate(n=Count("id"))
    )
    ScoreBin.objects.bulk_create(
        ScoreBin(call_id=row["assignment__call_id"], bin=int(row["bin"]), reviews=row["n"]) for row in bins
    )
    admit = TransitionLog.objects.filter(startup_id=OuterRef("pk"), machine="startup", transition="admit").order_by(
        "created_at"
    )
    accepted = Application.objects.filter(startup_id=OuterRef("pk"), status="accepted").order_by("-decided_at", "-pk")
    Startup.objects.update(
        admitted_at=Subquery(admit.values("created_at")[:1]),
        admitted_call_id=Subquery(accepted.values("call_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("pipeline", "0005_dashboard_facts"),
        ("incubator", "0006_dashboard_facts"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
