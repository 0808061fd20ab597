"""The only module that talks to Google Sheets (through gspread), and to Drive for one
thing: when a sheet last changed.

It speaks in rows of plain values and raises two kinds of error: SheetsRetryable
(network trouble, timeouts, 429, 5xx: worth another try) and SheetsPermanent
(permission, missing spreadsheet, bad request: an operator must act). It counts
every API call, so the sync can keep its promise of a fixed number per run, and each
call first takes a token from the service account's shared request budget (budget.py);
a 429 pauses that budget for every process.
"""

import time
from urllib.parse import quote, urlsplit

import google.auth.exceptions
import gspread
import requests
import urllib3
from django.conf import settings
from gspread.http_client import HTTPClient

from .accounts import AccountMissing, account_named, first_account, key_files
from .budget import READ, WRITE, Budget, OutOfBudget, no_credentials_account

GOOGLE_SHEETS_URL = "https://sheets.googleapis.com"
GOOGLE_DRIVE_URL = "https://www.googleapis.com"
# Drive's metadata (a sheet's modifiedTime, so the pull skips unchanged sheets) needs
# the second scope; without it the pull reads every sheet, as before.
SCOPES = [
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
]
RETRYABLE_STATUSES = {408, 429, 500, 502, 503, 504}
# Row ranges read in one batchGet; past this, one block from the first to the last row.
MAX_RANGES_PER_READ = 200
WRITE_OPTIONS = {"valueInputOption": "RAW"}
READ_OPTIONS = {"valueRenderOption": "UNFORMATTED_VALUE", "majorDimension": "ROWS"}


class SheetsError(Exception):
    pass


class SheetsRetryable(SheetsError):
    def __init__(self, message, retry_after=None, uncertain=False):
        super().__init__(message)
        self.retry_after = retry_after
        self.uncertain = uncertain


class SheetsPermanent(SheetsError):
    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status  # Google's HTTP status, when Google answered


class CountingHTTPClient(HTTPClient):
    """gspread's HTTP client, pointed at GOOGLE_SHEETS_API_URL and counting calls."""

    base_url = GOOGLE_SHEETS_URL
    calls = 0

    def request(self, method, endpoint, *args, **kwargs):
        self.calls += 1
        endpoint = endpoint.replace(GOOGLE_SHEETS_URL, self.base_url, 1)
        return super().request(method, endpoint, *args, **kwargs)


def never_sent(error):
    """True when the request surely did not reach the server (so it was not applied)."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    return isinstance(error, requests.exceptions.ConnectionError) and isinstance(
        getattr(error.args[0] if error.args else None, "reason", None),
        urllib3.exceptions.NewConnectionError,
    )


def has_credentials():
    """A service-account key, or a non-Google endpoint that needs none (the imitation)."""
    custom_endpoint = settings.GOOGLE_SHEETS_API_URL.rstrip("/") != GOOGLE_SHEETS_URL
    return bool(key_files()) or custom_endpoint


def drive_url():
    """GOOGLE_DRIVE_API_URL; when empty, Google's, or the Sheets endpoint when that is not
    Google's (a local imitation answers both)."""
    if settings.GOOGLE_DRIVE_API_URL:
        return settings.GOOGLE_DRIVE_API_URL.rstrip("/")
    sheets_url = settings.GOOGLE_SHEETS_API_URL.rstrip("/")
    return GOOGLE_DRIVE_URL if sheets_url == GOOGLE_SHEETS_URL else sheets_url


def refuse_to_send_credentials_in_clear(url):
    parts = urlsplit(url)
    if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SheetsPermanent(
            f"GOOGLE_SHEETS_API_URL {url} is not HTTPS: the service account's token is "
            "only sent over HTTPS (or to this machine)."
        )


def column_letter(number):
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def quoted(title):
    return "'" + title.replace("'", "''") + "'"


def row_runs(row_numbers):
    """[2, 3, 4, 9] -> [(2, 4), (9, 9)]: contiguous runs of sorted row numbers."""
    runs = []
    for number in sorted(set(row_numbers)):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return [tuple(run) for run in runs]


class OutOfRequests(SheetsError):
    """The shared request budget has no token before the run's deadline."""


