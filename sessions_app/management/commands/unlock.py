"""manage.py unlock USERNAME: forget a lifter's failed logins, so that they log in at once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sessions_app.login import pooled
from sessions_app.models import LoginThrottle


class Command(BaseCommand):
    help = (
        "Forget every failed-login count of a lifter (from any address or browser), so that "
        "logging in works at once. Places they logged in from stay known."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the lifter's username, in any case")

    def handle(self, username, **options):
        lifter = self.lifter_named(username)
        rows = LoginThrottle.objects.filter(
            username_key=LoginThrottle.username_key_for(pooled(username))
        )
        cleared = LoginThrottle.unlock(rows)
        if not cleared:
            self.stdout.write(f"{lifter.get_username()} had no failed logins counted.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Unlocked {lifter.get_username()}: {cleared} failed-login count"
                f"{'s' if cleared != 1 else ''} cleared; logging in works at once."
            )
        )

    @staticmethod
    def lifter_named(username):
        User = get_user_model()
        found = User.objects.filter(username__iexact=username.strip()).first()
        if found is None:
            raise CommandError(f"No lifter is named {username.strip()!r}.")
        return found
