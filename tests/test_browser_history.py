"""History on a 390 × 844 phone: each workout in one glance, two of a day told apart."""

import datetime

import pytest
from playwright.sync_api import expect

from sessions_app.models import LifterProfile, Routine, give_starter_routines
from tests.browser import assert_fits_the_phone, log_in
from tests.test_history_list import workout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_history_tells_each_workout_apart_at_a_glance(phone, alice, lower1, screenshots):
    LifterProfile.objects.update_or_create(user=alice, defaults={"weight_unit": "kg"})
    give_starter_routines(alice)
    push = Routine.create_for(alice, "Push A")
    legs = Routine.objects.get(owner=alice, slug="lower1")
    today = datetime.date.today()
    two_days_ago = today - datetime.timedelta(days=2)
    workout(
        alice,
        legs,
        (17, 40),
        58,
        [("Back Squat", "100", "5"), ("Back Squat", "100", "5"), ("Plank", "", "60")],
        day=today - datetime.timedelta(days=4),
    )
    bench = [("Bench Press", "80", "5"), ("Bench Press", "80", "5"), ("Dips", "", "10")]
    workout(alice, push, (7, 10), 45, bench, day=two_days_ago)
    heavier = [("Bench Press", "82.5", "5"), ("Bench Press", "82.5", "4"), ("Dips", "BW+10", "8")]
    workout(alice, push, (18, 30), 50, heavier, day=two_days_ago)
    page = phone
    log_in(page, "alice", "alice-password")
    page.locator(".topbar").get_by_role("link", name="History").click()
    items = page.locator(".history-item")
    expect(items).to_have_count(3)
    texts = [" ".join(text.split()) for text in items.all_inner_texts()]
    assert len(set(texts)) == 3
    assert "18:30" in texts[0] and "07:10" in texts[1]
    assert "Record: Bench Press" in texts[0]
    assert "Plank 1:00" in texts[2].replace("\n", " ")
    assert_fits_the_phone(page)
    screenshots.take(page, "history")
