"""What the active-workout page shows: the exercises in order, each with its sets and form."""

import hashlib
import json
import uuid
from dataclasses import dataclass, field

from .forms import SetForm
from .models import TemplateExercise

DEFAULT_REST_SECONDS = 120


@dataclass
class ExerciseBlock:
    name: str
    target: TemplateExercise | None = None
    sets: list = field(default_factory=list)
    form: SetForm | None = None
    last_time: object = None
    rest_seconds: int = DEFAULT_REST_SECONDS

    @property
    def dom_id(self):
        if not self.name:
            return "new-set"
        # Exercise names are free text; a short digest makes a stable, valid HTML id.
        return "ex-" + hashlib.sha1(self.name.encode()).hexdigest()[:10]

    @property
    def next_set_number(self):
        """Warm-ups do not use up a number: the first working set is set 1."""
        return max((s.set_number for s in self.sets if not s.is_warmup), default=0) + 1

    def blank_form(self):
        initial = {"exercise": self.name, "set_number": self.next_set_number, "key": uuid.uuid4()}
        if previous := self.prefill_from():
            initial.update(weight=previous.weight, reps=previous.reps)
        return SetForm(initial=initial)

    @property
    def last_time_json(self):
        """Last time's sets, for the page's script to prefill the set after next offline."""
        sets = self.last_time.sets if self.last_time else []
        return json.dumps(
            [{"set_number": s.set_number, "weight": s.weight, "reps": s.reps} for s in sets]
        )

    def prefill_from(self):
        """The same set number last time, or else the last set logged today."""
        if self.last_time and (same := self.last_time.set_number(self.next_set_number)):
            return same
        return self.sets[-1] if self.sets else None

    def with_form(self, form=None):
        self.form = form or self.blank_form()
        self.form.auto_id = f"{self.dom_id}-%s"  # several forms share a page: keep ids unique
        if self.form.errors:
            # Without JavaScript the page reloads at the top: focusing the field scrolls to it.
            invalid = [name for name in self.form.fields if name in self.form.errors] or ["weight"]
            self.form.fields[invalid[0]].widget.attrs["autofocus"] = True
        return self


def exercise_blocks(template_exercises, sets, default_rest=DEFAULT_REST_SECONDS):
    """The template's exercises in order, then exercises the lifter added, in logging order."""
    sets_by_exercise = {}
    for workout_set in sets:
        sets_by_exercise.setdefault(workout_set.exercise, []).append(workout_set)
    blocks = [
        ExerciseBlock(
            name=target.name,
            target=target,
            sets=sets_by_exercise.pop(target.name, []),
            rest_seconds=target.rest_seconds or default_rest,
        )
        for target in template_exercises
    ]
    blocks += [
        ExerciseBlock(name=name, sets=logged, rest_seconds=default_rest)
        for name, logged in sets_by_exercise.items()
    ]
    return blocks


def find_block(blocks, name):
    return next((block for block in blocks if block.name == name), None)
