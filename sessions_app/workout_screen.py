"""What the active-workout screen shows: one card per exercise, one row per planned set.

A card lists the sets logged so far and a row for each planned set not yet logged,
numbered and prefilled (the same set last time, else the row above, else the plan's
reps), each with its own key until it is logged: what a row shows is what its tick
logs. Cards and sets meet by exercise key (a starter routine points to the library's
exercises, the sets to the lifter's). Everything here runs a fixed number of queries,
whatever the length of the lifter's history.
"""

import functools
import hashlib
import uuid
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, Q
from django.utils.html import format_html_join
from django.utils.text import capfirst

from .forms import MAX_SET_NUMBER, RPE_CHOICES, SetForm
from .models import (
    DEFAULT_REST_SECONDS,
    Exercise,
    ExerciseKind,
    LifterProfile,
    RoutineExercise,
    Set,
    SetType,
    WeightUnit,
    Workout,
    display_name,
    exercise_key,
)
from .models.batches import column_reader
from .models.exercises import guessed_kind
from .models.workouts import superset_letters
from .numbers import reps_to_log, whole_number
from .plates import BarAndPlates, bar_and_plates_for, with_own_bars
from .progression import superset_labels, targets_for
from .set_text import compact_text, load_text
from .warmups import planned_warmup_rows, ramp_of, working_weight

# Lifted with a load: a row of these without a weight is a weight forgotten, not a set.
LOADED_KINDS = {ExerciseKind.BARBELL, ExerciseKind.DUMBBELL, ExerciseKind.MACHINE}
# The grey hint of an empty weight, by kind: never a number (a tick does not log it).
WEIGHT_HINTS = {ExerciseKind.BODYWEIGHT: "+{unit}", ExerciseKind.ASSISTED: "−{unit}"}


@functools.lru_cache(maxsize=64)
def options_html(choices, selected):
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if value == selected else "", capfirst(label))
            for value, label in choices
        ),
    )


def dom_id_for(name):
    # A short digest of the key makes a stable, valid HTML id for any name.
    return "ex-" + hashlib.sha1(exercise_key(name).encode()).hexdigest()[:10]


@dataclass
class LastTime:
    date: object
    sets: list

    def set_number(self, number):
        return next((s for s in self.sets if s.set_number == number and not s.is_warmup), None)

    def text(self, timed=False):
        """ "225×5, 235×5 lb", "10, 10, 8 reps", "1:00, 0:45" (set_text.compact_text). Built
        here: through the template, the line cost more than a planned row."""
        return compact_text(self.sets, timed)


@dataclass
class PlannedRow:
    """A set still to do: a form of its own, with a key that stays until it is logged."""

    set_number: int
    weight: str = ""
    reps: str = ""
    key: uuid.UUID | str = field(default_factory=uuid.uuid4)
    notes: str = ""
    set_type: str = SetType.WORKING
    rpe: str = ""
    form: SetForm | None = None
    prefilled_from: str = ""  # "last time", "previous row" (carried on), "plan", "warm-up ramp"
    is_planned = True

    @property
    def is_warmup(self):
        """A planned warm-up: numbered apart, so it sends no number of its own."""
        return self.set_type == SetType.WARMUP

    # Every row has the same two lists: built once, not once per row (bench/RESULTS.md).
    @property
    def set_type_options(self):
        return options_html(tuple(SetType.choices), self.set_type)

    @property
    def rpe_options(self):
        return options_html(tuple(RPE_CHOICES), self.rpe)

    @functools.cached_property
    def extras_with_errors(self):
        """Errors on what the ⋯ panel holds: only these open it."""
        return self.form is not None and any(
            name in self.form.errors for name in ("notes", "set_type", "rpe", "log_as_is")
        )

    def take_back(self, form):
        """A row sent back with errors shows what the lifter sent, and keeps its key."""
        self.form = form
        for name in ("weight", "reps", "notes", "set_type", "rpe", "key"):
            if value := form.data.get(name):
                setattr(self, name, value)

    @functools.cached_property
    def focus(self):
        """The field to fix first, focused on a page without JavaScript."""
        if self.form is None or not self.form.errors:
            return None
        fields = [name for name in ("weight", "reps", "notes") if name in self.form.errors]
        return (fields or ["weight"])[0]

    @functools.cached_property
    def errors(self):
        if self.form is None:
            return []
        return [message for messages in self.form.errors.values() for message in messages]


