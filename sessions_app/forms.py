"""Validation for everything a lifter sends, shared by the pages and the JSON API."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst

from .login import check_password_throttled
from .models import (
    DEFAULT_TARGET_REPS,
    DEFAULT_TARGET_SETS,
    MAX_ROUTINE_EXERCISES,
    MAX_TARGET_SETS,
    ApiToken,
    Exercise,
    Progression,
    Routine,
    RoutineExercise,
    Set,
    SetType,
    WeightUnit,
    exercise_key,
)
from .models.accounts import time_zone_names
from .models.routines import DEFAULT_DELOAD_PERCENT, DEFAULT_FAILURES_BEFORE_DELOAD
from .numbers import parse_weight
from .progression import number_text, rep_range

EXERCISE_MAX_LENGTH = Set._meta.get_field("exercise_name").max_length
NUMBER_TEXT_MAX_LENGTH = Set._meta.get_field("weight").max_length
NOTES_MAX_LENGTH = 500
MAX_SET_NUMBER = 100
DAYS_AHEAD_ALLOWED = 1
WORKOUT_NOTE_MAX_LENGTH = 2000
# A weight past this is a typo far more often than a lift: the lifter confirms it first.
PLAUSIBLE_WEIGHT = {WeightUnit.KG: 600, WeightUnit.LB: 1300}
# As the rows' ⋯ panel writes them: "Working", "Warm-up", "Drop set", "Failure".
SET_TYPE_CHOICES = [(value, capfirst(label)) for value, label in SetType.choices]
# What a row without them is told, by the server and before it by the page (outbox.js).
MISSING_WEIGHT = "Enter the weight for this set."
MISSING_REPS = "Enter the reps for this set."
RPE_CHOICES = [("", "–")] + [(f"{n / 2:g}", f"{n / 2:g}") for n in range(12, 21)]
LOGGED_AT_REACH = datetime.timedelta(days=2)
ROUTINE_NAME_MAX_LENGTH = Routine._meta.get_field("name").max_length
MAX_REST_SECONDS = 60 * 60
TARGET_REPS_MAX_LENGTH = RoutineExercise._meta.get_field("target_reps").max_length
MAX_INCREMENT = 100
MAX_FAILURES_BEFORE_DELOAD = 10
MAX_DELOAD_PERCENT = 50
NUMBER_INPUT = {"inputmode": "numeric"}
NO_AUTOCOMPLETE = {"autocomplete": "off"}
# Characters no one types: they break a database (NUL on PostgreSQL), a CSV or a sheet.
# Tabs and line breaks stay; Django refuses NUL itself, with its own message.
CONTROL_CHARACTER = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_character(text):
    return "\x00" in text or CONTROL_CHARACTER.search(text) is not None


def refuse_control_characters(text):
    if CONTROL_CHARACTER.search(text):
        raise ValidationError("Control characters are not allowed.", code="control_character")


TEXT_RULES = [refuse_control_characters]


class RoutineChoiceField(forms.ModelChoiceField):
    """The lifter's routines, chosen by slug; a starter's slug works too (the JSON API
    accepted those before lifters had routines of their own)."""

    def __init__(self, *args, owner=None, **kwargs):
        self.owner = owner
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if routine := Routine.objects.for_start(self.owner, str(value)):
            return routine
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class StartWorkoutForm(forms.Form):
    """Which routine (`template`, its slug) and day; or `empty`: a workout with no routine."""

    # Sent by the Start button of a routine's card (its name and value).
    template = RoutineChoiceField(
        queryset=Routine.objects.none(),
        to_field_name="slug",
        empty_label=None,
        required=False,
        error_messages={"invalid_choice": "There is no workout template with that name."},
    )
    empty = forms.BooleanField(required=False, help_text="Start a workout with no routine.")
    date = forms.DateField(
        label="Day of the workout",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Today, or the day of a workout you are entering late.",
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        field.owner = owner
        field.queryset = Routine.objects.owned_by(owner)

    def clean_date(self):
        date = self.cleaned_data["date"] or timezone.localdate()
        if (date - timezone.localdate()).days > DAYS_AHEAD_ALLOWED:
            raise forms.ValidationError("A workout cannot be logged for a day in the future.")
        return date

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("empty"):
            cleaned["template"] = None
            self.errors.pop("template", None)
        elif cleaned.get("template") is None and not self.has_error("template"):
            self.add_error("template", self.fields["template"].error_messages["required"])
        return cleaned


def rest_field(**options):
    return forms.IntegerField(
        label="Rest (s)",
        min_value=0,
        max_value=MAX_REST_SECONDS,
        widget=forms.NumberInput(attrs=NUMBER_INPUT),
        **options,
    )


class RoutineForm(forms.ModelForm):
    """A routine's name and its default rest."""

    rest_seconds = rest_field(help_text="Between sets, for exercises without their own.")

    class Meta:
        model = Routine
        fields = ["name", "rest_seconds"]
        widgets = {"name": forms.TextInput(attrs=NO_AUTOCOMPLETE)}


