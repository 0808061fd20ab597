"""Loaded by pytest before Django reads its settings (see addopts in pyproject.toml).

The tests speak plain HTTP to the app, as a LAN install does, and never see an
operator's Sheets configuration from the shell they run in.
"""

import os

os.environ["DJANGO_HTTPS"] = "false"
for name in (
    "SHEETS_SPREADSHEET_ID",
    "GOOGLE_SERVICE_ACCOUNT_FILE",
    "GOOGLE_SERVICE_ACCOUNT_FILES",
    "GOOGLE_SHEETS_API_URL",
):
    os.environ.pop(name, None)
