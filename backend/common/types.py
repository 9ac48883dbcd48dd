"""Types shared by the layers.

`Viewer` is whoever asks: a signed-in user or Django's AnonymousUser. Callers
pass `request.user` (or `AnonymousUser()` where there is no request), never
`None`, so every rule in backend/access/policy.py sees one kind of thing.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AbstractUser, AnonymousUser

# AbstractUser, not backend.accounts.User: common sits below every domain (docs/layers.md).
Viewer: TypeAlias = AbstractUser | AnonymousUser
