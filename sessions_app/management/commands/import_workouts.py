import csv
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sessions_app.forms import EXERCISE_MAX_LENGTH, FORMAT_CHOICES, has_control_character
from sessions_app.import_batches import described, name_choices, running_import, store_batch
from sessions_app.import_store import ImportRefused, import_history
from sessions_app.importers import RecordedExport, ReplayedExport, open_export
from sessions_app.models import ImportBatch, LifterProfile, WeightUnit, exercise_key

PROGRESS_EVERY = 10_000


class Command(BaseCommand):
    help = (
        "Import a lifter's history from a CSV exported by Strong, Hevy, FitNotes or this app. "
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
            help="The unit of Strong's weights when its export does not say; default: the "
            "lifter's preference. The other files say it themselves.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be imported, and which of the lifter's exercises each "
            "name of the file would go to; store nothing.",
        )
        parser.add_argument(
            "--skip-bad-lines",
            action="store_true",
            help="Import the lines that can be read and list the others (default: refuse "
            "the whole file).",
        )
        parser.add_argument(
            "--map",
            metavar="FILE",
            help="A CSV of two columns: an exercise name of the file, and the lifter's "
            "exercise it means (another name, or the same to keep it as its own). Names it "
            "does not list go where --dry-run proposes.",
        )

    def handle(self, file, user, format, unit, dry_run, skip_bad_lines, map, **options):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"There is no user named {user!r}.")
        unit = unit or LifterProfile.unit_of(owner.pk)
        mapped = read_map(map) if map else {}
        started = time.monotonic()
        try:
            with open(file, "rb") as stream:
                export = RecordedExport(
                    open_export(stream, owner.pk, format, unit, LifterProfile.zone_of(owner.pk))
                )
                self.stdout.write(f"{file}: {export.format_name}, {self.unit_line(export)}")
                preview = import_history(
                    owner, export, skip_bad_lines, dry_run=True, progress=self.reading
                )
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except ImportRefused as error:
            self.end_progress()
            raise CommandError(str(error)) from None
        self.end_progress()
        choices = name_choices(owner.pk, preview)
        names = chosen_names(choices, mapped)
        self.say_names(choices, names, mapped, every_name=dry_run)
        if dry_run:
            summary = preview
        else:
            summary = self.store(owner, file, export, preview, names, skip_bad_lines)
        for line in summary.skipped_lines():
            self.stdout.write(self.style.WARNING(f"Skipped {line}"))
        for line in preview.shortened_lines():  # said by the reading
            self.stdout.write(self.style.WARNING(line.capitalize()))
        self.stdout.write(
            self.style.SUCCESS(f"{summary.summary()} ({time.monotonic() - started:.1f} s)")
        )

    def store(self, owner, file, export, preview, names, skip_bad_lines):
        """What was read, stored as the Import page's worker stores it, as a batch of the
        lifter's (so that nothing else imports for them meanwhile)."""
        if running_import(owner.pk):
            raise CommandError(f"An import of {owner}'s is running; wait for it to finish.")
        batch = ImportBatch.objects.create(
            owner=owner,
            file_name=str(file)[-255:],
            status=ImportBatch.Status.IMPORTING,
            unit=export.chosen_unit,
            skip_bad_lines=skip_bad_lines,
            names=names,
            preview=described(preview, []),
            progress_total=preview.sets_created,
        )
        replay = ReplayedExport(
            export.recorded(), export.format_name, export.chosen_unit, export.unit_from_file
        )
        try:
            summary = store_batch(batch, replay, progress=self.storing)
        except ImportRefused as error:
            self.end_progress()
            raise CommandError(str(error)) from None
        self.end_progress()
        return summary

    def say_names(self, choices, names, mapped, every_name):
        """The file's names and the lifter's exercises they go to: each of them for a dry
        run, else those that go to another name."""
        unknown = mapped.keys() - {exercise_key(choice["name"]) for choice in choices}
        for key in sorted(unknown):
            self.stdout.write(self.style.WARNING(f"--map names “{key}”, which the file does not."))
        lines = []
        for choice in choices:
            name, chosen = choice["name"], names[choice["name"]]
            if exercise_key(name) in mapped:
                why = "as --map says"
            elif choice["proposal"]:
                why = choice["why"]
            else:
                why = "a new exercise"
            if chosen != name or every_name:
                target = "itself" if exercise_key(chosen) == exercise_key(name) else chosen
                lines.append(f"  {name} ({choice['sets']:,} sets) → {target} ({why})")
        if lines:
            self.stdout.write("Exercise names of the file → yours:")
            self.stdout.write("\n".join(lines))

    def unit_line(self, export):
        if export.unit_from_file:
            return "units as the file says"
        return f"weights in {export.chosen_unit} (Strong's export does not say; --unit to change)"

    def reading(self, lines, sets):
        self.progress(lines, "Read {:,} lines")

    def storing(self, lines, sets):
        self.progress(sets, "Stored {:,} sets")

    def progress(self, count, text):
        """One updating line on a terminal; a plain line every so often when piped."""
        if self.stdout.isatty():
            self.stdout.write("\r\033[K" + text.format(count) + "…", ending="")
            self.stdout.flush()
            return
        reported = getattr(self, "reported", {})
        if count // PROGRESS_EVERY > reported.get(text, 0):
            reported[text] = count // PROGRESS_EVERY
            self.reported = reported
            self.stdout.write(text.format(count))

    def end_progress(self):
        if self.stdout.isatty():
            self.stdout.write("\r\033[K", ending="")
            self.stdout.flush()


def read_map(path):
    """{the file's name as a key: the lifter's name} from a CSV of two columns."""
    mapped = {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            for number, row in enumerate(csv.reader(stream), start=1):
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != 2:
                    raise CommandError(
                        f"{path}, line {number}: two columns are needed (the file's name, "
                        f"yours); this line has {len(row)}."
                    )
                name, chosen = (" ".join(cell.split()) for cell in row)
                for text in (name, chosen):
                    if not text or len(text) > EXERCISE_MAX_LENGTH or has_control_character(text):
                        raise CommandError(
                            f"{path}, line {number}: “{text[:40]}” is not an exercise name "
                            f"(1 to {EXERCISE_MAX_LENGTH} characters, no control characters)."
                        )
                mapped[exercise_key(name)] = chosen
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    except (UnicodeDecodeError, csv.Error):
        raise CommandError(f"{path} is not a UTF-8 CSV file.") from None
    return mapped


def chosen_names(choices, mapped):
    """{name in the file: the lifter's name for it}: --map's, else the proposal, else the
    file's own."""
    return {
        choice["name"]: mapped.get(exercise_key(choice["name"]))
        or choice["proposal"]
        or choice["name"]
        for choice in choices
    }
