"""Fixtures shared with the registers tests."""

import pytest

from tests.registers.conftest import thursday_dropin  # noqa: F401


@pytest.fixture(autouse=True)
def _registers_open_early(settings):
    # These tests record attendance on the Thursday class of March 2027 without
    # travelling to it: they are about people, not about when a register opens
    # (that rule, `register_not_open`, is tested in tests/registers).
    settings.HARBOUR_REGISTER_OPENS_BEFORE_MINUTES = 60 * 24 * 365 * 3
