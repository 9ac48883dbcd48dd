"""nginx's own errors on the way to the app (a 502 when an app server dies
mid-request, a 504 when it times out) are the app's JSON 503 with Retry-After,
never nginx's HTML page (issue 17: `make faults` saw HTML 502s on app-kill)."""

import json
import re
import shutil
import subprocess

import pytest

from tests.deploy.test_keepalive_config import DEPLOY, NGINX_FILES, _blocks, _directives


@pytest.mark.parametrize("name", NGINX_FILES)
def test_nginx_answers_its_own_502_and_504_as_json(name):
    text = (DEPLOY / "nginx" / name).read_text()
    servers = [s for s in _blocks(text, "server") if "proxy_pass" in s]
    assert servers
    for server in servers:
        assert "502 504 =503 @app_unavailable" in _directives(server, "error_page")
        named = re.search(r"location @app_unavailable \{(.*?)\n\s*\}", server, re.S)
        assert named, name
        body = named[1]
        assert "default_type application/json;" in body
        assert "add_header Retry-After" in body
        answer = re.search(r"return 503 '(.*)';", body)
        assert json.loads(answer[1])["code"] == "service_unavailable"
        # The app's own 5xx (its JSON 503 `busy`) must pass through unchanged.
        assert "proxy_intercept_errors on" not in server


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_the_local_stack_config_is_valid_nginx(tmp_path):
    conf = (DEPLOY / "nginx" / "local-stack.conf.in").read_text()
    conf = conf.replace("@UPSTREAM@", "    server 127.0.0.1:9;\n").replace("@PORT@", "9")
    conf = conf.replace("@STATIC@", str(tmp_path))
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(conf)
    checked = subprocess.run(
        [shutil.which("nginx"), "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
