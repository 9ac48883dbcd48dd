"""Delivering the outbox: claimed with SKIP LOCKED and a lease, marked sent only
after the send, so several workers never send one twice and a worker that dies
mid-batch loses nothing."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from backend.accounts.models import Participant
from backend.notifications.models import Notification
from backend.notifications.services import notifications_send

SMS = "tests.notifications.test_outbox.RecordingSms"


class WorkerKilled(BaseException):
    """Stands for the process dying: not an Exception, so no handler records it."""


class RecordingSms:
    """Records every text sent, by whom; `die_after` sends kill that worker."""

    lock = threading.Lock()
    sent: list[tuple[str, str]] = []  # (phone, worker)
    die_after: dict[str, int] = {}
    fail_phones: set[str] = set()
    both_claimed: threading.Barrier | None = None
    waited: set[str] = set()

    def send(self, phone: str, text: str) -> None:
        worker = threading.current_thread().name
        cls = type(self)
        if cls.both_claimed is not None and worker not in cls.waited:
            cls.waited.add(worker)
            # Each worker's first send waits until the other has rows too.
            with contextlib.suppress(threading.BrokenBarrierError):
                cls.both_claimed.wait(timeout=30)
        with cls.lock:
            mine = sum(1 for _, w in cls.sent if w == worker)
            if cls.die_after.get(worker) == mine:
                raise WorkerKilled(worker)
            if phone in cls.fail_phones:
                raise ConnectionError("provider down")
            cls.sent.append((phone, worker))


@pytest.fixture
def outbox(settings):
    settings.HARBOUR_SMS_BACKEND = SMS
    settings.HARBOUR_OUTBOX_LEASE_SECONDS = 300
    RecordingSms.sent = []
    RecordingSms.die_after = {}
    RecordingSms.fail_phones = set()
    RecordingSms.both_claimed = None
    RecordingSms.waited = set()

    def fill(count: int = 50) -> list[str]:
        phones = [f"07700 9{n:05d}" for n in range(count)]
        for phone in phones:
            person = Participant.objects.create(known_as=f"P {phone}", phone=phone)
            Notification.objects.create(
                participant=person, channel="sms", kind="booking_confirmed",
                language="en", subject="Booked", body="See you",
            )  # fmt: skip
        return phones

    yield fill
    RecordingSms.both_claimed = None


def sent_per_phone() -> Counter:
    return Counter(phone for phone, _ in RecordingSms.sent)


def after_the_lease(leases: int = 1):
    return time_machine.travel(timezone.now() + timedelta(seconds=301 * leases), tick=True)


def run_workers(names: list[str], **kwargs) -> dict[str, object]:
    """Run notifications_send in one thread per name (each its own connection)."""
    outcomes: dict[str, object] = {}
    start = threading.Barrier(len(names))

    def work():
        name = threading.current_thread().name
        try:
            start.wait(timeout=30)
            outcomes[name] = notifications_send(**kwargs)
        except BaseException as exc:  # the killed worker's end
            outcomes[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, name=name) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.mark.django_db
def test_each_row_is_sent_once_and_marked_sent(outbox):
    phones = outbox(12)
    assert notifications_send(batch=5) == (12, 0)
    assert notifications_send(batch=5) == (0, 0)
    assert sent_per_phone() == Counter(phones)
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert not Notification.objects.filter(claimed_until__isnull=False).exists()
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_limit_caps_one_run(outbox):
    outbox(12)
    assert notifications_send(limit=7, batch=5) == (7, 0)
    assert notifications_send(limit=7, batch=5) == (5, 0)


@pytest.mark.django_db
def test_a_failed_send_is_retried_after_the_lease_then_given_up(outbox):
    [down, *rest] = outbox(3)
    RecordingSms.fail_phones = {down}
    assert notifications_send() == (2, 1)  # tried once in a run, not hammered
    note = Notification.objects.get(participant__phone=down)
    assert (note.status, note.attempts, note.last_error) == ("pending", 1, "provider down")
    assert notifications_send() == (0, 0)  # still within its lease
    for attempt in range(2, 6):
        with after_the_lease(attempt):
            assert notifications_send() == (0, 1)
        note.refresh_from_db()
        assert note.attempts == attempt
    assert note.status == "failed"
    with after_the_lease(10):
        assert notifications_send() == (0, 0)
    assert sent_per_phone() == Counter(rest)


@pytest.mark.django_db
def test_a_worker_that_dies_mid_batch_loses_nothing(outbox):
    phones = outbox(20)
    RecordingSms.die_after = {threading.current_thread().name: 3}
    with pytest.raises(WorkerKilled):
        notifications_send(batch=10)
    assert Notification.objects.filter(status="sent").count() == 3
    RecordingSms.die_after = {}
    # The dead worker's other 7 rows wait for its lease; the rest go now.
    assert notifications_send(batch=10) == (10, 0)
    with after_the_lease():
        assert notifications_send(batch=10) == (7, 0)
    assert sent_per_phone() == Counter(phones)
    assert Notification.objects.filter(status="sent").count() == 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_one_outbox_each_row_exactly_once(outbox):
    phones = outbox(50)
    # Each worker's first send waits for the other's: both hold claims at once.
    RecordingSms.both_claimed = threading.Barrier(2)
    outcomes = run_workers(["a", "b"], batch=5)
    assert sum(sent for sent, _ in outcomes.values()) == 50
    assert sent_per_phone() == Counter(phones)  # every one, none twice
    by_worker = Counter(worker for _, worker in RecordingSms.sent)
    assert by_worker["a"] > 0 and by_worker["b"] > 0
    assert Notification.objects.filter(status="sent").count() == 50


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rows_another_worker_is_claiming_are_skipped_not_waited_for(outbox):
    phones = outbox(50)
    locked = threading.Event()
    release = threading.Event()

    def hold():  # a worker inside its claim transaction, rows locked
        try:
            with transaction.atomic():
                list(Notification.objects.select_for_update().order_by("created_at", "pk")[:5])
                locked.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        outcomes = run_workers(["b"], batch=10)
        assert outcomes["b"] == (45, 0)  # did not block on the locked five
    finally:
        release.set()
        holder.join(timeout=30)
    assert notifications_send() == (5, 0)
    assert sent_per_phone() == Counter(phones)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_the_other_and_the_next_run_send_the_rest(outbox):
    phones = outbox(50)
    RecordingSms.both_claimed = threading.Barrier(2)
    RecordingSms.die_after = {"a": 3}
    outcomes = run_workers(["a", "b"], batch=5)
    assert isinstance(outcomes["a"], WorkerKilled)
    assert outcomes["b"][1] == 0
    # a sent 3 of its claimed 5; b sent everything else it could claim.
    assert outcomes["b"][0] == 50 - 5
    assert Notification.objects.filter(status="pending").count() == 2
    RecordingSms.both_claimed = None
    assert notifications_send() == (0, 0)  # a's lease still holds them
    with after_the_lease():
        assert notifications_send() == (2, 0)
    assert sent_per_phone() == Counter(phones)  # nothing lost, nothing twice
    assert Notification.objects.filter(status="sent").count() == 50
