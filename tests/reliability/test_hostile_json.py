"""Hostile bodies get a JSON 4xx with a stable code, never a 500 page
(issue 17, items 3 and 4): JSON nested 100,000 deep, to every writing
operation of the API and to sign-in; a body over the size cap (413)."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import pytest
import yaml

from backend.common.parsers import MAX_DEPTH, too_deep
from tests.accounts.test_sign_in import SIGN_IN, browser, csrf
from tests.conftest import client_for

SCHEMA = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "api_schema" / "openapi.yaml").read_text()
)
WRITES = sorted(
    (method, path, "requestBody" in operation)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if method in {"post", "put", "patch"}
)
DEEP = "[" * 100_000


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


def test_the_depth_check_counts_brackets_outside_strings_only():
    assert not too_deep('{"a": [[1, 2], {"b": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}]}')
    assert not too_deep("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert too_deep("[" * (MAX_DEPTH + 1))
    assert not too_deep('{"a": "\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')


def test_deep_json_is_refused_cheaply_before_it_is_parsed():
    started = time.process_time()
    for _ in range(10):
        assert too_deep(DEEP)
    assert time.process_time() - started < 1.0  # ~1 ms each; generous for a loaded machine


@pytest.mark.parametrize(("method", "path", "takes_body"), WRITES)
def test_deeply_nested_json_to_any_write_is_a_json_400(world, method, path, takes_body):
    client = client_for(world.coordinator)
    client.raise_request_exception = False
    response = getattr(client, method)(_url(path), DEEP, content_type="application/json")
    if not takes_body and response.status_code < 400:
        return  # it never reads a body (sign-out)
    assert response["Content-Type"].startswith("application/json"), (path, response.content[:200])
    answer = (response.status_code, response.json()["code"])
    # An operation on an object that does not exist (or that she may not
    # change) may say so before it reads the body.
    assert answer[0] in {403, 404} or answer == (400, "json_too_deep"), (path, answer)


def test_deeply_nested_json_to_sign_in_is_a_json_400(db):
    client = browser()
    client.raise_request_exception = False
    response = client.post(SIGN_IN, DEEP, content_type="application/json", **csrf(client))
    assert response.status_code == 400
    assert response.json()["code"] == "json_too_deep"


def test_deep_but_reasonable_json_still_reads(db):
    client = browser()
    nested = {"username": "x", "password": "y", "extra": [[[[[["fine"]]]]]]}
    response = client.post(SIGN_IN, nested, format="json", **csrf(client))
    assert response.json()["code"] == "sign_in_failed"


def test_a_body_over_the_cap_is_a_json_413(world, settings):
    client = client_for(world.coordinator)
    client.raise_request_exception = False
    big = '{"session": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    response = client.post("/api/v1/bookings/", big, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
