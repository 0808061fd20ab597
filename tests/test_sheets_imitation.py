"""Real gspread 6.2.1 against the local Google Sheets imitation, over real HTTP."""

import select
import subprocess
import sys
import time
import uuid
from pathlib import Path

import gspread
import pytest
import requests
from gspread.http_client import HTTPClient

from devtools.sheets_imitation import Formula, SheetsImitation
from sync_app.sheets import GOOGLE_SHEETS_URL

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class ImitationHTTPClient(HTTPClient):
    def __init__(self, base_url):
        super().__init__(auth=None, session=requests.Session())
        self.base_url = base_url

    def request(self, method, endpoint, *args, **kwargs):
        endpoint = endpoint.replace(GOOGLE_SHEETS_URL, self.base_url, 1)
        return super().request(method, endpoint, *args, **kwargs)


def make_client(base_url: str) -> gspread.Client:
    # gspread.Client instantiates its http_client argument as http_client(auth, session).
    return gspread.Client(
        auth=None, http_client=lambda auth, session: ImitationHTTPClient(base_url)
    )


@pytest.fixture(scope="module")
def imitation():
    server = SheetsImitation().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def no_calls_or_faults_left_over(imitation):
    imitation.clear_faults()
    imitation.reset_calls()


@pytest.fixture
def spreadsheet_id(imitation):
    """A fresh spreadsheet with one worksheet, "Log"."""
    new_id = f"test-{uuid.uuid4().hex[:12]}"
    imitation.create_spreadsheet(new_id, worksheets=("Log",))
    return new_id


@pytest.fixture
def client(imitation):
    return make_client(imitation.url)


@pytest.fixture
def log(client, imitation, spreadsheet_id):
    """The "Log" worksheet, opened through gspread; the calls this took are forgotten."""
    worksheet = client.open_by_key(spreadsheet_id).worksheet("Log")
    imitation.reset_calls()
    return worksheet


def kinds(imitation):
    return [call.kind for call in imitation.calls]


def test_open_by_key_is_one_metadata_call(client, imitation, spreadsheet_id):
    spreadsheet = client.open_by_key(spreadsheet_id)
    assert kinds(imitation) == ["metadata"]
    assert spreadsheet.title == spreadsheet_id
    assert imitation.calls[0].path == f"/v4/spreadsheets/{spreadsheet_id}"

    worksheet = spreadsheet.worksheet("Log")  # gspread fetches the metadata again
    assert worksheet.id == worksheet.index == 0
    assert (worksheet.row_count, worksheet.col_count) == (1000, 26)
    assert imitation.call_count() == 2


def test_unknown_spreadsheet_raises_spreadsheet_not_found(client, imitation, spreadsheet_id):
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        client.open_by_key("no-such-spreadsheet")
    assert imitation.call_count("metadata") == 1


def test_add_worksheet(client, imitation, spreadsheet_id):
    spreadsheet = client.open_by_key(spreadsheet_id)
    summary = spreadsheet.add_worksheet("Weekly summary", rows=10, cols=5)

    assert summary.title == "Weekly summary"
    assert summary.id != summary.index  # sheet ids differ from positions, as in Google
    assert [ws.title for ws in spreadsheet.worksheets()] == ["Log", "Weekly summary"]
    assert (summary.row_count, summary.col_count) == (10, 5)
    summary.update([["a", "b"]], "A1")
    assert imitation.rows(spreadsheet_id, "Weekly summary") == [["a", "b"]]
    with pytest.raises(gspread.exceptions.APIError, match="already exists"):
        spreadsheet.add_worksheet("Log", rows=1, cols=1)


def test_append_rows_twice_lands_rows_one_after_another(log, imitation, spreadsheet_id):
    imitation.set_rows(spreadsheet_id, "Log", [["date", "exercise", "reps"]])

    first = log.append_rows(
        [["2024-05-01", "squat", 5]], value_input_option="RAW", table_range="A1"
    )
    log.append_rows(
        [["2024-05-02", "bench", 8], ["2024-05-02", "row", 10]],
        value_input_option="RAW",
        table_range="A1",
    )

    assert imitation.rows(spreadsheet_id, "Log") == [
        ["date", "exercise", "reps"],
        ["2024-05-01", "squat", 5],
        ["2024-05-02", "bench", 8],
        ["2024-05-02", "row", 10],
    ]
    assert first["tableRange"] == "Log!A1:C1"
    assert first["updates"]["updatedRange"] == "Log!A2:C2"
    assert first["updates"]["updatedCells"] == 3
    assert kinds(imitation) == ["values.append", "values.append"]
    assert imitation.calls[0].path == f"/v4/spreadsheets/{spreadsheet_id}/values/'Log'!A1:append"
    assert imitation.calls[0].query == {"valueInputOption": ["RAW"]}


