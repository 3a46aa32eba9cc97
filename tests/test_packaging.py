"""Packaging: the data folders outside the package (ui/, forms_templates/, resources/) are
found the same way from a checkout, an installed wheel and a frozen bundle."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = (
    "import bdhvs_desktop, bdhvs_desktop.paths as p; "
    "print(bdhvs_desktop.__file__); "
    "[print(p.data_dir(n)) for n in ('resources', 'forms_templates', 'ui')]; "
    "print(len(list(p.presets_dir().glob('*.toml'))))"
)


def test_checkout_finds_data_folders():
    from bdhvs_desktop import paths

    for name in ("resources", "forms_templates", "ui"):
        assert paths.data_dir(name) == ROOT / name


@pytest.mark.slow
def test_wheel_carries_and_finds_data_folders(tmp_path):
    wheel_dir = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheel_dir), str(ROOT)], check=True, capture_output=True, timeout=300)
    (wheel,) = wheel_dir.glob("bdhvs_desktop-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "bdhvs_desktop/_data/resources/presets/la-gi-004.toml" in names
    assert "bdhvs_desktop/_data/ui/first_start.ui" in names
    assert any(n.startswith("bdhvs_desktop/_data/forms_templates/") for n in names)
    assert any(n.startswith("bdhvs_desktop/storage/migrations/versions/0001") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[console_scripts]\nbdhvs = bdhvs_desktop.cli:main" in text
    assert "[gui_scripts]\nbdhvs-desktop = bdhvs_desktop.gui.app:main" in text
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=tmp_path, capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0].startswith(str(target))
    for line, name in zip(out[1:4], ("resources", "forms_templates", "ui")):
        assert Path(line) == target / "bdhvs_desktop" / "_data" / name
    assert int(out[4]) >= 4


def test_frozen_bundle_layout_is_preferred(tmp_path, monkeypatch):
    from bdhvs_desktop import paths

    for name in ("resources", "forms_templates", "ui"):
        (tmp_path / name).mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    paths.data_dir.cache_clear()
    try:
        assert paths.data_dir("ui") == tmp_path / "ui"
    finally:
        paths.data_dir.cache_clear()