class NewRoutineForm(forms.Form):
    name = forms.CharField(
        max_length=ROUTINE_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={**NO_AUTOCOMPLETE, "placeholder": "Push day"}),
    )


class TargetsForm(forms.ModelForm):
    """One exercise of a routine: its targets."""

    target_sets = forms.IntegerField(
        label="Sets",
        min_value=1,
        max_value=MAX_TARGET_SETS,
        widget=forms.NumberInput(attrs=NUMBER_INPUT),
    )
    target_reps = forms.CharField(
        label="Reps",
        max_length=TARGET_REPS_MAX_LENGTH,
        widget=forms.TextInput(attrs=NO_AUTOCOMPLETE),
        help_text='"5", "8-12", "60s"…',
    )
    rest_seconds = rest_field(required=False)
    progression = forms.ChoiceField(
        label="Progression", choices=Progression.choices, required=False
    )
    increment = forms.DecimalField(
        label="Step",
        min_value=Decimal("0.25"),
        max_value=MAX_INCREMENT,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs={**NO_AUTOCOMPLETE, "inputmode": "decimal"}),
        help_text="Added on success: weight (reps only: reps, or seconds). Empty: by the kind.",
    )
    failures_before_deload = forms.IntegerField(
        label="Fails",
        min_value=1,
        max_value=MAX_FAILURES_BEFORE_DELOAD,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER_INPUT),
    )
    deload_percent = forms.IntegerField(
        label="Deload %",
        min_value=1,
        max_value=MAX_DELOAD_PERCENT,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER_INPUT),
    )
    superset_with_previous = forms.BooleanField(label="Superset with the one above", required=False)

    class Meta:
        model = RoutineExercise
        fields = [
            "target_sets",
            "target_reps",
            "rest_seconds",
            "progression",
            "increment",
            "failures_before_deload",
            "deload_percent",
            "superset_with_previous",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.increment is not None:  # 2.5, not the column's 2.50
            self.initial["increment"] = number_text(self.instance.increment)

    def clean_failures_before_deload(self):
        # Left empty (or not sent, by an older page): the default.
        value = self.cleaned_data["failures_before_deload"]
        return DEFAULT_FAILURES_BEFORE_DELOAD if value is None else value

    def clean_deload_percent(self):
        value = self.cleaned_data["deload_percent"]
        return DEFAULT_DELOAD_PERCENT if value is None else value

    def clean(self):
        cleaned = super().clean()
        progression, reps = cleaned.get("progression"), cleaned.get("target_reps")
        if progression and reps is not None:
            reps_range = rep_range(reps)
            if progression == Progression.DOUBLE and (
                reps_range is None or reps_range[0] == reps_range[1]
            ):
                self.add_error("target_reps", 'Double progression needs a rep range: "8-12".')
            elif progression != Progression.REPS and reps_range is None:
                self.add_error("target_reps", 'A progression needs reps to reach: "5".')
        return cleaned


# Bound with a routine fetched for its owner: only that routine's rows can be edited.
TargetsFormSet = forms.inlineformset_factory(
    Routine, RoutineExercise, form=TargetsForm, extra=0, can_delete=False
)


class NewExerciseForm(TargetsForm):
    """An exercise to add to a routine, with its targets."""

    name = forms.CharField(
        label="Exercise",
        max_length=EXERCISE_MAX_LENGTH,
        widget=forms.TextInput(attrs={**NO_AUTOCOMPLETE, "list": "exercise-names"}),
        error_messages={"required": "Type the exercise's name."},
    )

    class Meta(TargetsForm.Meta):
        fields = ["name", "target_sets", "target_reps", "rest_seconds"]

    progression = increment = failures_before_deload = deload_percent = None
    superset_with_previous = None

    def __init__(self, *args, routine, **kwargs):
        kwargs.setdefault(
            "initial", {"target_sets": DEFAULT_TARGET_SETS, "target_reps": DEFAULT_TARGET_REPS}
        )
        super().__init__(*args, prefix="new", **kwargs)
        self.routine = routine
        self.use_required_attribute = False  # the form is also sent to save the others

    def clean_name(self):
        name = self.cleaned_data["name"]
        keys = set(self.routine.exercises.values_list("exercise__key", flat=True))
        if exercise_key(name) in keys:
            raise forms.ValidationError(f"{name} is in this routine already.")
        if len(keys) >= MAX_ROUTINE_EXERCISES:
            raise forms.ValidationError(f"A routine holds up to {MAX_ROUTINE_EXERCISES} exercises.")
        return name


class SaveAsRoutineForm(forms.Form):
    name = forms.CharField(
        label="Routine name",
        max_length=ROUTINE_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs=NO_AUTOCOMPLETE),
    )