def test_append_with_insert_rows_grows_the_grid(client, log, imitation, spreadsheet_id):
    imitation.set_rows(spreadsheet_id, "Log", [["x"]] * 1000)
    log.append_rows([["a"], ["b"]], insert_data_option="INSERT_ROWS", table_range="A1")

    assert client.open_by_key(spreadsheet_id).worksheet("Log").row_count == 1002
    assert imitation.rows(spreadsheet_id, "Log")[-3:] == [["x"], ["a"], ["b"]]


def test_reads_get_all_values_col_values_and_batch_get(log, imitation, spreadsheet_id):
    imitation.set_rows(
        spreadsheet_id,
        "Log",
        [["date", "exercise", "weight", ""], ["2024-05-01", "squat", 135], [], ["", "plank"]],
    )

    assert log.get_all_values() == [
        ["date", "exercise", "weight"],
        ["2024-05-01", "squat", "135"],
        ["", "", ""],
        ["", "plank", ""],
    ]
    assert log.col_values(2) == ["exercise", "squat", "", "plank"]
    assert log.col_values(3, value_render_option="UNFORMATTED_VALUE") == ["weight", 135]
    header, weights = log.batch_get(["A1:B1", "C2:C"])
    assert (header, header.range) == ([["date", "exercise"]], "Log!A1:B1")
    assert (weights, weights.range) == ([["135"]], "Log!C2:C1000")
    assert kinds(imitation) == ["values.get", "values.get", "values.get", "values.batchGet"]
    empty = log.spreadsheet.values_get("'Log'!E1:F9")
    assert empty == {"range": "Log!E1:F9", "majorDimension": "ROWS"}  # no "values" when empty


def test_update_and_batch_update(log, imitation, spreadsheet_id):
    log.update([["date", "exercise"], ["2024-05-01", "squat"]], "A1")
    log.update([["12.5", "=SUM(1,2)", "TRUE"]], "C2:E2", raw=False)
    answer = log.batch_update(
        [{"range": "A3:B3", "values": [["2024-05-02", "bench"]]}, {"range": "F1", "values": [[1]]}]
    )

    assert answer["totalUpdatedCells"] == 3
    assert imitation.rows(spreadsheet_id, "Log") == [
        ["date", "exercise", "", "", "", 1],
        ["2024-05-01", "squat", 12.5, Formula("=SUM(1,2)"), True],
        ["2024-05-02", "bench"],
    ]
    assert log.get("C2:E2") == [["12.5", "#FORMULA", "TRUE"]]
    assert log.get("C2:E2", value_render_option="UNFORMATTED_VALUE") == [[12.5, "#FORMULA", True]]
    assert log.get("D2", value_render_option="FORMULA") == [["=SUM(1,2)"]]
    assert kinds(imitation)[:3] == ["values.update", "values.update", "values.batchUpdate"]
    with pytest.raises(gspread.exceptions.APIError, match="tried writing to row"):
        log.update([["too"], ["many"]], "A1:B1")


def test_formula_looking_strings_written_raw_come_back_as_the_same_text(
    log, imitation, spreadsheet_id
):
    texts = ["=SUM(1,2)", "+1", "'x", "0012", "TRUE"]
    log.append_rows([texts], value_input_option="RAW", table_range="A1")

    assert imitation.rows(spreadsheet_id, "Log") == [texts]
    assert log.get_all_values() == [texts]
    assert log.get("A1:E1", value_render_option="UNFORMATTED_VALUE") == [texts]