class SheetsClient:
    """Calls made as one service account (account: its client_email; by default the
    first configured), on that account's budget. deadline (a time.monotonic() value)
    bounds how long a call waits for the budget; by default the longest a run may last
    from now. Without key files the calls carry no credentials (the imitation)."""

    def __init__(self, deadline=None, account=None):
        self.deadline = deadline or time.monotonic() + settings.SYNC_RUN_BUDGET_SECONDS
        self.key_file = self._key_file(account)
        if self.key_file:
            refuse_to_send_credentials_in_clear(settings.GOOGLE_SHEETS_API_URL)
            client = self._service_account_client(self.key_file)
        else:
            client = gspread.Client(
                auth=None, session=requests.Session(), http_client=CountingHTTPClient
            )
        self.http = client.http_client
        self.http.base_url = settings.GOOGLE_SHEETS_API_URL.rstrip("/")
        self.http.set_timeout(settings.SHEETS_TIMEOUT_SECONDS)
        self.budget = Budget(self.account)

    @property
    def account(self):
        """Whose quota the calls use: the service account's email (Google counts per
        account), or, without credentials, the endpoint's address (the imitation)."""
        credentials = getattr(self.http, "auth", None)
        email = getattr(credentials, "service_account_email", None)
        return email or no_credentials_account(self.http.base_url)

    @staticmethod
    def _key_file(account):
        """The key file of the account ("" when none is configured)."""
        if not key_files():
            return ""
        if not account:
            return first_account().key_file
        try:
            return account_named(account).key_file
        except AccountMissing as error:
            raise SheetsPermanent(f"Nothing was sent: {error}") from None

    @staticmethod
    def _service_account_client(key_file):
        try:
            return gspread.service_account(
                filename=key_file, scopes=SCOPES, http_client=CountingHTTPClient
            )
        except (OSError, ValueError) as error:
            # Name the file, never its contents.
            raise SheetsPermanent(
                f"Cannot read the service-account key {key_file}: {type(error).__name__}"
            ) from None

    @property
    def calls(self):
        return self.http.calls

    drive_calls = 0

    def modified_time(self, spreadsheet_id):
        """The file's modifiedTime (Drive files.get, through the same authorized session;
        Drive has its own quota, far larger than Sheets', so it is not counted in calls).
        Moves on every change of any tab, by hand or by the sync."""
        description = f"Asking Drive when {spreadsheet_id} last changed"
        base = drive_url()
        if self.key_file:
            refuse_to_send_credentials_in_clear(base)
        self.drive_calls += 1
        try:
            response = self.http.session.request(
                "GET",
                f"{base}/drive/v3/files/{quote(spreadsheet_id, safe='')}",
                params={"fields": "modifiedTime", "supportsAllDrives": "true"},
                timeout=self.http.timeout,
            )
        except google.auth.exceptions.RefreshError as error:
            raise SheetsPermanent(
                f"{description}: the service-account key was refused ({type(error).__name__})."
            ) from None
        except (google.auth.exceptions.TransportError, requests.exceptions.RequestException) as e:
            raise SheetsRetryable(f"{description}: {type(e).__name__} ({e})") from None
        if not response.ok:
            raise self._translate(description, response, write=False)
        try:
            return str(response.json()["modifiedTime"])
        except (ValueError, KeyError, TypeError):
            raise SheetsPermanent(f"{description}: Drive's answer had no modifiedTime.") from None

    def _call(self, description, function, *args, write=False, **kwargs):
        """Run one API call; errors become SheetsRetryable or SheetsPermanent.

        A write whose fate is unknown (timed out, connection lost after sending, 5xx)
        may still be applied by Google later: it is marked uncertain, and the sync
        does not plan again until it has settled.
        """
        kind = WRITE if write else READ
        try:
            self.budget.take(kind, deadline=self.deadline)
        except OutOfBudget as error:
            raise OutOfRequests(f"{description}: {error}") from None
        try:
            return function(*args, **kwargs)
        except gspread.exceptions.APIError as error:
            translated = self._translate(description, error.response, write)
            if error.response.status_code == 429:
                # Every process stops taking this kind of call until Google allows it.
                pause = translated.retry_after or settings.SHEETS_BACKOFF_SECONDS
                self.budget.pause(kind, pause, str(translated))
            raise translated from None
        except google.auth.exceptions.RefreshError as error:
            raise SheetsPermanent(
                f"{description}: the service-account key was refused by Google "
                f"({type(error).__name__}); check that it is valid and not revoked."
            ) from None
        except google.auth.exceptions.TransportError as error:
            raise SheetsRetryable(
                f"{description}: cannot reach Google to sign in ({error})"
            ) from None
        except requests.exceptions.RequestException as error:
            raise SheetsRetryable(
                f"{description}: {type(error).__name__} ({error})",
                uncertain=write and not never_sent(error),
            ) from None

    def _translate(self, description, response, write):
        status = response.status_code
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = response.reason or "no details"
        text = f"{description}: Google Sheets answered {status} ({message})"
        if status in RETRYABLE_STATUSES:
            retry_after = response.headers.get("Retry-After", "")
            return SheetsRetryable(
                text,
                retry_after=float(retry_after) if retry_after.isdigit() else None,
                # 429 means the request was refused, so nothing was written.
                uncertain=write and status != 429,
            )
        if status == 403:
            text += f". Share the spreadsheet with the service account {self.account} as an editor."
        if status == 404:
            text += ". Check the spreadsheet id."
        return SheetsPermanent(text, status=status)

    def read_metadata(self, spreadsheet_id):
        """The spreadsheet's title and tabs (one read; it writes nothing)."""
        return self._call(
            f"Opening spreadsheet {spreadsheet_id}", self.http.fetch_sheet_metadata, spreadsheet_id
        )

    def open_worksheet(self, spreadsheet_id, title, create=True):
        """The tab named title, created when missing (or None when create is false)."""
        metadata = self.read_metadata(spreadsheet_id)
        for sheet in metadata.get("sheets", []):
            if sheet["properties"]["title"] == title:
                return Worksheet(self, spreadsheet_id, sheet["properties"], is_new=False)
        if not create:
            return None
        body = {"requests": [{"addSheet": {"properties": {"title": title}}}]}
        answer = self._call(
            f"Adding tab {title!r}", self.http.batch_update, spreadsheet_id, body, write=True
        )
        properties = answer["replies"][0]["addSheet"]["properties"]
        return Worksheet(self, spreadsheet_id, properties, is_new=True)


