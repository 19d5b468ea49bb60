"""Record with each transition whether its actor was on the startup's team at the time. Earlier
records are filled from the teams as they are now, the best knowledge there is of then."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def from_current_teams(apps, schema_editor):
    TransitionLog = apps.get_model("pipeline", "TransitionLog")
    TeamMembership = apps.get_model("incubator", "TeamMembership")
    on_team = TeamMembership.objects.filter(startup_id=OuterRef("startup_id"), user_id=OuterRef("actor_id"))
    TransitionLog.objects.filter(Exists(on_team)).update(by_team=True)


class Migration(migrations.Migration):
    dependencies = [
        ("incubator", "0011_calls_and_criteria_in_russian"),
        ("pipeline", "0009_system_reasons_untranslated"),
    ]

    operations = [
        migrations.AddField(
            model_name="transitionlog",
            name="by_team",
            field=models.BooleanField(default=False, verbose_name="by the startup's team"),
        ),
        migrations.RunPython(from_current_teams, migrations.RunPython.noop),
    ]