@dataclass
class ExerciseCard:
    name: str
    target: RoutineExercise | None = None
    sets: list = field(default_factory=list)
    last_time: LastTime | None = None
    rest_seconds: int = DEFAULT_REST_SECONDS
    unit: str = WeightUnit.LB
    extra_rows: int = 0
    current: bool = False
    rows: list = field(default_factory=list)
    kind: str = ExerciseKind.OTHER
    # Today's target of the routine exercise's progression rule, with its reason.
    progression_target: object = None
    # "A1", "A2", … in a superset of the routine (its letter groups the cards).
    superset_label: str = ""
    # In the superset of the current card: open with it, the round goes through it.
    in_current_round: bool = False

    @property
    def superset(self):
        return self.superset_label.rstrip("0123456789")

    @property
    def continues_superset(self):
        """A2, A3…: joined to the card above when that card is of its superset."""
        return bool(self.superset) and self.superset_label[len(self.superset) :] != "1"

    exercise: Exercise | None = None
    # The bar and plates of a barbell exercise (plates.py); None for any other kind.
    bar_and_plates: BarAndPlates | None = None
    # Warm-ups asked for (warmups.py: Workout.planned_warmups) and the lifter's ramp.
    warmups_asked: dict | None = None
    ramp: tuple = ()

    @functools.cached_property
    def key(self):
        return exercise_key(self.name)

    @property
    def needs_weight(self):
        return self.kind in LOADED_KINDS

    @property
    def is_timed(self):
        return self.kind == ExerciseKind.TIMED

    @functools.cached_property
    def working_weight(self):
        """What "Add warm-ups" ramps up to: a barbell's first working weight, or None."""
        return working_weight(self) if self.bar_and_plates else None

    @property
    def offers_warmups(self):
        """ "Add warm-ups": a barbell with a working weight, before its working sets."""
        return bool(self.working_weight) and not self.warmups_asked and not self.working_sets

    @property
    def plates_data(self):
        """For the card's data-plates attribute: plates.js works the plates out offline."""
        return self.bar_and_plates.data if self.bar_and_plates else None

    def plates_text(self, row):
        """What goes on the bar for a row's weight (the page without JavaScript shows it
        under ⋯), "" for no barbell or no weight."""
        return self.bar_and_plates.text_for_typed(row.weight) if self.bar_and_plates else ""

    @property
    def reps_name(self):
        """What the reps field holds: a count, or for a timed exercise its time."""
        return "time" if self.is_timed else "reps"

    @property
    def weight_hint(self):
        return WEIGHT_HINTS.get(self.kind, "{unit}").format(unit=self.unit)

    @property
    def planned_reps(self):
        return reps_to_log(self.target.target_reps) if self.target else ""

    @property
    def dom_id(self):
        return dom_id_for(self.name)

    @property
    def planned_rows(self):
        return [row for row in self.rows if getattr(row, "is_planned", False)]

    @property
    def working_sets(self):
        return [s for s in self.sets if not s.is_warmup]

    @property
    def is_done(self):
        """Every planned set logged: the card folds to one line."""
        return self.target is not None and self.sets and not self.planned_rows

    @property
    def starts_open(self):
        """Open on the page: the current card, one started, one added on the spot or with
        a row sent back; a card not reached yet folds to its name, target and last time."""
        return not self.is_done and (
            self.current
            or self.in_current_round
            or self.sets
            or self.target is None
            or self.extra_rows
            or any(getattr(row, "form", None) is not None for row in self.rows)
        )

    @property
    def next_set_number(self):
        """The number of the first working row still to tick (a big number for none)."""
        numbers = [row.set_number for row in self.planned_rows if not row.is_warmup]
        return min(numbers, default=MAX_SET_NUMBER + 1)

    @property
    def coming_text(self):
        """A card not reached yet, folded: "3 × 5 · last 225×5, 235×5 lb", or with a rule
        "102.5 kg × 5 · +2.5: 3 × 5 done last time · last 100×5, 100×5, 100×5 kg"."""
        aim = self.progression_target
        if aim is not None and aim.load_text:
            parts = [aim.text]
        elif self.target is not None:
            parts = [f"{self.target.target_sets} × {self.target.target_reps}"]
        else:
            parts = []
        if self.last_time:
            parts.append(f"last {self.last_time_text}")
        return " · ".join(part for part in parts if part)

    @property
    def best_set(self):
        """The heaviest working set, else the most reps (a timed exercise's longest time)."""
        return max(
            self.working_sets,
            key=lambda s: (s.weight_value or 0, s.reps_value or 0),
            default=None,
        )

    @property
    def best_text(self):
        best = self.best_set
        return best and load_text(best.weight, best.reps, best.unit, self.is_timed)

    @property
    def last_time_text(self):
        return self.last_time.text(self.is_timed) if self.last_time else ""

    def plan(self, bound_form=None):
        """Lay out the rows: warm-ups, then set 1, 2, … logged or planned.

        A routine exercise plans its target sets; one added on the spot always offers
        its next set. bound_form (a row sent back with errors) replaces its row's form.
        """
        self.sets.sort(key=lambda s: (not s.is_warmup, s.set_number, s.created_at, s.pk))
        logged = {s.set_number for s in self.working_sets}
        highest = max(logged, default=0)
        if self.target is not None:
            wanted = [n for n in range(1, self.target.target_sets + 1) if n not in logged]
        else:
            wanted = [highest + 1]
        for _ in range(self.extra_rows):
            wanted.append(max([highest, *wanted]) + 1)
        if bound_form is not None:
            # Shown again as sent, under a number still free (a stale tab's may be taken).
            number = sent_set_number(bound_form)
            if number < 1 or number in logged:
                number = wanted[0] if wanted else highest + 1
            if number not in wanted:
                wanted.append(number)
        planned = {n: PlannedRow(n) for n in wanted}
        if bound_form is not None and number in planned:
            planned[number].take_back(bound_form)
        self.rows = [s for s in self.sets if s.is_warmup]
        self.rows += planned_warmup_rows(self, self.warmups_asked, self.ramp)
        previous = None
        for number in sorted(logged | planned.keys()):
            if number in planned:
                row = planned[number]
                same = self.last_time.set_number(number) if self.last_time else None
                source = same or previous
                if source is not None and row.form is None:
                    row.weight, row.reps = source.weight, source.reps
                    row.prefilled_from = "last time" if same else "previous row"
                elif row.form is None and self.planned_reps:
                    row.reps, row.prefilled_from = self.planned_reps, "plan"
                if row.form is None:
                    self.prefill_target(row)
                self.rows.append(row)
                previous = row
            else:
                done = [s for s in self.working_sets if s.set_number == number]
                self.rows += done
                previous = done[-1]
        return self

    def prefill_target(self, row):
        """A planned row of a routine exercise with a rule logs today's target."""
        aim = self.progression_target
        if aim is None or (aim.weight is None and aim.reps is None):
            return
        if aim.weight is not None:
            row.weight = aim.weight_text
        if aim.reps is not None:
            row.reps = aim.reps_text
        row.prefilled_from = "target"