SET_NUMBER_ERRORS = {
    "min_value": "1 or more.",
    "max_value": f"At most {MAX_SET_NUMBER}.",
    "invalid": "Enter a whole number.",
}


def set_number_field(required):
    return forms.IntegerField(
        label="Set",
        required=required,
        min_value=1,
        max_value=MAX_SET_NUMBER,
        error_messages=SET_NUMBER_ERRORS,
        widget=forms.NumberInput(attrs=NUMBER_INPUT),
    )


class SetForm(forms.Form):
    """One set: what the page's rows, the edit form and `PUT /api/session/log-set` all
    accept. The rows built in Python (set_rows.py) take their names and limits from here.

    lifter_unit is the lifter's unit, or a function that looks it up: a set sent without
    a unit is stored in the lifter's (the statement that stores it fills it in), and the
    unit is read here only to question an implausible weight.
    """

    exercise = forms.CharField(
        label="Exercise", max_length=EXERCISE_MAX_LENGTH, validators=TEXT_RULES
    )
    set_number = set_number_field(required=False)
    weight = forms.CharField(
        label="Weight (lb)",
        max_length=NUMBER_TEXT_MAX_LENGTH,
        required=False,
        validators=TEXT_RULES,
        widget=forms.TextInput(attrs={"inputmode": "decimal", **NO_AUTOCOMPLETE}),
        help_text='A number, or "BW" (bodyweight), "BW+25"; text such as "2x20" is kept as typed.',
    )
    reps = forms.CharField(
        label="Reps",
        max_length=NUMBER_TEXT_MAX_LENGTH,
        required=False,
        validators=TEXT_RULES,
        widget=forms.TextInput(attrs={"inputmode": "numeric", **NO_AUTOCOMPLETE}),
    )
    notes = forms.CharField(
        label="Notes",
        max_length=NOTES_MAX_LENGTH,
        required=False,
        validators=TEXT_RULES,
        widget=forms.TextInput(attrs=NO_AUTOCOMPLETE),
    )
    set_type = forms.ChoiceField(label="Type", choices=SET_TYPE_CHOICES, required=False)
    # The API's older spelling of set_type="warmup".
    is_warmup = forms.BooleanField(label="Warm-up", required=False, widget=forms.HiddenInput)
    rpe = forms.DecimalField(
        label="RPE",
        required=False,
        min_value=6,
        max_value=10,
        max_digits=3,
        decimal_places=1,
        widget=forms.Select(choices=RPE_CHOICES),
        help_text="Rate of perceived exertion, 6 to 10 in half steps.",
    )
    unit = forms.ChoiceField(label="Unit", choices=WeightUnit, required=False)
    log_as_is = forms.BooleanField(
        label="Log as typed",
        required=False,
        help_text="For a set without reps (a hold) or an unusual weight (assisted: negative).",
    )
    key = forms.UUIDField(label="Key", required=False, widget=forms.HiddenInput)
    # When the set was done, if it was sent later (the phone's offline queue).
    logged_at = forms.DateTimeField(label="Logged at", required=False, widget=forms.HiddenInput)
    # Sent by a row of an exercise lifted with a load (barbell, dumbbell, machine): without
    # a weight, such a set is a weight forgotten. Not stored.
    needs_weight = forms.BooleanField(
        label="Needs a weight", required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, lifter_unit=WeightUnit.LB, **kwargs):
        super().__init__(*args, **kwargs)
        self.lifter_unit = lifter_unit

    def clean_logged_at(self):
        """A time from the phone, kept within the last two days and never in the future."""
        logged_at, now = self.cleaned_data["logged_at"], timezone.now()
        if logged_at is None or logged_at > now or now - logged_at > LOGGED_AT_REACH:
            return None
        return logged_at

    def clean_rpe(self):
        rpe = self.cleaned_data["rpe"]
        if rpe is not None and rpe * 2 % 1:
            raise forms.ValidationError("RPE goes in half steps: 8, 8.5, 9…")
        return rpe

    def clean_unit(self):
        return self.cleaned_data["unit"] or None  # None: the lifter's

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_warmup") and not cleaned.get("set_type"):
            cleaned["set_type"] = SetType.WARMUP
        cleaned["set_type"] = cleaned.get("set_type") or SetType.WORKING
        cleaned.pop("is_warmup", None)
        needs_weight = cleaned.pop("needs_weight", False)
        if not cleaned.pop("log_as_is", False):
            self.check_plausible(cleaned, needs_weight)
        return cleaned

    def unit_for(self, cleaned):
        unit = cleaned.get("unit") or self.lifter_unit
        return unit() if callable(unit) else unit

    def check_plausible(self, cleaned, needs_weight=False):
        """Ask before storing what is most likely a slip of the thumb."""
        weight, reps = cleaned.get("weight"), cleaned.get("reps")
        if needs_weight and not weight and not self.has_error("weight"):
            self.add_error("weight", MISSING_WEIGHT)
        if not weight and not reps and not self.has_error("reps"):
            self.add_error("reps", MISSING_REPS)
        elif weight and not reps and not self.has_error("reps"):
            self.add_error(
                "reps", 'Enter the reps, or tick "Log as typed" for a set without reps (a hold).'
            )
        number = parse_weight(weight or "")
        if number is None or self.has_error("weight"):
            return
        if number < 0:
            self.add_error(
                "weight",
                'A negative weight? For an assisted exercise tick "Log as typed"; '
                "it is not counted in volume.",
            )
        elif number > min(PLAUSIBLE_WEIGHT.values()):
            unit = self.unit_for(cleaned)  # looked up only for a weight this heavy
            if number > PLAUSIBLE_WEIGHT[unit]:
                self.add_error(
                    "weight",
                    f"More than {PLAUSIBLE_WEIGHT[unit]:,} {unit}? Check the number, "
                    'or tick "Log as typed".',
                )


