"""Django's AuthenticationMiddleware, with the signed-in user read from the
answer cache (backend/common/answer_cache.py) instead of the user table.

A cached answer (her week, a register) cost one query besides two Redis round
trips: Django's `SELECT … FROM accounts_user` for `request.user`, a third of
its CPU in the profile. Here the user is kept under the write version like any
answer, so a password or secret changed, an account deactivated or any other
write to the table is seen on the very next request: the entry is then out of
date, and the user is read from the database as before.

What is kept leaves out her password hash and sign-in secret (they stay
deferred: whatever reads them loads them from the table). The session is
still verified on every request, against the session hash computed when the
entry was stored; any doubt (no hash, a mismatch that Django might resolve
with a fallback key) goes to Django's own `get_user`, which flushes or
rotates the session as usual. The cache off or unreachable: Django's path."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from backend.common import answer_cache

# Kept out of the cache: read from the table if anything asks for them.
_SECRETS = ("password", "sign_in_secret")


def _user(request):
    session = request.session
    user_id = session.get(auth.SESSION_KEY)
    backend_path = session.get(auth.BACKEND_SESSION_KEY)
    session_hash = session.get(auth.HASH_SESSION_KEY)
    if (
        not answer_cache.enabled()
        or user_id is None
        or not session_hash
        or backend_path not in settings.AUTHENTICATION_BACKENDS
    ):
        return auth.get_user(request)
    found = answer_cache.lookup("auth-user", backend_path, str(user_id))
    if found.body is not None:
        user, auth_hash = found.body
        if constant_time_compare(session_hash, auth_hash):
            return user
        return auth.get_user(request)
    user = auth.get_user(request)
    if user.is_authenticated and found.version is not None and str(user.pk) == str(user_id):
        auth_hash = user.get_session_auth_hash()
        if constant_time_compare(session_hash, auth_hash):
            kept = type(user).__new__(type(user))
            kept.__dict__ = {k: v for k, v in user.__dict__.items() if k not in _SECRETS}
            kept._state = type(user._state)()
            kept._state.db, kept._state.adding = user._state.db, False
            answer_cache.store(found, (kept, auth_hash))
    return user


def _cached_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = _user(request)
    return request._cached_user


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))
