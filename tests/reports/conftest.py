"""Figures tests start from the register tests' Thursday class."""

from tests.registers.conftest import thursday_dropin  # noqa: F401
