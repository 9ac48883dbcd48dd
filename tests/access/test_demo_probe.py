"""A black-box probe of the demo, as a determined person without the grant.

The demo is loaded twice at the same frozen instant: once as `make run` loads
it, and once as it would be if the women-only space had never run anything
(`load_demo --without-space-content`: the space is still listed, with its
coordinator, grants and requests, but it never ran anything). Then every GET a
person can make — every list
with its filters, participant search by every name (and typos of it), the
figures over sliding windows, the feeds, the first screen, each detail and
action reachable from the lists, plus ids of the hidden objects — is asked as
anonymous, each learner, tutor and coordinator without the grant, and the
superuser (in the admin too: index, every changelist, change and history
pages). The two transcripts must be identical, once ids are replaced by the
order in which they first appear (a hidden object's id stands beside a fresh
random id in the other world). Any difference is something the hidden data
gave away.
"""

from __future__ import annotations

import functools
import io
import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

FROZEN = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)  # a Thursday, mid-morning in Derby
WITHOUT_GRANT = (
    None, "learner.ahmed", "learner.layla", "tutor.john", "coord.drs", "coord.upbeat", "admin",
)  # fmt: skip
# Figures: windows of these lengths, ending on each of the last 15 days (every
# length from 1 to 60 days is slid over a small world in the figures' own tests).
WINDOW_DAYS = (1, 7, 28, 29)
PER_LIST = 5  # detail pages tried per list
HIDDEN_PROBES = 3  # hidden ids tried per detail route (fresh ids in the other world)

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HEX32_RE = re.compile(r"\b[0-9a-f]{32}\b")
ADMIN_INT_RE = re.compile(r"(/admin/[a-z_]+/[a-z_]+/)(\d+)(/)")
# Integer keys of admin rows (access logs): the sequences are not rolled back.
ADMIN_ROW_RE = re.compile(r'(name="_selected_action" value=")(\d+)(")')
CSRF_RE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+|("csrfToken": ?")[^"]+')
NONCE_RE = re.compile(r'nonce="[^"]+"')
# The admin shows the start of each password's random salt and hash.
PASSWORD_RE = re.compile(r"(<strong>(?:salt|hash)</strong>: <bdi>)[^<]*")


class Transcript:
    """Requests and answers, ids replaced by their order of first appearance."""

    def __init__(self):
        self.ids: dict[str, str] = {}
        self.lines: list[tuple[str, str]] = []

    def canon(self, text: str) -> str:
        def name(match):
            return label(match.group(0))

        def label(value: str) -> str:
            return self.ids.setdefault(value, f"<id{len(self.ids)}>")

        text = CSRF_RE.sub(lambda m: (m.group(1) or m.group(2)) + "<csrf>", text)
        text = NONCE_RE.sub('nonce="<nonce>"', text)
        text = PASSWORD_RE.sub(r"\1<secret>", text)
        text = UUID_RE.sub(name, text)
        text = HEX32_RE.sub(name, text)
        text = ADMIN_ROW_RE.sub(lambda m: m.group(1) + label("row" + m.group(2)) + m.group(3), text)
        return ADMIN_INT_RE.sub(lambda m: m.group(1) + label(m.group(2)) + m.group(3), text)

    def add(self, url: str, response) -> str:
        body = response.content.decode("utf-8", "replace")
        key = self.canon(url)
        kind = response.get("Content-Type", "").split(";")[0]
        self.lines.append((key, f"{response.status_code} {self.canon(_untied(body, kind))}"))
        return body


def _masked(text: str) -> str:
    text = ADMIN_ROW_RE.sub(r"\1<n>\3", text)
    text = ADMIN_INT_RE.sub(r"\1<n>\3", text)
    return UUID_RE.sub("<id>", text)


