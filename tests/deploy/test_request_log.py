import json
import logging

from django.test import Client

from backend.common.request_log import JsonFormatter, RequestIdFilter


def test_every_response_carries_a_request_id_and_a_sane_one_is_kept(db):
    made = Client().get("/healthz")
    assert len(made["X-Request-ID"]) == 32
    kept = Client().get("/healthz", HTTP_X_REQUEST_ID="nginx-abc12345")
    assert kept["X-Request-ID"] == "nginx-abc12345"
    replaced = Client().get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces\n")
    assert replaced["X-Request-ID"] != "bad id with spaces\n"


def test_log_lines_are_json_with_the_request_id_and_no_feed_token(db, caplog):
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())  # as the console handler has it, at emit time
    Client().get("/feeds/personal/SECRET-TOKEN-VALUE.ics", HTTP_X_REQUEST_ID="req-12345678")
    lines = []
    for record in caplog.records:
        lines.append(json.loads(JsonFormatter().format(record)))
    access = next(line for line in lines if line["logger"] == "harbour.request")
    assert access["status"] == 404 and access["path"] == "/feeds/personal/…"
    assert access["request_id"] == "req-12345678"
    assert len(lines) >= 2  # Django's own "Not Found" line too
    assert "SECRET" not in json.dumps(lines)
