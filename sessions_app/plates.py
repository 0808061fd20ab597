"""What goes on the bar: the plates per side for a weight, and the nearest weight a
lifter can load with their bar and plates.

The lifter's bar (20 kg / 45 lb unless they say) and plates (a set per unit unless they
say) are kept on their profile, per unit; an exercise done with another bar (EZ bar,
trap bar) keeps its own bar weight. plates.js computes the same thing in the page, from
the data- attribute the card carries, so that it works offline: both work in hundredths
of the unit, in whole numbers, with the same steps (tests/test_plates.py checks that
they agree on a table of cases).

The rule: each side takes the fewest plates that make its half of the weight, trying the
heaviest plates first; any number of each plate. A weight that no set of plates makes
is rounded to the nearest one that some set makes (halfway: the lighter); a weight
under the bar is the bar alone.
"""

import functools
import json
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .models.units import WeightUnit, in_unit

DEFAULT_BAR = {WeightUnit.KG: Decimal("20"), WeightUnit.LB: Decimal("45")}
DEFAULT_PLATES = {
    WeightUnit.KG: (
        Decimal("25"),
        Decimal("20"),
        Decimal("15"),
        Decimal("10"),
        Decimal("5"),
        Decimal("2.5"),
        Decimal("1.25"),
    ),
    WeightUnit.LB: (
        Decimal("45"),
        Decimal("35"),
        Decimal("25"),
        Decimal("10"),
        Decimal("5"),
        Decimal("2.5"),
    ),
}
# Past this many steps of the smallest plate on a side, a weight is a typo, not a lift:
# no plates are worked out for it (plates.js stops at the same place).
MAX_STEPS_PER_SIDE = 4000
HUNDREDTH = Decimal("0.01")
LEADING_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)")


def hundredths(value):
    """A weight in whole hundredths of its unit (ROUND_HALF_UP, as plates.js does)."""
    return int((Decimal(value) * 100).quantize(Decimal(1), ROUND_HALF_UP))


def from_hundredths(value):
    return (Decimal(value) / 100).quantize(HUNDREDTH)


def number_text(value):
    """20 -> "20", 2.50 -> "2.5", 1.25 -> "1.25" (plates.js's numberText)."""
    text = f"{Decimal(value).quantize(HUNDREDTH):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def typed_weight(text):
    """The weight a row's field holds, in hundredths, or None: "102.5", "102,5 kg"."""
    match = LEADING_NUMBER.match(str(text or ""))
    if not match:
        return None
    try:
        return hundredths(Decimal(match.group(1).replace(",", ".")))
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Loading:
    """A weight as loaded: the total, the bar and the plates on each side (heaviest first)."""

    asked: int  # hundredths
    total: int
    bar: int
    per_side: tuple
    unit: str

    @property
    def exact(self):
        return self.asked == self.total

    @property
    def weight(self):
        return from_hundredths(self.total)

    def text(self):
        """ "20 kg bar + 25 + 10 + 2.5 each side", "20 kg bar alone"; a weight rounded
        first says so: "102.3 kg cannot be loaded · 102.5 kg: 20 kg bar + …", and one
        under the bar, where a lighter bar is set."""
        bar = f"{number_text(from_hundredths(self.bar))} {self.unit} bar"
        if self.per_side:
            plates = " + ".join(number_text(from_hundredths(plate)) for plate in self.per_side)
            loaded = f"{bar} + {plates} each side"
        else:
            loaded = f"{bar} alone"
        if self.exact:
            return loaded
        asked = number_text(from_hundredths(self.asked))
        if self.asked < self.bar:
            return f"{asked} {self.unit} is under the {bar} (a lighter one: the exercise's page)"
        total = number_text(from_hundredths(self.total))
        return f"{asked} {self.unit} cannot be loaded · {total} {self.unit}: {loaded}"


