"""The set row, in one place: a planned row (a form of its own, one tap on ✓ logs it)
and a logged row, built in Python. The names, limits and input modes of the planned
row's fields come from SetForm, the form that validates what it sends; outbox.js and
workout.js read the classes and data attributes written here (tests/test_set_row.py
checks the four places a row is written agree).

A six-exercise workout shows about 25 rows, and a finished workout's page as many
logged ones. Through the template engine each planned row cost 0.33 ms, 8 of the page's
10 ms of rendering (bench/workout_screen.py, RESULTS.md); built here from one format
string, the same markup costs a fraction of that.
"""

import html

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from ..forms import SetForm
from ..models import SetType
from ..set_text import set_html
from ..warmups import RAMP_ROW

register = template.Library()

FIELDS = SetForm.base_fields


def text_input(name, css_class="", extra=""):
    """A text field of the planned row, as SetForm declares it: its name, limit and
    input mode. ({{ }} are the row's own placeholders, filled in per row.)"""
    field = FIELDS[name]
    inputmode = field.widget.attrs.get("inputmode")
    return (
        f'<input type="text" name="{name}" value="{{{name}}}" '
        + (f'class="{css_class}" ' if css_class else "")
        + (f'inputmode="{inputmode}" ' if inputmode else "")
        + f'autocomplete="off" maxlength="{field.max_length}"{extra}>'
    )


PLANNED_ROW = (
    (
        '<form class="set-row planned log-set{{warmup}}{{invalid}}" data-key="{{key}}" '
        'data-prefilled-from="{{prefilled_from}}" method="post" action="{{log_url}}">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{{csrf_token}}">'
        '<input type="hidden" name="key" value="{{key}}">'
        '<input type="hidden" name="exercise" value="{{exercise}}">'
        '<input type="hidden" name="set_number" value="{{number}}">'
        '<input type="hidden" name="unit" value="{{unit}}">'
        '<input type="hidden" name="needs_weight" value="{{needs_weight}}">'
        '<span class="set-number">{{shown_number}}</span>'
        + text_input(
            "weight",
            "weight",
            ' aria-label="{{row_label}} weight ({{unit}})" placeholder="{{weight_hint}}"'
            "{{focus_weight}}",
        )
        + text_input(
            "reps",
            "reps",
            ' aria-label="{{row_label}} {{reps_name}}" placeholder="{{reps_name}}"{{focus_reps}}',
        )
        + '<label class="more"><input type="checkbox" class="more-toggle"{{more_open}}>'
        '<span aria-hidden="true">⋯</span>'
        '<span class="visually-hidden">Type, RPE and notes for {{row_name}}</span></label>'
        '<button type="submit" class="tick" '
        'aria-label="Log {{row_name}} of {{exercise}}">✓</button>'
        "{{plates}}"
        '<div class="row-extra">'
        '<label>Type <select name="set_type">{{set_type_options}}</select></label>'
        '<label>RPE <select name="rpe">{{rpe_options}}</select></label>'
        '<label class="notes">Notes ' + text_input("notes", extra="{{focus_notes}}") + "</label>"
        '<label class="checkbox log-as-is"><input type="checkbox" name="log_as_is"> Log as typed: '
        "a set without reps (a hold), or a negative weight (assisted)</label>"
        "</div>{{errors}}</form>"
    )
    .replace("{{", "{")
    .replace("}}", "}")
)


PLATES_LINE = '<p class="plates-line" aria-live="polite">{}</p>'


def plates_line(text):
    """What goes on the bar (plates.py): shown under ⋯, or as the weight is tapped
    (plates.js writes it again as the weight changes). The words are ours and the
    numbers the plates': escaped all the same, once (format_html per row cost more)."""
    return SafeString(PLATES_LINE.format(html.escape(text)))


def csrf_token_text(context):
    """The page's CSRF token, worked out once for all its rows (it is lazy and masked
    anew each time it is read)."""
    cache = context.render_context
    if "set_rows_csrf_token" not in cache:
        cache["set_rows_csrf_token"] = str(context.get("csrf_token", ""))
    return cache["set_rows_csrf_token"]


