"""Shared building blocks: the UUID base model, the one error type and its handler."""
