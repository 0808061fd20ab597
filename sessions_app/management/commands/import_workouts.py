import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sessions_app.import_store import ImportRefused, import_history
from sessions_app.importers import FORMAT_CHOICES, open_export
from sessions_app.models import LifterProfile, WeightUnit

PROGRESS_EVERY_LINES = 10_000


class Command(BaseCommand):
    help = (
        "Import a lifter's history from a CSV exported by Strong, Hevy or this app. "
        "Running it again, or on a newer export, adds only what is not here yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The exported CSV file.")
        parser.add_argument("--user", required=True, help="The lifter who owns the workouts.")
        parser.add_argument(
            "--format",
            choices=[value for value, _ in FORMAT_CHOICES],
            default="auto",
            help="The app that exported the file (default: tell from its header).",
        )
        parser.add_argument(
            "--unit",
            choices=WeightUnit.values,
            help="The unit of Strong's weights (its export does not say); default: the "
            "lifter's preference. Hevy's and this app's files say it themselves.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be imported; store nothing."
        )
        parser.add_argument(
            "--skip-bad-lines",
            action="store_true",
            help="Import the lines that can be read and list the others (default: refuse "
            "the whole file).",
        )

    def handle(self, file, user, format, unit, dry_run, skip_bad_lines, **options):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"There is no user named {user!r}.")
        unit = unit or LifterProfile.unit_of(owner.pk)
        started = time.monotonic()
        try:
            with open(file, "rb") as stream:
                export = open_export(stream, owner.pk, format, unit)
                self.stdout.write(f"{file}: {export.format_name}, {self.unit_line(export)}")
                summary = self.run_import(owner, export, skip_bad_lines, dry_run)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except ImportRefused as error:
            self.end_progress()
            raise CommandError(str(error)) from None
        self.end_progress()
        for line in summary.skipped_lines():
            self.stdout.write(self.style.WARNING(f"Skipped {line}"))
        self.stdout.write(
            self.style.SUCCESS(f"{summary.summary()} ({time.monotonic() - started:.1f} s)")
        )

    def run_import(self, owner, export, skip_bad_lines, dry_run):
        return import_history(
            owner, export, skip_bad_lines=skip_bad_lines, dry_run=dry_run, progress=self.progress
        )

    def unit_line(self, export):
        if export.unit_from_file:
            return "units as the file says"
        return f"weights in {export.chosen_unit} (Strong's export does not say; --unit to change)"

    def progress(self, lines):
        """One updating line on a terminal; a plain line every so often when piped."""
        if self.stdout.isatty():
            self.stdout.write(f"\r\033[KRead {lines:,} lines…", ending="")
            self.stdout.flush()
        elif lines // PROGRESS_EVERY_LINES != getattr(self, "last_reported", 0):
            self.last_reported = lines // PROGRESS_EVERY_LINES
            self.stdout.write(f"Read {lines:,} lines")

    def end_progress(self):
        if self.stdout.isatty():
            self.stdout.write("\r\033[K", ending="")
            self.stdout.flush()
