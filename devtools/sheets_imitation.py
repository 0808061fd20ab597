"""A local imitation of the Google Sheets v4 REST API, so that tests never contact Google.

Real gspread talks to it over real HTTP once the ``https://sheets.googleapis.com`` prefix
of its URLs is rewritten to :attr:`SheetsImitation.url`. Spreadsheets live in memory and
are answered with Google's URL layout, JSON shapes and error bodies (see API_ROUTES for the
calls served and the ``kind`` recorded for each). Every API call is recorded, and faults
can be injected: error statuses, slow answers, connections dropped before or after the
write is applied. Standard library only.

Run it on its own (Ctrl-C stops it)::

    python -m devtools.sheets_imitation --host 127.0.0.1 --port 8765 --spreadsheet ID:Log

or from tests::

    imitation = SheetsImitation().start()  # port 0: a free port is picked
    imitation.create_spreadsheet("abc", worksheets=("Log",))
    imitation.fail_next(429, retry_after=1, kinds=["values.append"])
    ...
    imitation.stop()

Control endpoints (JSON bodies, never recorded as calls; a formula cell is {"formula": ...}):

    POST   /_imitation/spreadsheets                 {"id": ..., "worksheets": [...],
                                                     "access": "editor" | "viewer" | "none"}
    GET    /_imitation/spreadsheets/<id>/<worksheet> -> {"rows": [...]}
    PUT    /_imitation/spreadsheets/<id>/<worksheet>    {"rows": [...]}
    GET    /_imitation/calls                         -> {"calls": [...]}
    POST   /_imitation/reset-calls
    POST   /_imitation/faults   {"type": "status" | "delay" | "drop", ...fault parameters}
    DELETE /_imitation/faults

Google's limits are kept: a cell holds at most 50,000 characters and a spreadsheet at
most 10,000,000 cells across its tabs (400 INVALID_ARGUMENT with Google's messages; tests
may lower ``max_cells`` to meet it sooner). Google's request quotas (per minute, reads and
writes apart, 429 RESOURCE_EXHAUSTED with ``Retry-After``) are off by default:
``imitation.set_quota(reads_per_minute=60, writes_per_minute=60)`` (or ``--quota 60,60``)
turns them on; ``quota_refusals()`` lists the calls refused.

    POST   /_imitation/quota    {"reads_per_minute": ..., "writes_per_minute": ...,
                                 "window_seconds": 60} (nulls turn it off)

Drive's files.get (``GET /drive/v3/files/<id>?fields=modifiedTime``) answers a
spreadsheet's modifiedTime, which moves on every write and every hand edit; it is
recorded apart (``drive_calls``), never meets faults, and needs no credentials.

Callers: service-account credentials work against it. A key file whose ``token_uri`` is
``<url>/oauth2/token`` signs in there (google-auth posts its signed JWT; the imitation
reads the issuer, the key's client_email, without checking the signature: it stands in
for Google, it guards nothing) and gets a token naming that account. Each call made with
it is recorded with its ``caller``; quotas count per caller, as Google counts per
service account; ``share(id, access, account=...)`` shares a spreadsheet with one
account only, and the others are then answered 403. Calls without a token are the
anonymous caller "" and see the spreadsheet's own ``access``.

Simplifications: formulas are stored but never evaluated (their value reads "#FORMULA");
append writes after the last non-empty row instead of detecting a table; values are sent
and deleted by rows only; a call meets at most one fault, the first queued one matching it.
"""

from __future__ import annotations

import argparse
import base64
import calendar
import copy
import json
import math
import re
import secrets
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

TOKEN_PATH = "/oauth2/token"  # a test key file's token_uri: <url>/oauth2/token
TOKEN_SECONDS = 3600

DEFAULT_ROW_COUNT = 1000
DEFAULT_COLUMN_COUNT = 26
# Sheets added after the first get ids unlike any index, so mixing the two up shows in tests.
FIRST_ADDED_SHEET_ID = 1_000_001
CONTROL_PREFIX = "/_imitation/"
# Google's limits (support.google.com/drive/answer/37603), with its error messages.
MAX_CELL_CHARACTERS = 50_000
CELL_TOO_LONG_MESSAGE = (
    f"Your input contains more than the maximum of {MAX_CELL_CHARACTERS} characters in a "
    "single cell."
)
MAX_CELLS = 10_000_000
QUOTA_WINDOW_SECONDS = 60

GOOGLE_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
FAULT_METHODS = {"status": "fail_next", "delay": "delay_next", "drop": "drop_next"}

# Column letters are capped at three (Sheets' last column is ZZZ), so that a bare
# worksheet name such as "Sheet1" is not mistaken for a cell reference.
CELL_PATTERN = re.compile(r"\$?([A-Z]{0,3})\$?(\d*)", re.IGNORECASE)
QUOTED_SHEET_PATTERN = re.compile(r"'((?:[^']|'')+)'(?:!(.*))?", re.DOTALL)
NUMBER_PATTERN = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def drive_time(milliseconds: int) -> str:
    """RFC 3339 in UTC with milliseconds, as Drive writes modifiedTime."""
    seconds, rest = divmod(milliseconds, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{rest:03d}Z"


def parse_drive_time(text: str) -> int:
    """Milliseconds since the epoch of a drive_time() text."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) * 1000 + int(fraction or 0)


class UnknownSheetError(KeyError):
    """Raised by the Python-side helpers for a spreadsheet or worksheet that does not exist."""


class ApiError(Exception):
    """An error answered with Google's error body."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message

    def body(self) -> dict:
        return google_error_body(self.status, self.message)


def google_error_body(status: int, message: str) -> dict:
    status_name = GOOGLE_STATUS_NAMES.get(status, HTTPStatus(status).name)
    return {"error": {"code": status, "message": message, "status": status_name}}


@dataclass(frozen=True)
class Formula:
    """A USER_ENTERED string starting with "=": stored as such, never evaluated."""

    text: str


# --- A1 notation -------------------------------------------------------------------------


@dataclass(frozen=True)
class GridRange:
    """1-based inclusive bounds; an end of None reaches the edge of the grid."""

    start_row: int
    start_column: int
    end_row: int | None
    end_column: int | None

    @property
    def is_single_cell(self) -> bool:
        return (self.end_row, self.end_column) == (self.start_row, self.start_column)


WHOLE_SHEET = GridRange(1, 1, None, None)


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def split_sheet_and_cells(text: str) -> tuple[str | None, str | None]:
    """'Name'!A1:B2 -> (Name, A1:B2); Name -> (Name, None); A1:B2 -> (None, A1:B2)."""
    quoted = QUOTED_SHEET_PATTERN.fullmatch(text)
    if quoted:
        return quoted[1].replace("''", "'"), quoted[2]
    if "!" in text:
        title, _, cells = text.rpartition("!")
        return title, cells
    if all(CELL_PATTERN.fullmatch(part) for part in text.split(":")):
        return None, text
    return text, None


def parse_cells(cells: str, range_text: str) -> GridRange:
    parts = cells.split(":")
    matches = [CELL_PATTERN.fullmatch(part) for part in parts]
    if len(parts) > 2 or not all(match and any(match.groups()) for match in matches):
        raise ApiError(400, f"Unable to parse range: {range_text}")
    # A single part is both start and end: "A1" is one cell, "B" column B, "3" row 3.
    start_letters, start_digits = matches[0].groups()
    end_letters, end_digits = matches[-1].groups()
    return GridRange(
        start_row=int(start_digits or 1),
        start_column=column_number(start_letters) if start_letters else 1,
        end_row=int(end_digits) if end_digits else None,
        end_column=column_number(end_letters) if end_letters else None,
    )


def quote_sheet_title(title: str) -> str:
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title)
    if plain and not re.fullmatch(r"[A-Za-z]{1,3}\d+", title):
        return title
    return "'{}'".format(title.replace("'", "''"))


