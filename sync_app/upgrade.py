"""Upgrading a tab's header to the latest version, on purpose (never by a sync run).

A version 1 tab gets the version 2 header: column F's title loses "(lb)" (a row says
its unit now) and the four new titles are appended after `key`. The lifters whose rows
go to that tab get their completed workouts marked for re-sync, so that the next runs
rewrite the old rows in the new form: marks such as "(kg)" or "(RPE 8)" leave the notes
cell for their columns. Rows not yet rewritten stay readable meanwhile, since
read_row understands the marks in both versions.
"""

from dataclasses import dataclass, field

from django.db.models import F

from sessions_app.models import Workout

from .rows import HEADERS, LATEST_VERSION, MAX_WIDTH, header_version
from .runner import Runner
from .sheets import SheetsPermanent
from .targets import lifters_by_target
from .tasks import request_sync


@dataclass
class UpgradeReport:
    upgraded: list = field(default_factory=list)
    already: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    sessions_marked: int = 0

    def lines(self):
        yield from (
            f"{target}: header upgraded to version {LATEST_VERSION}" for target in self.upgraded
        )
        yield from (
            f"{target}: already version {LATEST_VERSION} (or empty)" for target in self.already
        )
        yield from (
            f"{target}: no such tab yet (the sync creates it at version {LATEST_VERSION})"
            for target in self.missing
        )

    def summary(self):
        return (
            f"{len(self.upgraded)} tab(s) upgraded, {len(self.already)} already up to date; "
            f"{self.sessions_marked} workout(s) will be rewritten in the new form."
        )


def upgrade_headers(owner_ids=None):
    """Upgrade the tabs of these lifters (every lifter when None); returns an UpgradeReport.

    Raises SheetsPermanent for a header of no known version, or while a sync runs.
    """
    owners_of = lifters_by_target(owner_ids)
    report = UpgradeReport()
    runner = Runner(trigger="upgrade")
    for target, owners in owners_of.items():
        with runner.holding_lease(target) as held:
            if not held:
                raise SheetsPermanent(
                    f"A sync is running on {target} right now; upgrade the header in a minute."
                )
            upgrade_target(runner.client_for(target), target, owners, report)
    return report


def upgrade_target(client, target, owners, report):
    worksheet = client.open_worksheet(target.spreadsheet_id, target.worksheet, create=False)
    if worksheet is None:
        report.missing.append(target)
        return
    header = worksheet.read_header(MAX_WIDTH)
    version = header_version(header) if header else LATEST_VERSION
    if version is None:
        raise SheetsPermanent(
            f"{target}: the header row is {header!r}, of no version this app wrote; "
            "nothing was changed."
        )
    if version == LATEST_VERSION:
        report.already.append(target)
        return
    worksheet.update_rows({1: HEADERS[LATEST_VERSION]}, len(HEADERS[LATEST_VERSION]))
    report.upgraded.append(target)
    # In bulk: one UPDATE for a lifter's whole history.
    report.sessions_marked += (
        Workout.objects.completed()
        .filter(owner_id__in=owners)
        .update(synced_to_sheets=False, revision=F("revision") + 1)
    )
    request_sync()
