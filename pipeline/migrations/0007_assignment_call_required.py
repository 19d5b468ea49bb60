import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incubator", "0006_dashboard_facts"),
        ("pipeline", "0006_backfill_dashboard_facts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reviewassignment",
            name="call",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="incubator.call",
            ),
        ),
    ]