def _untied(body: str, kind: str) -> str:
    """The body with the order of its items made independent of ids. Items that
    tie on their sort key (two sessions at 10:00) come in the order of their
    random UUIDs, which differ between the worlds; sorting them by their content
    with ids masked keeps every item and every value, and drops only that."""
    if kind == "application/json":
        try:
            data = json.loads(body)
        except ValueError:
            return body

        def sort(value):
            if isinstance(value, list):
                items = [sort(v) for v in value]
                return sorted(items, key=lambda v: _masked(json.dumps(v, sort_keys=True)))
            if isinstance(value, dict):
                return {k: sort(v) for k, v in value.items()}
            return value

        return json.dumps(sort(data), sort_keys=True, ensure_ascii=False)
    if kind == "text/calendar":
        events = re.findall(r"BEGIN:VEVENT.*?END:VEVENT\r?\n", body, flags=re.S)
        rest = re.sub(r"BEGIN:VEVENT.*?END:VEVENT\r?\n", "", body, flags=re.S)
        return rest + "".join(sorted(events, key=_masked))
    if kind == "text/csv":
        head, *rows = body.splitlines()
        return "\n".join([head, *sorted(rows, key=_masked)]) if body else body
    if kind == "text/html":

        def rows(match):
            return "".join(
                sorted(re.findall(r"<tr.*?</tr>", match.group(0), flags=re.S), key=_masked)
            )

        return re.sub(r"<tbody>.*?</tbody>", rows, body, flags=re.S)
    return body