@functools.lru_cache(maxsize=1024)  # a card's rows mostly share their weight
def load(weight, bar, plates, unit):
    """The Loading of weight (a Decimal, or hundredths when an int) on this bar with these
    plates (Decimals, any order); None for no weight or one too heavy to work out."""
    asked = weight if isinstance(weight, int) else hundredths(weight)
    bar_hundredths = hundredths(bar)
    sizes = sorted({size for size in map(hundredths, plates) if size > 0}, reverse=True)
    if asked is None or asked < 0:
        return None
    excess = asked - bar_hundredths
    if excess <= 0 or not sizes:
        return Loading(asked, bar_hundredths, bar_hundredths, (), unit)
    step = math.gcd(*sizes)
    # The most steps a side could need: up to the half asked, plus the heaviest plate,
    # so the nearest weight above is among them.
    most = excess // (2 * step) + sizes[0] // step + 1
    if most > MAX_STEPS_PER_SIDE:
        return None
    side = fewest_plates([size // step for size in sizes], most)
    best = min(
        (steps for steps in range(most + 1) if side[steps] is not None),
        key=lambda steps: (abs(2 * steps * step - excess), steps),
    )
    per_side = tuple(sorted((plate * step for plate in side[best]), reverse=True))
    return Loading(asked, bar_hundredths + 2 * best * step, bar_hundredths, per_side, unit)


def fewest_plates(sizes, most):
    """For each number of steps up to most, the fewest plates (sizes in steps, heaviest
    first) that make it, or None; ties go to the heavier plate tried first."""
    side = [()] + [None] * most
    for steps in range(1, most + 1):
        for size in sizes:
            below = side[steps - size] if size <= steps else None
            if below is not None and (side[steps] is None or len(below) + 1 < len(side[steps])):
                side[steps] = (*below, size)
    return side


@dataclass(frozen=True)
class BarAndPlates:
    """A lifter's bar and plates in one unit, and what the page needs to load them."""

    unit: str
    bar: Decimal
    plates: tuple

    def for_exercise(self, exercise):
        """The same plates on the exercise's own bar, when it has one."""
        bar = exercise_bar(exercise, self.unit)
        return self if bar is None else BarAndPlates(self.unit, bar, self.plates)

    def load(self, weight):
        return load(weight, self.bar, self.plates, self.unit)

    def load_typed(self, text):
        """The Loading of what a row's weight field holds, or None."""
        asked = typed_weight(text)
        return None if asked is None else load(asked, self.bar, self.plates, self.unit)

    def text_for_typed(self, text):
        """What goes on the bar for a row's weight field, "" for no weight: worked out once
        per weight (a card's rows mostly share theirs; the page draws 25 rows)."""
        if text not in self.texts:
            self.texts[text] = text_for_typed(text, self.bar, self.plates, self.unit)
        return self.texts[text]

    @functools.cached_property
    def texts(self):
        return {}

    @functools.cached_property
    def data(self):
        return self.as_data()

    def as_data(self):
        """For the card's data-plates attribute (plates.js reads it)."""
        return json.dumps(
            {
                "unit": self.unit,
                "bar": number_text(self.bar),
                "plates": [number_text(plate) for plate in self.plates],
            }
        )


@functools.lru_cache(maxsize=1024)
def text_for_typed(text, bar, plates, unit):
    asked = typed_weight(text)
    loading = None if asked is None else load(asked, bar, plates, unit)
    return loading.text() if loading else ""


def exercise_bar(exercise, unit):
    """The exercise's own bar in this unit, or None (the lifter's bar then)."""
    if exercise is None or exercise.bar_weight is None:
        return None
    bar = in_unit(exercise.bar_weight, exercise.bar_unit or unit, unit)
    return Decimal(bar).quantize(HUNDREDTH)


def nearest_loadable(weight, owner, exercise=None):
    """The weight nearest to weight (in the lifter's unit) that the lifter can load on
    the exercise's bar (their own bar when exercise is None or has no bar of its own) with
    their plates, as a Decimal in that unit. For the progression rules: a deload or an
    increase lands on a weight the lifter can put on the bar. A weight under the bar is
    the bar. owner: a user or a user id."""
    from .models import LifterProfile

    owner_id = getattr(owner, "pk", owner)
    loading = LifterProfile.bar_and_plates_of(owner_id).for_exercise(exercise).load(weight)
    return Decimal(weight) if loading is None else loading.weight


MAX_PLATE_KINDS = 12
PLATE_SEPARATOR = re.compile(r"[\s,;]+")


def plates_in(text):
    """The plates kept as text ("25 20 15 10 5 2.5 1.25"), as Decimals, heaviest first;
    () for none kept (the unit's usual set then)."""
    plates = []
    for part in PLATE_SEPARATOR.split(text or ""):
        try:
            plate = Decimal(part)
        except InvalidOperation:
            continue
        if plate > 0 and plate not in plates:
            plates.append(plate)
    return tuple(sorted(plates, reverse=True))


def plates_text(plates):
    return " ".join(number_text(plate) for plate in plates)


def bar_and_plates_for(card, lifters_bar):
    """A workout screen card's bar and plates: a barbell exercise's own bar (the lifter's
    exercise's: its logged sets', else the one with_own_bars() found for a starter
    routine's row) or the lifter's; None for an exercise of another kind."""
    from .models import ExerciseKind

    if card.kind != ExerciseKind.BARBELL:
        return None
    own = next((s.exercise for s in card.sets if s.exercise.bar_weight is not None), None)
    if own is None and getattr(card.target, "own_bar_weight", None) is not None:
        own = exercise_with_own_bar(card.target)
    return lifters_bar.for_exercise(own or card.exercise)


def exercise_with_own_bar(row):
    """A routine row's exercise as far as its bar goes: for a row annotated by
    with_own_bars(), the lifter's own bar for it; else the row's exercise."""
    from .models import Exercise

    if getattr(row, "own_bar_weight", None) is not None:
        return Exercise(bar_weight=row.own_bar_weight, bar_unit=row.own_bar_unit)
    return row.exercise


def with_own_bars(targets, owner_id):
    """A routine's rows (with their exercise, select_related) with the bar of the
    lifter's own exercise of each (a starter routine's rows point to the library's; a
    lifter's own routine's, to their exercise itself): in the same query. Written out:
    as ORM subqueries they cost about 1.5 ms a page to compile, as SQL 0.3 ms
    (bench/RESULTS.md, 2026-12-03)."""
    from django.db import connection
    from django.db.models import CharField, DecimalField
    from django.db.models.expressions import RawSQL

    from .models import Exercise

    quote = connection.ops.quote_name
    exercises = quote(Exercise._meta.db_table)  # the row's exercise, joined by select_related
    own = (
        f"SELECT own.{{}} FROM {exercises} own "
        f"WHERE own.{quote('owner_id')} = %s AND own.{quote('key')} = {exercises}.{quote('key')}"
    )
    weight = Exercise._meta.get_field("bar_weight")
    return targets.annotate(
        own_bar_weight=RawSQL(
            own.format(quote("bar_weight")),
            (owner_id,),
            output_field=DecimalField(
                max_digits=weight.max_digits, decimal_places=weight.decimal_places
            ),
        ),
        own_bar_unit=RawSQL(own.format(quote("bar_unit")), (owner_id,), output_field=CharField()),
    )