def test_ranges_beyond_column_z_and_resize(log, imitation, spreadsheet_id):
    log.resize(cols=30)
    log.update([["wide", 7]], "AA1")

    assert log.get("AA1:AB1").range == "Log!AA1:AB1"
    assert log.get("Z1:AD1") == [["", "wide", "7"]]
    assert imitation.rows(spreadsheet_id, "Log") == [[""] * 26 + ["wide", 7]]
    with pytest.raises(gspread.exceptions.APIError, match="exceeds grid limits"):
        log.update([["x"]], "AE1")


def test_unknown_worksheet_in_range_is_a_400(client, spreadsheet_id):
    spreadsheet = client.open_by_key(spreadsheet_id)
    with pytest.raises(gspread.exceptions.APIError) as raised:
        spreadsheet.values_get("'Nope'!A1:B2")
    assert raised.value.response.status_code == 400
    assert raised.value.error == {
        "code": 400,
        "message": "Unable to parse range: 'Nope'!A1:B2",
        "status": "INVALID_ARGUMENT",
    }


def test_a_spreadsheet_not_shared_with_the_caller_answers_403_as_google_does(client, imitation):
    """Google's body for a spreadsheet its owner did not share with the service account
    (as quoted in googleapis/google-api-ruby-client#461 and gglukmann/use-google-sheets#37)."""
    imitation.create_spreadsheet("private", worksheets=("Log",), access="none")
    with pytest.raises(PermissionError):  # gspread's open_by_key turns a 403 into this
        client.open_by_key("private")
    with pytest.raises(gspread.exceptions.APIError) as raised:
        client.http_client.fetch_sheet_metadata("private")
    assert raised.value.response.status_code == 403
    assert raised.value.response.json() == {
        "error": {
            "code": 403,
            "message": "The caller does not have permission",
            "status": "PERMISSION_DENIED",
        }
    }
    imitation.share("private", "editor")
    assert client.open_by_key("private").worksheet("Log").title == "Log"


def test_shared_as_a_viewer_reads_work_and_writes_answer_403(client, imitation):
    imitation.create_spreadsheet("read-only", worksheets=("Log",), access="viewer")
    worksheet = client.open_by_key("read-only").worksheet("Log")
    assert worksheet.get_all_values() == [[]]
    with pytest.raises(gspread.exceptions.APIError) as raised:
        worksheet.append_rows([["a"]], table_range="A1")
    assert raised.value.error["status"] == "PERMISSION_DENIED"
    assert imitation.rows("read-only", "Log") == []


def test_delete_rows_and_bottom_up_delete_dimension(client, log, imitation, spreadsheet_id):
    imitation.set_rows(spreadsheet_id, "Log", [[f"row {n}"] for n in range(1, 8)])

    log.delete_rows(2)
    client.open_by_key(spreadsheet_id).batch_update(
        {
            "requests": [
                {"deleteDimension": {"range": delete_rows_range(log.id, 4, 6)}},
                {"deleteDimension": {"range": delete_rows_range(log.id, 1, 2)}},
            ]
        }
    )

    assert imitation.rows(spreadsheet_id, "Log") == [["row 1"], ["row 4"], ["row 5"]]
    assert client.open_by_key(spreadsheet_id).worksheet("Log").row_count == 996
    assert imitation.call_count("batchUpdate") == 2


def delete_rows_range(sheet_id, start_index, end_index):
    return {
        "sheetId": sheet_id,
        "dimension": "ROWS",
        "startIndex": start_index,
        "endIndex": end_index,
    }


def test_failed_batch_update_changes_nothing(client, imitation, spreadsheet_id):
    imitation.set_rows(spreadsheet_id, "Log", [["a"], ["b"]])
    good = {"deleteDimension": {"range": delete_rows_range(0, 0, 1)}}
    bad = {"deleteDimension": {"range": delete_rows_range(99, 0, 1)}}

    with pytest.raises(gspread.exceptions.APIError, match=r"requests\[1\].*No grid with id: 99"):
        client.open_by_key(spreadsheet_id).batch_update({"requests": [good, bad]})
    assert imitation.rows(spreadsheet_id, "Log") == [["a"], ["b"]]


def test_fail_next_429_with_retry_after(log, imitation):
    imitation.fail_next(429, times=2, retry_after=1)

    for _ in range(2):
        with pytest.raises(gspread.exceptions.APIError) as raised:
            log.get_all_values()
        assert raised.value.response.status_code == 429
        assert raised.value.response.headers["Retry-After"] == "1"
        assert raised.value.error["status"] == "RESOURCE_EXHAUSTED"
    assert log.get_all_values() == [[]]
    assert imitation.call_count("values.get") == 3