class EditSetForm(SetForm):
    """Fixing a logged set: the same fields, and the set number is required."""

    logged_at = None
    needs_weight = None
    set_number = set_number_field(required=True)
    key = None

    # What fixing a set can change: form field and the set's attribute alike.
    EDITED = ("exercise", "set_number", "weight", "reps", "notes", "set_type", "rpe", "unit")

    def __init__(self, *args, lifter_unit=WeightUnit.LB, **kwargs):
        super().__init__(*args, lifter_unit=lifter_unit, **kwargs)
        # The unit is a field of its own, next to it: the weight names none.
        self.fields["weight"].label = "Weight"
        self.fields["weight"].widget.attrs["placeholder"] = "60, BW, BW+10"

    @classmethod
    def for_set(cls, workout_set, data=None):
        initial = {name: getattr(workout_set, name) for name in cls.EDITED}
        initial["exercise"] = workout_set.exercise_name
        return cls(
            data=data,
            initial=initial,
            prefix=f"set-{workout_set.pk}",
            lifter_unit=workout_set.unit,
        )

    def clean_unit(self):
        return self.cleaned_data["unit"] or self.lifter_unit

    def apply_to(self, workout_set):
        """The set takes the form's values; the sheet and records follow (save_changes)."""
        was_exercise_id = workout_set.exercise_id
        values = dict(self.cleaned_data)
        exercise = Exercise.named_for(workout_set.workout.owner_id, values.pop("exercise"))
        workout_set.exercise = exercise
        for name in self.EDITED[1:]:
            setattr(workout_set, name, values[name])
        workout_set.save_changes(self.EDITED, was_exercise_id=was_exercise_id)


