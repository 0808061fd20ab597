"""The set row in one place: the planned row, the row the page's JavaScript adds, the
edit form and the logged row all carry what SetForm validates and what outbox.js and
workout.js read."""

import re
from html.parser import HTMLParser
from pathlib import Path

from django.urls import reverse

from sessions_app.forms import SetForm
from sessions_app.models import Set
from sessions_app.models.workouts import COLUMNS_FROM_SQL, stored_columns
from tests.helpers import HTMX

STATIC = Path(__file__).resolve().parent.parent / "sessions_app" / "static" / "sessions_app"
TEXT_FIELDS = ("weight", "reps", "notes")


class Elements(HTMLParser):
    """Every start tag, as (tag, attributes), in order; <template> content included."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def fields_of(html):
    """{name: attributes} of the form fields in a piece of HTML."""
    return {
        attrs["name"]: attrs
        for tag, attrs in Elements(html).found
        if tag in ("input", "select", "textarea") and "name" in attrs
    }


def between(html, start, end):
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def read_by_scripts():
    """The form fields (elements.x, [name=x]) and classes the two scripts use."""
    scripts = (STATIC / "outbox.js").read_text() + (STATIC / "workout.js").read_text()
    names = set(re.findall(r"\.elements\.(\w+)", scripts)) | set(
        re.findall(r"\[name=(\w+)\]", scripts)
    )
    for listed in re.findall(r"for \(const name of \[([^\]]+)\]\)", scripts):
        names |= set(re.findall(r'"(\w+)"', listed))
    return names


def test_every_row_carries_the_forms_names_and_limits(alice_client, alice_workout):
    alice_workout.log_set("Back Squat", "225", "5")
    page = alice_client.get(alice_workout.get_absolute_url()).content.decode()
    planned = fields_of(between(page, '<form class="set-row planned log-set', "</form>"))
    added = fields_of(between(page, '<template id="row-template">', "</template>"))
    logged = Set.objects.get()
    edit = alice_client.get(reverse("edit_set", args=[logged.pk]), headers=HTMX)
    edited = {
        name.removeprefix(f"set-{logged.pk}-"): attrs
        for name, attrs in fields_of(edit.content.decode()).items()
    }

    form_fields = set(SetForm.base_fields)
    assert set(planned) - {"csrfmiddlewaretoken", "log_as_is"} <= form_fields
    assert set(planned) == set(added)  # "+ Set" adds the same row
    assert read_by_scripts() <= set(planned)
    for name in TEXT_FIELDS:
        limit = str(SetForm.base_fields[name].max_length)
        assert planned[name]["maxlength"] == added[name]["maxlength"] == limit, name
        assert edited[name]["maxlength"] == limit, name
        assert planned[name].get("inputmode") == SetForm.base_fields[name].widget.attrs.get(
            "inputmode"
        )
    assert {"weight", "reps", "set_number", "exercise", "unit"} <= set(edited)
    assert planned["weight"]["class"] == "weight" and planned["reps"]["class"] == "reps"


def test_the_logged_row_says_what_the_scripts_read_of_it(alice_client, alice_workout):
    workout_set, _ = alice_workout.log_set("Back Squat", "225", "5")
    page = alice_client.get(alice_workout.get_absolute_url()).content.decode()
    row = next(
        attrs
        for tag, attrs in Elements(page).found
        if tag == "div" and "set-row done" in attrs.get("class", "")
    )
    assert (row["data-key"], row["data-set-number"]) == (str(workout_set.key), "1")
    assert (row["data-weight"], row["data-reps"]) == ("225", "5")
    tick = next(attrs for tag, attrs in Elements(page).found if attrs.get("class") == "tick")
    assert tick["type"] == "submit"


def test_storing_a_set_writes_every_column_of_the_model():
    """The statement that stores a set names every column: a field added to Set is
    written without a change to it."""
    columns = {field.name for field in stored_columns()} | set(COLUMNS_FROM_SQL)
    every = {field.name for field in Set._meta.concrete_fields} - {Set._meta.pk.name}
    assert columns == every