def test_fail_next_500_applies_nothing(log, imitation, spreadsheet_id):
    imitation.fail_next(500)

    with pytest.raises(gspread.exceptions.APIError) as raised:
        log.append_rows([["lost"]], table_range="A1")
    assert raised.value.code == 500
    assert raised.value.error["status"] == "INTERNAL"
    assert imitation.rows(spreadsheet_id, "Log") == []


def test_faults_limited_to_kinds_queue_in_order(log, imitation, spreadsheet_id):
    imitation.fail_next(503, kinds=["values.append"])
    imitation.fail_next(500, kinds="values.append")

    log.get_all_values()  # not an append: passes untouched
    for status in (503, 500):
        with pytest.raises(gspread.exceptions.APIError) as raised:
            log.append_rows([["x"]], table_range="A1")
        assert raised.value.code == status
    log.append_rows([["x"]], table_range="A1")
    assert imitation.rows(spreadsheet_id, "Log") == [["x"]]
    with pytest.raises(ValueError, match="unknown call kinds"):
        imitation.fail_next(500, kinds=["append"])


def test_faults_limited_to_one_spreadsheet_leave_the_others_alone(client, imitation):
    imitation.create_spreadsheet("failing-sheet", worksheets=("Log",))
    imitation.create_spreadsheet("healthy-sheet", worksheets=("Log",))
    imitation.fail_next(503, times=2, spreadsheet_ids=["failing-sheet"])

    healthy = client.open_by_key("healthy-sheet").worksheet("Log")
    healthy.append_rows([["fine"]], table_range="A1")
    assert imitation.rows("healthy-sheet", "Log") == [["fine"]]
    for _ in range(2):
        with pytest.raises(gspread.exceptions.APIError) as raised:
            client.open_by_key("failing-sheet")
        assert raised.value.code == 503
    client.open_by_key("failing-sheet")  # the two faults are used up


def test_drive_files_get_tells_a_spreadsheets_modified_time(client, imitation, spreadsheet_id):
    def modified_time():
        answer = requests.get(
            f"{imitation.url}/drive/v3/files/{spreadsheet_id}",
            params={"fields": "modifiedTime"},
        )
        return answer.json()["modifiedTime"]

    created = modified_time()
    assert created == imitation.modified_time(spreadsheet_id)
    log = client.open_by_key(spreadsheet_id).worksheet("Log")
    log.get_all_values()
    assert modified_time() == created  # reads change nothing
    log.append_rows([["x"]], table_range="A1")
    written = modified_time()
    assert written > created
    imitation.set_rows(spreadsheet_id, "Log", [["typed by hand"]])
    assert modified_time() > written
    assert imitation.drive_calls == [spreadsheet_id] * 4
    assert imitation.call_count() == 4  # Sheets calls only (gspread's own), no Drive call
    whole = requests.get(f"{imitation.url}/drive/v3/files/{spreadsheet_id}").json()
    assert whole["mimeType"] == "application/vnd.google-apps.spreadsheet"


def test_delay_next_with_client_timeout_raises_requests_timeout(client, log, imitation):
    imitation.delay_next(1.0, kinds=["values.get"])
    client.http_client.set_timeout(0.2)

    with pytest.raises(requests.exceptions.Timeout):
        log.get_all_values()
    client.http_client.set_timeout(None)
    assert log.get_all_values() == [[]]


def test_drop_after_apply_loses_the_answer_but_stores_the_rows(log, imitation, spreadsheet_id):
    imitation.drop_next(after_apply=True, kinds=["values.append"])

    with pytest.raises(requests.exceptions.ConnectionError):
        log.append_rows([["2024-05-01", "squat", 5]], value_input_option="RAW", table_range="A1")
    assert imitation.rows(spreadsheet_id, "Log") == [["2024-05-01", "squat", 5]]
    assert imitation.call_count("values.append") == 1


def test_drop_before_apply_stores_nothing(log, imitation, spreadsheet_id):
    imitation.drop_next()

    with pytest.raises(requests.exceptions.ConnectionError):
        log.append_rows([["lost"]], table_range="A1")
    assert imitation.rows(spreadsheet_id, "Log") == []


