"""Across app servers: the local multi-node stack (nginx in front of two
gunicorn servers, each with its own workers) takes 200 simultaneous bookings
for 10 places and gives exactly 10 confirmations and a gapless line, under
the shipped fail-fast rule for the session's row (busy answers retried)."""

from __future__ import annotations

import os
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from backend.bookings.models import Booking
from tests.bookings.test_concurrency import (  # noqa: F401
    CLIENTS,
    full_house,
    keyed,
    post,
    signed_in,
)

ROOT = Path(__file__).resolve().parents[2]
STACK_KEY = "stack-test-" + "k" * 60


def _free_base_port(servers: int = 2) -> int:
    """A port whose next `servers` neighbours are free too (nginx, app servers)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + servers >= 65535:
            continue
        try:
            for port in range(base, base + servers + 1):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports")


@pytest.fixture
def stack(transactional_db, settings, tmp_path):
    """The stack, pointed at this test's (committed) database."""
    settings.SECRET_KEY = STACK_KEY  # session cookies made here must verify there
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    # Its own port and state folder: never the stack of the checkout (or of
    # another test run), which `stop` would otherwise end.
    port, state = str(_free_base_port()), str(tmp_path / "stack")
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": STACK_KEY,
           "STACK_PORT": port, "STACK_STATE": state}  # fmt: skip
    started = subprocess.run(
        [str(ROOT / "deploy/local-stack.sh"), "start", "2"],
        env=env, capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert started.returncode == 0, started.stdout + started.stderr
    yield started.stdout.strip().splitlines()[-1]
    subprocess.run([str(ROOT / "deploy/local-stack.sh"), "stop"], env=env, cwd=ROOT, timeout=60)


@pytest.mark.postgres
def test_200_bookings_across_two_app_servers(full_house, stack):  # noqa: F811
    session, _people, _ = full_house
    # Re-sign the cookies with the key the stack shares.
    headers = [keyed(signed_in(person)) for person in _people[:200]]
    body = {"session": str(session.pk)}
    # The stack runs the shipped fail-fast rule for the session's row (the
    # settings fixture lifts it only in this process): one request per app
    # process waits for it, the others are told 503 busy with Retry-After and
    # tried again with the same key, as the browser app does.
    busy: list = []
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(
            pool.map(lambda h: post(stack, "/api/v1/bookings/", h, body, busy=busy), headers)
        )
    assert all(retry_after and int(retry_after) >= 1 for retry_after in busy)
    # 201, or the 200 replay of a booking whose first answer was lost (post()).
    codes = [code for code, _ in results]
    assert set(codes) <= {200, 201}, sorted(set(codes))
    assert len({r["id"] for _, r in results}) == 200
    assert [r["status"] for _, r in results].count("confirmed") == 10
    positions = sorted(r["position"] for _, r in results if r["status"] == "waiting")
    assert positions == list(range(1, 191))
    session.refresh_from_db()
    assert session.booked_places == 10
    assert Booking.objects.filter(session=session, status="confirmed").count() == 10
