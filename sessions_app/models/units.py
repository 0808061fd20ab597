"""Kilograms and pounds: each set keeps the unit it was typed in, records are kept in
pounds, and pages show the lifter's unit. The one conversion of the app is here."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Case, DecimalField, F, Value, When

LB_PER_KG = Decimal("2.20462")


class WeightUnit(models.TextChoices):
    KG = "kg", "kg"
    LB = "lb", "lb"


def in_unit(value, from_unit, to_unit):
    """A weight in from_unit ("kg" or "lb"), in to_unit; None stays None."""
    if value is None or from_unit == to_unit:
        return value
    return value / LB_PER_KG if to_unit == WeightUnit.KG else value * LB_PER_KG


def from_pounds(value, unit, step):
    """A weight kept in pounds (a record), in the lifter's unit, to the step shown: a
    kilogram set's 100 kg is kept as 220.46 lb and shown as 100, not 99.999."""
    value = in_unit(value, WeightUnit.LB, unit)
    return None if value is None else value.quantize(step, ROUND_HALF_UP)


def in_pounds(column):
    """The SQL of in_unit(..., "lb"): a set's number column, in pounds."""
    return Case(
        When(unit=WeightUnit.KG, then=F(column) * Value(LB_PER_KG)),
        default=F(column),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )
