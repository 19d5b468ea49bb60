from django.core.management.base import BaseCommand

from incubator.demo.loader import DemoLoader


class Command(BaseCommand):
    help = "Print the demo logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url: str, **options) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"The demo runs at {url}  (Ctrl-C stops it)"))
        self.stdout.write("Log in with any of these (the password is the same for all):")
        for role, email, password in DemoLoader().logins():
            self.stdout.write(f"  {role:<40} {email:<28} {password}")
        self.stdout.write("Sent e-mail is written to var/mail/ and listed in the admin under Notifications.")
        self.stdout.write("")
