"""The shipped gunicorn and nginx configurations keep their keep-alive pact:
nginx always closes an idle upstream connection before gunicorn would, so a
reused connection is never reset under nginx (issue 17: 502s under a burst),
and nginx never replays a POST on another app server."""

import os
import re
import runpy
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
NGINX_FILES = ["harbour.conf", "local-stack.conf.in", "compose.conf"]
DURATION = re.compile(r"^(\d+)(ms|s|m)?$")


def _seconds(value: str) -> float:
    match = DURATION.match(value)
    assert match, f"unreadable nginx duration {value!r}"
    number, unit = int(match[1]), match[2] or "s"
    return number * {"ms": 0.001, "s": 1, "m": 60}[unit]


def _blocks(text: str, name: str) -> list[str]:
    """Bodies of every `name ... { ... }` block (nested braces balanced)."""
    text = re.sub(r"#[^\n]*", "", text)
    bodies = []
    for match in re.finditer(rf"\b{name}\b[^{{;]*\{{", text):
        depth, i = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        bodies.append(text[match.end() : i - 1])
    return bodies


def _directives(body: str, name: str) -> list[str]:
    return re.findall(rf"(?:^|[;{{}}\s]){name}\s+([^;]+);", body)


def gunicorn_settings(env: dict | None = None) -> dict:
    saved = dict(os.environ)
    try:
        for key in [k for k in os.environ if k.startswith("HARBOUR_")]:
            del os.environ[key]
        os.environ.update(env or {})
        return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_gunicorn_keeps_connections_open_with_a_worker_that_honours_it():
    conf = gunicorn_settings()
    assert conf["worker_class"] == "gthread"  # the sync worker ignores keepalive
    assert conf["keepalive"] >= 60


@pytest.mark.parametrize("name", NGINX_FILES)
def test_nginx_closes_idle_upstream_connections_before_gunicorn_does(name):
    text = (DEPLOY / "nginx" / name).read_text()
    gunicorn_keepalive = gunicorn_settings()["keepalive"]
    upstreams = _blocks(text, "upstream")
    assert upstreams, f"{name}: no upstream block"
    for body in upstreams:
        if not _directives(body, "keepalive"):
            continue  # no pooled connections: nginx closes after each request
        timeouts = _directives(body, "keepalive_timeout")
        # nginx's own default (60 s) is too close to rely on: it must be explicit.
        assert timeouts, f"{name}: upstream keepalive without keepalive_timeout"
        # A margin of several seconds: a connection nginx picks just before its
        # own deadline must still be open at gunicorn when the request arrives.
        assert _seconds(timeouts[0].strip()) + 10 <= gunicorn_keepalive, name


@pytest.mark.parametrize("name", NGINX_FILES)
def test_pooled_connections_speak_http_1_1_and_posts_are_never_replayed(name):
    text = (DEPLOY / "nginx" / name).read_text()
    pooled = any(_directives(b, "keepalive") for b in _blocks(text, "upstream"))
    for body in _blocks(text, "location"):
        if not _directives(body, "proxy_pass"):
            continue
        if pooled:
            # Without these nginx sends HTTP/1.0 + "Connection: close" and the
            # pool is never used.
            assert [v.strip() for v in _directives(body, "proxy_http_version")] == ["1.1"], name
            assert [v.strip() for v in _directives(body, "proxy_set_header Connection")] == [
                '""'
            ], name
        for value in _directives(body, "proxy_next_upstream"):
            assert "non_idempotent" not in value, name


def test_the_parser_sees_a_broken_pair():
    """The checks above can fail: a config whose nginx keep-alive outlives
    gunicorn's is caught."""
    broken = "upstream app {\n server a:1;\n keepalive 8;\n keepalive_timeout 90s;\n}\n"
    (body,) = _blocks(broken, "upstream")
    assert (
        _seconds(_directives(body, "keepalive_timeout")[0]) + 10
        > gunicorn_settings({"HARBOUR_KEEPALIVE": "75"})["keepalive"]
    )
