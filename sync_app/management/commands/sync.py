import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sessions_app.models import Workout
from sync_app.check import find_drift
from sync_app.pull import run_pull
from sync_app.push import pending_workouts, run_sync
from sync_app.sheets import SheetsError
from sync_app.upgrade import upgrade_headers


class Command(BaseCommand):
    help = (
        "Copy completed workouts to Google Sheets now, in the foreground. "
        "--dry-run shows what would change; --check compares the sheet with the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Show changes; write nothing.")
        parser.add_argument(
            "--check", action="store_true", help="List differences; exit 1 when there are any."
        )
        parser.add_argument(
            "--pull",
            action="store_true",
            help="Read the sheets back now: take fixes typed into them, report conflicts "
            "and rows deleted by hand, import rows typed without a key.",
        )
        parser.add_argument(
            "--upgrade-header",
            action="store_true",
            help="Give version 1 tabs the version 2 header (set type, RPE, unit and workout "
            "note columns) and rewrite their rows in that form.",
        )
        parser.add_argument(
            "--session",
            action="append",
            dest="session_ids",
            metavar="ID",
            help="Only this session.",
        )

    def handle(self, dry_run, check, pull, upgrade_header, session_ids, **options):
        if session_ids:
            self.check_sessions_exist(session_ids)
        if upgrade_header:
            return self.upgrade_header()
        if pull:
            return self.pull()
        if check:
            return self.report_drift()
        started = time.monotonic()
        result = run_sync(session_ids, dry_run=dry_run, trigger="command", progress=self.progress)
        self.end_progress()
        if result.outcome == "not configured":
            raise CommandError(result.summary())
        if result.outcome == "busy":
            raise CommandError("Another sync is running right now; try again in a minute.")
        if dry_run:
            self.show_plans(result)
        summary = f"{result.summary()} ({time.monotonic() - started:.1f} s)"
        if not result.ok:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def check_sessions_exist(self, session_ids):
        found = set(Workout.objects.filter(pk__in=session_ids).values_list("pk", flat=True))
        if missing := [pk for pk in session_ids if pk not in found]:
            raise CommandError(f"No session {', '.join(missing)}.")

    def show_plans(self, result):
        for plan in result.plans:
            self.stdout.write(f"{plan.target}:")
            if plan.create_tab:
                self.stdout.write("  create the tab")
            if plan.write_header:
                self.stdout.write("  write the header row")
            for line in plan.lines():
                self.stdout.write(f"  {line}")

    def pull(self):
        started = time.monotonic()
        result = run_pull(trigger="command-pull", progress=self.progress)
        self.end_progress()
        if result.outcome == "not configured":
            raise CommandError(result.summary())
        if result.outcome == "busy":
            raise CommandError("Another sync is running right now; try again in a minute.")
        summary = f"{result.summary()} ({time.monotonic() - started:.1f} s)"
        if not result.ok:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def upgrade_header(self):
        try:
            report = upgrade_headers()
        except SheetsError as error:
            raise CommandError(str(error)) from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(report.summary()))

    def report_drift(self):
        try:
            differences = find_drift(progress=self.progress)
        except Exception as error:
            self.end_progress()
            raise CommandError(str(error)) from None
        self.end_progress()
        for line in differences:
            self.stdout.write(line)
        # Waiting workouts are not drift (the exit status stays 0), but they are not in
        # the sheet either: say so, rather than "matches".
        waiting = self.waiting_line()
        if waiting:
            self.stdout.write(self.style.WARNING(waiting))
        if differences:
            raise CommandError(
                f"{len(differences)} difference(s) between the sheet and the database."
            )
        if waiting:
            self.stdout.write(self.style.SUCCESS("The synced workouts match the sheet."))
        else:
            self.stdout.write(self.style.SUCCESS("The sheet matches the database."))

    def waiting_line(self):
        pending = pending_workouts()[0]
        count = pending.count()
        if not count:
            return ""
        oldest = pending.first()
        completed = timezone.localtime(oldest.completed_at).strftime("%Y-%m-%d %H:%M %Z")
        return (
            f"{count} completed workout(s) wait for the sync (the next run writes them); "
            f"the oldest, {oldest.pk}, was completed {completed}."
        )

    def progress(self, message):
        """One updating line on a terminal; plain lines when the output is piped."""
        if self.stdout.isatty():
            self.stdout.write(f"\r\033[K{message}…", ending="")
            self.stdout.flush()
        else:
            self.stdout.write(message)

    def end_progress(self):
        if self.stdout.isatty():
            self.stdout.write("\r\033[K", ending="")
            self.stdout.flush()