def cards_for(targets, sets, default_rest, unit):
    """The routine's exercises in order, then exercises the lifter added, in logging order.

    Sets must come with their exercise (select_related): cards and sets meet by key."""
    by_key = {}
    for workout_set in sets:
        by_key.setdefault(workout_set.exercise.key, []).append(workout_set)
    cards = [
        ExerciseCard(
            name=target.exercise.name,
            target=target,
            sets=by_key.pop(target.exercise.key, []),
            rest_seconds=target.rest_seconds or default_rest,
            unit=unit,
            kind=target.exercise.kind,
            exercise=target.exercise,
        )
        for target in targets
    ]
    cards += [
        ExerciseCard(
            name=logged[0].exercise_name,
            sets=logged,
            rest_seconds=default_rest,
            unit=unit,
            kind=logged[0].exercise.kind,
            exercise=logged[0].exercise,
        )
        for logged in by_key.values()
    ]
    return cards


def label_logged_supersets(cards):
    """A finished workout's cards in a superset read "A1", "A2"…: the letter of their
    sets' group (logged here or imported), numbered in the cards' order. A group left
    with one card (its partner skipped) is no superset."""
    by_group = {}
    for card in cards:
        groups = (s.superset_group for s in card.sets if s.superset_group is not None)
        if (group := next(groups, None)) is not None:
            by_group.setdefault(group, []).append(card)
    for group, members in by_group.items():
        if len(members) > 1:
            for number, card in enumerate(members, start=1):
                card.superset_label = f"{superset_letters(group)}{number}"
    return cards


