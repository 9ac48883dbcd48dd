"""No stampede (backend/common/answer_cache.py): when many requests miss the
same answer at once (every answer is missing after a write), one computes it
and the others wait for it; they compute it themselves when the filler stores
nothing or a write moves the version meanwhile, so waiting never serves an
answer a write has changed.

No timing is assumed: the first build is held until every other request is
seen waiting, and the wait limit is lifted far above anything a loaded
machine needs."""

from __future__ import annotations

import json
import threading

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from backend.common import answer_cache

CLIENTS = 8


def _request():
    request = Request(APIRequestFactory().get("/api/v1/figures/?year=2026"))
    request.accepted_renderer = JSONRenderer()
    request.accepted_media_type = "application/json"
    return request


class Crowd:
    """CLIENTS requests for one answer at once; the first build is held until
    the test lets it go."""

    def __init__(self, monkeypatch, *, first_status=200):
        self.builds: list[int] = []
        self.lock = threading.Lock()
        self.waiting = threading.Semaphore(0)
        self.go = threading.Event()
        self.first_status = first_status
        self.answers: list = [None] * CLIENTS
        monkeypatch.setattr(answer_cache, "FILL_WAIT_SECONDS", 60.0)
        real = answer_cache.await_fill

        def seen_waiting(*args, **kwargs):
            self.waiting.release()
            return real(*args, **kwargs)

        monkeypatch.setattr(answer_cache, "await_fill", seen_waiting)

    def build(self):
        with self.lock:
            self.builds.append(threading.get_ident())
            first = len(self.builds) == 1
        if first:
            assert self.go.wait(60)
            return Response({"who": "filler"}, status=self.first_status)
        return Response({"who": "waiter"})

    def run(self, while_waiting=lambda: None):
        def one(n):
            response = answer_cache.json_answer(_request(), ("figures", "class-1"), self.build)
            # A cached or stored answer is rendered JSON; one not stored is
            # DRF's own Response, rendered later by the view.
            data = response.data if isinstance(response, Response) else json.loads(response.content)
            self.answers[n] = (response.status_code, data["who"])

        threads = [threading.Thread(target=one, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for _ in range(CLIENTS - 1):
            assert self.waiting.acquire(timeout=60), "the others never waited"
        while_waiting()
        self.go.set()
        for thread in threads:
            thread.join(timeout=60)
            assert not thread.is_alive()


@pytest.fixture(autouse=True)
def _fresh_version():
    answer_cache.bump()  # nothing stored earlier is reachable


def test_a_missing_answer_is_computed_once_while_the_others_wait_for_it(monkeypatch):
    crowd = Crowd(monkeypatch)
    crowd.run()
    assert len(crowd.builds) == 1
    assert crowd.answers == [(200, "filler")] * CLIENTS


def test_when_the_filler_stores_nothing_the_others_compute_it_themselves(monkeypatch):
    crowd = Crowd(monkeypatch, first_status=404)
    crowd.run()
    # The filler's 404 was not shared; the others computed their own answer
    # (or took one the first of them stored) rather than waiting on.
    assert 2 <= len(crowd.builds) <= CLIENTS
    assert sorted(crowd.answers) == [(200, "waiter")] * (CLIENTS - 1) + [(404, "filler")]


def test_a_write_while_they_wait_sends_them_to_compute_the_new_answer(monkeypatch):
    crowd = Crowd(monkeypatch)
    crowd.run(while_waiting=answer_cache.bump)
    # Nobody was served the answer computed before the write.
    assert len(crowd.builds) == CLIENTS
    assert [who for _, who in crowd.answers].count("filler") == 1
