"""The Import page: upload an export, the worker reads it, preview it, confirm, the
worker imports it; plain forms throughout, the progress polled."""

import datetime
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions_app.forms import IMPORT_MAX_BYTES
from sessions_app.models import ImportBatch, LifterProfile, Set, Workout
from sessions_app.tasks import clean_imports
from tests.conftest import queued_task_count
from tests.helpers import HTMX
from tests.import_helpers import fixture_bytes, work_on_imports

pytestmark = pytest.mark.django_db

UPLOAD = reverse("import_workouts")


def upload(client, content, name="strong.csv", unit="kg", **fields):
    data = {"file": SimpleUploadedFile(name, content, "text/csv"), "unit": unit, **fields}
    return client.post(UPLOAD, data)


def uploaded_and_read(client, content, name="strong.csv", **fields):
    """Upload, and the worker reads it: the preview's address."""
    location = upload(client, content, name, **fields)["Location"]
    work_on_imports()
    return location


def confirm(client, batch=None, **choices):
    batch = batch or ImportBatch.objects.get(status="ready")
    response = client.post(reverse("import_confirm", args=[batch.pk]), choices)
    work_on_imports()
    return response


def text_of(response):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_it_requires_login(client):
    response = client.get(UPLOAD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_history_links_to_the_import_page(alice_client):
    assert f'href="{UPLOAD}"' in alice_client.get(reverse("history")).content.decode()


def test_the_form_works_without_javascript_and_starts_from_the_lifters_unit(alice, alice_client):
    LifterProfile.objects.update_or_create(user=alice, defaults={"weight_unit": "kg"})
    page = alice_client.get(UPLOAD).content.decode()
    assert f'action="{UPLOAD}" enctype="multipart/form-data"' in page
    assert re.search(r'<input type="radio" name="unit" value="kg"[^>]*checked', page)


def test_the_page_says_what_one_file_may_hold(alice_client, settings):
    settings.IMPORT_MAX_SETS, settings.IMPORT_MAX_WORKOUTS = 400_000, 15_000
    page = text_of(alice_client.get(UPLOAD))
    assert (
        "One file holds at most 20 MB, 400,000 sets and 15,000 workouts (1,000 sets in one "
        "workout)" in page
    )


def test_an_upload_is_kept_for_the_worker_and_the_page_follows_it(alice, alice_client):
    response = upload(alice_client, fixture_bytes("strong.csv"))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import_preview", args=[batch.pk])
    # The request kept the file, compressed, and read none of it.
    assert (batch.status, batch.rows, batch.preview) == ("waiting", None, {})
    assert len(batch.upload) < len(fixture_bytes("strong.csv"))
    page = alice_client.get(response["Location"])
    assert "Waiting for the background worker to read the file" in text_of(page)
    assert '<meta http-equiv="refresh" content="2">' in page.content.decode()  # no JS
    poll = alice_client.get(response["Location"] + "?progress=1", headers=HTMX)
    assert 'hx-trigger="every 2s"' in poll.content.decode()
    assert "<html" not in poll.content.decode()

    work_on_imports()

    done = alice_client.get(response["Location"] + "?progress=1", headers=HTMX)
    assert done["HX-Refresh"] == "true"  # the poll ends: the whole page changes
    assert "Check before importing" in text_of(alice_client.get(response["Location"]))
    batch.refresh_from_db()
    assert batch.upload is None and batch.rows  # the file is gone; what was read stays


def test_the_reading_and_the_import_are_queued_for_the_worker(
    alice, alice_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(alice_client, fixture_bytes("strong.csv"))
    assert queued_task_count() == 1
    work_on_imports()
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(reverse("import_confirm", args=[ImportBatch.objects.get().pk]))
    assert queued_task_count() == 2


def test_the_preview_shows_what_the_file_holds_and_stores_nothing(alice, alice_client):
    page = text_of(alice_client.get(uploaded_and_read(alice_client, fixture_bytes("strong.csv"))))
    assert not Set.objects.exists()
    assert "Workouts 2 Sets 10 Skipped 1" in page
    assert "From Strong Weights in kg · wrong? upload again Dates 4 Mar 2025 – 6 Mar 2025" in page
    assert (
        "Tue 4 Mar 2025 · Push Day Bench Press (Barbell) 40 kg × 10 warm-up "
        'Bench Press (Barbell) 80 kg × 5 Paused, "competition" style' in page
    )
    assert "Plank time 1:00 Thu 6 Mar 2025 · Leg Day" not in page  # only the first 5 sets
    assert "Line 5: a Rest Timer row, not a set" in page
    assert "Import 10 sets" in page


def test_confirming_imports_through_the_worker_and_shows_the_summary(alice, alice_client):
    batch_url = uploaded_and_read(alice_client, fixture_bytes("strong.csv"))
    batch = ImportBatch.objects.get()
    response = alice_client.post(reverse("import_confirm", args=[batch.pk]))
    assert response["Location"] == batch_url
    batch.refresh_from_db()
    assert batch.status == "importing" and not Set.objects.exists()
    page = text_of(alice_client.get(batch_url))
    assert "Importing… 0 of 10 sets stored." in page
    assert "Nothing shows in your history until every set is in" in page

    work_on_imports()

    assert Set.objects.filter(workout__owner=alice).count() == 10
    assert Workout.objects.filter(owner=alice, status="completed").count() == 2
    batch.refresh_from_db()
    assert (batch.status, batch.rows) == ("imported", None)  # nothing read is kept after
    page = text_of(alice_client.get(batch_url))
    assert "Imported" in page and "Workouts 2 Sets 10" in page
    assert "See your history" in page


def test_confirming_twice_imports_once(alice, alice_client):
    uploaded_and_read(alice_client, fixture_bytes("strong.csv"))
    batch = ImportBatch.objects.get()
    alice_client.post(reverse("import_confirm", args=[batch.pk]))
    alice_client.post(reverse("import_confirm", args=[batch.pk]))
    work_on_imports()
    work_on_imports()
    assert Set.objects.count() == 10


def test_a_file_already_imported_previews_as_nothing_new(alice, alice_client):
    uploaded_and_read(alice_client, fixture_bytes("hevy_kg.csv"), "hevy.csv")
    confirm(alice_client)
    preview = uploaded_and_read(alice_client, fixture_bytes("hevy_kg.csv"), "hevy.csv")
    page = text_of(alice_client.get(preview))
    assert "Workouts 0 Sets 0" in page
    assert "Already here 5 sets" in page
    assert "This file holds nothing new to import." in page
    assert "Import 0" not in page


def test_the_chosen_unit_is_the_one_stored(alice, alice_client):
    uploaded_and_read(alice_client, fixture_bytes("strong.csv"), unit="lb")
    confirm(alice_client)
    assert set(Set.objects.values_list("unit", flat=True)) == {"lb"}


def test_a_broken_file_is_refused_naming_the_line(alice, alice_client):
    content = fixture_bytes("strong.csv") + b"soon,Push Day,1h,Bench,1,80,5,0,0,,,\n"
    page = text_of(alice_client.get(uploaded_and_read(alice_client, content)))
    assert "Not imported" in page
    assert "Nothing was imported: 1 line(s) cannot be read. Line 14: “soon” is not a date" in page
    assert ImportBatch.objects.get().status == "refused"
    assert not Set.objects.exists()


def test_with_skip_chosen_the_preview_lists_each_bad_line(alice, alice_client):
    content = fixture_bytes("strong.csv") + b"soon,Push Day,1h,Bench,1,80,5,0,0,,,\n"
    preview = uploaded_and_read(alice_client, content, skip_bad_lines="on")
    page = text_of(alice_client.get(preview))
    assert "Line 14: “soon” is not a date and time like 2025-03-04 18:12:09" in page
    confirm(alice_client)
    assert Set.objects.count() == 10


def test_a_file_that_is_not_an_export_is_refused(alice_client):
    preview = uploaded_and_read(alice_client, b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "photo.png")
    assert "Line 1: the file is not UTF-8 text" in text_of(alice_client.get(preview))


def test_a_file_over_the_limit_is_refused_with_its_size(alice_client):
    line = b"2025-03-04 18:12:09,Push Day,1h,Bench Press (Barbell),1,80,5,0,0,,,\n"
    content = fixture_bytes("strong.csv") + line * (IMPORT_MAX_BYTES // len(line) + 1000)
    response = upload(alice_client, content)
    assert response.status_code == 200
    assert "This file is 20.1 MB; the import takes files up to 20 MB." in (
        response.content.decode()
    )
    assert not ImportBatch.objects.exists()


def test_the_size_limit_stops_reading_the_upload(alice_client):
    """The handler refuses the file before it is written anywhere: the view never sees it."""
    content = b"x" * (IMPORT_MAX_BYTES + 1)
    response = upload(alice_client, content)
    assert response.context["upload_error"].startswith("This file is 20.0 MB;")
    assert response.context["form"].is_bound is False


def test_cancelling_forgets_the_batch(alice_client):
    uploaded_and_read(alice_client, fixture_bytes("strong.csv"))
    batch = ImportBatch.objects.get()
    response = alice_client.post(reverse("import_cancel", args=[batch.pk]), follow=True)
    assert "Nothing was imported." in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert not Set.objects.exists()


def test_a_lifter_has_one_batch_waiting_a_new_upload_replaces_it(alice, alice_client, bob_client):
    uploaded_and_read(alice_client, fixture_bytes("strong.csv"))
    upload(bob_client, fixture_bytes("strong.csv"), "bobs.csv")
    upload(alice_client, fixture_bytes("hevy_kg.csv"), "hevy.csv")
    assert sorted(ImportBatch.objects.values_list("owner__username", "file_name")) == [
        ("alice", "hevy.csv"),
        ("bob", "bobs.csv"),
    ]


def test_batches_left_unconfirmed_are_cleaned_on_a_schedule(alice, alice_client):
    uploaded_and_read(alice_client, fixture_bytes("strong.csv"))
    ImportBatch.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert clean_imports() == "0 stalled import(s) stopped, 1 expired batch(es) deleted"
    assert not ImportBatch.objects.exists()


def test_the_cleaning_is_scheduled_hourly(db):
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="Clean expired and interrupted imports")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "sessions_app.tasks.clean_imports",
        Schedule.MINUTES,
        60,
    )


def test_a_file_no_worker_took_is_failed_saying_what_to_do(alice, alice_client):
    preview = upload(alice_client, fixture_bytes("strong.csv"))["Location"]
    ImportBatch.objects.update(updated_at=timezone.now() - datetime.timedelta(minutes=11))
    clean_imports()
    page = text_of(alice_client.get(preview))
    assert "No background worker took the file: ask whoever runs the app to start it" in page


@pytest.mark.parametrize("name", ["import_preview", "import_confirm", "import_cancel"])
def test_another_lifters_batch_is_not_found(alice_client, bob_client, name):
    uploaded_and_read(bob_client, fixture_bytes("strong.csv"))
    url = reverse(name, args=[ImportBatch.objects.get().pk])
    response = alice_client.get(url) if name == "import_preview" else alice_client.post(url)
    assert response.status_code == 404
    work_on_imports()
    assert not Set.objects.exists()
    assert ImportBatch.objects.count() == 1


def test_confirm_and_cancel_take_only_post(alice_client):
    uploaded_and_read(alice_client, fixture_bytes("strong.csv"))
    batch = ImportBatch.objects.get()
    assert alice_client.get(reverse("import_confirm", args=[batch.pk])).status_code == 405
    assert alice_client.get(reverse("import_cancel", args=[batch.pk])).status_code == 405


def test_uploading_and_confirming_need_the_csrf_token(alice, alice_client):
    uploaded_and_read(alice_client, fixture_bytes("strong.csv"))
    batch = ImportBatch.objects.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(reverse("import_confirm", args=[batch.pk])).status_code == 403
    file = SimpleUploadedFile("strong.csv", fixture_bytes("strong.csv"), "text/csv")
    assert client.post(UPLOAD, {"file": file, "unit": "kg"}).status_code == 403
    work_on_imports()
    assert not Set.objects.exists()
    assert ImportBatch.objects.count() == 1


def test_a_page_waiting_on_a_worker_that_says_nothing_asks_whether_it_runs(alice, alice_client):
    preview = upload(alice_client, fixture_bytes("strong.csv"))["Location"]
    assert "is the background worker running?" not in text_of(alice_client.get(preview))
    ImportBatch.objects.update(updated_at=timezone.now() - datetime.timedelta(minutes=3))
    page = text_of(alice_client.get(preview))
    assert "Nothing has moved for 3 minutes: is the background worker running?" in page
