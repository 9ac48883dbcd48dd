"""Every test here runs with the answer cache on and trusted (a test that
stops Redis leaves it suspect; the next one starts afresh)."""

from __future__ import annotations

import pytest

from backend.common import answer_cache


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.HARBOUR_ANSWER_CACHE = True
    answer_cache._state.update(suspect=False, retry_at=0.0)
    yield
    answer_cache._state["suspect"] = False
