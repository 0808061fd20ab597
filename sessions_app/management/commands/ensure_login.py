import os
import secrets
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

FIRST_LOGIN_FILE = "first-login.txt"


class Command(BaseCommand):
    help = (
        "On a new instance, create the first login (an admin who can also log workouts). "
        "Reads WORKOUT_ADMIN_USERNAME and WORKOUT_ADMIN_PASSWORD, or generates a password: "
        "shown once on a terminal, else kept in the data folder's first-login.txt (readable "
        "only by its owner) until it is changed. When a login exists, reminds of its name "
        "and how to reset its password."
    )

    def handle(self, **options):
        User = get_user_model()
        if User.objects.exists():
            self.remind()
            return
        username = os.getenv("WORKOUT_ADMIN_USERNAME", "lifter")
        password = os.getenv("WORKOUT_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        heading = "Created the first login. It is shown only this once:"
        if os.getenv("WORKOUT_ADMIN_PASSWORD"):
            shown = "(from WORKOUT_ADMIN_PASSWORD)"
        elif self.stdout.isatty():
            shown = password
        else:
            # Not a person's terminal (a container, a service): its output is kept in a
            # log, and a password must never be. The file goes once it is changed.
            heading = "Created the first login:"
            path = keep_first_password(username, password)
            shown = f"in {path} (readable only by this user, until the password is changed)"
        self.stdout.write(
            self.style.SUCCESS(heading)
            + f"\n  username: {username}\n  password: {shown}\n"
            + "Change it under Settings (/accounts/password/) after logging in."
        )

    def remind(self):
        """The password was shown once, on the first run: say how to get back in."""
        users = get_user_model().objects.filter(is_active=True).order_by("-is_superuser", "pk")
        wanted = os.getenv("WORKOUT_ADMIN_USERNAME", "lifter")
        user = users.filter(username=wanted).first() or users.first()
        if user is None:
            return
        kept = first_password_file()
        if kept.exists() and not user.check_password(kept.read_text().split()[-1]):
            kept.unlink()  # changed since: the file has nothing left to tell
        where = f" Its first password is in {kept}." if kept.exists() else ""
        self.stdout.write(
            f"Log in as {user.username}.{where} Forgot the password? "
            f"{python_command()} manage.py changepassword {user.username}"
        )


def first_password_file():
    return Path(settings.DATA_DIR) / FIRST_LOGIN_FILE


def keep_first_password(username, password):
    """Write the first login into a file only its owner can read; returns its path."""
    path = first_password_file()
    path.unlink(missing_ok=True)  # created anew, so that no one else can have it open
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as kept:
        kept.write(f"username: {username}\npassword: {password}\n")
    return path


def python_command():
    """How the operator runs this project's Python: the venv's, or whatever `python` is."""
    executable = Path(sys.executable)
    if executable.is_relative_to(Path.cwd()):
        return str(executable.relative_to(Path.cwd()))
    return "python"
