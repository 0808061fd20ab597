import os
import secrets
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "On a new instance, create the first login (an admin who can also log workouts). "
        "Reads WORKOUT_ADMIN_USERNAME and WORKOUT_ADMIN_PASSWORD, or prints a generated "
        "password once. When a login exists, reminds of its name and how to reset its password."
    )

    def handle(self, **options):
        User = get_user_model()
        if User.objects.exists():
            self.remind()
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
            + "Change it under Settings (/accounts/password/) after logging in."
        )

    def remind(self):
        """The password was shown once, on the first run: say how to get back in."""
        users = get_user_model().objects.filter(is_active=True).order_by("-is_superuser", "pk")
        wanted = os.getenv("WORKOUT_ADMIN_USERNAME", "lifter")
        user = users.filter(username=wanted).first() or users.first()
        if user is None:
            return
        self.stdout.write(
            f"Log in as {user.username}. Forgot the password? "
            f"{python_command()} manage.py changepassword {user.username}"
        )


def python_command():
    """How the operator runs this project's Python: the venv's, or whatever `python` is."""
    executable = Path(sys.executable)
    if executable.is_relative_to(Path.cwd()):
        return str(executable.relative_to(Path.cwd()))
    return "python"
