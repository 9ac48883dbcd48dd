"""The speed-ups behind `make bench-stack` keep their answers: the policy's
reused SQL still sees every grant and revocation at once, a short list counts
itself, the lazy filter choices still hide what the policy hides, review flags
still show only to coordinators, and a timetable page costs the same queries
whatever the size of the year."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backend.access import policy
from backend.access import services as access_services
from backend.accounts.models import User
from backend.timetable.models import Session
from tests.conftest import client_for
from tests.factories import RoomFactory, make_activity


def _week():
    today = timezone.localdate()
    return {"date_from": today.isoformat(), "date_to": (today + timedelta(days=91)).isoformat()}


def test_reused_policy_sql_sees_a_grant_and_a_revocation_at_once(world):
    learner = world.learner
    hidden = Session.objects.filter(activity=world.protected_activity)
    assert not policy.visible_sessions(learner).filter(pk__in=hidden).exists()
    first, second = policy.granted_spaces(learner), policy.granted_spaces(learner)
    assert first is not second  # clones, never a shared (and cacheable) object
    assert list(first) == []

    access_services.space_grant(actor=world.space_coordinator, space=world.space, user=learner)
    # The same user object and a fresh one (as the next request would have).
    for who in (learner, User.objects.get(pk=learner.pk)):
        assert policy.visible_sessions(who).filter(pk__in=hidden).exists()
        assert list(policy.granted_spaces(who)) == [world.space]

    access_services.space_revoke(actor=world.space_coordinator, space=world.space, user=learner)
    assert not policy.visible_sessions(learner).filter(pk__in=hidden).exists()
    # Another user's SQL is never handed out for hers.
    assert list(policy.granted_spaces(world.learner_with_grant)) == [world.space]
    assert list(policy.granted_spaces(learner)) == []


def test_a_deactivated_user_sees_nothing_protected(world):
    user = world.learner_with_grant
    assert policy.granted_spaces(user).exists()
    user.is_active = False
    assert not policy.granted_spaces(user).exists()


def test_a_short_list_counts_itself_and_a_long_one_still_counts(world, settings):
    # The queries of a computed answer (a cached one makes none: tests/perf).
    settings.HARBOUR_ANSWER_CACHE = False
    client = client_for(world.learner)
    url = reverse("session-list")
    short = client.get(url, _week())
    assert short.status_code == 200
    expected = Session.objects.filter(activity=world.public_activity).count()
    assert short.json()["count"] == len(short.json()["results"]) == expected > 2
    assert short.json()["next"] is None

    with CaptureQueriesContext(connection) as one_page:
        client.get(url, _week())
    with CaptureQueriesContext(connection) as paged:
        page = client.get(url, {**_week(), "page_size": 2})
    assert page.json()["count"] == expected and len(page.json()["results"]) == 2
    assert page.json()["next"] is not None
    assert len(paged) == len(one_page) + 1  # the COUNT(*), needed only here
    last = client.get(url, {**_week(), "page_size": 2, "page": "last"})
    assert last.status_code == 200 and last.json()["count"] == expected


def test_the_venue_filter_still_refuses_a_hidden_venue_like_an_unknown_one(world):
    secret_room = RoomFactory(name="Quiet room", space=world.space)
    make_activity(
        actor=world.space_coordinator, organisation=world.org, room=secret_room,
        space=world.space, title="Women's circle",
        start_date=timezone.localdate() + timedelta(days=2),
    )  # fmt: skip
    venue = str(secret_room.venue_id)
    url = reverse("session-list")
    hidden = client_for(world.learner).get(url, {**_week(), "venue": venue})
    unknown = client_for(world.learner).get(
        url, {**_week(), "venue": "00000000-0000-0000-0000-000000000000"}
    )
    assert hidden.status_code == unknown.status_code == 400
    assert hidden.json()["code"] == "invalid_filter"
    seen = client_for(world.learner_with_grant).get(url, {**_week(), "venue": venue})
    assert seen.status_code == 200
    assert {r["activity"]["title"] for r in seen.json()["results"]} == {"Women's circle"}


def test_review_flags_show_only_to_the_activitys_coordinators(world):
    session = Session.objects.filter(activity=world.public_activity).order_by("start").first()
    Session.objects.filter(pk=session.pk).update(needs_review=True, review_note="Check the room")
    url = reverse("session-detail", args=[session.pk])
    mine = client_for(world.coordinator).get(url).json()
    assert (mine["needs_review"], mine["review_note"]) == (True, "Check the room")
    theirs = client_for(world.learner).get(url).json()
    assert (theirs["needs_review"], theirs["review_note"]) == (False, "")
    listed = client_for(world.learner).get(reverse("session-list"), _week()).json()["results"]
    assert not any(r["needs_review"] or r["review_note"] for r in listed)
    listed = client_for(world.coordinator).get(reverse("session-list"), _week()).json()["results"]
    assert [r["review_note"] for r in listed if r["id"] == str(session.pk)] == ["Check the room"]


@pytest.mark.parametrize("role", ["learner", "learner_with_grant", "coordinator"])
def test_a_timetable_page_costs_the_same_queries_for_a_small_or_a_busy_week(world, role):
    client = client_for(getattr(world, role))
    url = reverse("session-list")
    counts = []
    for extra in (0, 8):
        for i in range(extra):
            make_activity(
                actor=world.coordinator, organisation=world.org, room=RoomFactory(),
                title=f"Extra {len(counts)}-{i}",
                start_date=timezone.localdate() + timedelta(days=1 + i % 6),
            )  # fmt: skip
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)  # the default: the coming seven days
        assert response.status_code == 200
        assert response.json()["count"] >= extra
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
