from django.core.management.base import BaseCommand

from notifications.schedules import schedules_ensure


class Command(BaseCommand):
    help = "Create the periodic sweeps of the notifications app (idempotent; edits in the admin are kept)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Put existing schedules back to their defaults."
        )

    def handle(self, *args, reset: bool, **options) -> None:
        result = schedules_ensure(reset=reset)
        for name in result.created:
            self.stdout.write(f"created: {name}")
        for name in result.reset:
            self.stdout.write(f"reset: {name}")
        for name in result.kept:
            self.stdout.write(f"kept: {name}")