@functools.cache
def _route_names() -> list[tuple[str, list[str]]]:
    routes = []

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if getattr(pattern, "app_name", None) != "admin":
                    walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                routes.append((pattern.name, sorted(pattern.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns)
    return sorted({(n, tuple(k)) for n, k in routes})


def _ids_from(body: str) -> list[str]:
    """Ids of the items of a list answer (top-level `id`s), in the untied order."""
    try:
        data = json.loads(_untied(body, "application/json"))
    except ValueError:
        return []
    items = data.get("results", data) if isinstance(data, dict) else data
    if not isinstance(items, list):
        return []
    return [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]


# Which list feeds the ids of which parameterised route.
SOURCE = {
    "feed-activity": "activity-list",
    "feed-session": "session-list",
    "feed-organisation": "organisation-list",
    "register": "session-list",
    # A list's rules are read by activity id (the hidden ones answer as unknown ids).
    "queue-rule-detail": "activity-list",
    "no-show-rule-detail": "activity-list",
}


def _source_list(name: str) -> str | None:
    if name in SOURCE:
        return SOURCE[name]
    base = name.split("-")[0]
    for prefix in (name.rsplit("-", 1)[0], base):
        candidate = f"{prefix}-list"
        if candidate in dict(_route_names()):
            return candidate
    return None


def _hidden_ids(with_space: bool) -> dict[str, list[str]]:
    """Ids of the space's objects, per list they would appear in."""
    if not with_space:
        return {}
    from backend.accounts.models import Participant
    from backend.bookings.models import Booking
    from backend.timetable.models import Activity, Session

    activities = Activity.objects.filter(space__isnull=False)
    sessions = Session.objects.filter(activity__in=activities).order_by("start")
    people = Participant.objects.filter(registered_in_space__isnull=False)
    return {
        "activity-list": [str(a.pk) for a in activities],
        "session-list": [str(s.pk) for s in sessions],
        "participant-list": [str(p.pk) for p in people],
        "booking-list": [str(b.pk) for b in Booking.objects.filter(session__in=sessions)],
    }


def _load(with_space: bool) -> None:
    cache.clear()
    call_command(
        "load_demo", force=True, without_space_content=not with_space, stdout=io.StringIO()
    )


def _crawl(username: str | None, with_space: bool, names: list[str]) -> Transcript:
    cache.clear()
    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    t = Transcript()
    routes = dict(_route_names())

    def get(url: str, **params):
        response = client.get(url, params)
        query = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        return t.add(f"{url}?{query}", response)

    today = FROZEN.date()
    lists = _crawl_lists(get, routes, names, today)
    _crawl_figures(get, today)
    _crawl_details(get, routes, lists, _hidden_ids(with_space))
    if username and client.get("/admin/").status_code == 200:
        _crawl_admin(get)
    return t


def _crawl_lists(get, routes: dict, names: list[str], today: date) -> dict[str, list[str]]:
    """Lists, with their filters."""
    lists: dict[str, list[str]] = {}
    for name, kwargs in routes.items():
        if kwargs or not name.endswith("-list"):
            continue
        lists[name] = _ids_from(get(reverse(name)))
    sessions_url = reverse("session-list")
    for weeks in range(-8, 5):
        day = today + timedelta(weeks=weeks)
        ids = _ids_from(get(sessions_url, date_from=day, date_to=day + timedelta(days=6)))
        lists["session-list"] += ids
    for flag in ("has_places", "registers", "needs_review"):
        get(sessions_url, **{flag: "true"})
    get(sessions_url, status="cancelled")
    for venue in lists.get("venue-list", []):
        get(sessions_url, venue=venue)
        get(reverse("activity-list"), venue=venue)
    for person in names:
        get(reverse("participant-list"), q=person)
        if len(person) > 3:
            get(reverse("participant-list"), q=person[:2] + person[3:])  # a typo
    for session_id in lists.get("session-list", [])[:PER_LIST]:
        get(reverse("booking-list"), session=session_id)
    for name in ("me", "feed", "feed-mine", "app", "javascript-catalog"):
        if name in routes:
            get(reverse(name))
    return lists


def _crawl_figures(get, today: date) -> None:
    """Figures over sliding windows, for every organisation."""
    from backend.organisations.models import Organisation

    for org in Organisation.objects.order_by("slug"):
        for days in WINDOW_DAYS:
            for back in range(15):
                end = today - timedelta(days=back)
                get(
                    reverse("figures"),
                    organisation=org.pk,
                    date_from=end - timedelta(days=days - 1),
                    date_to=end,
                )
        get(reverse("figures-csv"), organisation=org.pk, date_from=date(2026, 9, 1), date_to=today)


def _crawl_details(get, routes: dict, lists: dict[str, list[str]], hidden: dict) -> None:
    """Details and actions reachable from the lists, and hidden ids beside fresh ones."""
    stand_ins: dict[str, list[str]] = {}
    for name, kwargs in routes.items():
        if len(kwargs) != 1 or name.startswith("feed-personal"):
            continue
        source = _source_list(name)
        if source is None:
            continue
        ids = list(dict.fromkeys(lists.get(source, [])))[:PER_LIST]
        if source not in stand_ins:  # the same stand-ins for every route of a list
            secret = hidden.get(source, [])[:HIDDEN_PROBES]
            stand_ins[source] = secret + [
                str(uuid.uuid4()) for _ in range(HIDDEN_PROBES - len(secret))
            ]
        ids += stand_ins[source]
        for object_id in ids:
            get(reverse(name, kwargs={kwargs[0]: object_id}))


def _crawl_admin(get) -> None:
    """The admin, for staff."""
    index = get("/admin/")
    for changelist in sorted(set(re.findall(r'href="(/admin/[a-z_]+/[a-z_]+/)"', index))):
        body = get(changelist)
        for change in list(dict.fromkeys(re.findall(r'href="(/admin/[^"]+/change/)', body)))[
            :PER_LIST
        ]:
            get(change)
            get(change.replace("/change/", "/history/"))


def _first_difference(seen: str, unseen: str) -> str:
    for i, (a, b) in enumerate(zip(seen, unseen, strict=False)):
        if a != b:
            near = slice(max(0, i - 150), i + 150)
            return f"  with:    …{seen[near]}\n  without: …{unseen[near]}"
    return f"  with:    …{seen[-200:]}\n  without: …{unseen[-200:]}"


@pytest.mark.django_db
def test_the_demo_looks_the_same_with_and_without_the_womens_space():
    from backend.accounts.models import Participant

    transcripts: dict[bool, dict[str | None, Transcript]] = {}
    names: list[str] = []
    with time_machine.travel(FROZEN, tick=False):
        for with_space in (True, False):
            with transaction.atomic():
                _load(with_space)
                # The hidden people's names and some others, asked in both worlds.
                names = names or sorted(
                    {
                        p.known_as
                        for p in Participant.objects.filter(registered_in_space__isnull=False)
                    }
                    | {p.known_as for p in Participant.objects.order_by("known_as")[:8]}
                    | {"Fatima"}
                )
                transcripts[with_space] = {u: _crawl(u, with_space, names) for u in WITHOUT_GRANT}
                transaction.set_rollback(True)
    differences = []
    for username in WITHOUT_GRANT:
        seen, unseen = transcripts[True][username].lines, transcripts[False][username].lines
        assert len(seen) == len(unseen), f"{username}: the crawls asked different questions"
        for (url, answer), (url_without, answer_without) in zip(seen, unseen, strict=True):
            if url != url_without or answer != answer_without:
                who = username or "anonymous"
                differences.append(f"{who} GET {url}\n{_first_difference(answer, answer_without)}")
                break  # one difference per person is enough to read
    assert not differences, "\n".join(differences)
