"""The README's pictures: taken by the browser tests into a folder of their own, and
refreshed in docs/screenshots/ only on purpose (`make screenshots`)."""

import re
import subprocess

from tests.browser import screenshot_folder
from tests.processes import ROOT

README_PICTURE = re.compile(r"\(docs/screenshots/([\w-]+)\.png\)")
TAKEN = re.compile(r"""screenshots\.take\(\s*page,\s*"([\w-]+)"\s*\)""")


def test_the_suite_keeps_its_pictures_outside_the_repository(screenshot_dir, monkeypatch):
    monkeypatch.delenv("SCREENSHOTS_DIR", raising=False)
    assert ROOT not in screenshot_folder(screenshot_dir).parents
    monkeypatch.setenv("SCREENSHOTS_DIR", "docs/screenshots")
    assert screenshot_folder(screenshot_dir) == ROOT / "docs" / "screenshots"


def test_make_screenshots_runs_the_tests_that_take_them_into_docs():
    dry_run = subprocess.run(
        ["make", "--dry-run", "--always-make", "screenshots"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    command = next(line for line in dry_run.splitlines() if "pytest" in line)
    assert "SCREENSHOTS_DIR=docs/screenshots" in command
    assert "-m screenshots" in command


def test_every_picture_of_the_readme_is_taken_by_a_test_and_none_is_left_over():
    shown = set(README_PICTURE.findall((ROOT / "README.md").read_text()))
    taken = set()
    for test_file in (ROOT / "tests").glob("test_*.py"):
        taken |= set(TAKEN.findall(test_file.read_text()))
    in_docs = {path.stem for path in (ROOT / "docs" / "screenshots").glob("*.png")}
    assert shown - taken == set(), "pictures no test takes"
    assert shown == in_docs, "pictures the README does not show, or shows but are missing"