def format_a1(title: str, top: int, left: int, bottom: int, right: int) -> str:
    start = f"{column_letters(left)}{top}"
    end = f"{column_letters(right)}{bottom}"
    return f"{quote_sheet_title(title)}!{start if start == end else f'{start}:{end}'}"


# --- Cell values -------------------------------------------------------------------------


def interpret_input(value: object, value_input_option: str) -> object:
    """Turn a sent JSON value into a stored cell value, as Sheets does on input."""
    if not isinstance(value, (str, int, float, bool)):
        raise ApiError(400, f"Invalid value at 'data.values': {json.dumps(value)}")
    if isinstance(value, str) and text_length(value) > MAX_CELL_CHARACTERS:
        raise ApiError(400, CELL_TOO_LONG_MESSAGE)
    if value_input_option == "RAW" or not isinstance(value, str):
        return value
    if value.startswith("'"):
        return value[1:]
    if value.startswith("=") and len(value) > 1:
        return Formula(value)
    stripped = value.strip()
    if NUMBER_PATTERN.fullmatch(stripped):
        number = float(stripped)
        return int(number) if number.is_integer() else number
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE"
    return value


def text_length(text: str) -> int:
    """Characters as Google counts them (UTF-16 code units, as in Java and JavaScript:
    an emoji counts two); our assumption, the stricter of the two ways to count."""
    return len(text.encode("utf-16-le")) // 2


