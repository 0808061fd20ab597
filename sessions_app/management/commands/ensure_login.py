import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "On a new instance, create the first login (an admin who can also log workouts). "
        "Reads WORKOUT_ADMIN_USERNAME and WORKOUT_ADMIN_PASSWORD, or prints a generated "
        "password once. Does nothing when any user exists."
    )

    def handle(self, **options):
        User = get_user_model()
        if User.objects.exists():
            return
        username = os.getenv("WORKOUT_ADMIN_USERNAME", "lifter")
        password = os.getenv("WORKOUT_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        shown = (
            password if not os.getenv("WORKOUT_ADMIN_PASSWORD") else "(from WORKOUT_ADMIN_PASSWORD)"
        )
        self.stdout.write(
            self.style.SUCCESS("Created the first login. It is shown only this once:\n")
            + f"  username: {username}\n  password: {shown}\n"
            + "Change it at /admin/password_change/ after logging in."
        )
