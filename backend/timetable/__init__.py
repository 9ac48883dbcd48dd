"""Activities (what runs, where, how often) and Sessions (one row per occurrence)."""
