"""The backup script's file restores into a fresh database with the data in it."""

import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from backend.access.models import Space
from tests.factories import SpaceFactory

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _url(dbname: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{dbname}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database(tmp_path):
    space = SpaceFactory(name="Upbeat Women")  # committed: a transactional test
    source = _url(connection.settings_dict["NAME"])
    env = {**os.environ, "DATABASE_URL": source}
    out = subprocess.run(
        [str(DEPLOY / "backup.sh"), str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    dump = Path(out.stdout.strip())
    assert dump.exists() and dump.stat().st_size > 1000
    target_name = f"harbour_restore_{uuid.uuid4().hex[:8]}"
    target = _url(target_name)
    try:
        subprocess.run([str(DEPLOY / "restore.sh"), str(dump), target], check=True,
                       capture_output=True, text=True)  # fmt: skip
        with psycopg.connect(target) as restored:
            names = [row[0] for row in restored.execute("SELECT name FROM access_space")]
        assert names == [space.name]
        again = subprocess.run([str(DEPLOY / "restore.sh"), str(dump), target],
                               capture_output=True, text=True)  # fmt: skip
        assert again.returncode != 0 and "already exists" in again.stderr
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target_name}"')
    assert Space.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_is_readable_by_its_owner_only_even_under_a_lax_umask(tmp_path):
    SpaceFactory(name="Upbeat Women")
    env = {**os.environ, "DATABASE_URL": _url(connection.settings_dict["NAME"])}
    folder = tmp_path / "backups"  # created by the script
    lax = os.umask(0o022)
    try:
        out = subprocess.run([str(DEPLOY / "backup.sh"), str(folder)],
                             env=env, capture_output=True, text=True, check=True)  # fmt: skip
    finally:
        os.umask(lax)
    dump = Path(out.stdout.strip())
    assert oct(dump.stat().st_mode & 0o777) == oct(0o600)
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)


def test_backup_unit_sets_a_private_umask():
    unit = (DEPLOY / "systemd" / "harbour-backup.service").read_text()
    assert "\nUMask=0077\n" in unit
    assert "\numask 077\n" in (DEPLOY / "backup.sh").read_text()
