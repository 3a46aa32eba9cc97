"""The layering contract (import-linter, configured in pyproject.toml) and the packaging
pins that keep users off the crashing PySide6 + Python pair (pitfalls #1)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    result = subprocess.run([exe, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: " in result.stdout and " broken" in result.stdout


def _pyside_requirements():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [Requirement(r) for r in data["project"]["dependencies"] if r.lower().startswith("pyside6")]


def test_no_supported_install_gets_pyside_6_12_0_on_python_3_11():
    reqs = _pyside_requirements()
    assert reqs, "PySide6 must be a dependency"
    for py in ("3.11.0", "3.11.9", "3.12.1", "3.13.0"):
        env = {"python_version": py.rsplit(".", 1)[0], "python_full_version": py}
        active = [r for r in reqs if r.marker is None or r.marker.evaluate(env)]
        assert len(active) == 1, (py, active)
        allows_broken = active[0].specifier.contains(Version("6.12.0"), prereleases=True)
        assert allows_broken == (not py.startswith("3.11")), (py, active[0])


def test_running_pair_is_not_the_broken_one():
    import PySide6

    version = Version(PySide6.__version__)
    assert not (sys.version_info[:2] == (3, 11) and version >= Version("6.12")), (sys.version, version)
