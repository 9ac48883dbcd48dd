"""With/without probes: ask the same question of a world with hidden data and of
one without it; someone without the grant must get the same status and body.

Both worlds are the same database state: the base world is built, then each
variant runs in its own rolled-back transaction, with the hidden data added in
one of them. Ids and timestamps of rows the request itself creates differ
between the runs, so the top-level `id` and `created_at` are masked."""

from __future__ import annotations

import json

from django.db import transaction

MASKED = ("id", "created_at", "offer_expires_at")


def _masked(value, keys):
    if isinstance(value, dict):
        return {k: ("<new>" if k in keys else _masked(v, keys)) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, keys) for v in value]
    return value


def _normalise(response, mask=()) -> tuple[int, object]:
    """`mask`: keys, at any depth, holding ids of rows the request itself made."""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return response.status_code, response.content
    if isinstance(body, dict):
        body = {k: ("<new>" if k in MASKED else v) for k, v in body.items()}
    return response.status_code, _masked(body, set(mask))


def answers_in(*setups, ask, mask=()) -> list[tuple]:
    """The answer to `ask()` after each setup, each in its own rolled-back run."""
    answers = []
    for setup in setups:
        with transaction.atomic():
            setup()
            answers.append(_normalise(ask(), mask))
            transaction.set_rollback(True)
    return answers


def answers_with_and_without(add_hidden, ask, mask=()) -> tuple[tuple, tuple]:
    """(answer without the hidden data, answer with it)."""
    without, with_hidden = answers_in(lambda: None, add_hidden, ask=ask, mask=mask)
    return without, with_hidden


def assert_same_answer(add_hidden, ask, mask=()):
    without, with_hidden = answers_with_and_without(add_hidden, ask, mask)
    assert without == with_hidden, f"without hidden data: {without}\nwith it: {with_hidden}"
    return without
