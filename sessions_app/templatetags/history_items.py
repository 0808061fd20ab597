"""A workout of the history list, in one place and built in Python: its day and time,
title, duration, sets and volume, every exercise with its best set, the records it beat
and its note (progress.history_digests says what). Through the template engine the
twenty items of a page cost more than reading them (bench/RESULTS.md); here each is one
format string, its values escaped once."""

from html import escape

from django import template
from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import pluralize, time, truncatechars
from django.utils.safestring import mark_safe

register = template.Library()

# The spaces between the parts keep them apart when read aloud (the grid ignores them).
HISTORY_ITEM = (
    '<li class="history-item"><a class="card history-link" href="{url}">'
    '<span class="history-when"><span class="session-date">{day}</span> '
    '<span class="history-time">{time}</span></span> '
    '<span class="history-title">{title}</span> '
    '<span class="history-facts muted">{facts}</span> '
    "{exercises}{records}{note}</a></li>"
)
EXERCISES = '<span class="history-exercises">{}</span> '
EXERCISE = (
    '<span class="history-exercise"><span class="history-exercise-name">{}</span> '
    '<span class="history-best">{}</span></span> '
)
RECORDS = '<span class="history-records">Record{}: {}</span> '
NOTE = '<span class="session-note">{}</span>'


def amount(value):
    """1,220 and 512.5: grouped, a decimal only when there is one."""
    text = f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def facts(workout, digest):
    """ "52 min · 15 sets · 4,250 kg" """
    parts = []
    if workout.duration_minutes is not None:
        parts.append(f"{workout.duration_minutes} min")
    parts.append(f"{digest.set_count} set{pluralize(digest.set_count)}")
    if digest.volume:
        parts.append(f"{amount(digest.volume)} {digest.unit}")
    return " · ".join(parts)


@register.simple_tag
def history_item(workout, this_year):
    digest = workout.digest
    exercises = records = note = ""
    if digest.exercises:
        lines = "".join(
            EXERCISE.format(escape(e.name), escape(e.best_text)) for e in digest.exercises
        )
        exercises = EXERCISES.format(lines)
    if digest.records:
        plural = pluralize(len(digest.records))
        records = RECORDS.format(plural, escape(", ".join(digest.records)))
    if workout.note:
        note = NOTE.format(escape(truncatechars(workout.note, 90)))
    day_format = "D j M" if workout.date.year == this_year else "D j M Y"
    return mark_safe(
        HISTORY_ITEM.format(
            url=escape(workout.get_absolute_url()),
            day=format_date(workout.date, day_format),
            time=time(workout.created_at, "H:i"),
            title=escape(workout.title),
            facts=escape(facts(workout, digest)),
            exercises=exercises,
            records=records,
            note=note,
        )
    )
