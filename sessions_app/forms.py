"""Validation for everything a lifter sends, shared by the pages and the JSON API."""

import datetime

from django import forms
from django.utils import timezone

from .models import (
    DEFAULT_TARGET_REPS,
    DEFAULT_TARGET_SETS,
    MAX_ROUTINE_EXERCISES,
    MAX_TARGET_SETS,
    Set,
    SetType,
    TemplateExercise,
    WeightUnit,
    WorkoutTemplate,
)
from .numbers import parse_weight

EXERCISE_MAX_LENGTH = Set._meta.get_field("exercise").max_length
NUMBER_TEXT_MAX_LENGTH = 20
NOTES_MAX_LENGTH = 500
MAX_SET_NUMBER = 100
DAYS_AHEAD_ALLOWED = 1
WORKOUT_NOTE_MAX_LENGTH = 2000
# A weight past this is a typo far more often than a lift: the lifter confirms it first.
PLAUSIBLE_WEIGHT = {WeightUnit.KG: 600, WeightUnit.LB: 1300}
RPE_CHOICES = [("", "–")] + [(f"{n / 2:g}", f"{n / 2:g}") for n in range(12, 21)]
LOGGED_AT_REACH = datetime.timedelta(days=2)
# What the import offers (sessions_app.importers.FORMAT_CHOICES; kept here, as that
# module imports this one).
IMPORT_FORMAT_CHOICES = [
    ("auto", "Tell from the file"),
    ("strong", "Strong"),
    ("hevy", "Hevy"),
    ("workoutlog", "Workout Log"),
]


class RoutineChoiceField(forms.ModelChoiceField):
    """The lifter's routines, chosen by slug; a starter's slug works too (the JSON API
    accepted those before lifters had routines of their own)."""

    def __init__(self, *args, owner=None, **kwargs):
        self.owner = owner
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if routine := WorkoutTemplate.objects.for_start(self.owner, str(value)):
            return routine
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class StartSessionForm(forms.Form):
    """Which routine (`template`, its slug) and day; or `empty`: a workout with no routine."""

    template = RoutineChoiceField(
        queryset=WorkoutTemplate.objects.none(),
        to_field_name="slug",
        empty_label=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "There is no workout template with that name."},
    )
    empty = forms.BooleanField(required=False, help_text="Start a workout with no routine.")
    date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave as today, or pick the day of a workout you are entering late.",
    )

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        field.owner = owner
        field.queryset = WorkoutTemplate.objects.owned_by(owner)
        # The radios ask for a choice, except for the "empty workout" button.
        field.widget.attrs["required"] = True

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


ROUTINE_NAME_MAX_LENGTH = WorkoutTemplate._meta.get_field("name").max_length
MAX_REST_SECONDS = 60 * 60
TARGET_REPS_MAX_LENGTH = TemplateExercise._meta.get_field("target_reps").max_length
NUMBER_INPUT = {"inputmode": "numeric"}


class RoutineForm(forms.ModelForm):
    """A routine's name and its default rest."""

    rest_seconds = forms.IntegerField(
        label="Rest (s)",
        min_value=0,
        max_value=MAX_REST_SECONDS,
        widget=forms.NumberInput(attrs=NUMBER_INPUT),
        help_text="Between sets, for exercises without their own.",
    )

    class Meta:
        model = WorkoutTemplate
        fields = ["name", "rest_seconds"]
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "off"})}


class NewRoutineForm(forms.Form):
    name = forms.CharField(
        max_length=ROUTINE_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "Push day"}),
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
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text='"5", "8-12", "60s"…',
    )
    rest_seconds = forms.IntegerField(
        label="Rest (s)",
        required=False,
        min_value=0,
        max_value=MAX_REST_SECONDS,
        widget=forms.NumberInput(attrs=NUMBER_INPUT),
    )

    class Meta:
        model = TemplateExercise
        fields = ["target_sets", "target_reps", "rest_seconds"]


# Bound with a routine fetched for its owner: only that routine's rows can be edited.
TargetsFormSet = forms.inlineformset_factory(
    WorkoutTemplate, TemplateExercise, form=TargetsForm, extra=0, can_delete=False
)


class NewExerciseForm(TargetsForm):
    """An exercise to add to a routine, with its targets."""

    name = forms.CharField(
        label="Exercise",
        max_length=EXERCISE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "exercise-names"}),
        error_messages={"required": "Type the exercise's name."},
    )

    class Meta(TargetsForm.Meta):
        fields = ["name", "target_sets", "target_reps", "rest_seconds"]

    def __init__(self, *args, routine, **kwargs):
        kwargs.setdefault(
            "initial", {"target_sets": DEFAULT_TARGET_SETS, "target_reps": DEFAULT_TARGET_REPS}
        )
        super().__init__(*args, prefix="new", **kwargs)
        self.routine = routine
        self.use_required_attribute = False  # the form is also sent to save the others

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        names = {exercise.name.casefold() for exercise in self.routine.exercises.all()}
        if name.casefold() in names:
            raise forms.ValidationError(f"{name} is in this routine already.")
        if len(names) >= MAX_ROUTINE_EXERCISES:
            raise forms.ValidationError(f"A routine holds up to {MAX_ROUTINE_EXERCISES} exercises.")
        return name


