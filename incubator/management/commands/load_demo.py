from django.core.management.base import BaseCommand

from incubator.demo.loader import DemoLoader


class Command(BaseCommand):
    help = "Load the demo cluster (organisations, people, two calls, thirty startups). Safe to re-run."

    def handle(self, *args, **options) -> None:
        summary = DemoLoader().load()
        if summary.created_startups:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary.created_startups} startups."))
        else:
            self.stdout.write("Demo data already present; nothing added.")
