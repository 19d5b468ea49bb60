"""The reason the system records when reviewers are assigned was stored in the language of the
manager's page; store it in English, which pages now show in each reader's language."""

from django.db import migrations

ENGLISH = "Reviewers assigned."
STORED_TRANSLATIONS = ["Эксперты назначены."]


def to_english(apps, schema_editor):
    TransitionLog = apps.get_model("pipeline", "TransitionLog")
    TransitionLog.objects.filter(transition="start_review", reason__in=STORED_TRANSLATIONS).update(reason=ENGLISH)


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0008_application_updated_before_decision")]

    operations = [migrations.RunPython(to_english, migrations.RunPython.noop)]
