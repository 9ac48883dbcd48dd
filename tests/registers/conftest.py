"""The Thursday class most register tests start from (tests/registers/thursday.py)."""

from __future__ import annotations

import pytest

from tests.registers.thursday import LONDON, MONDAY, book_people, thursday_dropin_world

__all__ = ["LONDON", "MONDAY", "book_people", "thursday_dropin"]


@pytest.fixture
def thursday_dropin(db):
    """A booked Thursday class at St Anne's, its coordinator and tutor."""
    return thursday_dropin_world()