def render(value: object, value_render_option: str) -> object:
    if isinstance(value, Formula):
        return value.text if value_render_option == "FORMULA" else "#FORMULA"
    if value_render_option == "FORMATTED_VALUE":
        return format_for_display(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def format_for_display(value: object) -> str:
    """Render a value the way Sheets shows it with the default (automatic) number format."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g").upper()
    return str(value)


def trim_trailing_empty(rows: list[list]) -> list[list]:
    trimmed = []
    for row in rows:
        row = list(row)
        while row and row[-1] == "":
            row.pop()
        trimmed.append(row)
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def transpose(rows: list[list], width: int) -> list[list]:
    padded = [list(row) + [""] * (width - len(row)) for row in rows]
    return [list(column) for column in zip(*padded, strict=True)]


def to_json_cell(value: object) -> object:
    return {"formula": value.text} if isinstance(value, Formula) else value


def from_json_cell(value: object) -> object:
    return Formula(value["formula"]) if isinstance(value, dict) else value


# --- Storage -----------------------------------------------------------------------------


@dataclass
class Worksheet:
    sheet_id: int
    title: str
    row_count: int = DEFAULT_ROW_COUNT
    column_count: int = DEFAULT_COLUMN_COUNT
    cells: list[list] = field(default_factory=list)  # ragged; "" is an empty cell

    def properties(self, index: int) -> dict:
        return {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": self.row_count, "columnCount": self.column_count},
        }

    def put(self, row: int, column: int, value: object) -> None:
        while len(self.cells) < row:
            self.cells.append([])
        cells_of_row = self.cells[row - 1]
        cells_of_row.extend([""] * (column - len(cells_of_row)))
        cells_of_row[column - 1] = value

    def read(self, top: int, left: int, bottom: int, right: int) -> list[list]:
        return [row[left - 1 : right] for row in self.cells[top - 1 : bottom]]

    def last_filled_row(self) -> int:
        return len(trim_trailing_empty(self.cells))

    def filled_width(self) -> int:
        return max((len(row) for row in trim_trailing_empty(self.cells)), default=0)

    def clear(self, top: int, left: int, bottom: int, right: int) -> None:
        for row in self.cells[top - 1 : bottom]:
            for column in range(left, min(right, len(row)) + 1):
                row[column - 1] = ""

    def resize(self, row_count: int, column_count: int) -> None:
        self.row_count, self.column_count = row_count, column_count
        self.cells = [row[:column_count] for row in self.cells[:row_count]]

    def grow_to(self, row_count: int, column_count: int) -> None:
        self.row_count = max(self.row_count, row_count)
        self.column_count = max(self.column_count, column_count)

    def bounds(self, grid_range: GridRange) -> tuple[int, int, int, int]:
        """Clip a range to the grid: (top, left, bottom, right)."""
        if grid_range.start_row > self.row_count or grid_range.start_column > self.column_count:
            raise self.beyond_grid_error(grid_range.start_row, grid_range.start_column)
        bottom = min(grid_range.end_row or self.row_count, self.row_count)
        right = min(grid_range.end_column or self.column_count, self.column_count)
        return grid_range.start_row, grid_range.start_column, bottom, right

    def beyond_grid_error(self, row: int, column: int) -> ApiError:
        return ApiError(
            400,
            f"Range ({format_a1(self.title, row, column, row, column)}) exceeds grid limits. "
            f"Max rows: {self.row_count}, max columns: {self.column_count}",
        )


# What the caller (the service account) may do with a spreadsheet: whether its owner
# shared it with them, and as what. Google answers the rest 403 PERMISSION_DENIED.
ACCESS_LEVELS = ("editor", "viewer", "none")
NO_PERMISSION_MESSAGE = "The caller does not have permission"


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    worksheets: list[Worksheet] = field(default_factory=list)
    next_sheet_id: int = FIRST_ADDED_SHEET_ID
    access: str = "editor"  # for a caller the spreadsheet is not shared with by account
    shared_with: dict[str, str] = field(default_factory=dict)  # service account: access
    modified_time: str = field(default_factory=lambda: drive_time(time.time_ns() // 1_000_000))
    max_cells: int = MAX_CELLS

    def access_of(self, caller: str) -> str:
        """What this caller may do: once shared with accounts by name, only those may."""
        if caller and self.shared_with:
            return self.shared_with.get(caller, "none")
        return self.access

    def touch(self) -> None:
        """Drive's modifiedTime moves on every change (by hand or through the API),
        always forward, even twice in one millisecond."""
        now = time.time_ns() // 1_000_000
        self.modified_time = drive_time(max(now, parse_drive_time(self.modified_time) + 1))

    def cell_count(self) -> int:
        return sum(ws.row_count * ws.column_count for ws in self.worksheets)

    def refuse_growth_past_limit(self, cells_before: int) -> None:
        """Google refuses a change that grows the grid past the limit (shrinking is fine)."""
        cells = self.cell_count()
        if cells > self.max_cells and cells > cells_before:
            raise ApiError(
                400,
                "This action would increase the number of cells in the workbook above the "
                f"limit of {self.max_cells} cells.",
            )

    def add_worksheet(self, title: str, sheet_id: int | None = None, **grid: int) -> Worksheet:
        worksheet = Worksheet(self.new_sheet_id() if sheet_id is None else sheet_id, title, **grid)
        self.worksheets.append(worksheet)
        return worksheet

    def new_sheet_id(self) -> int:
        if not self.worksheets:
            return 0  # as in Google, the first sheet has id 0
        self.next_sheet_id += 1
        return self.next_sheet_id - 1

    def metadata(self) -> dict:
        return {
            "spreadsheetId": self.spreadsheet_id,
            "properties": {"title": self.spreadsheet_id, "locale": "en_US", "timeZone": "Etc/GMT"},
            "sheets": [{"properties": ws.properties(i)} for i, ws in enumerate(self.worksheets)],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit",
        }

    def by_title(self, title: str) -> Worksheet | None:
        return next((ws for ws in self.worksheets if ws.title == title), None)

    def by_id(self, sheet_id: object) -> Worksheet:
        worksheet = next((ws for ws in self.worksheets if ws.sheet_id == sheet_id), None)
        if worksheet is None:
            raise ApiError(400, f"No grid with id: {sheet_id}")
        return worksheet

    def resolve(self, range_text: str) -> tuple[Worksheet, GridRange]:
        worksheet = self.by_title(range_text)
        if worksheet:
            return worksheet, WHOLE_SHEET
        title, cells = split_sheet_and_cells(range_text)
        worksheet = self.worksheets[0] if title is None else self.by_title(title)
        if worksheet is None:
            raise ApiError(400, f"Unable to parse range: {range_text}")
        return worksheet, WHOLE_SHEET if cells is None else parse_cells(cells, range_text)


# --- API calls ---------------------------------------------------------------------------


@dataclass
class ApiRequest:
    spreadsheet: Spreadsheet
    range_text: str | None
    query: dict[str, list[str]]
    body: dict

    def param(self, name: str, default: str | None = None) -> str | None:
        return self.query.get(name, [default])[0]

    def value_input_option(self, value: str | None) -> str:
        if value is None:
            raise ApiError(400, "'valueInputOption' is required but not specified")
        if value not in ("RAW", "USER_ENTERED"):
            raise ApiError(400, f"Invalid valueInputOption: {value!r} (RAW or USER_ENTERED)")
        return value


def value_range(request: ApiRequest, range_text: str) -> dict:
    worksheet, grid_range = request.spreadsheet.resolve(range_text)
    top, left, bottom, right = worksheet.bounds(grid_range)
    rows = worksheet.read(top, left, bottom, right)
    major_dimension = request.param("majorDimension", "ROWS")
    if major_dimension == "COLUMNS":
        rows = transpose(rows, right - left + 1)
    render_option = request.param("valueRenderOption", "FORMATTED_VALUE")
    values = trim_trailing_empty([[render(value, render_option) for value in row] for row in rows])
    answer = {
        "range": format_a1(worksheet.title, top, left, bottom, right),
        "majorDimension": major_dimension,
    }
    return answer | ({"values": values} if values else {})


def sent_rows(body: dict) -> list[list]:
    if body.get("majorDimension") not in (None, "ROWS"):
        raise ApiError(400, "The Sheets imitation takes values by ROWS only")
    return body.get("values") or []


def write_rows(worksheet: Worksheet, top: int, left: int, rows: list[list], option: str) -> dict:
    for row_offset, row in enumerate(rows):
        for column_offset, value in enumerate(row):
            if value is not None:  # Google leaves the cell under a null untouched
                stored = interpret_input(value, option)
                worksheet.put(top + row_offset, left + column_offset, stored)
    width = max(map(len, rows), default=0)
    bottom, right = top + max(len(rows), 1) - 1, left + max(width, 1) - 1
    return {
        "updatedRange": format_a1(worksheet.title, top, left, bottom, right),
        "updatedRows": len(rows),
        "updatedColumns": width,
        "updatedCells": sum(value is not None for row in rows for value in row),
    }


def update_range(request: ApiRequest, range_text: str, body: dict, option: str) -> dict:
    worksheet, grid_range = request.spreadsheet.resolve(range_text)
    rows = sent_rows(body)
    last_row = grid_range.start_row + len(rows) - 1
    last_column = grid_range.start_column + max(map(len, rows), default=1) - 1
    if not grid_range.is_single_cell:  # a single cell only says where writing starts
        too_far = f"Requested writing within range [{range_text}], but tried writing to"
        if (grid_range.end_row or last_row) < last_row:
            raise ApiError(400, f"{too_far} row [{last_row}]")
        if (grid_range.end_column or last_column) < last_column:
            raise ApiError(400, f"{too_far} column [{column_letters(last_column)}]")
    if last_row > worksheet.row_count or last_column > worksheet.column_count:
        raise worksheet.beyond_grid_error(last_row, last_column)
    summary = write_rows(worksheet, grid_range.start_row, grid_range.start_column, rows, option)
    return {"spreadsheetId": request.spreadsheet.spreadsheet_id} | summary


def get_metadata(request: ApiRequest) -> dict:
    return request.spreadsheet.metadata()


def get_values(request: ApiRequest) -> dict:
    return value_range(request, request.range_text)


def batch_get_values(request: ApiRequest) -> dict:
    ranges = [value_range(request, text) for text in request.query.get("ranges", [])]
    return {"spreadsheetId": request.spreadsheet.spreadsheet_id, "valueRanges": ranges}


def update_values(request: ApiRequest) -> dict:
    option = request.value_input_option(request.param("valueInputOption"))
    return update_range(request, request.range_text, request.body, option)


def batch_update_values(request: ApiRequest) -> dict:
    option = request.value_input_option(request.body.get("valueInputOption"))
    data = request.body.get("data") or []
    responses = [update_range(request, item["range"], item, option) for item in data]
    sheets = {request.spreadsheet.resolve(item["range"])[0].sheet_id for item in data}
    return {
        "spreadsheetId": request.spreadsheet.spreadsheet_id,
        "totalUpdatedRows": sum(response["updatedRows"] for response in responses),
        "totalUpdatedColumns": sum(response["updatedColumns"] for response in responses),
        "totalUpdatedCells": sum(response["updatedCells"] for response in responses),
        "totalUpdatedSheets": len(sheets),
        "responses": responses,
    }


def append_values(request: ApiRequest) -> dict:
    option = request.value_input_option(request.param("valueInputOption"))
    worksheet, grid_range = request.spreadsheet.resolve(request.range_text)
    rows = sent_rows(request.body)
    last_filled = worksheet.last_filled_row()
    top, left = max(grid_range.start_row, last_filled + 1), grid_range.start_column
    right = left + max(map(len, rows), default=1) - 1
    needed_rows = top + len(rows) - 1
    if request.param("insertDataOption", "OVERWRITE") == "INSERT_ROWS":
        # Everything below the last filled row is empty, so inserting rows only grows the grid.
        needed_rows = max(needed_rows, worksheet.row_count + len(rows))
    cells_before = request.spreadsheet.cell_count()
    worksheet.grow_to(needed_rows, right)
    request.spreadsheet.refuse_growth_past_limit(cells_before)
    answer: dict = {"spreadsheetId": request.spreadsheet.spreadsheet_id}
    if last_filled >= grid_range.start_row:
        table_right = max(worksheet.filled_width(), left)
        table = format_a1(worksheet.title, grid_range.start_row, left, last_filled, table_right)
        answer["tableRange"] = table
    summary = write_rows(worksheet, top, left, rows, option)
    return answer | {"updates": {"spreadsheetId": request.spreadsheet.spreadsheet_id} | summary}


def clear_range(request: ApiRequest, range_text: str) -> str:
    worksheet, grid_range = request.spreadsheet.resolve(range_text)
    top, left, bottom, right = worksheet.bounds(grid_range)
    worksheet.clear(top, left, bottom, right)
    return format_a1(worksheet.title, top, left, bottom, right)


def clear_values(request: ApiRequest) -> dict:
    cleared = clear_range(request, request.range_text)
    return {"spreadsheetId": request.spreadsheet.spreadsheet_id, "clearedRange": cleared}


def batch_clear_values(request: ApiRequest) -> dict:
    cleared = [clear_range(request, text) for text in request.body.get("ranges", [])]
    return {"spreadsheetId": request.spreadsheet.spreadsheet_id, "clearedRanges": cleared}


def batch_update(request: ApiRequest) -> dict:
    replies = []
    for index, sheet_request in enumerate(request.body.get("requests", [])):
        name = next(iter(sheet_request), None)
        if len(sheet_request) != 1 or name not in SHEET_REQUESTS:
            raise ApiError(400, f"The Sheets imitation does not support request {sheet_request}")
        try:
            replies.append(SHEET_REQUESTS[name](request.spreadsheet, sheet_request[name]))
        except ApiError as error:
            raise ApiError(400, f"Invalid requests[{index}].{name}: {error.message}") from None
    return {"spreadsheetId": request.spreadsheet.spreadsheet_id, "replies": replies}


def add_sheet(spreadsheet: Spreadsheet, parameters: dict) -> dict:
    properties = parameters.get("properties", {})
    title = properties.get("title") or f"Sheet{len(spreadsheet.worksheets) + 1}"
    if spreadsheet.by_title(title):
        raise duplicate_title_error(title)
    grid = properties.get("gridProperties", {})
    cells_before = spreadsheet.cell_count()
    worksheet = spreadsheet.add_worksheet(
        title,
        sheet_id=properties.get("sheetId"),
        row_count=grid.get("rowCount", DEFAULT_ROW_COUNT),
        column_count=grid.get("columnCount", DEFAULT_COLUMN_COUNT),
    )
    spreadsheet.refuse_growth_past_limit(cells_before)
    index = properties.get("index", len(spreadsheet.worksheets) - 1)
    spreadsheet.worksheets.insert(index, spreadsheet.worksheets.pop())
    return {"addSheet": {"properties": worksheet.properties(index)}}


def duplicate_title_error(title: str) -> ApiError:
    message = f'A sheet with the name "{title}" already exists. Please enter another name.'
    return ApiError(400, message)


def delete_sheet(spreadsheet: Spreadsheet, parameters: dict) -> dict:
    worksheet = spreadsheet.by_id(parameters.get("sheetId"))
    if len(spreadsheet.worksheets) == 1:
        raise ApiError(400, "You can't remove all the sheets in a document.")
    spreadsheet.worksheets.remove(worksheet)
    return {}


def delete_dimension(spreadsheet: Spreadsheet, parameters: dict) -> dict:
    dimension_range = parameters.get("range", {})
    worksheet = spreadsheet.by_id(dimension_range.get("sheetId", 0))
    if dimension_range.get("dimension") != "ROWS":
        raise ApiError(400, "The Sheets imitation deletes ROWS only")
    start = dimension_range.get("startIndex", 0)
    end = dimension_range.get("endIndex", worksheet.row_count)
    if not 0 <= start < end <= worksheet.row_count:
        raise ApiError(400, f"Cannot delete rows [{start}, {end}) of {worksheet.row_count} rows")
    if end - start == worksheet.row_count:
        raise ApiError(400, "Sorry, it is not possible to delete all non-frozen rows.")
    del worksheet.cells[start:end]
    worksheet.row_count -= end - start
    return {}


def update_sheet_properties(spreadsheet: Spreadsheet, parameters: dict) -> dict:
    properties = parameters.get("properties", {})
    worksheet = spreadsheet.by_id(properties.get("sheetId", 0))
    grid = properties.get("gridProperties", {})
    row_count, column_count = worksheet.row_count, worksheet.column_count
    for field_path in parameters.get("fields", "").replace("/", ".").split(","):
        match field_path.strip():
            case "title":
                if spreadsheet.by_title(properties["title"]) not in (None, worksheet):
                    raise duplicate_title_error(properties["title"])
                worksheet.title = properties["title"]
            case "gridProperties.rowCount":
                row_count = grid["rowCount"]
            case "gridProperties.columnCount":
                column_count = grid["columnCount"]
            case "gridProperties":
                row_count = grid.get("rowCount", row_count)
                column_count = grid.get("columnCount", column_count)
            case other:
                raise ApiError(400, f"The Sheets imitation does not support field {other!r}")
    cells_before = spreadsheet.cell_count()
    worksheet.resize(row_count, column_count)
    spreadsheet.refuse_growth_past_limit(cells_before)
    return {}


SHEET_REQUESTS = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "deleteDimension": delete_dimension,
    "updateSheetProperties": update_sheet_properties,
}
_SPREADSHEET = r"/v4/spreadsheets/(?P<spreadsheet_id>[^/:]+)"
_VALUES = _SPREADSHEET + "/values"
_RANGE = _VALUES + "/(?P<range>.+)"
API_ROUTES = [  # (HTTP method, path pattern, kind, handler)
    ("GET", _SPREADSHEET, "metadata", get_metadata),
    ("POST", rf"{_SPREADSHEET}:batchUpdate", "batchUpdate", batch_update),
    ("GET", rf"{_VALUES}:batchGet", "values.batchGet", batch_get_values),
    ("POST", rf"{_VALUES}:batchUpdate", "values.batchUpdate", batch_update_values),
    ("POST", rf"{_VALUES}:batchClear", "values.batchClear", batch_clear_values),
    ("POST", rf"{_RANGE}:append", "values.append", append_values),
    ("POST", rf"{_RANGE}:clear", "values.clear", clear_values),
    ("GET", _RANGE, "values.get", get_values),
    ("PUT", _RANGE, "values.update", update_values),
]
API_HANDLERS = {kind: handler for _, _, kind, handler in API_ROUTES}
WRITE_KINDS = frozenset(kind for method, _, kind, _ in API_ROUTES if method != "GET")
KINDS = frozenset(API_HANDLERS) | {"unknown"}
# Drive v3 files.get (GET /drive/v3/files/<id>?fields=modifiedTime): a file's metadata.
DRIVE_FILE_PATTERN = re.compile(r"/drive/v3/files/(?P<id>[^/]+)")


def route_api_call(method: str, raw_path: str) -> tuple[str, str | None, str | None]:
    """(kind, spreadsheet id, range) of an API call; ranges arrive URL-quoted."""
    for route_method, pattern, kind, _ in API_ROUTES:
        match = re.fullmatch(pattern, raw_path)
        if match and method == route_method:
            range_text = match.groupdict().get("range")
            return kind, unquote(match["spreadsheet_id"]), range_text and unquote(range_text)
    return "unknown", None, None


# --- The imitation -----------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # URL-unquoted, without the query string
    query: dict[str, list[str]]
    kind: str
    body: object
    caller: str = ""  # the service account whose token came with the call ("" for none)


@dataclass
class Fault:
    type: str  # "status", "delay" or "drop"
    remaining: int
    kinds: frozenset[str] | None
    status: int = 0
    retry_after: float | None = None
    seconds: float = 0.0
    after_apply: bool = False
    spreadsheet_ids: frozenset[str] | None = None  # None: calls to any spreadsheet
    skip: int = 0  # matching calls let through before the fault starts


def quota_metric(kind: str) -> str:
    return "Write requests" if kind in WRITE_KINDS else "Read requests"


@dataclass
class Quota:
    """Requests per metric in any window of window_seconds; a call refused is not counted."""

    limits: dict[str, int | None]
    window_seconds: float
    accepted: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def take(self, metric: str, now: float | None = None, caller: str = "") -> int:
        """0 when the call may go; else the whole seconds until it may (Retry-After).
        Each caller (service account) has a quota of its own."""
        now = time.monotonic() if now is None else now
        limit = self.limits.get(metric)
        if limit is None:
            return 0
        since = now - self.window_seconds
        times = [moment for moment in self.accepted.get((caller, metric), []) if moment > since]
        self.accepted[caller, metric] = times
        if len(times) < limit:
            times.append(now)
            return 0
        return max(1, math.ceil(times[0] + self.window_seconds - now))


class SheetsImitation:
    """In-memory Google Sheets served over HTTP; every method is safe to call from any thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, log_requests: bool = False):
        self.host, self.port, self.log_requests = host, port, log_requests
        self._lock = threading.Lock()
        self._spreadsheets: dict[str, Spreadsheet] = {}
        self._calls: list[Call] = []
        self._drive_calls: list[str] = []  # spreadsheet ids asked of Drive's files.get
        self._drive_callers: list[tuple[str, str]] = []  # (spreadsheet id, caller) of each
        self._faults: list[Fault] = []
        self._quota: Quota | None = None
        self._quota_refusals: list[Call] = []
        self._tokens: dict[str, str] = {}  # access token: the service account it names
        self._server: _ImitationServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> SheetsImitation:
        self._server = _ImitationServer((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits for one poll; keep it short
            name="sheets-imitation",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- Data, as seen from the tests ---

    def create_spreadsheet(
        self, spreadsheet_id: str, worksheets=("Sheet1",), access: str = "editor"
    ) -> None:
        """Create an empty spreadsheet, replacing any with the same id. `access` is what
        its owner shared with the caller: "editor", "viewer" (reads only) or "none"."""
        if isinstance(worksheets, str) or not worksheets:
            raise ValueError("worksheets must be a non-empty list of titles")
        if access not in ACCESS_LEVELS:
            raise ValueError(f"access must be one of {ACCESS_LEVELS}")
        spreadsheet = Spreadsheet(spreadsheet_id, access=access)
        for title in worksheets:
            spreadsheet.add_worksheet(title)
        with self._lock:
            self._spreadsheets[spreadsheet_id] = spreadsheet

    def share(self, spreadsheet_id: str, access: str = "editor", account: str = "") -> None:
        """Change what the caller may do with a spreadsheet, as its owner's Share does;
        with account (a client_email), what that service account may do, the accounts
        not named then having no access."""
        if access not in ACCESS_LEVELS:
            raise ValueError(f"access must be one of {ACCESS_LEVELS}")
        with self._lock:
            if spreadsheet_id not in self._spreadsheets:
                raise UnknownSheetError(f"no spreadsheet {spreadsheet_id!r}")
            if account:
                self._spreadsheets[spreadsheet_id].shared_with[account] = access
            else:
                self._spreadsheets[spreadsheet_id].access = access

    def limit_cells(self, spreadsheet_id: str, max_cells: int) -> None:
        """Lower (or raise) a spreadsheet's cell limit, to meet Google's sooner in a test."""
        with self._lock:
            if spreadsheet_id not in self._spreadsheets:
                raise UnknownSheetError(f"no spreadsheet {spreadsheet_id!r}")
            self._spreadsheets[spreadsheet_id].max_cells = max_cells

    def cell_count(self, spreadsheet_id: str) -> int:
        """The grid's cells across the spreadsheet's tabs, as Google counts them."""
        with self._lock:
            return self._spreadsheets[spreadsheet_id].cell_count()

    # --- Quotas: Google's per-minute request limits, off unless asked for ---

    def set_quota(
        self,
        reads_per_minute: int | None = None,
        writes_per_minute: int | None = None,
        window_seconds: float = QUOTA_WINDOW_SECONDS,
    ) -> None:
        """Refuse calls past so many reads / writes in any window (60 s, as Google; tests
        may shorten it) with 429 and Retry-After. Both None turns quotas off."""
        with self._lock:
            if reads_per_minute is None and writes_per_minute is None:
                self._quota = None
            else:
                limits = {"Read requests": reads_per_minute, "Write requests": writes_per_minute}
                self._quota = Quota(limits, window_seconds)

    def quota_refusals(self) -> list[Call]:
        """The calls answered 429 because a quota was used up (reset_calls forgets them)."""
        with self._lock:
            return list(self._quota_refusals)

    def rows(self, spreadsheet_id: str, worksheet: str) -> list[list]:
        """A copy of the stored values, trailing empty cells and rows left out."""
        with self._lock:
            return trim_trailing_empty(self._worksheet(spreadsheet_id, worksheet).cells)

    def set_rows(self, spreadsheet_id: str, worksheet: str, rows: list[list]) -> None:
        """Replace a worksheet's content, as if edited by hand (the grid grows to fit)."""
        with self._lock:
            target = self._worksheet(spreadsheet_id, worksheet)
            target.cells = [list(row) for row in rows]
            target.grow_to(len(rows), max(map(len, rows), default=0))
            self._spreadsheets[spreadsheet_id].touch()

    def _worksheet(self, spreadsheet_id: str, title: str) -> Worksheet:
        if spreadsheet_id not in self._spreadsheets:
            raise UnknownSheetError(f"no spreadsheet {spreadsheet_id!r}")
        worksheet = self._spreadsheets[spreadsheet_id].by_title(title)
        if worksheet is None:
            raise UnknownSheetError(f"no worksheet {title!r} in spreadsheet {spreadsheet_id!r}")
        return worksheet

    # --- Calls ---

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def call_count(self, kind: str | None = None) -> int:
        with self._lock:
            return sum(kind is None or call.kind == kind for call in self._calls)

    def reset_calls(self) -> None:
        with self._lock:
            self._calls.clear()
            self._quota_refusals.clear()
            self._drive_calls.clear()
            self._drive_callers.clear()

    # --- Drive: files.get of a spreadsheet's file (its modifiedTime), on Drive's own quota ---

    def modified_time(self, spreadsheet_id: str) -> str:
        with self._lock:
            if spreadsheet_id not in self._spreadsheets:
                raise UnknownSheetError(f"no spreadsheet {spreadsheet_id!r}")
            return self._spreadsheets[spreadsheet_id].modified_time

    @property
    def drive_calls(self) -> list[str]:
        """The spreadsheet ids Drive's files.get was asked for, in order (not in calls:
        Drive is another API with its own quota)."""
        with self._lock:
            return list(self._drive_calls)

    @property
    def drive_callers(self) -> list[tuple[str, str]]:
        """(spreadsheet id, caller) of each Drive files.get, in order."""
        with self._lock:
            return list(self._drive_callers)

    def _drive_file(self, spreadsheet_id: str, query: dict, caller: str = "") -> tuple:
        with self._lock:
            self._drive_calls.append(spreadsheet_id)
            self._drive_callers.append((spreadsheet_id, caller))
            spreadsheet = self._spreadsheets.get(spreadsheet_id)
            if spreadsheet is None or spreadsheet.access_of(caller) == "none":
                return HTTPStatus.NOT_FOUND, google_error_body(
                    404, f"File not found: {spreadsheet_id}."
                )
            file = {
                "kind": "drive#file",
                "id": spreadsheet_id,
                "name": spreadsheet_id,
                "mimeType": "application/vnd.google-apps.spreadsheet",
                "modifiedTime": spreadsheet.modified_time,
            }
            fields = query.get("fields", [""])[0]
            if fields:
                file = {name: file[name] for name in fields.split(",") if name in file}
            return HTTPStatus.OK, file

    # --- Faults: queued in order; a call meets the first one whose kinds match it ---

    def fail_next(
        self,
        status: int,
        times: int = 1,
        retry_after: float | None = None,
        kinds=None,
        skip: int = 0,
        spreadsheet_ids=None,
    ):
        """Answer the next matching calls with `status` and Google's error body (after
        letting `skip` of them through untouched; only calls to these spreadsheets, when
        spreadsheet_ids is given: one lifter's sheet)."""
        if HTTPStatus(status) < 400:
            raise ValueError("fail_next takes an error status (4xx or 5xx)")
        fault = Fault("status", times, kinds, status=status, retry_after=retry_after, skip=skip)
        self._queue_fault(fault, spreadsheet_ids)

    def delay_next(
        self,
        seconds: float,
        times: int = 1,
        kinds=None,
        after_apply: bool = False,
        spreadsheet_ids=None,
    ) -> None:
        """Sleep before answering the next matching calls (they are still carried out);
        with after_apply, carry the call out first and then hold the answer back."""
        fault = Fault("delay", times, kinds, seconds=seconds, after_apply=after_apply)
        self._queue_fault(fault, spreadsheet_ids)

    def drop_next(self, times: int = 1, kinds=None, after_apply: bool = False) -> None:
        """Close the connection without an answer; with after_apply, carry the call out first."""
        self._queue_fault(Fault("drop", times, kinds, after_apply=after_apply))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _queue_fault(self, fault: Fault, spreadsheet_ids=None) -> None:
        if spreadsheet_ids is not None:
            one = isinstance(spreadsheet_ids, str)
            fault.spreadsheet_ids = frozenset([spreadsheet_ids] if one else spreadsheet_ids)
        if fault.kinds is not None:
            fault.kinds = frozenset([fault.kinds] if isinstance(fault.kinds, str) else fault.kinds)
            if unknown := fault.kinds - KINDS:
                raise ValueError(f"unknown call kinds {sorted(unknown)}; known: {sorted(KINDS)}")
        if fault.remaining < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(fault)

    # --- Used by the request handler ---

    def _record_call(self, call: Call, spreadsheet_id: str | None = None) -> Fault | None:
        """Record an API call and take the fault it meets, if any: first the quota's
        429 (when quotas are on), then the queued faults."""
        with self._lock:
            self._calls.append(call)
            wait = self._quota and self._quota.take(quota_metric(call.kind), caller=call.caller)
            if wait:
                self._quota_refusals.append(call)
                return Fault("status", 0, None, status=429, retry_after=wait)
            for fault in self._faults:
                elsewhere = fault.spreadsheet_ids and spreadsheet_id not in fault.spreadsheet_ids
                if elsewhere:
                    continue
                if fault.kinds is None or call.kind in fault.kinds:
                    if fault.skip:
                        fault.skip -= 1
                        return None
                    fault.remaining -= 1
                    if not fault.remaining:
                        self._faults.remove(fault)
                    return fault
        return None

    def _answer(self, call: Call, spreadsheet_id: str | None, range_text: str | None) -> tuple:
        with self._lock:
            try:
                if call.kind == "unknown":
                    raise ApiError(404, f"Method not found: {call.method} {call.path}")
                if not isinstance(call.body, dict):
                    raise ApiError(400, "Invalid JSON payload received.")
                if spreadsheet_id not in self._spreadsheets:
                    raise ApiError(404, "Requested entity was not found.")
                spreadsheet = self._spreadsheets[spreadsheet_id]
                access = spreadsheet.access_of(call.caller)
                if access == "none" or (access == "viewer" and call.kind in WRITE_KINDS):
                    raise ApiError(403, NO_PERMISSION_MESSAGE)
                if call.kind in WRITE_KINDS:  # like Google, a failing call changes nothing
                    spreadsheet = copy.deepcopy(spreadsheet)
                request = ApiRequest(spreadsheet, range_text, call.query, call.body)
                answer = API_HANDLERS[call.kind](request)
                if call.kind in WRITE_KINDS:
                    spreadsheet.touch()
                self._spreadsheets[spreadsheet_id] = spreadsheet  # commits a write's copy
                return HTTPStatus.OK, answer
            except ApiError as error:
                return error.status, error.body()
            except (LookupError, TypeError, ValueError, AttributeError) as error:
                return HTTPStatus.BAD_REQUEST, google_error_body(400, f"Invalid request: {error!r}")

    def _control(self, method: str, path: str, body: object) -> tuple:
        parts = [unquote(part) for part in path.removeprefix(CONTROL_PREFIX).split("/")]
        try:
            match method, parts:
                case "POST", ["spreadsheets"]:
                    self.create_spreadsheet(
                        body["id"],
                        body.get("worksheets") or ["Sheet1"],
                        body.get("access", "editor"),
                    )
                    return HTTPStatus.CREATED, {"id": body["id"]}
                case "GET", ["spreadsheets", spreadsheet_id, worksheet]:
                    rows = self.rows(spreadsheet_id, worksheet)
                    json_rows = [[to_json_cell(value) for value in row] for row in rows]
                    return HTTPStatus.OK, {"rows": json_rows}
                case "PUT", ["spreadsheets", spreadsheet_id, worksheet]:
                    rows = [[from_json_cell(value) for value in row] for row in body["rows"]]
                    self.set_rows(spreadsheet_id, worksheet, rows)
                    return HTTPStatus.OK, {}
                case "GET", ["calls"]:
                    return HTTPStatus.OK, {"calls": [asdict(call) for call in self.calls]}
                case "POST", ["reset-calls"]:
                    self.reset_calls()
                    return HTTPStatus.OK, {}
                case "POST", ["faults"]:
                    queue_fault = getattr(self, FAULT_METHODS[body["type"]])
                    queue_fault(**{name: v for name, v in body.items() if name != "type"})
                    return HTTPStatus.CREATED, {}
                case "DELETE", ["faults"]:
                    self.clear_faults()
                    return HTTPStatus.OK, {}
                case "POST", ["quota"]:
                    self.set_quota(**body)
                    return HTTPStatus.OK, {}
        except UnknownSheetError as error:
            return HTTPStatus.NOT_FOUND, {"error": str(error)}
        except (LookupError, TypeError, ValueError, AttributeError) as error:
            return HTTPStatus.BAD_REQUEST, {"error": f"bad control request: {error!r}"}
        return HTTPStatus.NOT_FOUND, {"error": f"no control endpoint {method} {path}"}

    # --- Signing in: OAuth2's token endpoint for service-account keys ---

    def issue_token(self, form: bytes) -> tuple:
        """Answer a signed JWT grant (what google-auth posts to a key's token_uri) with a
        token naming the key's client_email, the JWT's issuer."""
        account = jwt_issuer(parse_qs(form.decode("utf-8", "replace")))
        if not account:
            return HTTPStatus.BAD_REQUEST, {
                "error": "invalid_grant",
                "error_description": "Invalid JWT: no issuer.",
            }
        token = f"imitation-{secrets.token_hex(16)}"
        with self._lock:
            self._tokens[token] = account
        return HTTPStatus.OK, {
            "access_token": token,
            "expires_in": TOKEN_SECONDS,
            "token_type": "Bearer",
        }

    def caller_of(self, authorization: str | None) -> str | None:
        """The service account a call's bearer token names ("" without one); None for a
        token this imitation never issued (Google answers 401)."""
        if not authorization:
            return ""
        scheme, _, token = authorization.partition(" ")
        with self._lock:
            return self._tokens.get(token) if scheme.lower() == "bearer" else None


def jwt_issuer(form: dict[str, list[str]]) -> str:
    """The "iss" of a JWT bearer grant's assertion ("" when there is none to read)."""
    if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
        return ""
    try:
        payload = form["assertion"][0].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims.get("iss") or "")
    except (LookupError, ValueError, AttributeError):
        return ""


class _ImitationServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], imitation: SheetsImitation):
        self.imitation = imitation
        super().__init__(address, _RequestHandler)

    def handle_error(self, request, client_address) -> None:
        # Clients giving up (timeouts after a delay fault) are part of what we imitate.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    server: _ImitationServer
    server_version = "SheetsImitation/1.0"

    def log_message(self, format: str, *args: object) -> None:
        if self.server.imitation.log_requests:
            super().log_message(format, *args)

    def handle_any_method(self) -> None:
        method, url = self.command, urlsplit(self.path)
        raw_body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw_body) if raw_body.strip() else {}
        except ValueError:
            body = None  # answered with Google's 400 once the call is recorded
        imitation = self.server.imitation
        if url.path.startswith(CONTROL_PREFIX):
            self._send_json(*imitation._control(method, url.path, body))
            return
        if method == "POST" and url.path == TOKEN_PATH:
            self._send_json(*imitation.issue_token(raw_body))
            return
        caller = imitation.caller_of(self.headers.get("Authorization"))
        if caller is None:
            self._send_json(401, google_error_body(401, "Request had invalid credentials."))
            return
        if method == "GET" and (drive := DRIVE_FILE_PATTERN.fullmatch(url.path)):
            query = parse_qs(url.query)
            self._send_json(*imitation._drive_file(unquote(drive["id"]), query, caller))
            return
        kind, spreadsheet_id, range_text = route_api_call(method, url.path)
        call = Call(method, unquote(url.path), parse_qs(url.query), kind, body, caller)
        fault = imitation._record_call(call, spreadsheet_id)
        if fault and fault.type == "delay" and not fault.after_apply:
            time.sleep(fault.seconds)
        if fault and fault.type == "status":
            self._send_fault_status(fault, kind)
            return
        if fault and fault.type == "drop" and not fault.after_apply:
            return  # returning without writing closes the connection: no HTTP answer at all
        status, answer = imitation._answer(call, spreadsheet_id, range_text)
        if fault and fault.type == "drop":
            return
        if fault and fault.type == "delay" and fault.after_apply:
            time.sleep(fault.seconds)
        self._send_json(status, answer)

    do_GET = do_POST = do_PUT = do_DELETE = handle_any_method

    def _send_fault_status(self, fault: Fault, kind: str) -> None:
        message = HTTPStatus(fault.status).phrase
        if fault.status == 429:
            metric = quota_metric(kind)
            message = (
                f"Quota exceeded for quota metric '{metric}' and limit '{metric} per minute "
                "per user' of service 'sheets.googleapis.com'."
            )
        headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
        self._send_json(fault.status, google_error_body(fault.status, message), headers)

    def _send_json(self, status: int, answer: dict, headers: dict | None = None) -> None:
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


