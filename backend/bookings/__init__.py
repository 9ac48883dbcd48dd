"""Bookings, waiting lists (per session and per activity), offers, cancellation
and promotion. Capacity is enforced under a row lock on the session."""