@register.simple_tag(takes_context=True)
def planned_row(context, row, card):
    """A planned set's form: one tap on its ✓ logs what it shows (workout_screen.PlannedRow)."""
    errors = ""
    if row.errors:
        items = format_html_join("", "<li>{}</li>", ((message,) for message in row.errors))
        errors = format_html('<ul class="errorlist row-errors" role="alert">{}</ul>', items)
    # The ⋯ panel opens for what it holds, never for a weight or reps to fix (nor for a
    # warm-up of the ramp: planned as one, not chosen in the panel).
    chosen_type = row.set_type != SetType.WORKING and row.prefilled_from != RAMP_ROW
    extras_shown = row.extras_with_errors or row.notes or row.rpe or chosen_type
    row_name = "warm-up" if row.is_warmup else f"set {row.set_number}"
    return format_html(
        PLANNED_ROW,
        warmup=" warmup" if row.is_warmup else "",
        invalid=" invalid" if row.errors else "",
        key=row.key,
        prefilled_from=row.prefilled_from,
        log_url=context["log_url"],
        csrf_token=csrf_token_text(context),
        exercise=card.name,
        number="" if row.is_warmup else row.set_number,
        shown_number="W" if row.is_warmup else row.set_number,
        row_label=capfirst(row_name),
        row_name=row_name,
        unit=card.unit,
        needs_weight="on" if card.needs_weight else "",
        weight=row.weight,
        weight_hint=card.weight_hint,
        reps=row.reps,
        reps_name=card.reps_name,
        notes=row.notes,
        focus_weight=" autofocus" if row.focus == "weight" else "",
        focus_reps=" autofocus" if row.focus == "reps" else "",
        focus_notes=" autofocus" if row.focus == "notes" else "",
        more_open=" checked" if extras_shown else "",
        plates=plates_line(card.plates_text(row)) if card.bar_and_plates else "",
        set_type_options=row.set_type_options,
        rpe_options=row.rpe_options,
        errors=errors,
    )


LOGGED_ROW = (
    '<div class="set-row done{warmup}" id="set-{pk}" data-key="{key}" '
    'data-set-number="{number}" data-weight="{weight}" data-reps="{reps}">'
    '<span class="set-number">{shown_number}</span> '
    '<span class="set-load">{load}{tags}</span> '
    "{edit} {mark}"
    '<span class="set-notes">{notes}</span></div>'
)
# Where the tick was, while the workout is open: a second tap of a double tap lands on
# nothing. A finished workout's sets are all done: no mark on each.
LOGGED_MARK = '<span class="logged-mark" aria-hidden="true">✓</span> '

EDIT_LINK = (
    '<a class="row-action" href="{url}" aria-label="Edit set {number} of {exercise}" '
    'hx-get="{url}" hx-target="#set-{pk}" hx-swap="outerHTML">Edit</a>'
)
TAGS = {SetType.DROP: "Drop", SetType.FAILURE: "Failure"}


@register.simple_tag
def logged_row(workout_set, workout):
    """A logged set's row; while the workout is open, with its Edit link."""
    tags = [TAGS[workout_set.set_type]] if workout_set.set_type in TAGS else []
    if workout_set.rpe is not None:
        tags.append(f"RPE {workout_set.rpe.normalize():f}")
    edit = mark = ""
    if workout.is_active:
        mark = mark_safe(LOGGED_MARK)
        url = reverse("edit_set", args=[workout_set.pk])
        edit = format_html(
            EDIT_LINK,
            url=url,
            number=workout_set.set_number,
            exercise=workout_set.exercise_name,
            pk=workout_set.pk,
        )
    return format_html(
        LOGGED_ROW,
        warmup=" warmup" if workout_set.is_warmup else "",
        pk=workout_set.pk,
        key=workout_set.key,
        number=workout_set.set_number,
        weight=workout_set.weight,
        reps=workout_set.reps,
        shown_number="W" if workout_set.is_warmup else workout_set.set_number,
        load=set_html(workout_set),
        tags=format_html_join("", ' <span class="set-tag">{}</span>', ((tag,) for tag in tags)),
        edit=edit,
        mark=mark,
        notes=workout_set.notes,
    )


@register.simple_tag
def set_load(workout_set):
    """A set's weight and reps as every page writes them: "135 lb × 5", "10 reps", "1:00"."""
    return set_html(workout_set)