class WorkoutNoteForm(forms.Form):
    note = forms.CharField(
        label="Workout note",
        max_length=WORKOUT_NOTE_MAX_LENGTH,
        required=False,
        validators=TEXT_RULES,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "How did it go? Sleep, pain…"}),
    )


class WorkoutRefForm(forms.Form):
    """Which workout an API call means; empty means the lifter's active one."""

    session_id = forms.CharField(label="Workout", max_length=80, required=False)


class ApiSetForm(SetForm, WorkoutRefForm):
    """`PUT /api/session/log-set`: the page's set form, and which workout it goes to."""


class SharedFields(dict):
    """The fields of a form that only validates (it is never rendered, and nothing
    changes its fields): each form shares them instead of copying them. The copy cost
    a tick a tenth of its time in Python (bench/RESULTS.md, "log-set made lean again")."""

    def __deepcopy__(self, memo):
        return dict(self)


SetForm.base_fields = SharedFields(SetForm.base_fields)
ApiSetForm.base_fields = SharedFields(ApiSetForm.base_fields)


class RenameExerciseForm(forms.Form):
    name = forms.CharField(label="New name", max_length=EXERCISE_MAX_LENGTH, validators=TEXT_RULES)

    def __init__(self, *args, exercise, **kwargs):
        super().__init__(*args, **kwargs)
        self.exercise = exercise
        self.fields["name"].initial = exercise.name

    def clean_name(self):
        name = self.cleaned_data["name"]
        if name == self.exercise.name:
            raise forms.ValidationError("That is its name already.")
        # Another exercise already has this name (whatever its case): that is a merge.
        other = Exercise.objects.named(self.exercise.owner, name)
        if other is not None and other.pk != self.exercise.pk:
            raise forms.ValidationError(
                f"You already have “{other.name}”. To combine the two, use Merge below."
            )
        return name


class MergeChoiceField(forms.ChoiceField):
    """A choice matched by exercise key, so any spelling of a name names its exercise."""

    def to_python(self, value):
        return exercise_key(super().to_python(value))


