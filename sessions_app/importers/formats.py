"""The apps whose exports are read, told apart by the header: each reader names the
columns it needs (in every spelling its app wrote) and reads a line into records."""

from ..import_store import ImportRefused
from .values import LineError

FAMILY_NAMES = {
    "strong": "Strong",
    "hevy": "Hevy",
    "fitnotes": "FitNotes",
    "workoutlog": "Workout Log (this app's export)",
}


class FormatReader:
    """Reads one app's lines. `columns` is {what: index of the cell} of this file."""

    family = ""
    # {header name, case-folded: what the column holds}
    COLUMNS = {}
    REQUIRED = set()

    def __init__(self, export, columns):
        self.export = export
        self.columns = columns

    @classmethod
    def columns_of(cls, header):
        """{what: index} when the header is this app's, else None."""
        columns = {}
        for index, name in enumerate(header):
            if (what := cls.COLUMNS.get(name.strip().casefold())) and what not in columns:
                columns[what] = index
        return columns if columns.keys() >= cls.REQUIRED else None

    @property
    def format(self):
        return self.family

    @property
    def format_name(self):
        return FAMILY_NAMES[self.family]

    @property
    def unit_from_file(self):
        return True

    def fitted(self, cells, width):
        """The line's cells, as many as the header has; LineError else."""
        if len(cells) != width:
            raise LineError(f"{len(cells)} cells where the header has {width}.")
        return cells

    def row(self, cells):
        """{what: the cell's text} of this line (an absent column reads as empty)."""
        return {what: cells[index] for what, index in self.columns.items()}

    def read(self, line, cells):
        """The records of one line (a generator: some lines wait for a later one)."""
        raise NotImplementedError

    def finished(self):
        """Records held back until the end of the file."""
        return []


def readers():
    from .fitnotes import FitNotesReader
    from .hevy import HevyReader
    from .strong import StrongReader
    from .workoutlog import WorkoutLogReader

    return [StrongReader, HevyReader, FitNotesReader, WorkoutLogReader]


def detected_reader(export, wanted, start):
    """The reader of the export's format, told from its header; ImportRefused when the
    header is no app's, or not the app the lifter said."""
    for reader in readers():
        if (columns := reader.columns_of(export.header)) is not None:
            break
    else:
        raise ImportRefused(
            "Line 1: these are not the columns of a Strong, Hevy, FitNotes or Workout Log "
            f"export (the file starts with “{start}”). Export the CSV again from the app and "
            "upload it as it is."
        )
    if wanted not in ("auto", reader.family):
        raise ImportRefused(
            f"Line 1: this is not a {FAMILY_NAMES.get(wanted, wanted)} export: its columns "
            f"are those of {FAMILY_NAMES[reader.family]}."
        )
    return reader(export, columns)
