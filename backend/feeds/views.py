"""Feed endpoints (plain Django views: they speak text/calendar, not JSON).

Conditional GET: each feed has an ETag and Last-Modified computed from cheap
aggregates, and answers 304 when the subscriber's copy is current, before any
calendar is built.

Language: a personal feed (and "My calendar" in the app) is in its owner's
language, the one her messages use, whatever phone or calendar app reads it.
A public feed, or one session's download, is in `?lang=<code>` when that is
one of the app's languages (the app puts its page language in the links it
offers), else the request's (Django's LocaleMiddleware: the language cookie,
then Accept-Language), else English. The language is part of the ETag."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext
from django.views.decorators.http import require_safe
from icalendar import Calendar

from backend.access import policy
from backend.bookings.models import Booking
from backend.common import answer_cache
from backend.common.errors import uuid_or_not_found
from backend.common.translations import translated
from backend.organisations.models import Organisation

from . import ical, polls, selectors

PERSONAL_FILENAME = "harbour.ics"


def _state(sessions, *extra) -> tuple[str, float | None]:
    figures = sessions.order_by().aggregate(n=Count("pk"), last=Max("updated_at"))
    stamps = [t for t in (figures["last"], *[e for e in extra if hasattr(e, "timestamp")]) if t]
    last = max(stamps) if stamps else None
    key = "|".join(str(x) for x in (figures["n"], figures["last"], *extra))
    # HTTP dates have whole seconds; a fraction would defeat If-Modified-Since.
    return quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32]), (
        int(last.timestamp()) if last else None
    )


def _asked_language(request) -> str:
    """A public feed's language: ?lang=, else the request's, else English."""
    languages = dict(settings.LANGUAGES)
    asked = request.GET.get("lang", "")
    if asked in languages:
        return asked
    current = (translation.get_language() or "").split("-")[0]
    return current if current in languages else settings.LANGUAGE_CODE


def _owner_language(user) -> str:
    """Her language, as her messages use it (her participant record, else her login)."""
    participant = getattr(user, "participant", None)
    language = getattr(participant, "preferred_language", "") or user.preferred_language
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _calendar_response(body: bytes, etag: str, last_modified, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=0, must-revalidate"
    return response


def _respond(
    request, *, sessions, name, filename, language, extra=(), keep=None, **render_kwargs
) -> HttpResponse:
    etag, last_modified = _state(sessions, language, *extra)
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        if keep is not None:
            answer_cache.store(keep, (etag, last_modified, None))
        return not_modified
    body = ical.render(
        sessions,
        name=name,
        app_url=request.build_absolute_uri("/"),
        language=language,
        **render_kwargs,
    )
    if keep is not None:
        # Until the next write, or until its first session leaves the window.
        first = sessions.order_by("start").values_list("start", flat=True).first()
        valid_until = first + selectors.PAST if first else None
        answer_cache.store(keep, (etag, last_modified, body), valid_until=valid_until)
    return _calendar_response(body, etag, last_modified, filename)


@require_safe
def organisation_feed(request, organisation_id: str):
    organisation = Organisation.objects.filter(pk=uuid_or_not_found(organisation_id)).first()
    if organisation is None:
        raise Http404
    sessions = selectors.public_sessions().filter(activity__organisation=organisation)
    return _respond(
        request,
        sessions=sessions,
        name=organisation.name,
        filename=f"{organisation.slug}.ics",
        language=_asked_language(request),
    )


@require_safe
def activity_feed(request, activity_id: str):
    activity = policy.access_activity(AnonymousUser(), activity_id)
    sessions = selectors.public_sessions().filter(activity=activity)
    language = _asked_language(request)
    return _respond(
        request,
        sessions=sessions,
        name=translated(activity, "title", language),
        filename="activity.ics",
        language=language,
    )


@require_safe
def personal_feed(request, token: str):
    """Her secret feed. Its ETag and calendar are cached per feed under the
    write version (backend/common/answer_cache.py): a calendar app's poll is
    answered, 304 or in full, without the policy's queries while nothing was
    written since; any write (a booking, a moved session, a revoked grant, a
    rotated token) makes the next poll compute it afresh."""
    # (A poll that is a 304 at the current version was answered before the
    # view, by backend/feeds/polls.py, from this same entry.)
    found = polls.feed_lookup(request, token)
    if found.body is not None:
        etag, last_modified, body = found.body
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return not_modified
        if body is not None:
            return _calendar_response(body, etag, last_modified, PERSONAL_FILENAME)
    feed = selectors.feed_for_token(token)
    if feed is None:
        raise Http404
    return _personal_response(request, feed, keep=found)


@require_safe
def my_feed(request):
    """The same calendar as her secret feed URL, for the signed-in app ("My
    calendar" parses it), so the app and her phone calendar cannot disagree."""
    if not request.user.is_authenticated:
        raise Http404
    response = _personal_response(request, selectors.feed_of(user=request.user))
    # Read by the app on what may be a shared phone: never written to its cache.
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def my_feed_events(request):
    """ "My calendar" in the app: her own feed (exactly what /feeds/mine.ics
    says, parsed here with icalendar) as JSON events, so the app and her phone
    calendar cannot disagree and the phone needs no iCal parser of its own."""
    if not request.user.is_authenticated:
        raise Http404
    feed = selectors.feed_of(user=request.user)
    body = _personal_response(request, feed).content
    events = [
        {
            "uid": str(event.get("uid")),
            "title": str(event.get("summary", "")),
            "start": event.decoded("dtstart").isoformat(),
            "end": event.decoded("dtend").isoformat(),
            "where": str(event.get("location", "")),
            "status": str(event.get("status", "CONFIRMED")),
            "url": str(event.get("url", "")),
        }
        for event in Calendar.from_ical(body).walk("VEVENT")
    ]
    response = JsonResponse({"events": events})
    # Read by the app on what may be a shared phone: never written to its cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _personal_response(request, feed, keep=None) -> HttpResponse:
    sessions, statuses = selectors.personal_sessions(feed=feed)
    last_booking = Booking.objects.filter(participant__user=feed.user).aggregate(
        last=Max("updated_at")
    )["last"]
    granted = sorted(
        str(pk) for pk in policy.granted_spaces(feed.user).values_list("pk", flat=True)
    )
    language = _owner_language(feed.user)
    with translation.override(language):
        name = gettext("Harbour: my sessions")
    return _respond(
        request,
        sessions=sessions,
        name=name,
        filename=PERSONAL_FILENAME,
        language=language,
        extra=(feed.user_id, feed.updated_at, last_booking, ",".join(granted)),
        keep=keep,
        statuses=statuses,
        discreet_title=feed.discreet_title if feed.discreet else None,
    )


@require_safe
def session_download(request, session_id: str):
    """ "Add to calendar" for one session, as the signed-in (or anonymous) viewer sees it."""
    session = policy.access_session(request.user, session_id)
    sessions = policy.visible_sessions(request.user).filter(pk=session.pk)
    sessions = sessions.select_related("activity__organisation", "room__venue", "activity__space")
    language = _asked_language(request)
    response = _respond(
        request,
        sessions=sessions,
        name=translated(session.activity, "title", language),
        filename="session.ics",
        language=language,
    )
    response["Content-Disposition"] = 'attachment; filename="session.ics"'
    return response
