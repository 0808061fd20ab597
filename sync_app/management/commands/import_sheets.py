from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sync_app.sheet_import import import_sheet, sheet_summary
from sync_app.sheets import SheetsError


class Command(BaseCommand):
    help = (
        "Fill this instance from a lifter's sheet: keyed rows become their sets again, rows "
        "without a key are imported grouped by date and template (and left as they are in "
        "the sheet). Running it again imports nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The lifter who owns the imported workouts.")
        parser.add_argument(
            "--whole-sheet",
            action="store_true",
            help="Import every row as this lifter's even though other lifters share the sheet.",
        )

    def handle(self, username, whole_sheet, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user named {username!r}.")
        try:
            summary = import_sheet(user, whole_sheet=whole_sheet)
        except SheetsError as error:
            raise CommandError(str(error)) from None
        for skipped in summary.skipped:
            self.stdout.write(self.style.WARNING(f"row {skipped.line}: {skipped.reason}"))
        self.stdout.write(self.style.SUCCESS(sheet_summary(summary)))
