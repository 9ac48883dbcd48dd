"""`make faults`: booking bursts on the loopback stack while things break.

Starts its OWN throwaway PostgreSQL (initdb + pg_ctl, a free port, a temp
folder) and Redis (a free port, no persistence), never the shared ones, and
deploy/local-stack.sh (nginx + 2 gunicorn app servers) on them. Then, for each
fault, 200 learners press "book" for 10 places (48 at a time), each with her
own Idempotency-Key, retrying what got no answer or a 5xx (after its
Retry-After; a 503 `busy` after a pause that doubles with each one), like the
browser app; and the fault strikes during the burst:

  none         a burst with nothing broken (the reference)
  redis-stop   Redis stopped for 3 s
  pg-restart   PostgreSQL restarted (pg_ctl restart -m fast)
  row-lock     the session's row held FOR UPDATE for 20 s by another connection;
               meanwhile the ping is timed (from its own process) and five
               bookings of another session are made
  app-kill     one app server killed (SIGKILL, not restarted)

Per fault it prints requests (every attempt), 2xx/4xx/5xx, answers that were
HTML or no answer at all, lost bookings (a 2xx whose booking is not in the
database), doubled ones (a row no 2xx answered, or two rows for one learner)
and recovery: from the end of the fault (or the kill) to the last failed
attempt that was not a 503 `busy` (busy is the answer a crowd on one
session gets by design, counted apart). A measurement, not a test;
everything it started is stopped in a `finally`, however the run ends. See
docs/reliability.md.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path(os.environ.get("FAULTS_PG_BIN", "/usr/lib/postgresql/15/bin"))
SECRET = "faults-" + "f" * 60
LEARNERS, PLACES, CLIENTS = 200, 10, 48
DEADLINE = 90.0  # a learner who has no answer after this long counts as unanswered
LOCK_HOLD = 20.0
BUSY_CAP = 8.0  # the longest pause between retries after repeated 503 busy
ABORT = threading.Event()  # set when the run fails: the learners stop at once


def free_port(neighbours: int = 0) -> int:
    """A free port whose next `neighbours` ports are free too."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        try:
            for port in range(base, base + neighbours + 1):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free port")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


