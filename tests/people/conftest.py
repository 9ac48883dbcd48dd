"""Fixtures shared with the registers tests."""

from tests.registers.conftest import thursday_dropin  # noqa: F401
