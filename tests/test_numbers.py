"""What lifters type as weight and reps, turned into numbers for charts and records."""

from decimal import Decimal

import pytest

from sessions_app.numbers import parse_number, parse_reps, parse_weight


@pytest.mark.parametrize(
    "text, expected",
    [
        ("135", Decimal(135)),
        ("12.5", Decimal("12.5")),
        ("12,5", Decimal("12.5")),
        (" 225 lb", Decimal(225)),
        ("BW", Decimal(0)),
        ("bw", Decimal(0)),
        ("Bodyweight", Decimal(0)),
        ("BW+25", Decimal(25)),
        ("BW + 45", Decimal(45)),
        ("", None),
        ("heavy", None),
        (None, None),
    ],
)
def test_weights(text, expected):
    assert parse_weight(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("5", 5), ("8-10", 8), ("5+", 5), ("AMRAP", None), ("", None), ("60s", 60), ("-3", None)],
)
def test_reps(text, expected):
    assert parse_reps(text) == expected


def test_a_number_inside_text_is_not_picked_from_the_middle():
    assert parse_number("about 5") is None