class Services:
    """The throwaway PostgreSQL and Redis, and the stack on them."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.pg_port, self.redis_port = free_port(), free_port()
        self.stack_port = free_port(2)
        self.pgdata = tmp / "pg"
        self.redis: subprocess.Popen | None = None
        self.pg_started = self.stack_started = False
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/harbour_faults",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "SECRET_KEY": SECRET,
            "STACK_PORT": str(self.stack_port),
            "STACK_STATE": str(tmp / "stack"),
        }

    def _as_postgres(self, *cmd):
        # initdb refuses to run as root.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return run([*prefix, *map(str, cmd)])

    def pg_ctl(self, *args):
        # Always with its log file: a postmaster (re)started without one would
        # inherit our pipe, and waiting for its output would never end.
        log = ["-l", self.pgdata / "log"] if args[-1] in ("start", "restart") else []
        return self._as_postgres(
            PG_BIN / "pg_ctl", "-D", self.pgdata, "-w", "-t", "60", *log, *args
        )

    def start(self):
        self.tmp.chmod(0o755)
        self.pgdata.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.pgdata, "postgres", "postgres")
        self._as_postgres(PG_BIN / "initdb", "-D", self.pgdata, "-U", "postgres",
                          "--auth=trust", "-E", "UTF8")  # fmt: skip
        opts = (f"-p {self.pg_port} -k {self.pgdata} -c listen_addresses=127.0.0.1 "
                "-c max_connections=200 -c fsync=off")  # fmt: skip
        self.pg_ctl("-o", opts, "start")
        self.pg_started = True
        self.start_redis()
        out = run([str(ROOT / "deploy/local-stack.sh"), "start", "2"], env=self.env, cwd=ROOT)
        self.stack_started = True
        self.url = out.stdout.strip().splitlines()[-1]

    def start_redis(self):
        self.redis = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.redis_port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", self.redis_port), 0.2).close()
                return
            except OSError:
                time.sleep(0.1)

    def stop_redis(self):
        if self.redis and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(10)

    def app_pids(self, n: int) -> list[int]:
        master = int((Path(self.env["STACK_STATE"]) / f"app{n}.pid").read_text())
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return [master, *map(int, children)]

    def stop(self):
        for step in (
            lambda: self.stack_started and run([str(ROOT / "deploy/local-stack.sh"), "stop"],
                                               env=self.env, cwd=ROOT),
            self.stop_redis,
            lambda: self.pg_started and self.pg_ctl("-m", "immediate", "stop"),
        ):  # fmt: skip
            try:
                step()
            except Exception as exc:  # keep stopping the rest
                print(f"cleanup: {exc}", file=sys.stderr)


# --- the app's data, through Django on the throwaway database ------------------------


def django_setup(env: dict):
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")})
    os.environ.update(DEBUG="0", ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(n_sessions: int):
    from datetime import time as clock
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from backend.timetable.models import Activity
    from tests.factories import (
        OrganisationFactory,
        RoomFactory,
        UserFactory,
        coordinator_of,
        make_activity,
    )

    org = OrganisationFactory()
    sessions = [
        make_activity(
            actor=coordinator_of(org), organisation=org, room=RoomFactory(capacity=40),
            capacity=PLACES, title=f"Day trip {i}", kind=Activity.Kind.DAY_TRIP,
            recurrence=None, start_date=timezone.localdate() + timedelta(days=5 + i),
            start_time=clock(9), end_time=clock(17),
        ).sessions.get()
        for i in range(n_sessions)
    ]  # fmt: skip
    headers = []
    for i in range(LEARNERS):
        user = UserFactory(username=f"learner{i:03d}")
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        csrf = uuid.uuid4().hex
        headers.append(
            {
                "Cookie": f"sessionid={store.session_key}; csrftoken={csrf}",
                "X-CSRFToken": csrf,
                "Content-Type": "application/json",
                "_user": user.pk,
            }
        )
    return sessions, headers


def rows(session_id):
    from django.db import connection

    from backend.bookings.models import Booking

    connection.close()  # it may not have survived a restart
    return list(
        Booking.objects.filter(session_id=session_id).values_list(
            "id", "participant__user_id", "status", "places"
        )
    )


# --- the learners --------------------------------------------------------------------


class Log:
    def __init__(self):
        self.lock = threading.Lock()
        # (end time, status or 0, html, a 503 busy)
        self.attempts: list[tuple[float, int, bool, bool]] = []

    def add(self, status: int, html: bool, busy: bool = False):
        with self.lock:
            self.attempts.append((time.monotonic(), status, html, busy))


def request(url, method="GET", headers=None, body=None, timeout=30.0):
    """(status, JSON body or None, Retry-After, is HTML); status 0: no answer."""
    data = None if body is None else json.dumps(body).encode()
    head = {k: v for k, v in (headers or {}).items() if not k.startswith("_")}
    req = urllib.request.Request(url, data=data, headers=head, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw, h = resp.status, resp.read(), resp.headers
    except urllib.error.HTTPError as error:
        status, raw, h = error.code, error.read(), error.headers
    except OSError:
        return 0, None, None, False
    html = "html" in (h.get("Content-Type") or "")
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        parsed = None
    return status, parsed, h.get("Retry-After"), html


def pause(retry_after, busy_in_a_row: int) -> float:
    """How long a client waits before trying again, as the browser app does
    (frontend/js/api.js): Retry-After; after a 503 `busy` that pause doubles
    with each one in a row, up to BUSY_CAP, with jitter so a crowd spreads out."""
    if busy_in_a_row:
        grown = min(BUSY_CAP, float(retry_after or 1) * 2 ** (busy_in_a_row - 1))
        return grown * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not a secret
    return min(float(retry_after or 0.2), 2.0)


def book(base, session_id, headers, log: Log):
    """One learner: her key, retried until a 2xx or 4xx answer, as the app does."""
    keyed = {**headers, "Idempotency-Key": uuid.uuid4().hex}
    give_up = time.monotonic() + DEADLINE
    busy_in_a_row = 0
    while time.monotonic() < give_up and not ABORT.is_set():
        status, body, retry_after, html = request(
            base + "/api/v1/bookings/", "POST", keyed, {"session": str(session_id)}
        )
        busy = status == 503 and (body or {}).get("code") == "busy"
        log.add(status, html, busy)
        if 200 <= status < 500:
            return status, body
        busy_in_a_row = busy_in_a_row + 1 if busy else 0
        time.sleep(pause(retry_after, busy_in_a_row))
    return 0, None


def burst(base, session_id, headers, log: Log):
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return list(pool.map(lambda h: (h["_user"], *book(base, session_id, h, log)), headers))


# --- the faults ----------------------------------------------------------------------


def fault_none(svc, ctx):
    return time.monotonic()


def fault_redis(svc, ctx):
    svc.stop_redis()
    time.sleep(3)
    svc.start_redis()
    return time.monotonic()


def fault_pg(svc, ctx):
    svc.pg_ctl("-m", "fast", "restart")
    return time.monotonic()


def fault_kill_app(svc, ctx):
    for pid in svc.app_pids(1):
        os.kill(pid, signal.SIGKILL)
    return time.monotonic()


# The ping is timed from a process of its own: in this one, 48 learner threads
# share the interpreter, and their turns would be counted as the server's.
PINGER = """
import json, sys, time, urllib.request
url, seconds = sys.argv[1], float(sys.argv[2])
times, end = [], time.monotonic() + seconds
while time.monotonic() < end:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            ok = r.status == 200
            r.read()
    except OSError:
        ok = False
    times.append((time.monotonic() - started) * 1000 if ok else None)
    time.sleep(0.05)
