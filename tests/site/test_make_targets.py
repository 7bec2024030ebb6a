"""`make demo` installs only what the demo needs, `make test` adds the test extras and Chromium, and each
install step has its own stamp, so that one target does not redo the other's work (issue 14, item 10).
Read from `make -n`, which prints what make would run and runs nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def planned(target: str, venv: Path) -> str:
    # Not the flags of a `make test` this suite may run under.
    env = {key: value for key, value in os.environ.items() if key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    return subprocess.run(
        [str(MAKE), "-n", "-C", str(ROOT), target, f"VENV={venv}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_make_demo_installs_the_project_without_test_extras_nor_chromium(tmp_path):
    plan = planned("demo", tmp_path / "venv")
    assert "pip install -q -c constraints.txt -e .\n" in plan and "[test]" not in plan
    assert "fonts-noto-cjk" in plan and "libpango-1.0-0" in plan and "chromium" not in plan
    assert "xinfang demo" in plan


def test_make_test_installs_the_test_extras_and_chromium(tmp_path):
    plan = planned("test", tmp_path / "venv")
    assert "-e '.[test]'" in plan
    assert "fonts-noto-cjk" in plan and "chromium" in plan


def test_neither_target_reinstalls_what_the_other_installed(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".installed-app").touch()  # as `make demo` leaves it
    plan = planned("test", venv)
    assert "-e '.[test]'" in plan and "-m venv" not in plan and "-e .\n" not in plan
    (venv / ".installed-test").touch()  # as `make test` leaves it
    for target in ("demo", "test"):
        assert "pip install" not in planned(target, venv), target
