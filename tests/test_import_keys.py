"""Imported sets' keys: derived with the instance's secret (nobody computes another
lifter's), the same whatever time zone, and sets imported under an earlier rule are
still recognised, among the lifter's own sets only."""

import uuid

import pytest

from sessions_app.importers import ImportedSet
from sessions_app.models import Set, Workout
from tests.import_helpers import fixture_bytes, read_export, run_import, write_file

pytestmark = pytest.mark.django_db

# The constant the keys were derived from before (it is in the old source, so anyone
# could compute them: issue 23).
CONSTANT_BEFORE = uuid.UUID("8a0f3c9e-7d43-4a8f-9a57-6f2b1d0e4c21")


def key_before_secrets(owner_id):
    """The first line of strong.csv under the rule before: uuid5(constant, "owner|content|n"),
    the content with the start time in the server's zone (UTC here), with its offset."""
    content = "strong|2025-03-04T18:12:09+00:00|Push Day|Bench Press (Barbell)|W|40|10|0|0||None"
    return uuid.uuid5(CONSTANT_BEFORE, f"{owner_id}|{content}|1")


def sets_of(content, owner_id):
    return [r for r in read_export(content, owner_id) if isinstance(r, ImportedSet)]


def test_keys_cannot_be_computed_from_the_source(alice):
    first = sets_of(fixture_bytes("strong.csv"), alice.pk)[0]
    assert first.key != key_before_secrets(alice.pk)
    assert key_before_secrets(alice.pk) in first.earlier_keys  # still looked for


def test_keys_depend_on_the_instances_secret(alice, settings):
    mine = [s.key for s in sets_of(fixture_bytes("strong.csv"), alice.pk)]
    settings.SECRET_KEY = "another instance's secret key, fifty characters long!"
    theirs = [s.key for s in sets_of(fixture_bytes("strong.csv"), alice.pk)]
    assert not set(mine) & set(theirs)


def test_a_file_imported_before_keys_had_a_secret_imports_nothing_again(alice, tmp_path):
    path = write_file(tmp_path, fixture_bytes("strong.csv"))
    run_import(path, "alice", "--unit", "kg")
    # As the version before stored them: every set under its key of the rule before.
    for imported in sets_of(fixture_bytes("strong.csv"), alice.pk):
        stored = Set.objects.get(key=imported.key)
        stored.key = imported.earlier_keys[-1]
        stored.save(update_fields=["key"])
    assert Set.objects.filter(key=key_before_secrets(alice.pk)).exists()

    output = run_import(path, "alice", "--unit", "kg")

    assert "Imported 0 set(s) in 0 workout(s)" in output and "10 already here" in output
    assert Set.objects.count() == 10


def test_another_lifters_claim_on_a_key_of_the_rule_before_blocks_nothing(
    alice, bob, lower1, tmp_path
):
    """Bob computes alice's key of the rule before and logs a set with it first."""
    bobs = Workout.start(bob, lower1)
    bobs.log_set("Bench Press (Barbell)", "40", "10", key=key_before_secrets(alice.pk))
    output = run_import(write_file(tmp_path, fixture_bytes("strong.csv")), "alice", "--unit", "kg")
    assert "Imported 10 set(s)" in output and "another lifter" not in output
    assert Set.objects.filter(workout__owner=alice).count() == 10
    assert bobs.sets.get().key == key_before_secrets(alice.pk)  # his, untouched


def test_a_new_secret_key_with_the_old_one_kept_recognises_the_sets(alice, tmp_path, settings):
    path = write_file(tmp_path, fixture_bytes("hevy_kg.csv"))
    old_secret = "the instance's first secret key, fifty characters long."
    settings.SECRET_KEY = old_secret
    run_import(path, "alice")
    settings.SECRET_KEY = "the instance's next secret key, fifty characters long!!"
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    assert "Imported 0 set(s)" in run_import(path, "alice")
    assert Set.objects.count() == 5


def test_the_same_file_for_two_lifters_gets_keys_apart(alice, bob):
    alices = {s.key for s in sets_of(fixture_bytes("strong.csv"), alice.pk)}
    bobs = {s.key for s in sets_of(fixture_bytes("strong.csv"), bob.pk)}
    assert not alices & bobs


def test_a_key_of_the_rule_before_found_in_a_workout_of_the_lifters_takes_the_others_in(
    alice, tmp_path
):
    """A set imported then, and the rest of its workout in a longer file now: one workout."""
    lines = fixture_bytes("strong.csv").decode().splitlines(keepends=True)
    run_import(write_file(tmp_path, "".join(lines[:2]), "first.csv"), "alice", "--unit", "kg")
    Set.objects.update(key=key_before_secrets(alice.pk))
    run_import(write_file(tmp_path, "".join(lines[:4]), "longer.csv"), "alice", "--unit", "kg")
    workout = Workout.objects.get()
    assert [(s.set_type, s.set_number, s.weight) for s in workout.sets.order_by("pk")] == [
        ("warmup", 1, "40"),
        ("working", 1, "80"),
        ("working", 2, "82.5"),
    ]
