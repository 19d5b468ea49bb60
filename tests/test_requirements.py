"""The pinned requirements agree: ``make test`` installs dev.txt and production installs
base.txt, so every runtime pin must be in both, at the same version, and pinned exactly."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", re.M)


def _pins(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text()
    return {package.lower().replace("_", "-"): version for package, version in PIN.findall(text)}


def test_every_runtime_pin_is_installed_by_make_test_at_the_same_version():
    runtime, development = _pins("base.txt"), _pins("dev.txt")
    assert runtime
    assert {name: development.get(name) for name in runtime} == runtime


def test_every_direct_requirement_is_pinned_in_the_compiled_files():
    for source, compiled in (("base.in", "base.txt"), ("dev.in", "dev.txt")):
        lines = (ROOT / "requirements" / source).read_text().splitlines()
        wanted = {
            re.split(r"[=<>\[ ]", line, maxsplit=1)[0].lower().replace("_", "-")
            for line in lines
            if line.strip() and not line.startswith(("#", "-r"))
        }
        assert wanted <= set(_pins(compiled)), (compiled, wanted - set(_pins(compiled)))
