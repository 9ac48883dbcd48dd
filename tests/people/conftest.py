"""Fixtures shared with the registers tests."""

from tests.registers.test_registers import thursday_dropin  # noqa: F401
