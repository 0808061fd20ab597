"""Small helpers shared by the tests."""

import uuid

HTMX = {"HX-Request": "true"}


def set_data(exercise="Back Squat", weight="225", reps="5", notes="", slot=None, **extra):
    """What the log-set form on the workout page posts."""
    return {
        "slot": exercise if slot is None else slot,
        "exercise": exercise,
        "weight": weight,
        "reps": reps,
        "notes": notes,
        "key": str(uuid.uuid4()),
        **extra,
    }
