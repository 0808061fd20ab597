"""What a lifter sends about their sheet: its address (or id) and tab, and connecting it."""

import re

from django import forms

from .models import SheetsProfile

SPREADSHEET_ID_MAX_LENGTH = SheetsProfile._meta.get_field("spreadsheet_id").max_length
WORKSHEET_MAX_LENGTH = SheetsProfile._meta.get_field("worksheet").max_length
# The id in https://docs.google.com/spreadsheets/d/<id>/edit#gid=0
ADDRESS_PATTERN = re.compile(r"/spreadsheets/(?:u/\d+/)?d/([^/?#]+)")
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
# Sheets refuses these in a tab's name; a name with them cannot be the lifter's tab.
TAB_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\[\]*?/\\:]")


def spreadsheet_id_from(text):
    """The spreadsheet id in a sheet's address, or the id itself; None when neither."""
    text = text.strip()
    if found := ADDRESS_PATTERN.search(text):
        text = found.group(1)
    if ID_PATTERN.fullmatch(text) and len(text) <= SPREADSHEET_ID_MAX_LENGTH:
        return text
    return None


class SheetAddressForm(forms.Form):
    sheet = forms.CharField(
        label="Your sheet's address",
        max_length=500,
        help_text="Copy it from the browser while the sheet is open "
        "(https://docs.google.com/spreadsheets/d/…), or paste just its id.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
        ),
        error_messages={"required": "Paste your sheet's address."},
    )
    worksheet = forms.CharField(
        label="Tab",
        max_length=WORKSHEET_MAX_LENGTH,
        initial="Log",
        help_text="The tab at the bottom of the sheet your workouts go to.",
        error_messages={"required": "Name the tab (for example Log)."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off"}),
    )

    def clean_sheet(self):
        spreadsheet_id = spreadsheet_id_from(self.cleaned_data["sheet"])
        if spreadsheet_id is None:
            raise forms.ValidationError(
                "That is not a Google Sheets address: it should look like "
                "https://docs.google.com/spreadsheets/d/… ."
            )
        return spreadsheet_id

    def clean_worksheet(self):
        worksheet = self.cleaned_data["worksheet"]
        if TAB_FORBIDDEN.search(worksheet):
            raise forms.ValidationError(
                "A tab's name cannot hold [ ] * ? / \\ : or control characters."
            )
        return worksheet


class ConnectSheetForm(forms.Form):
    spreadsheet_id = forms.CharField(max_length=SPREADSHEET_ID_MAX_LENGTH, widget=forms.HiddenInput)
    worksheet = forms.CharField(max_length=WORKSHEET_MAX_LENGTH, widget=forms.HiddenInput)
    rows_are_mine = forms.BooleanField(
        label="The rows without a key are my workouts", required=False
    )