class Worksheet:
    """One tab of a spreadsheet, read and written in whole rows from column A."""

    def __init__(self, client, spreadsheet_id, properties, is_new):
        self.client = client
        self.spreadsheet_id = spreadsheet_id
        self.sheet_id = properties["sheetId"]
        self.title = properties["title"]
        self.is_new = is_new

    def range(self, top, bottom="", width=1):
        return f"{quoted(self.title)}!A{top}:{column_letter(width)}{bottom}"

    def column_range(self, column, top):
        letter = column_letter(column)
        return f"{quoted(self.title)}!{letter}{top}:{letter}"

    def _batch_get(self, description, ranges, major_dimension="ROWS"):
        params = {**READ_OPTIONS, "majorDimension": major_dimension}
        answer = self.client._call(
            description, self.client.http.values_batch_get, self.spreadsheet_id, ranges, params
        )
        return [value_range.get("values", []) for value_range in answer.get("valueRanges", [])]

    def read_header_and_column(self, width, column):
        """Row 1, and one column from row 2 down, in one call.

        Read by columns: the key column comes back as one flat list, a few MB less
        than a list per row when the history is long.
        """
        header_columns, key_columns = self._batch_get(
            f"Reading {self.title!r}",
            [self.range(1, 1, width), self.column_range(column, 2)],
            major_dimension="COLUMNS",
        )
        header = [values[0] if values else "" for values in header_columns]
        while header and header[-1] == "":
            header.pop()
        return header, (key_columns[0] if key_columns else [])

    def read_header(self, width):
        """Row 1, its empty cells at the end left out."""
        (rows,) = self._batch_get(
            f"Reading the header of {self.title!r}", [self.range(1, 1, width)]
        )
        return rows[0] if rows else []

    def read_rows(self, row_numbers, width):
        """{row number: values} for the given rows, in one call."""
        runs = row_runs(row_numbers)
        if len(runs) > MAX_RANGES_PER_READ:
            runs = [(runs[0][0], runs[-1][1])]
        blocks = self._batch_get(
            f"Reading rows of {self.title!r}",
            [self.range(top, bottom, width) for top, bottom in runs],
        )
        wanted, rows = set(row_numbers), {}
        for (top, _), block in zip(runs, blocks, strict=True):
            for offset, values in enumerate(block):
                if top + offset in wanted:
                    rows[top + offset] = values
        return rows

    def read_table(self, width):
        """Every row, header included, in the first width columns only: one batchGet."""
        (rows,) = self._batch_get(f"Reading {self.title!r}", [self.range(1, "", width)])
        return rows

    def update_rows(self, rows_by_number, width):
        """Rewrite whole rows in place, in one call."""
        data = [
            {"range": self.range(number, number, width), "values": [values]}
            for number, values in sorted(rows_by_number.items())
        ]
        body = {**WRITE_OPTIONS, "data": data}
        self.client._call(
            f"Updating rows of {self.title!r}",
            self.client.http.values_batch_update,
            self.spreadsheet_id,
            body,
            write=True,
        )

    def delete_rows(self, row_numbers):
        """Delete rows in one request, bottom-up so earlier deletions do not shift later ones."""
        requests_ = [
            {
                "deleteDimension": {
                    "range": {
                        "sheetId": self.sheet_id,
                        "dimension": "ROWS",
                        "startIndex": top - 1,
                        "endIndex": bottom,
                    }
                }
            }
            for top, bottom in reversed(row_runs(row_numbers))
        ]
        self.client._call(
            f"Deleting rows of {self.title!r}",
            self.client.http.batch_update,
            self.spreadsheet_id,
            {"requests": requests_},
            write=True,
        )

    def append_rows(self, rows):
        """Add rows after the last one; "A1" stops Sheets guessing where the table is."""
        self.client._call(
            f"Appending to {self.title!r}",
            self.client.http.values_append,
            self.spreadsheet_id,
            f"{quoted(self.title)}!A1",
            {**WRITE_OPTIONS, "insertDataOption": "INSERT_ROWS"},
            {"values": rows},
            write=True,
        )
