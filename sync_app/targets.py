"""Where each lifter's rows go (a target: a spreadsheet and a tab), and whether the sync
is configured at all. The one is_configured() of the app."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

from .models import SheetsProfile
from .sheets import has_credentials


@dataclass(frozen=True)
class Target:
    spreadsheet_id: str
    worksheet: str

    def __str__(self):
        return f"{self.spreadsheet_id} / {self.worksheet}"


def default_target():
    if not settings.SHEETS_SPREADSHEET_ID:
        return None
    return Target(settings.SHEETS_SPREADSHEET_ID, settings.SHEETS_WORKSHEET)


def targets_by_owner(owner_ids):
    """Each lifter's spreadsheet: their own profile's, else the instance default; None for
    a lifter who disconnected."""
    fallback = default_target()
    targets = dict.fromkeys(owner_ids, fallback)
    profiles = SheetsProfile.objects.filter(user_id__in=owner_ids)
    for profile in profiles.exclude(spreadsheet_id="", disconnected_at__isnull=True):
        if profile.disconnected_at is not None:
            targets[profile.user_id] = None
        else:
            targets[profile.user_id] = Target(
                profile.spreadsheet_id, profile.worksheet or settings.SHEETS_WORKSHEET
            )
    return targets


def owner_has_sheet(owner="owner"):
    """A filter on a model that points to a lifter (through `owner`): lifters who have a
    sheet, the same rule as targets_by_owner's, for a query."""
    connected = Q(**{f"{owner}__sheets_profile__disconnected_at__isnull": False})
    if default_target() is not None:
        return ~connected
    return Q(
        **{
            f"{owner}__sheets_profile__spreadsheet_id__gt": "",
            f"{owner}__sheets_profile__disconnected_at__isnull": True,
        }
    )


def target_for(owner_id):
    return targets_by_owner([owner_id])[owner_id]


def lifters_by_target(owner_ids=None):
    """{target: [owner ids]} of these lifters (every lifter when None) who have one."""
    if owner_ids is None:
        owner_ids = list(get_user_model().objects.values_list("pk", flat=True))
    lifters = {}
    for owner_id, target in targets_by_owner(owner_ids).items():
        if target is not None:
            lifters.setdefault(target, []).append(owner_id)
    return lifters


def is_configured():
    return not missing_configuration()


def missing_configuration():
    """What an operator must still set for the sync to send anything (empty: nothing)."""
    missing = []
    own_sheets = SheetsProfile.objects.exclude(spreadsheet_id="").filter(
        disconnected_at__isnull=True
    )
    if default_target() is None and not own_sheets.exists():
        missing.append(
            "SHEETS_SPREADSHEET_ID (or a spreadsheet in a lifter's Google Sheets profile)"
        )
    if not has_credentials():
        missing.append("GOOGLE_SERVICE_ACCOUNT_FILE")
    return missing


def not_configured_message():
    """The one sentence every command and page shows while the sync is not configured."""
    return (
        f"Sheets sync is not configured: set {' and '.join(missing_configuration())}; "
        "see the README."
    )