print(json.dumps(times))
"""


def fault_row_lock(svc, ctx):
    import psycopg

    others: list[tuple[int, float, int]] = []  # (final status, seconds, busy answers)

    def book_other(h):
        # A learner of another session: retried on busy like anyone else.
        keyed = {**h, "Idempotency-Key": uuid.uuid4().hex}
        started, busy_in_a_row = time.monotonic(), 0
        while True:
            status, body, retry_after, _html = request(
                svc.url + "/api/v1/bookings/", "POST", keyed, {"session": str(ctx["other"].pk)}
            )
            if not (status == 503 and (body or {}).get("code") == "busy") or busy_in_a_row > 5:
                break
            busy_in_a_row += 1
            time.sleep(pause(retry_after, busy_in_a_row))
        others.append((status, time.monotonic() - started, busy_in_a_row))

    holder = psycopg.connect(svc.env["DATABASE_URL"].replace("postgres://", "postgresql://"))
    holder.execute("SELECT id FROM timetable_session WHERE id = %s FOR UPDATE", [ctx["session"].pk])
    hold_start = time.monotonic()
    pinger = subprocess.Popen(
        [sys.executable, "-c", PINGER, svc.url + "/api/v1/ping/", str(LOCK_HOLD - 0.5)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    bookers: list[threading.Thread] = []
    try:
        time.sleep(1.0)  # the burst's bookings now find the row held
        # Side by side, so the lock is let go after LOCK_HOLD however slow they are.
        bookers += [threading.Thread(target=book_other, args=(h,)) for h in ctx["spare"]]
        for booker in bookers:
            booker.start()
        time.sleep(max(0.0, LOCK_HOLD - (time.monotonic() - hold_start)))
    finally:
        holder.rollback()
        holder.close()
        fault_end = time.monotonic()
        out, _ = pinger.communicate(timeout=60)
    for booker in bookers:
        booker.join()
    times = json.loads(out or "[]")
    pings = [t if t is not None else float("inf") for t in times]
    slowest = max(pings, default=float("inf"))
    p99 = statistics.quantiles(pings, n=100)[98] if len(pings) >= 2 else slowest
    failed = sum(1 for p in pings if p == float("inf"))
    shown = f"{p99:.0f} ms" if p99 < float("inf") else "(no answer)"
    median = f"{statistics.median(pings):.0f} ms" if pings else "-"
    ctx["extra"] = (
        f"  row-lock: held {fault_end - hold_start:.1f} s; ping p99 {shown} (median {median}, "
        f"slowest {slowest:.0f} ms, {sum(p >= 100 for p in pings)} of 100 ms or more) "
        f"over {len(pings)} pings during the hold "
        f"({failed} without an answer in 30 s); other session: "
        f"{sum(1 for s, *_ in others if s == 201)}/{len(others)} booked, slowest "
        f"{max(t for _, t, _ in others):.1f} s, "
        f"{sum(b for *_, b in others)} busy answers on the way"
    )
    ctx["goals"] = failed == 0 and p99 < 100 and all(s == 201 for s, *_ in others)
    ctx["fault_start"] = hold_start
    return fault_end


FAULTS = [
    ("none", fault_none),
    ("redis-stop", fault_redis),
    ("pg-restart", fault_pg),
    ("row-lock", fault_row_lock),
    ("app-kill", fault_kill_app),  # last: the killed server is not brought back
]


def scenario(svc, name, fault, session, other, headers):
    log = Log()
    ctx = {"session": session, "other": other, "spare": headers[-5:]}
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=1) as side:
        burst_job = side.submit(burst, svc.url, session.pk, headers[:LEARNERS], log)
        time.sleep(0.5)  # into the burst
        fault_start = time.monotonic()
        try:
            fault_end = fault(svc, ctx)
            fault_start = ctx.get("fault_start", fault_start)
        except BaseException:
            ABORT.set()
            raise
        answers = burst_job.result()
    took = time.monotonic() - started
    ok = {user: body["id"] for user, status, body in answers if 200 <= status < 300}
    db = rows(session.pk)
    db_ids = {str(i) for i, *_ in db}
    per_user: dict[int, int] = {}
    for _id, user, status, _places in db:
        if status != "cancelled":
            per_user[user] = per_user.get(user, 0) + 1
    lost = sum(1 for bid in ok.values() if str(bid) not in db_ids)
    doubled = len(db_ids - {str(b) for b in ok.values()}) + sum(n - 1 for n in per_user.values())
    confirmed = sum(p for _i, _u, s, p in db if s == "confirmed")
    failures = [t for t, status, _, busy in log.attempts if not (200 <= status < 500 or busy)]
    recovery = max(0.0, max(failures) - fault_end) if failures else 0.0
    statuses = [s for _, s, *_ in log.attempts]
    row = {
        "fault": name, "requests": len(statuses),
        "2xx": sum(200 <= s < 300 for s in statuses), "4xx": sum(400 <= s < 500 for s in statuses),
        "5xx": sum(s >= 500 for s in statuses),
        "of which busy": sum(busy for *_, busy in log.attempts), "no answer": statuses.count(0),
        "html": sum(h for _, _, h, _ in log.attempts), "unanswered": LEARNERS - len(ok),
        "lost": lost, "doubled": doubled, "confirmed": confirmed,
        "fault s": round(fault_end - fault_start, 1), "recovery s": round(recovery, 1),
        "burst s": round(took, 1),
    }  # fmt: skip
    row["goals"] = (
        lost == 0 and doubled == 0 and row["html"] == 0 and row["unanswered"] == 0
        and confirmed == PLACES and recovery <= 5.0 and ctx.get("goals", True)
    )  # fmt: skip
    return row, ctx.get("extra")


def main() -> int:
    global FAULTS
    # A background job starts with SIGINT ignored, and SIGTERM would skip the
    # `finally`: both end the run through it, so everything started is stopped.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # FAULTS_ONLY=row-lock,app-kill runs some of them (the reference always).
    only = os.environ.get("FAULTS_ONLY")
    if only:
        FAULTS = [f for f in FAULTS if f[0] == "none" or f[0] in only.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="harbour-faults-"))
    svc = Services(tmp)
    try:
        svc.start()
        django_setup(svc.env)
        sessions, headers = seed(len(FAULTS) + 1)
        print(
            f"stack {svc.url} on its own PostgreSQL :{svc.pg_port} and Redis "
            f":{svc.redis_port}; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
            f"{LEARNERS} learners for {PLACES} places per burst, {CLIENTS} at a time"
        )
        table, notes = [], []
        for i, (name, fault) in enumerate(FAULTS):
            row, extra = scenario(svc, name, fault, sessions[i], sessions[-1], headers)
            table.append(row)
            if extra:
                notes.append(extra)
            print(f"  done: {name}", flush=True)
        cols = list(table[0])
        print("\n| " + " | ".join(cols) + " |")
        print("|" + " --- |" * len(cols))
        for row in table:
            print("| " + " | ".join(
                ("met" if v else "NOT met") if k == "goals" else str(v) for k, v in row.items()
            ) + " |")  # fmt: skip
        print()
        for note in notes:
            print(note)
        return 0 if all(r["goals"] for r in table) else 1
    finally:
        svc.stop()
        logs = tmp / "stack" / "logs"
        if logs.is_dir():
            kept = Path(tempfile.gettempdir()) / "harbour-faults-logs"
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(logs, kept)
            print(f"app and nginx logs: {kept}")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
