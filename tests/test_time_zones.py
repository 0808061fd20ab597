"""Each lifter's own time zone: "today", every date and time shown, the sheet's and the
CSV's times, the API's, and the times of an imported file; never part of a set's key."""

import datetime
import json
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import ApiToken, LifterProfile, Set, Workout
from sessions_app.time_zones import SESSION_KEY
from sync_app.push import run_sync
from tests.helpers import exported_rows, set_data
from tests.import_helpers import fixture_bytes, run_import, write_file
from tests.sync_helpers import data_rows

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# 04:00 in London (the server's UTC) is 21:00 the evening before in Los Angeles (PDT),
# and 13:00 the same day in Tokyo.
INSTANT = datetime.datetime(2026, 3, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
def at_instant(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: INSTANT)


def lifter_in(zone_name, user):
    LifterProfile.save_time_zone(user.pk, zone_name)
    client = Client()
    client.force_login(user)
    return client


def test_two_lifters_in_two_zones_each_get_their_own_today(alice, bob, lower1, at_instant):
    assert timezone.localdate() == datetime.date(2026, 3, 10)  # the server's
    in_los_angeles = lifter_in("America/Los_Angeles", alice)
    in_tokyo = lifter_in("Asia/Tokyo", bob)

    in_los_angeles.post(reverse("start_session"), {"template": "lower1"})
    in_tokyo.post(reverse("start_session"), {"template": "lower1"})

    assert Workout.objects.get(owner=alice).date == datetime.date(2026, 3, 9)
    assert Workout.objects.get(owner=bob).date == datetime.date(2026, 3, 10)
    alices = in_los_angeles.get(Workout.objects.get(owner=alice).get_absolute_url())
    assert "Mon 9 Mar" in alices.content.decode()


def test_a_day_ahead_is_refused_in_the_lifters_own_calendar(alice, lower1, at_instant):
    client = lifter_in("America/Los_Angeles", alice)
    response = client.post(reverse("start_session"), {"template": "lower1", "date": "2026-03-11"})
    assert "A workout cannot be logged for a day in the future." in response.content.decode()
    client.post(reverse("start_session"), {"template": "lower1", "date": "2026-03-10"})
    assert Workout.objects.get().date == datetime.date(2026, 3, 10)  # tomorrow, allowed


def test_the_browser_says_the_zone_the_first_time_only(alice, alice_client):
    home = alice_client.get(reverse("home")).content.decode()
    assert "sessions_app/time-zone.js" in home  # asks, until it is known
    url = reverse("browser_time_zone")
    assert alice_client.post(url, {"time_zone": "America/Los_Angeles"}).status_code == 204
    assert alice_client.post(url, {"time_zone": "Europe/Paris"}).status_code == 204
    assert alice_client.post(url, {"time_zone": "Mars/Olympus"}).status_code == 204
    assert LifterProfile.objects.get(user=alice).time_zone == "America/Los_Angeles"
    assert "time-zone.js" not in alice_client.get(reverse("home")).content.decode()


def test_the_zone_is_shown_and_changed_in_settings(alice, alice_client):
    page = alice_client.get(reverse("account_settings")).content.decode()
    assert '<option value="UTC" selected>UTC</option>' in page
    assert "Not chosen yet: the instance's (UTC)" in page
    response = alice_client.post(
        reverse("choose_time_zone"), {"time_zone": "Asia/Tokyo"}, follow=True
    )
    assert "Your time zone is Asia/Tokyo" in response.content.decode()
    assert '<option value="Asia/Tokyo" selected>' in response.content.decode()
    assert LifterProfile.objects.get(user=alice).time_zone == "Asia/Tokyo"
    refused = alice_client.post(reverse("choose_time_zone"), {"time_zone": "Nowhere/Land"})
    assert "Choose a time zone from the list." in refused.content.decode()
    assert LifterProfile.objects.get(user=alice).time_zone == "Asia/Tokyo"


def test_a_zone_changed_on_another_phone_is_followed_within_minutes(alice, lower1, at_instant):
    phone = lifter_in("America/Los_Angeles", alice)
    phone.post(reverse("start_session"), {"template": "lower1"})
    Workout.objects.all().delete()
    LifterProfile.save_time_zone(alice.pk, "Asia/Tokyo")  # on the laptop
    session = phone.session
    session[SESSION_KEY] = [session[SESSION_KEY][0], session[SESSION_KEY][1] - 601]
    session.save()
    phone.post(reverse("start_session"), {"template": "lower1"})
    assert Workout.objects.get().date == datetime.date(2026, 3, 10)


def test_the_sheet_and_the_csv_say_times_in_the_lifters_zone(sheets, alice, lower1):
    LifterProfile.save_time_zone(alice.pk, "America/Los_Angeles")
    workout = Workout.start(alice, lower1, datetime.date(2026, 3, 9))
    done_at = datetime.datetime(2026, 3, 10, 4, 5, 6, tzinfo=UTC)
    workout.log_set("Back Squat", "225", "5", logged_at=done_at)
    workout.complete()
    run_sync()
    (row,) = data_rows(sheets)
    assert (row[0], row[8]) == ("2026-03-09", "2026-03-09 21:05:06-07:00")
    client = lifter_in("America/Los_Angeles", alice)
    (header, exported) = exported_rows(client.get(reverse("export_csv")))
    assert exported[8] == "2026-03-09 21:05:06-07:00"


def test_the_api_answers_in_the_lifters_zone_and_starts_their_today(alice, lower1, at_instant):
    LifterProfile.save_time_zone(alice.pk, "America/Los_Angeles")
    api = Client(headers={"Authorization": f"Bearer {ApiToken.issue(alice)}"})

    def call(path, body):
        response = api.post(
            f"/api/session/{path}", json.dumps(body), content_type="application/json"
        )
        return response.json()

    started = call("start", {"template": "lower1"})
    assert started["session"]["date"] == "2026-03-09"
    los_angeles = zoneinfo.ZoneInfo("America/Los_Angeles")
    created = Workout.objects.get().created_at
    assert started["session"]["created_at"] == created.astimezone(los_angeles).isoformat()
    logged = call("log-set", {"exercise": "Back Squat", "weight": "225", "reps": "5"})
    stored = Set.objects.get().created_at
    assert logged["set"]["created_at"] == stored.astimezone(los_angeles).isoformat()


def test_an_imported_files_times_are_the_lifters_local_times(alice, tmp_path):
    LifterProfile.save_time_zone(alice.pk, "America/Los_Angeles")
    run_import(write_file(tmp_path, fixture_bytes("hevy_kg.csv")), "alice")
    workout = Workout.objects.get()
    # "5 Mar 2024, 18:00" in Los Angeles (PST) is 02:00 the next day in UTC.
    assert workout.date == datetime.date(2024, 3, 5)
    assert workout.created_at == datetime.datetime(2024, 3, 6, 2, 0, tzinfo=UTC)


def test_keys_of_imported_sets_depend_on_no_zone(alice, tmp_path, settings):
    """The server's zone changed and the lifter's too: the same file adds nothing."""
    path = write_file(tmp_path, fixture_bytes("strong.csv"))
    run_import(path, "alice", "--unit", "kg")
    dates = sorted(Workout.objects.values_list("date", flat=True))
    settings.TIME_ZONE = "America/Los_Angeles"
    LifterProfile.save_time_zone(alice.pk, "Asia/Tokyo")

    output = run_import(path, "alice", "--unit", "kg")

    assert "Imported 0 set(s) in 0 workout(s)" in output and "10 already here" in output
    assert Set.objects.count() == 10 and Workout.objects.count() == 2
    assert sorted(Workout.objects.values_list("date", flat=True)) == dates


def test_dates_are_the_files_under_any_zone(alice, bob, tmp_path):
    LifterProfile.save_time_zone(alice.pk, "Pacific/Kiritimati")  # UTC+14
    LifterProfile.save_time_zone(bob.pk, "Pacific/Pago_Pago")  # UTC-11
    path = write_file(tmp_path, fixture_bytes("strong.csv"))
    run_import(path, "alice", "--unit", "kg")
    run_import(path, "bob", "--unit", "kg")
    for lifter in (alice, bob):
        dates = sorted(Workout.objects.filter(owner=lifter).values_list("date", flat=True))
        assert dates == [datetime.date(2025, 3, 4), datetime.date(2025, 3, 6)]


def test_the_lifters_zone_is_checked_against_the_systems_names(alice):
    assert LifterProfile.zone_of(alice.pk) == zoneinfo.ZoneInfo("UTC")
    LifterProfile.save_time_zone(alice.pk, "Europe/Paris")
    assert LifterProfile.zone_of(alice.pk) == zoneinfo.ZoneInfo("Europe/Paris")


def test_logging_a_set_reads_no_profile_for_the_zone(
    alice_client, alice_workout, django_assert_num_queries
):
    """The zone rides in the session: the tick costs what it did (session, user, insert)."""
    url = reverse("log_set", args=[alice_workout.pk])
    with django_assert_num_queries(5):
        alice_client.post(url, set_data("Back Squat", "225", "5"), headers={"HX-Request": "true"})
