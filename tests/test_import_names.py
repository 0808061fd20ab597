"""The exercise names of an export and the lifter's own exercises: proposed matches (the
same name, or the same once the equipment is set aside, when the equipment says the
exercise's kind), confirmed or changed before importing, remembered for the next time;
the same through the command's --map and --dry-run."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError
from django.urls import reverse

from sessions_app.models import Exercise, ImportBatch, Set, Workout
from tests.helpers import exercise_for
from tests.import_helpers import fixture_bytes, run_import, work_on_imports, write_file

pytestmark = pytest.mark.django_db


def choices_of(batch):
    return {
        choice["name"]: (choice["proposal"], choice["why"]) for choice in batch.preview["names"]
    }


def previewed(client, content, name="export.csv", unit="kg"):
    file = SimpleUploadedFile(name, content, "text/csv")
    location = client.post(reverse("import_workouts"), {"file": file, "unit": unit})["Location"]
    work_on_imports()
    return ImportBatch.objects.get(status="ready"), location


def field_for(batch, name):
    names = [choice["name"] for choice in batch.preview["names"]]
    return f"name-{names.index(name)}"


@pytest.fixture
def alices_exercises(alice):
    """What alice logs: "Bench Press" (a barbell's, by its name) and "Squat" (no kind)."""
    return {name: exercise_for(alice, name) for name in ("Bench Press", "Squat")}


def test_the_preview_proposes_the_lifters_exercise_for_each_name(
    alice, alice_client, alices_exercises
):
    batch, location = previewed(alice_client, fixture_bytes("strong.csv"))
    assert choices_of(batch) == {
        "Bench Press (Barbell)": ("Bench Press", "the same name without the equipment"),
        "Plank": ("", ""),
        "Running": ("", ""),
        "Squat (Barbell)": ("Squat", "the same name without the equipment"),
    }
    page = alice_client.get(location).content.decode()
    field = field_for(batch, "Bench Press (Barbell)")
    assert f'name="{field}" value="Bench Press" list="your-exercises"' in page
    assert '<option value="Squat">' in page  # the lifter's exercises to pick from


def test_equipment_that_says_another_kind_is_not_proposed(alice, alice_client, alices_exercises):
    content = fixture_bytes("strong.csv").replace(
        b"Bench Press (Barbell)", b"Bench Press (Dumbbell)"
    )
    batch, _ = previewed(alice_client, content)
    assert choices_of(batch)["Bench Press (Dumbbell)"] == ("", "")


def test_the_lifters_choices_decide_where_the_sets_go(alice, alice_client, alices_exercises):
    batch, _ = previewed(alice_client, fixture_bytes("strong.csv"))
    choices = {
        field_for(batch, "Bench Press (Barbell)"): "Bench Press (Barbell)",  # kept as its own
        field_for(batch, "Squat (Barbell)"): "squat",  # theirs, however typed
        field_for(batch, "Plank"): "Front Plank",  # a new name
        field_for(batch, "Running"): "",  # empty: the file's name
    }
    alice_client.post(reverse("import_confirm", args=[batch.pk]), choices)
    work_on_imports()
    names = sorted(set(Set.objects.values_list("exercise_name", flat=True)))
    assert names == ["Bench Press (Barbell)", "Front Plank", "Running", "Squat"]
    assert Set.objects.filter(exercise=alices_exercises["Squat"]).count() == 4
    assert not Set.objects.filter(exercise=alices_exercises["Bench Press"]).exists()


def test_the_choices_are_remembered_for_the_next_import(alice, alice_client, alices_exercises):
    batch, _ = previewed(alice_client, fixture_bytes("strong.csv"))
    alice_client.post(
        reverse("import_confirm", args=[batch.pk]),
        {
            field_for(batch, "Bench Press (Barbell)"): "Bench Press (Barbell)",
            field_for(batch, "Plank"): "Front Plank",
            field_for(batch, "Squat (Barbell)"): "Squat",
            field_for(batch, "Running"): "Running",
        },
    )
    work_on_imports()
    Set.objects.all().delete()
    Workout.objects.all().delete()
    batch, _ = previewed(alice_client, fixture_bytes("strong.csv"))
    assert choices_of(batch) == {
        "Bench Press (Barbell)": ("Bench Press (Barbell)", "your choice last time"),
        "Plank": ("Front Plank", "your choice last time"),
        "Running": ("Running", "your choice last time"),
        "Squat (Barbell)": ("Squat", "your choice last time"),
    }


def test_an_exercise_of_no_kind_takes_the_kind_the_equipment_says(
    alice, alice_client, alices_exercises
):
    assert alices_exercises["Squat"].kind == "other"
    batch, _ = previewed(alice_client, fixture_bytes("strong.csv"))
    alice_client.post(reverse("import_confirm", args=[batch.pk]))  # as proposed
    work_on_imports()
    assert Exercise.objects.get(pk=alices_exercises["Squat"].pk).kind == "barbell"


def test_a_choice_with_a_control_character_is_refused_on_the_page(
    alice, alice_client, alices_exercises
):
    batch, _ = previewed(alice_client, fixture_bytes("strong.csv"))
    field = field_for(batch, "Plank")
    response = alice_client.post(reverse("import_confirm", args=[batch.pk]), {field: "Pl\x07ank"})
    assert "Control characters are not allowed." in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "ready" and not Set.objects.exists()


def test_the_commands_dry_run_prints_the_proposals(alice, alices_exercises, tmp_path):
    output = run_import(
        write_file(tmp_path, fixture_bytes("strong.csv")), "alice", "--unit", "kg", "--dry-run"
    )
    assert (
        "Exercise names of the file → yours:\n"
        "  Bench Press (Barbell) (4 sets) → Bench Press (the same name without the equipment)\n"
        "  Plank (1 sets) → itself (a new exercise)\n"
        "  Running (1 sets) → itself (a new exercise)\n"
        "  Squat (Barbell) (4 sets) → Squat (the same name without the equipment)\n"
    ) in output
    assert not Set.objects.exists()


def test_the_command_takes_choices_from_a_map(alice, alices_exercises, tmp_path):
    choices = write_file(
        tmp_path, "Bench Press (Barbell),Bench Press (Barbell)\nPlank,Front Plank\n", "map.csv"
    )
    output = run_import(
        write_file(tmp_path, fixture_bytes("strong.csv")),
        "alice",
        "--unit",
        "kg",
        "--map",
        str(choices),
    )
    assert "  Plank (1 sets) → Front Plank (as --map says)" in output
    assert "  Squat (Barbell) (4 sets) → Squat (the same name without the equipment)" in output
    names = sorted(set(Set.objects.values_list("exercise_name", flat=True)))
    assert names == ["Bench Press (Barbell)", "Front Plank", "Running", "Squat"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Plank,Front Plank,extra\n", "map.csv, line 1: two columns are needed"),
        ("Plank,Fr\x00ont\n", "map.csv, line 1: “Fr\x00ont” is not an exercise name"),
        (b"\xff\xfe", "map.csv is not a UTF-8 CSV file."),
    ],
)
def test_a_map_that_cannot_be_read_is_refused_in_one_line(alice, tmp_path, content, message):
    choices = write_file(tmp_path, content, "map.csv")
    with pytest.raises(CommandError, match=message):
        run_import(
            write_file(tmp_path, fixture_bytes("strong.csv")), "alice", "--map", str(choices)
        )
    assert not Set.objects.exists()