def canonical_exercise_name(owner, name):
    """The lifter's own name for an exercise typed in any spelling ("bench press " typed
    today is their "Bench Press"), else the library's, else the name as typed."""
    exercise = Exercise.objects.named(owner, name) or Exercise.objects.named(None, name)
    return exercise.name if exercise else display_name(name)


def kinds_of(owner_id, names):
    """{key: kind} of exercises about to get a card: the lifter's own, else the library's,
    else what the name says. One query, and none for no name."""
    if not names:
        return {}
    kinds = {exercise_key(name): guessed_kind(name) for name in names}
    known = (
        Exercise.objects.filter(Q(owner_id=owner_id) | Q(owner=None), key__in=list(kinds))
        .order_by(F("owner").asc(nulls_first=True))
        .values_list("key", "kind")
    )
    kinds.update(known)  # the lifter's own come last, and win
    return kinds


def sent_set_number(form):
    return whole_number(form.data.get("set_number") or "", MAX_SET_NUMBER) or 0


def find_card(cards, name):
    key = exercise_key(name)
    return next((card for card in cards if card.key == key), None)


@dataclass
class PreviousSet:
    """A set of last time, as the card shows it."""

    set_number: int
    weight: str
    reps: str
    set_type: str
    unit: str

    @property
    def is_warmup(self):
        return self.set_type == SetType.WARMUP


def last_time(owner_id, names, on_or_before):
    """{exercise key: LastTime} from the latest completed workout before or on a day
    that had each exercise (names: in any spelling, keys included). One statement: for
    each exercise it walks the lifter's workouts newest first on the history index and
    stops at the first that had it, so a year more of history costs nothing."""
    wanted = sorted({exercise_key(name) for name in names})
    if not wanted:
        return {}
    statement = last_time_statement(connection.vendor, len(wanted))
    day = connection.ops.adapt_datefield_value(on_or_before)
    read_date = column_reader(Workout, "date")
    history = {}
    with connection.cursor() as cursor:
        cursor.execute(statement, [*wanted, owner_id, Workout.Status.COMPLETED, day, owner_id])
        for key, date, *previous in cursor.fetchall():
            history.setdefault(key, LastTime(read_date(date), [])).sets.append(
                PreviousSet(*previous)
            )
    return history


@functools.lru_cache(maxsize=64)
def last_time_statement(vendor, key_count):
    """last_time()'s statement, built once per number of exercises. Written out: through
    the ORM, reading the recent workouts' exercises, then the sets, took about 3 ms a page
    with five years of history, and an exercise not done lately two queries more
    (bench/RESULTS.md, 2026-12-03); this runs in about 0.6 ms."""
    quote = connection.ops.quote_name
    workouts, sets = quote(Workout._meta.db_table), quote(Set._meta.db_table)
    exercises = quote(Exercise._meta.db_table)
    key, pk, owner = quote("key"), quote("id"), quote("owner_id")
    workout_column = quote(Set._meta.get_field("workout").column)
    exercise_column = quote(Set._meta.get_field("exercise").column)
    shown = ", ".join(
        f"s.{quote(Set._meta.get_field(name).column)}"
        for name in ("set_number", "weight", "reps", "set_type", "unit")
    )
    wanted = ", ".join(["(%s)"] * key_count)
    return (
        f"WITH wanted ({key}) AS (VALUES {wanted}), "
        f"latest ({key}, {quote('workout_id')}) AS ("
        f"SELECT wanted.{key}, (SELECT w.{pk} FROM {workouts} w "
        f"WHERE w.{owner} = %s AND w.{quote('status')} = %s AND w.{quote('date')} <= %s "
        f"AND EXISTS (SELECT 1 FROM {sets} d JOIN {exercises} de "
        f"ON de.{pk} = d.{exercise_column} WHERE d.{workout_column} = w.{pk} "
        f"AND de.{owner} = w.{owner} AND de.{key} = wanted.{key}) "
        f"ORDER BY w.{quote('date')} DESC, w.{quote('completed_at')} DESC LIMIT 1) "
        f"FROM wanted) "
        f"SELECT l.{key}, w.{quote('date')}, {shown} FROM latest l "
        f"JOIN {workouts} w ON w.{pk} = l.{quote('workout_id')} "
        f"JOIN {sets} s ON s.{workout_column} = w.{pk} "
        f"JOIN {exercises} e ON e.{pk} = s.{exercise_column} "
        f"WHERE e.{owner} = %s AND e.{key} = l.{key} "
        f"ORDER BY s.{quote('set_number')}, s.{pk}"
    )


