"""Benchmark (not a timed test): booking throughput under contention, as a ratio
to an unloaded DRF endpoint measured in the same run on the same live server.
Run: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/harbour make bench`."""

from __future__ import annotations

import statistics
import time as clock
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.bookings.test_concurrency import CLIENTS, post
from tests.bookings.test_concurrency import full_house as full_house

CONCURRENCY = 16


def timed(fn, jobs):
    latencies: list[float] = []

    def run(job):
        started = clock.perf_counter()
        result = fn(job)
        latencies.append(clock.perf_counter() - started)
        return result

    started = clock.perf_counter()
    with ThreadPoolExecutor(max_workers=min(CONCURRENCY, CLIENTS)) as pool:
        results = list(pool.map(run, jobs))
    elapsed = clock.perf_counter() - started
    latencies.sort()
    return results, {
        "rps": len(jobs) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


@pytest.mark.bench
def test_booking_throughput_under_contention(live_server, full_house):
    session, _people, headers = full_house

    def hello(h):
        request = urllib.request.Request(live_server.url + "/api/v1/languages/", headers=h)
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status

    timed(hello, headers[:50])  # warm up
    _, baseline = timed(hello, headers[:250])
    body = {"session": str(session.pk)}
    results, booking = timed(
        lambda h: post(live_server.url, "/api/v1/bookings/", h, body), headers[:250]
    )
    assert {code for code, _ in results} == {201}

    print(
        f"\nBooking under contention ({connection.vendor}, {CONCURRENCY} clients, "
        "250 requests each)"
    )
    print(f"{'endpoint':<34}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}")
    for name, figures in (("GET /api/v1/languages/ (baseline)", baseline),
                          ("POST /api/v1/bookings/ (1 session)", booking)):  # fmt: skip
        ratio = figures["rps"] / baseline["rps"]
        print(
            f"{name:<34}{figures['rps']:>8.1f}{figures['p50']:>9.1f}{figures['p99']:>9.1f}{ratio:>8.2f}"
        )
