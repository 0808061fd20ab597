"""What the active-workout page shows: the exercises in order, each with its sets and form."""

import hashlib
import uuid
from dataclasses import dataclass, field

from .forms import SetForm
from .models import TemplateExercise


@dataclass
class ExerciseBlock:
    name: str
    target: TemplateExercise | None = None
    sets: list = field(default_factory=list)
    form: SetForm | None = None

    @property
    def dom_id(self):
        if not self.name:
            return "add"
        # Exercise names are free text; a short digest makes a stable, valid HTML id.
        return "ex-" + hashlib.sha1(self.name.encode()).hexdigest()[:10]

    @property
    def next_set_number(self):
        return max((s.set_number for s in self.sets), default=0) + 1

    def blank_form(self):
        initial = {"exercise": self.name, "set_number": self.next_set_number, "key": uuid.uuid4()}
        if self.sets:
            last = self.sets[-1]
            initial.update(weight=last.weight_lbs, reps=last.reps)
        return SetForm(initial=initial)

    def with_form(self, form=None):
        self.form = form or self.blank_form()
        self.form.auto_id = f"{self.dom_id}-%s"  # several forms share a page: keep ids unique
        return self


def exercise_blocks(template_exercises, sets):
    """The template's exercises in order, then exercises the lifter added, in logging order."""
    sets_by_exercise = {}
    for workout_set in sets:
        sets_by_exercise.setdefault(workout_set.exercise, []).append(workout_set)
    blocks = [
        ExerciseBlock(name=target.name, target=target, sets=sets_by_exercise.pop(target.name, []))
        for target in template_exercises
    ]
    blocks += [ExerciseBlock(name=name, sets=logged) for name, logged in sets_by_exercise.items()]
    return blocks


def find_block(blocks, name):
    return next((block for block in blocks if block.name == name), None)
