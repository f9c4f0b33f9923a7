"""The doctor as Django system checks tagged `appwrite`: silent (and making no Appwrite request) at start-up and
in a plain `check`; `check --tag appwrite` reports the problems with their fixes and fails on errors."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

ROOT = Path(__file__).resolve().parents[2]


def test_a_plain_check_makes_no_request_to_appwrite(provisioned, tables, appwrite_server):
    tables.delete_column(provisioned, "sessions", "lastSeen")  # broken, yet a plain check must not look
    before = appwrite_server.request_count()

    call_command("check", stdout=StringIO())

    assert appwrite_server.request_count() == before


def test_check_tag_appwrite_reports_a_broken_schema_with_its_fix_and_fails(provisioned, tables):
    tables.delete_column(provisioned, "sessions", "lastSeen")
    tables.delete_index(provisioned, "messages", "sessionId")

    with pytest.raises(SystemCheckError) as failure:
        call_command("check", tags=["appwrite"], stdout=StringIO(), stderr=StringIO())

    text = str(failure.value)
    assert "(appwrite.E007) attribute sessions.lastSeen (datetime) is missing: the dashboard reads it" in text
    assert "HINT: run `python manage.py appwrite_setup`" in text
    assert "(appwrite.W003) index on messages(sessionId) is missing" in text


def test_check_tag_appwrite_passes_on_a_correct_schema(provisioned, appwrite_server):
    before = appwrite_server.request_count()
    out = StringIO()

    call_command("check", tags=["appwrite"], stdout=out)

    assert "System check identified no issues" in out.getvalue()
    assert appwrite_server.request_count() > before  # it did look


def test_from_a_shell_the_doctor_and_the_tagged_check_exit_non_zero_on_a_missing_database(appwrite_server):
    env = {
        **os.environ,
        "APPWRITE_DATABASE_ID": "nodb" + uuid.uuid4().hex[:10],
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }

    doctor = subprocess.run(
        [sys.executable, "manage.py", "appwrite_doctor", "--no-color"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--tag", "appwrite"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    plain = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert doctor.returncode == 1
    assert f"ERROR    database {env['APPWRITE_DATABASE_ID']} does not exist" in doctor.stdout
    assert "Traceback" not in doctor.stderr
    assert check.returncode == 1
    assert "appwrite.E005" in check.stderr
    assert plain.returncode == 0
