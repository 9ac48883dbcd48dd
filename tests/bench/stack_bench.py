"""The production-stack benchmark's driver (`make bench-stack` runs it through
deploy/bench-stack.sh, which starts and always stops the stack).

1. Seeds the bench database (`manage.py seed_bench --reset`, 500 sessions).
2. Counts the queries of each row's request in-process (Django test client,
   the same cookies, CaptureQueriesContext).
3. Drives the stack over HTTP: for each row, CLIENTS threads with one
   keep-alive connection each, a warm-up, then a fixed duration. Reports
   requests/s, p50 and p99 latency and the ratio to the baseline (ping) row.
4. Reseeds at twice the size and counts the queries again: both are printed,
   and should be equal (query counts constant in data size).

Not a pytest module (no `test_` prefix): run it with the stack's environment.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import logging
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
# The goals: each row's requests/s as a share of the baseline's.
GOALS = {
    "timetable": 0.35, "detail": 0.35, "booking": 0.10, "feed": 0.25, "feed304": 0.70,
    "register": 0.25, "figures": 0.10,
}  # fmt: skip
P99_GOAL_MS = 150.0


@dataclass
class Row:
    key: str
    label: str
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: bytes | None = None
    expect: tuple[int, ...] = (200,)
    # For rows whose every request must differ (bookings): yields (path, headers, body).
    vary: object = None


def seed(scale: int) -> dict:
    out = subprocess.run(
        [sys.executable, "manage.py", "seed_bench", "--reset", f"--scale={scale}"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode:
        sys.exit(f"seed_bench failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def cookie(data: dict, session_key: str, csrf: str = "b3nchcsrf" * 3 + "abcde") -> dict:
    return {
        "Cookie": f"{data['session_cookie_name']}={session_key}; {data['csrf_cookie_name']}={csrf}",
        "X-CSRFToken": csrf,
    }


def rows_for(data: dict) -> list[Row]:
    feed = f"/feeds/personal/{data['feed_secret']}.ics"
    week = f"date_from={data['date_from']}&date_to={data['date_to']}"
    year = (
        f"organisation={data['organisation']}&date_from={data['year_from']}"
        f"&date_to={data['year_to']}"
    )
    learner = cookie(data, data["cookies"]["learner"])
    return [
        Row("baseline", "GET /api/v1/ping/ (baseline)", "GET", "/api/v1/ping/"),
        # A second reference: a plain Django view, no DRF (also no database).
        Row("django", "GET /healthz (plain Django)", "GET", "/healthz"),
        Row("first", "first screen / (anonymous)", "GET", "/"),
        Row("timetable", "timetable, her week", "GET", f"/api/v1/sessions/?{week}", learner),
        Row("detail", "session detail", "GET", f"/api/v1/sessions/{data['detail_session']}/",
            learner),
        Row("booking", "booking, contended", "POST", "/api/v1/bookings/", expect=(201,)),
        Row("feed", "personal feed, full", "GET", feed),
        # Its If-None-Match is filled in just before the row runs: the bookings
        # before it may have changed sessions she follows, so the ETag moves.
        Row("feed304", "personal feed, 304", "GET", feed, expect=(304,)),
        Row("register", "register (tutor)", "GET",
            f"/api/v1/registers/{data['register_session']}/",
            cookie(data, data["cookies"]["tutor"])),
        Row("figures", "figures, a year", "GET", f"/api/v1/reports/figures/?{year}",
            cookie(data, data["cookies"]["coordinator"])),
    ]  # fmt: skip


def booking_pairs(data: dict, reserve: int = 1):
    """Every (person, session) pair once: a repeat would be `already_booked`.
    The last `reserve` people are kept for the in-process query count."""
    crowd = data["cookies"]["crowd"][:-reserve]
    pairs = [(c, s) for c in crowd for s in data["contended_sessions"]]
    # Interleave so concurrent requests hit the same few sessions.
    return iter(pairs)


def booking_request(data: dict, person: str, session: str):
    headers = {**cookie(data, person), "Content-Type": "application/json"}
    return "/api/v1/bookings/", headers, json.dumps({"session": session}).encode()


# --- queries per request, in-process ---------------------------------------------------


def count_queries(data: dict) -> dict[str, int]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
    django.setup()
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, int] = {}
    logging.disable(logging.INFO)  # the access log lines of the in-process requests
    client = Client(HTTP_HOST="127.0.0.1")
    for row in rows_for(data):
        if row.key == "feed304":
            etag = client.get(row.path).headers["ETag"]
            row.headers = {"If-None-Match": etag}
        if row.key == "booking":
            person = data["cookies"]["crowd"][-1]
            sessions = itertools.cycle(data["contended_sessions"])
            # A first booking warms up; the second (another session) is counted.
            runs = [booking_request(data, person, next(sessions)) for _ in range(2)]
        else:
            runs = [(row.path, row.headers, row.body)] * 2
        for path, headers, body in runs:
            kwargs = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
            kwargs.pop("HTTP_CONTENT_TYPE", None)
            with CaptureQueriesContext(connection) as captured:
                if row.method == "GET":
                    response = client.get(path, **kwargs)
                else:
                    response = client.post(path, body, content_type="application/json", **kwargs)
        assert response.status_code in row.expect, (row.key, response.status_code)
        counts[row.key] = len(captured)
    connections.close_all()
    return counts


# --- load ---------------------------------------------------------------------------------


def drive(url: str, row: Row, *, clients: int, warmup: float, duration: float, vary=None):
    parts = urlsplit(url)
    lock = threading.Lock()
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: dict[int, int] = {}
    phase = {"record": False, "stop": False}
    exhausted = threading.Event()

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine = latencies[i]
        while not phase["stop"]:
            if vary is not None:
                with lock:
                    job = next(vary, None)
                if job is None:
                    exhausted.set()
                    return
                path, headers, body = job
            else:
                path, headers, body = row.path, row.headers, row.body
            started = time.perf_counter()
            conn.request(row.method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            if phase["record"]:
                mine.append(elapsed)
                with lock:
                    statuses[response.status] = statuses.get(response.status, 0) + 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(warmup)
    phase["record"] = True
    started = time.perf_counter()
    exhausted.wait(duration)
    elapsed = time.perf_counter() - started
    phase["stop"] = True
    for t in threads:
        t.join()
    every = sorted(itertools.chain.from_iterable(latencies))
    if not every:
        sys.exit(f"{row.label}: no request completed")
    return {
        "n": len(every),
        "rps": len(every) / elapsed,
        "p50": statistics.median(every) * 1000,
        "p99": every[max(0, int(len(every) * 0.99) - 1)] * 1000,
        "statuses": statuses,
        "unexpected": sum(n for code, n in statuses.items() if code not in row.expect),
    }


def feed_etag(url: str, data: dict) -> str:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", f"/feeds/personal/{data['feed_secret']}.ics")
    response = conn.getresponse()
    response.read()
    assert response.status == 200, response.status
    return response.getheader("ETag")


def _goals_missed(rows, results: dict, base: float) -> list[str]:
    """Print each goal's verdict; the names of those missed."""
    missed: list[str] = []
    print("goals:")
    for key, goal in GOALS.items():
        if key in results:
            ratio = results[key]["rps"] / base
            ok = ratio >= goal
            verdict = "PASS" if ok else "MISS"
            print(f"  {key:<12} >= {goal:.0%} of baseline rps: {ratio:.0%}  {verdict}")
            if not ok:
                missed.append(key)
    for row in rows:
        p99 = results[row.key]["p99"]
        if row.method != "GET":
            # Issue 18's p99 goal is for every *read* row; a contended booking
            # is a write that queues on the session's row lock by design.
            print(f"  {row.key:<12} p99 {p99:.0f} ms (a write: no p99 goal)")
            continue
        ok = p99 < P99_GOAL_MS
        verdict = "PASS" if ok else "MISS"
        print(f"  {row.key:<12} p99 < {P99_GOAL_MS:.0f} ms: {p99:.0f} ms  {verdict}")
        if not ok:
            missed.append(f"{row.key} p99")
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--only", help="comma-separated row keys (baseline always runs)")
    parser.add_argument("--no-second-size", action="store_true")
    parser.add_argument(
        "--scale", type=int, default=1,
        help="seed_bench --scale for the driven data (10: a city network of 50 charities); "
        "the query counts are compared with twice that size",
    )  # fmt: skip
    args = parser.parse_args()
    load_start = os.getloadavg()[0]

    print(f"seeding (scale {args.scale}) ...", flush=True)
    data = seed(args.scale)
    queries = {1: count_queries(data)}
    rows = rows_for(data)
    if args.only:
        keep = {"baseline", *args.only.split(",")}
        rows = [r for r in rows if r.key in keep]
    results = {}
    for row in rows:
        print(f"  {row.label} ...", flush=True)
        if row.key == "feed304":
            row.headers = {"If-None-Match": feed_etag(args.url, data)}
        vary = None
        if row.key == "booking":
            vary = (booking_request(data, p, s) for p, s in booking_pairs(data))
        results[row.key] = drive(
            args.url, row, clients=args.clients, warmup=args.warmup,
            duration=args.duration, vary=vary,
        )  # fmt: skip
    if not args.no_second_size:
        print(f"seeding (scale {2 * args.scale}) for the query counts ...", flush=True)
        data2 = seed(2 * args.scale)
        queries[2] = count_queries(data2)
        sizes = f"{data['sessions']} / {data2['sessions']} sessions"
    else:
        sizes = f"{data['sessions']} sessions"

    base = results["baseline"]["rps"]
    print()
    print(
        f"Harbour on the production stack: {args.clients} clients, keep-alive, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s per row; "
        f"{data['sessions']} sessions, {data['attendance']} attendance rows"
    )
    head = f"{'row':<30}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>7}  queries ({sizes})"
    print(head)
    print("-" * len(head))
    missed = []
    for row in rows:
        r = results[row.key]
        ratio = r["rps"] / base
        q1, q2 = queries[1].get(row.key), queries.get(2, {}).get(row.key)
        qtext = f"{q1}" if q2 is None else f"{q1} / {q2}" + ("" if q1 == q2 else "  (GROWS)")
        flags = " ERRORS " + json.dumps(r["statuses"]) if r["unexpected"] else ""
        print(
            f"{row.label:<30}{r['rps']:>8.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}{ratio:>7.2f}  "
            f"{qtext}{flags}"
        )
        if r["unexpected"]:
            missed.append(f"{row.label}: {r['unexpected']} unexpected statuses")
    load_end = os.getloadavg()[0]
    print(f"(load average, 1 min: {load_start:.1f} at the start, {load_end:.1f} at the end)")
    print()
    missed += _goals_missed(rows, results, base)
    if os.environ.get("BENCH_JSON"):
        Path(os.environ["BENCH_JSON"]).write_text(
            json.dumps({"results": results, "queries": queries}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
