"""The workout page opens offline whole: every file it loads is kept by the service
worker, the note's script included (a note typed offline is restored by it)."""

import json
import re

from django.urls import reverse


def test_every_file_the_workout_page_loads_is_kept_for_offline(alice_client, alice_workout):
    page = alice_client.get(alice_workout.get_absolute_url()).content.decode()
    loaded = set(re.findall(r'<script src="([^"]+)"', page))
    loaded |= set(re.findall(r'<link rel="stylesheet" href="([^"]+)"', page))
    worker = alice_client.get(reverse("service_worker")).content.decode()
    shell = re.search(r"const SHELL = \[(.*?)\];", worker)[1]
    kept = {json.loads(name) for name in re.findall(r'"[^"]*"', shell)}  # as escapejs wrote
    assert {"/static/sessions_app/workout-note.js", "/static/sessions_app/workout.js"} <= loaded
    assert loaded - kept == set()
