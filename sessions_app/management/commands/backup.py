import sqlite3
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Copy the SQLite database to a timestamped file while the app runs (SQLite's "
        "online backup), keeping the newest N copies."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            default=str(settings.DATA_DIR / "backups"),
            help="Folder for the copies (default: data/backups).",
        )
        parser.add_argument("--keep", type=int, default=14, help="How many copies to keep.")

    def handle(self, to, keep, **options):
        if connection.vendor != "sqlite":
            raise CommandError(
                "This instance runs on PostgreSQL: back it up with pg_dump (see the README)."
            )
        if keep < 1:
            raise CommandError("--keep must be 1 or more.")
        folder = Path(to)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")  # sorts by time
        target = folder / f"workouts-{stamp}.sqlite3"
        partial = target.with_suffix(".partial")
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        copy = sqlite3.connect(partial)
        partial.chmod(0o600)  # it holds sessions and password hashes
        try:
            # One step: a consistent snapshot. In WAL mode it only reads, so the app's
            # writers go on meanwhile (in several steps, every write would restart it).
            source.backup(copy)
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise CommandError(f"The copy in {partial} failed its integrity check.")
        finally:
            copy.close()
            source.close()
        partial.rename(target)
        removed = self.prune(folder, keep)
        self.stdout.write(
            self.style.SUCCESS(f"Backed up to {target} ({target.stat().st_size:,} bytes)")
            + (
                f"; removed {removed} older cop{'y' if removed == 1 else 'ies'}."
                if removed
                else "."
            )
        )

    def prune(self, folder, keep):
        for leftover in folder.glob("workouts-*.partial"):  # from a backup that failed
            leftover.unlink()
        copies = sorted(folder.glob("workouts-*.sqlite3"), reverse=True)
        for old in copies[keep:]:
            old.unlink()
        return max(len(copies) - keep, 0)
