"""The lottery itself, as pure functions of a draw's record: no database, no
clock, no randomness of its own. Given the published seed, the entrants (entry
ids and places, sorted by id) and the number of places, the winners are always
the same, so a trustee can re-run a draw from its audit record
(`manage.py verify_draw <id>`), or by hand with any SHA-256 tool:

    rank each entrant by sha256("<seed>:<entry id>") as hex, smallest first;
    walk that order, taking each entrant whose places still fit the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping


def ticket(seed: str, entry_id: str) -> str:
    """An entrant's ticket: her place in the shuffled order."""
    return hashlib.sha256(f"{seed}:{entry_id}".encode()).hexdigest()


def draw_order(seed: str, entry_ids: Iterable[str]) -> list[str]:
    """The entrants shuffled by the seed (ties, impossible in practice, by id)."""
    return sorted(sorted(str(i) for i in entry_ids), key=lambda i: ticket(seed, i))


def draw_winners(seed: str, entrants: Iterable[Mapping], places: int) -> list[str]:
    """Entry ids of the winners, in draw order: each entrant in turn whose
    whole group fits the places still left (a family is all or none)."""
    sizes = {str(e["id"]): int(e.get("places", 1)) for e in entrants}
    left = places
    winners: list[str] = []
    for entry_id in draw_order(seed, sizes):
        if left <= 0:
            break
        if sizes[entry_id] <= left:
            winners.append(entry_id)
            left -= sizes[entry_id]
    return winners