def test_control_endpoints_over_http(imitation):
    control = f"{imitation.url}/_imitation"

    created = requests.post(f"{control}/spreadsheets", json={"id": "http", "worksheets": ["A b"]})
    assert created.status_code == 201
    rows = [["x", 1], [{"formula": "=1+1"}]]
    assert requests.put(f"{control}/spreadsheets/http/A%20b", json={"rows": rows}).ok
    assert requests.get(f"{control}/spreadsheets/http/A%20b").json() == {"rows": rows}
    assert imitation.rows("http", "A b") == [["x", 1], [Formula("=1+1")]]
    assert requests.get(f"{control}/spreadsheets/http/Nope").status_code == 404

    fault = {"type": "status", "status": 503, "kinds": ["metadata"]}
    assert requests.post(f"{control}/faults", json=fault).status_code == 201
    assert requests.get(f"{imitation.url}/v4/spreadsheets/http").status_code == 503
    assert requests.get(f"{imitation.url}/v4/spreadsheets/http").json()["sheets"][0] == {
        "properties": {
            "sheetId": 0,
            "title": "A b",
            "index": 0,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": 1000, "columnCount": 26},
        }
    }
    calls = requests.get(f"{control}/calls").json()["calls"]
    assert [call["kind"] for call in calls] == ["metadata", "metadata"]
    assert requests.post(f"{control}/reset-calls").ok
    assert imitation.call_count() == 0
    bad_fault = {"type": "drop", "seconds": 1}
    assert requests.post(f"{control}/faults", json=bad_fault).status_code == 400


