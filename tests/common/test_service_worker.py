"""/sw.js (backend/common/offline.py): one version per release, the app's
files precached under it, and never held by an HTTP cache (issue 15 item 4)."""

from __future__ import annotations

import json
import re

from backend.common import offline


def _constants(source: str) -> tuple[str, list[str]]:
    version = re.search(r'^const VERSION = "([0-9a-f]{16})";$', source, re.M)
    assets = re.search(r"^const ASSETS = (\[.*\]);$", source, re.M)
    assert version and assets
    return version.group(1), json.loads(assets.group(1))


def test_the_worker_precaches_the_shell_modules_and_icons_and_is_never_cached(client):
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Cache-Control"] == "no-cache"
    _, assets = _constants(answer.content.decode())
    plain = {a.rsplit("/app/", 1)[1] for a in assets}
    assert {
        "icons.svg",
        "app.css",
        "js/app.js",
        "js/screens/register.js",
        "js/register-queue.js",
    } <= plain
    assert "sw.js" not in plain


def test_any_change_to_a_file_the_app_ships_is_a_new_version(tmp_path, settings, monkeypatch):
    root = tmp_path / "frontend"
    (root / "js").mkdir(parents=True)
    (root / "sw.js").write_text("// worker\n")
    (root / "js" / "app.js").write_text("export const a = 1;\n")
    (root / "icons.svg").write_text("<svg/>")
    (root / "notes.txt").write_text("not shipped")
    monkeypatch.setattr(offline, "_frontend", lambda: root)
    first, assets = _constants(offline._build())
    assert sorted(a.rsplit("/app/", 1)[1] for a in assets) == ["icons.svg", "js/app.js"]
    assert _constants(offline._build())[0] == first  # the same files, the same version
    (root / "notes.txt").write_text("still not shipped")
    assert _constants(offline._build())[0] == first
    (root / "js" / "app.js").write_text("export const a = 2;\n")
    second = _constants(offline._build())[0]
    assert second != first
    (root / "sw.js").write_text("// worker, changed\n")
    assert _constants(offline._build())[0] not in (first, second)
