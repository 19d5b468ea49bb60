"""The front-end libraries in static/vendor are the versions package-lock.json pins."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"


def test_vendored_files_are_the_locked_versions():
    lock = json.loads((ROOT / "package-lock.json").read_text())
    locked = {
        path.removeprefix("node_modules/"): info["version"] for path, info in lock["packages"].items() if path
    }
    assert json.loads((VENDOR / "VERSIONS.json").read_text()) == locked
    banners = {
        "bootstrap.min.css": f"Bootstrap  v{locked['bootstrap']}",
        "bootstrap.bundle.min.js": f"Bootstrap v{locked['bootstrap']}",
        "chart.umd.min.js": f"Chart.js v{locked['chart.js']}",
        "htmx.min.js": f'version:"{locked["htmx.org"]}"',
        "Sortable.min.js": f"Sortable {locked['sortablejs']}",
    }
    for name, banner in banners.items():
        assert banner in (VENDOR / name).read_text(encoding="utf-8")[:200_000], name


def test_pages_load_no_script_or_style_from_elsewhere():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert "cdn." not in text
        assert "https://unpkg" not in text
