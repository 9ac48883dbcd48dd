"""A calendar app's poll of her secret feed, answered 304 straight after the
security middleware when the answer cache holds the feed's ETag at the
current write version (backend/common/answer_cache.py; the same entry the
view stores, under the same key).

A poll carries no cookie, no session and no form: the session, language,
CSRF, authentication, messages, framing, CSP and django-axes middleware have
nothing to do for it, and a 304 has no body to protect, yet they were most of
what a poll cost. Anything else (no entry, a write since, a changed ETag, a
cache outage) goes on to the view, which computes it as before and reuses this
lookup."""

from __future__ import annotations

from django.utils.cache import get_conditional_response

from backend.common import answer_cache

from .services import token_hash

PREFIX = "/feeds/personal/"
SUFFIX = ".ics"


def feed_lookup(request, token: str) -> answer_cache.Lookup:
    """The cached (etag, last_modified, body) of her feed, once per request."""
    found = getattr(request, "_personal_feed_lookup", None)
    if found is None:
        found = answer_cache.lookup(
            "personal-feed", token_hash(token), request.scheme, request.get_host()
        )
        request._personal_feed_lookup = found
    return found


class PersonalFeedPollMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (
            request.method in ("GET", "HEAD")
            and path.startswith(PREFIX)
            and path.endswith(SUFFIX)
            and ("HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META)
            and answer_cache.enabled()
        ):
            token = path[len(PREFIX) : -len(SUFFIX)]
            if token and "/" not in token:
                found = feed_lookup(request, token)
                if found.body is not None:
                    etag, last_modified, _body = found.body
                    not_modified = get_conditional_response(
                        request, etag=etag, last_modified=last_modified
                    )
                    if not_modified is not None:
                        return not_modified
        return self.get_response(request)
