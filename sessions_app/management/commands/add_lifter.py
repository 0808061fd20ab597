import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Add a lifter (a login without admin rights) and print a generated password "
        "once; they change it in the app under Settings."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        User = get_user_model()
        username = username.strip()
        if not username:
            raise CommandError("Give the new lifter's username.")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"There is already a lifter named {username!r}.")
        password = secrets.token_urlsafe(12)
        User.objects.create_user(username=username, password=password)
        self.stdout.write(
            self.style.SUCCESS(f"Added the lifter {username}. The password is shown only once:\n")
            + f"  username: {username}\n  password: {password}\n"
            + "They can change it under Settings after logging in."
        )
