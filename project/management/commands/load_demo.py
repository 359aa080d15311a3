from django.conf import settings
from django.core.management.base import BaseCommand

from project.demo import DEMO_PASSWORD, demo_logins, load_demo


class Command(BaseCommand):
    help = "Load the demo cooperative (safe to run again: nothing is duplicated)."

    def handle(self, *args, **options):
        organisation = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo cooperative ready: {organisation.name}"))
        self.stdout.write(f"Log in at {settings.SITE_URL}/accounts/login/ with password “{DEMO_PASSWORD}” as:")
        for email, what in demo_logins():
            self.stdout.write(f"  {email:28} {what}")
