"""Validation for everything a lifter sends, shared by the pages and the JSON API."""

import datetime

from django import forms
from django.utils import timezone

from .models import Set, WorkoutTemplate

EXERCISE_MAX_LENGTH = Set._meta.get_field("exercise").max_length
NUMBER_TEXT_MAX_LENGTH = 20
NOTES_MAX_LENGTH = 500
MAX_SET_NUMBER = 100
DAYS_AHEAD_ALLOWED = 1
LOGGED_AT_REACH = datetime.timedelta(days=2)


class StartSessionForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=WorkoutTemplate.objects.all(),
        to_field_name="slug",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "There is no workout template with that name."},
    )
    date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave as today, or pick the day of a workout you are entering late.",
    )

    def clean_date(self):
        date = self.cleaned_data["date"] or timezone.localdate()
        if (date - timezone.localdate()).days > DAYS_AHEAD_ALLOWED:
            raise forms.ValidationError("A workout cannot be logged for a day in the future.")
        return date


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
    is_warmup = forms.BooleanField(label="Warm-up", required=False)
    key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # When the set was done, if it was sent later (the phone's offline queue).
    logged_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def clean_logged_at(self):
        """A time from the phone, kept within the last two days and never in the future."""
        logged_at, now = self.cleaned_data["logged_at"], timezone.now()
        if logged_at is None or logged_at > now or now - logged_at > LOGGED_AT_REACH:
            return None
        return logged_at

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("weight") and not cleaned.get("reps") and not self.has_error("reps"):
            self.add_error("reps", "Enter the reps (or the weight) for this set.")
        return cleaned


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

    @classmethod
    def for_set(cls, workout_set, data=None):
        initial = {
            "exercise": workout_set.exercise,
            "set_number": workout_set.set_number,
            "weight": workout_set.weight_lbs,
            "reps": workout_set.reps,
            "notes": workout_set.notes,
            "is_warmup": workout_set.is_warmup,
        }
        return cls(data=data, initial=initial, prefix=f"set-{workout_set.pk}")

    def apply_to(self, workout_set):
        data = self.cleaned_data
        workout_set.exercise = data["exercise"]
        workout_set.set_number = data["set_number"]
        workout_set.weight_lbs = data["weight"]
        workout_set.reps = data["reps"]
        workout_set.notes = data["notes"]
        workout_set.is_warmup = data["is_warmup"]
        workout_set.save(
            update_fields=["exercise", "set_number", "weight_lbs", "reps", "notes", "is_warmup"]
        )


class SessionRefForm(forms.Form):
    """Which workout an API call means; empty means the lifter's active one."""

    session_id = forms.CharField(max_length=80, required=False)


class ApiSetForm(SetForm, SessionRefForm):
    """`PUT /api/session/log-set`: the page's set form, and which workout it goes to."""
