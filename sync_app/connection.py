"""A lifter connecting their own Google Sheet from the app: the service account to share
it with, the check the worker makes before anything is written (and what is wrong, in
plain words), connecting, disconnecting, and where their workouts stand.

No web request waits on Google: a check is queued (`tasks.enqueue_sheet_check`) and its
answer stored in the lifter's SheetCheck, which their page shows when it is there.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import Min
from django.utils import timezone

from sessions_app.models import Set, Workout
from sessions_app.models.history import mark_unsynced

from .accounts import account_of_lifter
from .models import FailingPush, SheetCheck, SheetConflict, SheetsProfile, SyncRun, SyncState
from .push import set_aside_workouts
from .rows import KEY_COLUMN, MAX_WIDTH, header_version
from .sheets import SheetsClient, SheetsPermanent, SheetsRetryable, Worksheet, has_credentials
from .targets import Target, target_for

# A check older than this may no longer say what the sheet holds: check again to connect.
CHECK_VALID_FOR = datetime.timedelta(hours=1)
# Keys looked up per query (SQLite's parameter limit is far above; PostgreSQL's too).
KEYS_PER_QUERY = 500
Outcome = SheetCheck.Outcome


def service_account_email(user):
    """The address this lifter shares their sheet with: the client_email of the service
    account their sheet is tied to (chosen now if it is tied to none yet), or "" when
    the operator has given no key (the key's secret parts are never read here)."""
    return account_of_lifter(user)


@dataclass(frozen=True)
class CheckAnswer:
    outcome: str
    message: str
    title: str = ""


def plural(count, word, many=None):
    return f"{count} {word if count == 1 else (many or word + 's')}"


def check_sheet(spreadsheet_id, worksheet, owner):
    """Read (never write) the spreadsheet's metadata and the tab's rows, as the lifter's
    service account, and say whether they can connect it: two calls to Google."""
    if not has_credentials():
        return CheckAnswer(
            Outcome.PROBLEM,
            "Google Sheets is not set up on this instance yet: whoever runs it must give "
            "the app a service account (GOOGLE_SERVICE_ACCOUNT_FILE; see the README).",
        )
    try:
        client = SheetsClient(account=account_of_lifter(owner))
        metadata = client.read_metadata(spreadsheet_id)
        title = metadata.get("properties", {}).get("title", spreadsheet_id)
        tabs = [sheet["properties"] for sheet in metadata.get("sheets", [])]
        tab = next((properties for properties in tabs if properties["title"] == worksheet), None)
        if tab is None:
            return no_such_tab(title, worksheet, [properties["title"] for properties in tabs])
        rows = Worksheet(client, spreadsheet_id, tab, is_new=False).read_table(MAX_WIDTH)
    except SheetsRetryable as error:
        return CheckAnswer(
            Outcome.UNREACHABLE,
            f"Google did not answer in time ({error}). Nothing was changed: press Check "
            "again in a minute.",
        )
    except SheetsPermanent as error:
        return refused(error, owner)
    return judge_rows(rows, owner.pk, title, worksheet)


def refused(error, owner):
    if error.status == 403:
        email = service_account_email(owner) or "the app's service account"
        return CheckAnswer(
            Outcome.PROBLEM,
            f"The app may not open this spreadsheet: it is not shared with {email}. In "
            "Google Sheets, press Share, add that address as an Editor, then Check again.",
        )
    if error.status == 404:
        return CheckAnswer(
            Outcome.PROBLEM,
            "There is no spreadsheet with this address. Copy the address from your "
            "browser while the sheet is open, and Check again.",
        )
    return CheckAnswer(Outcome.PROBLEM, f"Google refused: {error}")


def no_such_tab(title, worksheet, tabs):
    return CheckAnswer(
        Outcome.PROBLEM,
        f"“{title}” has no tab named “{worksheet}”; its tabs are: "
        f"{', '.join(f'“{tab}”' for tab in tabs)}. Type one of those, or add a tab named "
        f"“{worksheet}” in the sheet, then Check again.",
        title,
    )


def filled(row):
    return any(str(cell).strip() for cell in row)


def key_of(row):
    """The row's key as a UUID, or None when its key cell is empty or not a key."""
    cell = str(row[KEY_COLUMN - 1]).strip() if len(row) >= KEY_COLUMN else ""
    try:
        return uuid.UUID(cell)
    except ValueError:
        return None


def owners_of(keys):
    """{key: owner id} of the keys that are sets in this app."""
    owners, keys = {}, list(keys)
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chunk = keys[start : start + KEYS_PER_QUERY]
        owners.update(Set.objects.filter(key__in=chunk).values_list("key", "workout__owner_id"))
    return owners


def judge_rows(rows, owner_id, title, worksheet):
    """What connecting this tab would mean, from its rows (header included)."""
    header, body = (rows[0] if rows else []), [row for row in rows[1:] if filled(row)]
    if not filled(header) and not body:
        return CheckAnswer(
            Outcome.READY,
            f"“{worksheet}” in “{title}” is empty: the sync writes its header, then your workouts.",
            title,
        )
    if header_version(header) is None:
        return CheckAnswer(
            Outcome.PROBLEM,
            f"The first row of “{worksheet}” is not Workout Log's header, so the sync would "
            "refuse to write there. Choose an empty tab (or add a new one) for your workouts.",
            title,
        )
    keys = [key_of(row) for row in body]
    owners = owners_of({key for key in keys if key is not None})
    others = sum(1 for key in keys if key in owners and owners[key] != owner_id)
    own = sum(1 for key in keys if key in owners and owners[key] == owner_id)
    unknown = sum(1 for key in keys if key is not None and key not in owners)
    without_key = sum(1 for key in keys if key is None)
    if others:
        return CheckAnswer(
            Outcome.PROBLEM,
            f"“{worksheet}” already holds {plural(others, 'row')} of another lifter's "
            "workouts: the sync would mix yours with theirs. Choose a tab of your own.",
            title,
        )
    facts = [f"“{worksheet}” has Workout Log's header"]
    if own:
        facts.append(f"{plural(own, 'row')} of your sets already there (kept as they are)")
    if unknown:
        facts.append(f"{plural(unknown, 'row')} with keys this app does not know (left alone)")
    summary = "; ".join(facts) + ". The sync adds your other workouts below."
    if without_key:
        return CheckAnswer(
            Outcome.CONFIRM,
            f"{summary} It also has {plural(without_key, 'row')} without a key (typed by "
            "hand, or copied from elsewhere): at its next pull the app reads "
            f"{'it' if without_key == 1 else 'them'} as your workouts. Connect only if "
            f"{'it is' if without_key == 1 else 'they are'} yours.",
            title,
        )
    return CheckAnswer(Outcome.READY, summary, title)


# --- The lifter's requests -------------------------------------------------------------


def request_check(user, spreadsheet_id, worksheet, now=None):
    """The lifter's new check, replacing the last one; the worker answers it."""
    from .tasks import enqueue_sheet_check

    check, _ = SheetCheck.objects.update_or_create(
        user=user,
        defaults={
            "spreadsheet_id": spreadsheet_id,
            "worksheet": worksheet,
            "requested_at": now or timezone.now(),
            "finished_at": None,
            "outcome": Outcome.CHECKING,
            "title": "",
            "message": "",
        },
    )
    enqueue_sheet_check(check)
    return check


def run_sheet_check(check_id, requested_at):
    """The worker's side: answer one check, unless a newer one replaced it meanwhile."""
    check = SheetCheck.objects.filter(pk=check_id, requested_at=requested_at).first()
    if check is None:
        return "superseded"
    answer = check_sheet(check.spreadsheet_id, check.worksheet, check.user)
    SheetCheck.objects.filter(pk=check_id, requested_at=requested_at).update(
        outcome=answer.outcome,
        message=answer.message,
        title=answer.title[:200],
        finished_at=timezone.now(),
    )
    return answer.outcome


class CannotConnect(Exception):
    pass


def connect(user, spreadsheet_id, worksheet, rows_are_mine=False, now=None):
    """Use the sheet the lifter's last check passed. A new sheet gets their whole history
    (the old one keeps its rows); returns the Target."""
    now = now or timezone.now()
    check = SheetCheck.objects.filter(user=user).first()
    if check is None or (check.spreadsheet_id, check.worksheet) != (spreadsheet_id, worksheet):
        raise CannotConnect("Check this sheet first.")
    if not check.can_connect:
        raise CannotConnect("The last check of this sheet did not pass: fix it and check again.")
    if check.finished_at is None or now - check.finished_at > CHECK_VALID_FOR:
        raise CannotConnect("That check is more than an hour old: check the sheet again.")
    if check.outcome == Outcome.CONFIRM and not rows_are_mine:
        raise CannotConnect("Tick that the rows without a key are yours, or choose another tab.")
    before = target_for(user.pk)
    SheetsProfile.objects.update_or_create(
        user=user,
        defaults={
            "spreadsheet_id": spreadsheet_id,
            "worksheet": worksheet,
            "disconnected_at": None,
        },
    )
    target = Target(spreadsheet_id, worksheet)
    if target != before:
        workouts = Workout.objects.owned_by(user).completed().values_list("pk", flat=True)
        mark_unsynced(*workouts)
    return target


def disconnect(user, now=None):
    """Nothing of the lifter's goes to any sheet from now on; nothing is deleted."""
    SheetsProfile.objects.update_or_create(
        user=user, defaults={"disconnected_at": now or timezone.now()}
    )


@dataclass
class LifterSyncState:
    """Where a lifter's workouts stand with their sheet, for their page."""

    target: Target | None
    disconnected: bool
    own_sheet: bool
    pending: int
    oldest_pending_at: object
    failing: FailingPush | None
    set_aside: list
    conflicts: int
    queued: bool
    last_run: SyncRun | None

    @property
    def all_sent(self):
        return self.pending == 0


def lifter_sync_state(user):
    profile = SheetsProfile.objects.filter(user=user).first()
    pending = Workout.objects.owned_by(user).completed().filter(synced_to_sheets=False)
    set_aside = list(set_aside_workouts().filter(owner=user))
    pending = pending.exclude(pk__in=[workout.pk for workout in set_aside])
    failing = (
        FailingPush.objects.filter(
            workout__owner=user, attempts__gte=FailingPush.FAILING_AFTER_ATTEMPTS
        )
        .exclude(workout__in=[workout.pk for workout in set_aside])
        .order_by("-last_attempt_at")
        .first()
    )
    return LifterSyncState(
        target=target_for(user.pk),
        disconnected=bool(profile and profile.disconnected_at),
        own_sheet=bool(profile and profile.spreadsheet_id and not profile.disconnected_at),
        pending=pending.count(),
        oldest_pending_at=pending.aggregate(oldest=Min("completed_at"))["oldest"],
        failing=failing,
        set_aside=set_aside,
        conflicts=SheetConflict.objects.filter(set__workout__owner=user).count(),
        queued=SyncState.objects.filter(pk=1, sync_queued_at__isnull=False).exists(),
        last_run=SyncRun.objects.exclude(outcome=SyncRun.Outcome.RUNNING).first(),
    )