# --- Command line ------------------------------------------------------------------------


def parse_spreadsheet_options(options: list[str]) -> dict[str, list[str]]:
    """["abc:Log,Summary", "abc:Other", "def"] -> {abc: [Log, Summary, Other], def: [Sheet1]}."""
    worksheets_by_id: dict[str, list[str]] = {}
    for option in options:
        spreadsheet_id, _, names = option.partition(":")
        worksheets_by_id.setdefault(spreadsheet_id, []).extend(filter(None, names.split(",")))
    return {key: names or ["Sheet1"] for key, names in worksheets_by_id.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.sheets_imitation",
        description="Serve a local imitation of the Google Sheets v4 API until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument(
        "--spreadsheet",
        action="append",
        default=[],
        metavar="ID[:WORKSHEET[,WORKSHEET...]]",
        help="create a spreadsheet (repeatable; worksheets default to Sheet1)",
    )
    parser.add_argument(
        "--quota",
        metavar="READS,WRITES",
        help="Google's per-minute quotas, e.g. 60,60 (off by default)",
    )
    args = parser.parse_args(argv)
    imitation = SheetsImitation(args.host, args.port, log_requests=True)
    if args.quota:
        reads, _, writes = args.quota.partition(",")
        imitation.set_quota(int(reads), int(writes or reads))
    spreadsheets = parse_spreadsheet_options(args.spreadsheet)
    for spreadsheet_id, worksheets in spreadsheets.items():
        imitation.create_spreadsheet(spreadsheet_id, worksheets)
    imitation.start()
    ids = ", ".join(spreadsheets) or "none"
    print(f"Sheets imitation listening on {imitation.url} (spreadsheets: {ids})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        imitation.stop()


if __name__ == "__main__":
    main()
