"""The service accounts the instance writes with, and which one each lifter's sheet is
tied to.

Google counts its quota per service account, so past what one account carries an
operator adds more key files (GOOGLE_SERVICE_ACCOUNT_FILES). Each lifter's sheet is
shared with one account, stored on their SheetsProfile by its client_email: chosen the
first time they need one (the account carrying the fewest lifters), and used for every
call to their sheet. A profile from before several accounts (no account stored) is
tied to the first account the first time it is looked at.

Only a key file's client_email is ever read here; the key itself is left to google-auth.
"""

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count, F

from .models import SheetsProfile


@dataclass(frozen=True)
class ServiceAccount:
    email: str  # the key file's client_email; "" when the file cannot be read
    key_file: str
    problem: str = ""  # why the file cannot be used, in a sentence (never its contents)


class AccountMissing(Exception):
    """The account a lifter's sheet is tied to has no key file among the settings."""


def key_files():
    """The key files in the order the settings give them: GOOGLE_SERVICE_ACCOUNT_FILE,
    then each of GOOGLE_SERVICE_ACCOUNT_FILES (a directory gives its *.json, by name)."""
    files = [settings.GOOGLE_SERVICE_ACCOUNT_FILE] if settings.GOOGLE_SERVICE_ACCOUNT_FILE else []
    for entry in settings.GOOGLE_SERVICE_ACCOUNT_FILES.split(","):
        entry = entry.strip()
        if entry and Path(entry).is_dir():
            files += [str(path) for path in sorted(Path(entry).glob("*.json"))]
        elif entry:
            files.append(entry)
    return list(dict.fromkeys(files))


def read_account(key_file):
    try:
        email = json.loads(Path(key_file).read_text())["client_email"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        return ServiceAccount("", key_file, f"cannot read {key_file} ({type(error).__name__})")
    if not isinstance(email, str) or not email:
        return ServiceAccount("", key_file, f"{key_file} has no client_email")
    return ServiceAccount(email, key_file)


def configured_accounts():
    """Every key file of the settings as a ServiceAccount, the first one first; an
    account given twice (two copies of one key) counts once."""
    accounts, seen = [], set()
    for key_file in key_files():
        account = read_account(key_file)
        if account.email in seen:
            continue
        seen.add(account.email)
        accounts.append(account)
    return accounts


def usable_accounts():
    return [account for account in configured_accounts() if account.email]


def first_account():
    """The account of the instance's own sheet and of lifters tied to none yet; None
    without key files."""
    accounts = configured_accounts()
    return accounts[0] if accounts else None


def account_named(email):
    """The configured account with this client_email; AccountMissing when its key file
    is no longer among the settings."""
    for account in usable_accounts():
        if account.email == email:
            return account
    raise AccountMissing(
        f"The service account {email} is no longer configured (its key file is not in "
        "GOOGLE_SERVICE_ACCOUNT_FILE or GOOGLE_SERVICE_ACCOUNT_FILES): add the file back, or "
        "move its lifters to another account (admin: Google Sheets profiles)."
    )


def connected_profiles():
    return SheetsProfile.objects.exclude(spreadsheet_id="").filter(disconnected_at__isnull=True)


def lifters_per_account(waiting_too=False):
    """{client_email: lifters whose own sheet is tied to it}, every configured account
    listed (0 when it carries none); profiles tied to none count for the first. With
    waiting_too, lifters given an account who have not connected a sheet yet count too
    (so that lifters opening their page one after the other are spread out)."""
    counts = Counter({account.email: 0 for account in usable_accounts()})
    first = first_account()
    profiles = connected_profiles()
    if waiting_too:
        waiting = SheetsProfile.objects.filter(spreadsheet_id="").exclude(service_account="")
        profiles = profiles | waiting
    tied = profiles.values_list("service_account").annotate(lifters=Count("pk"))
    for email, lifters in tied.order_by():
        counts[email or (first.email if first else "")] += lifters
    counts.pop("", None)
    return dict(counts)


def least_loaded_account():
    """The usable account carrying the fewest lifters (the first given, on a tie)."""
    accounts = usable_accounts()
    if not accounts:
        return None
    counts = lifters_per_account(waiting_too=True)
    return min(accounts, key=lambda account: counts.get(account.email, 0))


def tie_to_first_account(profile):
    """A profile from before several accounts keeps the one account there was then."""
    if profile.service_account:
        return profile.service_account
    first = first_account()
    if first is None or not first.email:
        return profile.service_account
    SheetsProfile.objects.filter(pk=profile.pk, service_account="").update(
        service_account=first.email
    )
    profile.refresh_from_db(fields=["service_account"])
    return profile.service_account


def account_of_lifter(user):
    """The client_email the lifter shares their sheet with ("" without key files).

    Chosen and stored the first time: the least loaded account for a lifter without a
    sheet yet, the first account for one connected before several accounts existed. A
    lifter who has not connected yet and whose account went away gets a new one.
    """
    if not usable_accounts():
        return ""
    profile, _ = SheetsProfile.objects.get_or_create(user=user)
    connected = bool(profile.spreadsheet_id) and profile.disconnected_at is None
    if connected:
        return tie_to_first_account(profile)
    stored = {account.email for account in usable_accounts()}
    if profile.service_account not in stored:
        chosen = least_loaded_account().email
        SheetsProfile.objects.filter(pk=profile.pk).update(service_account=chosen)
        return chosen
    return profile.service_account


def account_of_target(target):
    """The client_email every call to this sheet is made as ("" without key files): that
    of the lifters' profiles naming its spreadsheet, else the first account (the
    instance's own sheet)."""
    if not key_files():
        return ""
    profiles = SheetsProfile.objects.filter(spreadsheet_id=target.spreadsheet_id).order_by(
        F("disconnected_at").asc(nulls_first=True), "pk"
    )
    for profile in profiles:
        return tie_to_first_account(profile)
    return first_account().email


def move_lifters(profiles, email):
    """Tie these lifters' sheets to another account; they are told to share with it.
    Returns how many moved."""
    account = account_named(email)
    moved = 0
    for profile in profiles.exclude(service_account=account.email):
        previous = tie_to_first_account(profile) or ""
        moved += SheetsProfile.objects.filter(pk=profile.pk).update(
            service_account=account.email, moved_from_account=previous
        )
    return moved


def confirm_shared(target):
    """A call to the sheet went through as its account: a move is behind its lifters."""
    SheetsProfile.objects.filter(spreadsheet_id=target.spreadsheet_id).exclude(
        moved_from_account=""
    ).update(moved_from_account="")