class MergeExerciseForm(forms.Form):
    into = MergeChoiceField(label="Merge into")

    def __init__(self, *args, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.others = {other.key: other for other in others}
        self.fields["into"].choices = [("", "Choose an exercise")] + [
            (other.key, f"{other.name} ({other.workouts} workout{'s' * (other.workouts != 1)})")
            for other in others
        ]
        self.fields["into"].error_messages["invalid_choice"] = "Choose one of your exercises."

    def clean_into(self):
        return self.others[self.cleaned_data["into"]]


class ExerciseKindForm(forms.ModelForm):
    class Meta:
        model = Exercise
        fields = ["kind"]
        labels = {"kind": "Kind"}


# What --format and the Import page offer: "strong" reads every layout Strong wrote.
FORMAT_CHOICES = [
    ("auto", "Tell from the file"),
    ("strong", "Strong"),
    ("hevy", "Hevy"),
    ("fitnotes", "FitNotes"),
    ("workoutlog", "Workout Log"),
]
IMPORT_MAX_MEGABYTES = 20
IMPORT_MAX_BYTES = IMPORT_MAX_MEGABYTES * 1024 * 1024


def too_large_message(megabytes):
    return (
        f"This file is {megabytes:.1f} MB; the import takes files up to "
        f"{IMPORT_MAX_MEGABYTES} MB. Export a shorter period, or ask whoever runs the app "
        "to use manage.py import_workouts."
    )


class ImportForm(forms.Form):
    """An export from Strong, Hevy or this app, to preview before importing it."""

    file = forms.FileField(
        label="Exported CSV file",
        help_text=f"As the other app exported it, up to {IMPORT_MAX_MEGABYTES} MB.",
        error_messages={
            "required": "Choose the CSV file you exported.",
            "empty": "This file is empty.",
        },
    )
    unit = forms.ChoiceField(
        label="Strong's weights are in",
        choices=WeightUnit,
        widget=forms.RadioSelect,
        help_text="Strong's export does not say; Hevy's and this app's files do.",
    )
    format = forms.ChoiceField(
        label="Exported by", choices=FORMAT_CHOICES, initial="auto", required=False
    )
    skip_bad_lines = forms.BooleanField(
        label="Skip lines that cannot be read",
        required=False,
        help_text="Import the other lines and list these. Otherwise such a file is refused.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(too_large_message(upload.size / 1024 / 1024))
        return upload

    def clean_format(self):
        return self.cleaned_data["format"] or "auto"


class ExerciseChoicesForm(forms.Form):
    """Which of the lifter's exercises each exercise name of an import's file means: one
    of theirs, or a new one (by default the file's name). `choices` are the preview's
    names, each with the exercise proposed for it."""

    def __init__(self, choices, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices
        for index, choice in enumerate(choices):
            self.fields[f"name-{index}"] = forms.CharField(
                label=choice["name"],
                required=False,
                max_length=EXERCISE_MAX_LENGTH,
                validators=TEXT_RULES,
                initial=choice["proposal"] or choice["name"],
                widget=forms.TextInput(attrs={"list": "your-exercises", **NO_AUTOCOMPLETE}),
                help_text=choice["why"] if choice["proposal"] else "a new exercise",
            )

    def fields_to_check(self):
        """The names that go to another exercise or to a new one: the lifter looks at these."""
        return [self[f"name-{i}"] for i, choice in enumerate(self.choices) if not choice["same"]]

    def fields_of_own_names(self):
        """The names that are the lifter's exercises already, as they are."""
        return [self[f"name-{i}"] for i, choice in enumerate(self.choices) if choice["same"]]

    def chosen(self):
        """{name in the file: the lifter's name for it}: an empty field keeps the file's
        name; a field not sent takes the proposal."""
        chosen = {}
        for index, choice in enumerate(self.choices):
            field = f"name-{index}"
            if field not in self.data:
                chosen[choice["name"]] = choice["proposal"] or choice["name"]
            else:
                chosen[choice["name"]] = (
                    " ".join(self.cleaned_data[field].split()) or choice["name"]
                )
        return chosen


class TimeZoneForm(forms.Form):
    """The lifter's time zone, by its IANA name ("Europe/Paris")."""

    time_zone = forms.ChoiceField(
        label="Time zone",
        error_messages={"invalid_choice": "Choose a time zone from the list."},
        help_text="“Today”, and every date and time you see, in your sheet, your CSV and the "
        "files you import, are in this zone.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in sorted(time_zone_names())]


class WeightUnitForm(forms.Form):
    weight_unit = forms.ChoiceField(
        label="Weights in",
        choices=WeightUnit,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose kg or lb."},
    )


class CurrentPasswordForm(forms.Form):
    """The lifter's password, for an action that ends their other sessions or hands out a
    key to their account."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not check_password_throttled(self.request.user, password, self.request):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password


THEME_CHOICES = [
    ("system", "Like the phone"),
    ("light", "Light"),
    ("dark", "Dark"),
]


class ThemeForm(forms.Form):
    theme = forms.ChoiceField(
        label="Colours",
        choices=THEME_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the app looks."},
    )


class ApiTokenForm(CurrentPasswordForm):
    """A new token reaches everything the lifter's login does: it takes their password."""

    name = forms.CharField(
        label="What it is for",
        max_length=ApiToken._meta.get_field("name").max_length,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. phone shortcut", **NO_AUTOCOMPLETE}),
    )
    field_order = ["name", "password"]

    def __init__(self, *args, **kwargs):
        # Settings has another password field (log out everywhere): ids apart.
        kwargs.setdefault("auto_id", "token-%s")
        super().__init__(*args, **kwargs)


def revoke_tokens_field():
    # Ticked by default: whoever changes a password in a hurry wants every key changed.
    return forms.BooleanField(
        label="Revoke my API tokens too",
        required=False,
        initial=True,
        help_text="Scripts and shortcuts using them stop working until you create new ones.",
    )


class LogOutEverywhereForm(CurrentPasswordForm):
    revoke_api_tokens = revoke_tokens_field()


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's form; a wrong old password counts as a failed login."""

    revoke_api_tokens = revoke_tokens_field()

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not check_password_throttled(self.user, old_password, self.request):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


# At the bar (plates.py): what a bar or a plate can weigh, in either unit.
MAX_BAR_WEIGHT = 200
MAX_PLATE_WEIGHT = 100
MAX_PLATE_KINDS = 12


def bar_weight_field(required, help_text):
    return forms.DecimalField(
        label="Bar",
        required=required,
        min_value=0,
        max_value=MAX_BAR_WEIGHT,
        max_digits=6,
        decimal_places=2,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", **NO_AUTOCOMPLETE}),
        error_messages={
            "invalid": "Enter the bar's weight as a number, such as 20.",
            "min_value": "A bar weighs 0 or more.",
            "max_value": f"A bar weighs at most {MAX_BAR_WEIGHT}.",
            "max_decimal_places": "Two decimals at most.",
            "max_digits": f"A bar weighs at most {MAX_BAR_WEIGHT}.",
        },
    )


class BarAndPlatesForm(forms.Form):
    """The lifter's bar and the plates they have, in their unit."""

    bar = bar_weight_field(True, "What your usual barbell weighs.")
    plates = forms.CharField(
        label="Plates",
        max_length=200,
        help_text="Each weight of plate you have (a pair of each), heaviest first or not: "
        "“25 20 15 10 5 2.5 1.25”.",
        widget=forms.TextInput(attrs=NO_AUTOCOMPLETE),
    )

    def clean_plates(self):
        from .plates import PLATE_SEPARATOR

        plates = []
        for part in PLATE_SEPARATOR.split(self.cleaned_data["plates"].strip()):
            try:
                plate = Decimal(part.replace(",", "."))
            except InvalidOperation:
                raise ValidationError(f"“{part[:20]}” is not a plate's weight.") from None
            if not plate.is_finite() or not 0 < plate <= MAX_PLATE_WEIGHT:
                raise ValidationError(
                    f"A plate weighs more than 0 and at most {MAX_PLATE_WEIGHT}: “{part[:20]}”."
                )
            if plate != plate.quantize(Decimal("0.01")):
                raise ValidationError(f"Two decimals at most: “{part[:20]}”.")
            if plate not in plates:
                plates.append(plate)
        if len(plates) > MAX_PLATE_KINDS:
            raise ValidationError(f"{MAX_PLATE_KINDS} weights of plate at most.")
        return tuple(sorted(plates, reverse=True))


class ExerciseBarForm(forms.Form):
    """A bar of the exercise's own (EZ bar, trap bar); empty: the lifter's bar."""

    bar_weight = bar_weight_field(
        False, "For a bar of its own (EZ bar, trap bar); empty: your usual bar (Settings)."
    )


class WarmupRampForm(forms.Form):
    """The lifter's warm-up ramp, as "bar×10, 40%×5, 60%×3, 80%×2"."""

    ramp = forms.CharField(
        label="Warm-up ramp",
        max_length=200,
        help_text="Steps before the working weight, lightest first: “bar×10” is the bar alone, "
        "“60%×3” three reps at 60 % of the working weight (rounded to your plates).",
        widget=forms.TextInput(attrs=NO_AUTOCOMPLETE),
    )

    def clean_ramp(self):
        from .warmups import RampError, ramp_from_text

        try:
            return ramp_from_text(self.cleaned_data["ramp"])
        except RampError as error:
            raise ValidationError(str(error)) from None


class AddWarmupsForm(forms.Form):
    """ "Add warm-ups" on a card: its exercise and the working weight they ramp up to."""

    exercise = forms.CharField(max_length=EXERCISE_MAX_LENGTH)
    weight = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_value=max(PLAUSIBLE_WEIGHT.values()),
        max_digits=8,
        decimal_places=2,
        error_messages={"required": "Enter a working weight first."},
    )


# A bodyweight outside these is a slip of the thumb (or the other unit).
PLAUSIBLE_BODYWEIGHT = {WeightUnit.KG: (20, 350), WeightUnit.LB: (44, 770)}
EARLIEST_BODYWEIGHT_DAY = datetime.date(1900, 1, 1)


class BodyweightForm(forms.Form):
    """The lifter's bodyweight of a day, in their unit (a second of a day replaces it)."""

    weight = forms.DecimalField(
        label="Bodyweight",
        max_digits=6,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", **NO_AUTOCOMPLETE}),
        error_messages={
            "required": "Enter your bodyweight.",
            "invalid": "Enter your bodyweight as a number, such as 80.5.",
            "max_decimal_places": "Two decimals at most.",
            "max_digits": "Enter your bodyweight as a number, such as 80.5.",
        },
    )
    day = forms.DateField(
        label="Day",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a day, such as 2026-12-03."},
    )

    def __init__(self, *args, unit=WeightUnit.LB, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["weight"].help_text = f"In {unit}."
        self.fields["weight"].widget.attrs["placeholder"] = unit

    def clean_weight(self):
        weight = self.cleaned_data["weight"]
        low, high = PLAUSIBLE_BODYWEIGHT[self.unit]
        if not weight.is_finite() or not low <= weight <= high:
            raise ValidationError(f"A bodyweight is between {low} and {high} {self.unit}.")
        return weight

    def clean_day(self):
        day = self.cleaned_data["day"]
        latest = timezone.localdate() + datetime.timedelta(days=DAYS_AHEAD_ALLOWED)
        if day > latest:
            raise ValidationError("That day has not come yet.")
        if day < EARLIEST_BODYWEIGHT_DAY:
            raise ValidationError("Enter a day since 1900.")
        return day
