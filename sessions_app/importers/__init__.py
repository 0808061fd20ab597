"""Reading workout history that Strong, Hevy, FitNotes or this app exported as CSV.

Pure functions over the file's text: the format is told by the header (formats.py),
and each line becomes an ImportedSet (a set to store), a Skipped line (not a set: a
Rest Timer row, an empty set) or a BadLine (a line that cannot be read), in the
order of the file. Nothing here touches the database; `import_store.import_history`
stores what comes out. Every set gets a key from its line (keys.py).
"""

from ..forms import FORMAT_CHOICES
from ..import_store import BadLine, ImportedSet, ImportRefused, Skipped
from ..models import WeightUnit
from .export_file import ExportFile
from .formats import FAMILY_NAMES
from .recorded import RecordedExport, ReplayedExport

__all__ = [
    "FAMILY_NAMES",
    "FORMAT_CHOICES",
    "BadLine",
    "ExportFile",
    "ImportRefused",
    "ImportedSet",
    "RecordedExport",
    "ReplayedExport",
    "Skipped",
    "open_export",
]


def open_export(stream, owner_id, format="auto", unit=WeightUnit.LB, zone=None):
    """The export in `stream` (binary), opened and its format told; ImportRefused else.
    Its local times are in `zone` (the lifter's; the instance's by default)."""
    return ExportFile(stream, owner_id, format, unit, zone)