class SaveAsRoutineForm(forms.Form):
    name = forms.CharField(
        label="Routine name",
        max_length=ROUTINE_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


SET_NUMBER_ERRORS = {
    "min_value": "1 or more.",
    "max_value": f"At most {MAX_SET_NUMBER}.",
    "invalid": "Enter a whole number.",
}


class SetForm(forms.Form):
    """One set: what the page form and `PUT /api/session/log-set` both accept."""

    exercise = forms.CharField(max_length=EXERCISE_MAX_LENGTH)
    set_number = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_SET_NUMBER,
        error_messages=SET_NUMBER_ERRORS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    weight = forms.CharField(
        label="Weight (lb)",
        max_length=NUMBER_TEXT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "lb or BW"}
        ),
        help_text='A number, or "BW" (bodyweight), "BW+25"; text such as "2x20" is kept as typed.',
    )
    reps = forms.CharField(
        max_length=NUMBER_TEXT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    notes = forms.CharField(
        max_length=NOTES_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    set_type = forms.ChoiceField(label="Type", choices=SetType, required=False)
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
    unit = forms.ChoiceField(choices=WeightUnit, required=False)
    log_as_is = forms.BooleanField(
        label="Log as typed",
        required=False,
        help_text="For a set without reps (a hold) or an unusual weight (assisted: negative).",
    )
    key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # When the set was done, if it was sent later (the phone's offline queue).
    logged_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, unit=WeightUnit.LB, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_unit = unit if unit in WeightUnit.values else WeightUnit.LB
        self.fields["weight"].label = f"Weight ({self.default_unit})"

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
        return self.cleaned_data["unit"] or self.default_unit

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_warmup") and not cleaned.get("set_type"):
            cleaned["set_type"] = SetType.WARMUP
        cleaned["set_type"] = cleaned.get("set_type") or SetType.WORKING
        cleaned.pop("is_warmup", None)
        if not cleaned.pop("log_as_is", False):
            self.check_plausible(cleaned)
        return cleaned

    def check_plausible(self, cleaned):
        """Ask before storing what is most likely a slip of the thumb."""
        weight, reps = cleaned.get("weight"), cleaned.get("reps")
        if not weight and not reps and not self.has_error("reps"):
            self.add_error("reps", "Enter the reps for this set.")
        elif weight and not reps and not self.has_error("reps"):
            self.add_error(
                "reps", 'Enter the reps, or tick "Log as typed" for a set without reps (a hold).'
            )
        number = parse_weight(weight or "")
        unit = cleaned.get("unit") or self.default_unit
        if number is not None and not self.has_error("weight"):
            if number < 0:
                self.add_error(
                    "weight",
                    'A negative weight? For an assisted exercise tick "Log as typed"; '
                    "it is not counted in volume.",
                )
            elif number > PLAUSIBLE_WEIGHT[unit]:
                self.add_error(
                    "weight",
                    f"More than {PLAUSIBLE_WEIGHT[unit]:,} {unit}? Check the number, "
                    'or tick "Log as typed".',
                )


class EditSetForm(SetForm):
    """Fixing a logged set: the same fields, and the set number is required."""

    logged_at = None
    set_number = forms.IntegerField(
        min_value=1,
        max_value=MAX_SET_NUMBER,
        error_messages=SET_NUMBER_ERRORS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    key = None

    # What fixing a set can change: form field and the set's attribute alike.
    EDITED = ("exercise", "set_number", "weight", "reps", "notes", "set_type", "rpe", "unit")

    @classmethod
    def for_set(cls, workout_set, data=None):
        initial = {name: getattr(workout_set, name) for name in cls.EDITED}
        return cls(
            data=data, initial=initial, prefix=f"set-{workout_set.pk}", unit=workout_set.unit
        )

    def apply_to(self, workout_set):
        for name in self.EDITED:
            setattr(workout_set, name, self.cleaned_data[name])
        workout_set.save(update_fields=self.EDITED)


class WorkoutNoteForm(forms.Form):
    note = forms.CharField(
        label="Workout note",
        max_length=WORKOUT_NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "How did it go? Sleep, pain…"}),
    )


class SessionRefForm(forms.Form):
    """Which workout an API call means; empty means the lifter's active one."""

    session_id = forms.CharField(max_length=80, required=False)


class ApiSetForm(SetForm, SessionRefForm):
    """`PUT /api/session/log-set`: the page's set form, and which workout it goes to."""


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
        label="Exported by", choices=IMPORT_FORMAT_CHOICES, initial="auto", required=False
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