def test_runs_as_a_command():
    command = [sys.executable, "-m", "devtools.sheets_imitation", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--spreadsheet", "cli-sheet:Log,Summary"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 10)
        assert ready, "the imitation printed nothing within 10 s"
        first_line = process.stdout.readline()
        assert "cli-sheet" in first_line
        url = next(word for word in first_line.split() if word.startswith("http://"))
        metadata = requests.get(f"{url}/v4/spreadsheets/cli-sheet", timeout=5).json()
        assert [sheet["properties"]["title"] for sheet in metadata["sheets"]] == ["Log", "Summary"]
    finally:
        process.terminate()
        process.wait(timeout=5)


# --- Google's limits: a cell's length, a spreadsheet's cells, requests per minute ---


def google_error(excinfo):
    return excinfo.value.response.status_code, excinfo.value.response.json()["error"]


def test_a_cell_over_50000_characters_is_refused_as_google_does(log, imitation, spreadsheet_id):
    log.append_rows([["fits", "x" * 50_000]], value_input_option="RAW", table_range="A1")
    with pytest.raises(gspread.exceptions.APIError) as excinfo:
        log.append_rows([["too long", "x" * 50_001]], value_input_option="RAW", table_range="A1")
    with pytest.raises(gspread.exceptions.APIError):
        log.update([["😀" * 25_001]], "A5")  # two UTF-16 units each: 50,002

    assert google_error(excinfo) == (
        400,
        {
            "code": 400,
            "message": "Your input contains more than the maximum of 50000 characters in a "
            "single cell.",
            "status": "INVALID_ARGUMENT",
        },
    )
    assert imitation.rows(spreadsheet_id, "Log") == [["fits", "x" * 50_000]]  # nothing else


def test_a_spreadsheet_past_its_cell_limit_refuses_the_append(log, imitation, spreadsheet_id):
    # 1000 x 26 cells to begin with; the limit lowered so that 20 rows more fit, not 21.
    imitation.limit_cells(spreadsheet_id, 26_000 + 20 * 26)
    inserting = {"value_input_option": "RAW", "insert_data_option": "INSERT_ROWS"}
    log.append_rows([["a"]] * 20, table_range="A1", **inserting)
    with pytest.raises(gspread.exceptions.APIError) as excinfo:
        log.append_rows([["b"]], table_range="A1", **inserting)
    with pytest.raises(gspread.exceptions.APIError) as add_sheet:
        log.spreadsheet.add_worksheet("More", rows=1, cols=1)

    assert google_error(excinfo) == (
        400,
        {
            "code": 400,
            "message": "This action would increase the number of cells in the workbook above "
            f"the limit of {26_000 + 20 * 26} cells.",
            "status": "INVALID_ARGUMENT",
        },
    )
    assert google_error(add_sheet)[1]["message"].startswith(
        "Invalid requests[0].addSheet: This action would increase the number of cells"
    )
    assert imitation.rows(spreadsheet_id, "Log") == [["a"]] * 20
    assert imitation.cell_count(spreadsheet_id) == 26_000 + 20 * 26


def test_quotas_are_off_unless_asked_for(log, imitation):
    for _ in range(70):
        log.acell("A1")
    assert imitation.quota_refusals() == []


def test_quotas_count_reads_and_writes_apart_and_answer_429_with_retry_after(
    log, imitation, spreadsheet_id
):
    imitation.set_quota(reads_per_minute=3, writes_per_minute=2, window_seconds=60)
    try:
        for _ in range(3):
            log.acell("A1")
        with pytest.raises(gspread.exceptions.APIError) as read_refused:
            log.acell("A1")
        log.update([["one"]], "A1")  # writes have a quota of their own
        log.update([["two"]], "A2")
        with pytest.raises(gspread.exceptions.APIError) as write_refused:
            log.update([["three"]], "A3")
    finally:
        imitation.set_quota(None, None)

    assert google_error(read_refused) == (
        429,
        {
            "code": 429,
            "message": "Quota exceeded for quota metric 'Read requests' and limit 'Read "
            "requests per minute per user' of service 'sheets.googleapis.com'.",
            "status": "RESOURCE_EXHAUSTED",
        },
    )
    assert 55 <= int(read_refused.value.response.headers["Retry-After"]) <= 60
    assert "'Write requests'" in google_error(write_refused)[1]["message"]
    assert [call.kind for call in imitation.quota_refusals()] == ["values.get", "values.update"]
    assert imitation.rows(spreadsheet_id, "Log") == [["one"], ["two"]]


def test_a_quota_window_frees_up_as_it_slides(log, imitation):
    imitation.set_quota(reads_per_minute=2, window_seconds=0.5)
    try:
        log.acell("A1")
        log.acell("A1")
        with pytest.raises(gspread.exceptions.APIError):
            log.acell("A1")
        time.sleep(0.6)
        log.acell("A1")
    finally:
        imitation.set_quota(None, None)
    assert [call.kind for call in imitation.quota_refusals()] == ["values.get"]


def signed_in_session(imitation, email):
    """A session carrying the token the imitation gives for a JWT issued by email (the
    imitation reads the issuer without checking the signature)."""
    import base64
    import json

    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    assertion = f"{part({'alg': 'RS256'})}.{part({'iss': email})}.c2lnbmF0dXJl"
    answer = requests.post(
        f"{imitation.url}/oauth2/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
        timeout=5,
    )
    assert answer.status_code == 200 and answer.json()["token_type"] == "Bearer"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return session


def test_calls_carry_their_caller_and_a_sheet_shared_with_one_account_refuses_the_other(
    imitation,
):
    imitation.create_spreadsheet("shared-with-one", access="none")
    imitation.share("shared-with-one", "editor", account="one@x")
    url = f"{imitation.url}/v4/spreadsheets/shared-with-one"

    assert signed_in_session(imitation, "one@x").get(url, timeout=5).status_code == 200
    assert signed_in_session(imitation, "two@x").get(url, timeout=5).status_code == 403
    assert requests.get(url, timeout=5).status_code == 403  # no token: the sheet's own access
    unknown = requests.get(url, headers={"Authorization": "Bearer forged"}, timeout=5)
    assert unknown.status_code == 401
    assert [call.caller for call in imitation.calls] == ["one@x", "two@x", ""]


def test_quotas_count_per_caller_as_google_counts_per_service_account(imitation):
    imitation.create_spreadsheet("quota-per-caller")
    url = f"{imitation.url}/v4/spreadsheets/quota-per-caller"
    one, two = signed_in_session(imitation, "one@x"), signed_in_session(imitation, "two@x")
    imitation.set_quota(reads_per_minute=1, writes_per_minute=1)
    try:
        assert one.get(url, timeout=5).status_code == 200
        assert one.get(url, timeout=5).status_code == 429
        assert two.get(url, timeout=5).status_code == 200
    finally:
        imitation.set_quota(None, None)
