"""A conflict of interest declared with a startup and an organisation together was one record
naming both; it becomes one record each, as declarations are now kept, so each is listed and
can be removed on its own."""

from django.db import migrations


def split(apps, schema_editor):
    ReviewerConflict = apps.get_model("incubator", "ReviewerConflict")
    for conflict in ReviewerConflict.objects.filter(startup__isnull=False, organisation__isnull=False):
        ReviewerConflict.objects.get_or_create(
            reviewer_id=conflict.reviewer_id,
            startup=None,
            organisation_id=conflict.organisation_id,
            defaults={"note": conflict.note, "declared_at": conflict.declared_at},
        )
        conflict.organisation = None
        conflict.save(update_fields=["organisation"])


class Migration(migrations.Migration):
    dependencies = [("incubator", "0013_funding_records_plural")]

    operations = [migrations.RunPython(split, migrations.RunPython.noop)]