@dataclass
class WorkoutPlan:
    cards: list
    default_rest: int
    unit: str

    @property
    def planned_not_logged(self):
        return sum(len(card.planned_rows) for card in self.cards if card.target is not None)

    @property
    def set_count(self):
        return sum(len(card.sets) for card in self.cards)


def workout_plan(workout, bound_form=None, extra_rows=None, with_last_time=True):
    """Every card of an active workout, planned, with last time and the current one marked.

    bound_form: a row sent back with errors; extra_rows: {exercise name: rows to add}
    (an exercise not in the workout yet gets a card).
    """
    routine = workout.routine
    targets = []
    if routine is not None:
        rows = RoutineExercise.objects.filter(routine=routine).select_related("exercise")
        if routine.owner_id is None:  # a starter's rows point to the library's exercises
            rows = with_own_bars(rows, workout.owner_id)
        targets = list(rows)
    default_rest = routine.rest_seconds if routine else DEFAULT_REST_SECONDS
    profile = LifterProfile.at_the_bar(workout.owner_id)
    unit, lifters_bar = profile.unit, profile.bar_and_plates()
    sets = list(workout.sets.select_related("exercise"))
    cards = cards_for(targets, sets, default_rest, unit)
    aims = targets_for(targets, workout.owner_id, unit, lifters_bar, excluding=workout.pk)
    labels = superset_labels(targets)
    for card in cards:
        if card.target is not None:
            card.progression_target = aims.get(card.target.pk)
            card.superset_label = labels.get(card.target.pk, "")
    extra_rows = {name: count for name, count in (extra_rows or {}).items() if name.strip()}
    if bound_form is not None:
        extra_rows.setdefault(display_name(bound_form.data.get("exercise", "")), 0)
    added = [name for name in extra_rows if not find_card(cards, name)]
    kinds = kinds_of(workout.owner_id, added)
    for name in added:
        kind = kinds.get(exercise_key(name), ExerciseKind.OTHER)
        cards.append(ExerciseCard(name=name, rest_seconds=default_rest, unit=unit, kind=kind))
    history = {}
    if with_last_time:
        history = last_time(workout.owner_id, [card.key for card in cards], workout.date)
    bound_key = exercise_key(bound_form.data.get("exercise", "")) if bound_form else None
    ramp = ramp_of(profile)
    for card in cards:
        card.bar_and_plates = bar_and_plates_for(card, lifters_bar)
        card.warmups_asked, card.ramp = workout.planned_warmups.get(card.key), ramp
        card.last_time = history.get(card.key)
        card.extra_rows = sum(n for name, n in extra_rows.items() if exercise_key(name) == card.key)
        card.plan(bound_form if card.key == bound_key else None)
    if current := current_card(cards):
        current.current = True
        for card in cards:
            card.in_current_round = bool(current.superset) and card.superset == current.superset
    return WorkoutPlan(cards, default_rest, unit)


def current_card(cards):
    """The first card not done; in a superset, the card of the group whose next set comes
    first in the round (A1 → A2 → A1…), as workout.js's markCurrent() chooses it."""
    first = next((card for card in cards if not card.is_done), None)
    if first is None or not first.superset:
        return first
    group = [card for card in cards if card.superset == first.superset and not card.is_done]
    return min(group, key=lambda card: card.next_set_number)
