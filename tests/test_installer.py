"""The Windows installer, as far as Linux can prove it (docs/pitfalls.md #12).

installer/build_linux_check.sh builds installer/bdhvs-desktop.spec - the spec the Windows
build uses - into a Linux one-folder bundle, starts it (--smoke-test offscreen on a fresh
database), runs the bundled command line, and compiles installer/bdhvs-desktop.nsi with
`makensis -WX`. These tests run it once and check its results and the files it produced.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INSTALLER = ROOT / "installer"
SCRIPT = INSTALLER / "build_linux_check.sh"
NSI = INSTALLER / "bdhvs-desktop.nsi"


def _version() -> str:
    text = (ROOT / "bdhvs_desktop" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'__version__\s*=\s*"([^"]+)"', text).group(1)


def _skip_reason() -> str | None:
    if os.environ.get("BDHVS_SKIP_INSTALLER") == "1":
        return "BDHVS_SKIP_INSTALLER=1: bỏ qua kiểm tra bản đóng gói và trình cài đặt"
    if not sys.platform.startswith("linux"):
        return "kiểm tra bản đóng gói này chạy trên Linux (bản Windows dựng bằng installer/build_windows.ps1)"
    if shutil.which("makensis") is None:
        return "chưa cài makensis (gói Debian nsis; .ci/system-deps.sh cài nó khi chạy với quyền root)"
    return None


@pytest.fixture(scope="module")
def check_run(tmp_path_factory):
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("installer")
    env = dict(os.environ, PYTHON=sys.executable, RUNS="3")
    env.pop("BDHVS_DB", None)
    proc = subprocess.run(["bash", str(SCRIPT), str(work)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1200)
    results = dict(re.findall(r"^RESULT (\w+)=(\S+)$", proc.stdout, re.M))
    yield proc, results, work
    # The bundle, the uncompressed installer and the wine prefix take ~0.7 GB.
    shutil.rmtree(work, ignore_errors=True)


def _report(proc) -> str:
    return f"--- stdout ---\n{proc.stdout[-6000:]}\n--- stderr ---\n{proc.stderr[-3000:]}"


@pytest.mark.slow
def test_every_check_of_the_script_passes(check_run):
    proc, _results, _work = check_run
    assert proc.returncode == 0, _report(proc)
    assert re.search(r"^Kết quả: (\d+) kiểm tra đạt, 0 không đạt\.$", proc.stdout, re.M), _report(proc)
    assert "LỖI" not in proc.stdout, _report(proc)
    assert int(re.search(r"(\d+) kiểm tra đạt", proc.stdout).group(1)) >= 15
    import importlib.util

    if importlib.util.find_spec("psycopg") is not None:
        assert "trình điều khiển PostgreSQL (psycopg + libpq) nạp được" in proc.stdout, _report(proc)
    # pyHanko and its companions are imported lazily: only signing inside the bundle proves they are in it
    assert "chữ ký số trong bản đóng gói: ký PDF (PAdES, dấu hiển thị) và kiểm tra được (có ảnh con dấu)" in proc.stdout, \
        _report(proc)
    if os.path.exists("/usr/lib/softhsm/libsofthsm2.so"):
        assert "python-pkcs11 nạp được thư viện PKCS#11 (SoftHSM2)" in proc.stdout, _report(proc)


@pytest.mark.slow
def test_bundle_holds_both_programs_data_and_migrations(check_run):
    _proc, _results, work = check_run
    bundle = work / "dist" / "bdhvs-desktop"
    internal = bundle / "_internal"
    for exe in ("bdhvs-desktop", "bdhvs"):
        assert os.access(bundle / exe, os.X_OK), exe
    source_presets = sorted(p.name for p in (ROOT / "resources" / "presets").glob("*.toml"))
    assert source_presets
    assert sorted(p.name for p in (internal / "resources" / "presets").glob("*.toml")) == source_presets
    for folder in ("forms_templates", "ui"):
        assert (internal / folder).is_dir(), folder
    source_revisions = sorted(p.name for p in (ROOT / "bdhvs_desktop/storage/migrations/versions").glob("[0-9]*.py"))
    bundled = sorted(p.name for p in (internal / "bdhvs_desktop/storage/migrations/versions").glob("[0-9]*.py"))
    assert bundled == source_revisions
    assert (internal / "bdhvs_desktop/storage/migrations/env.py").is_file()


def _qt_modules_in_source() -> set[str]:
    used = {"QtCore", "QtGui", "QtWidgets"}
    for path in (ROOT / "bdhvs_desktop").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used.update(re.findall(r"PySide6\.(Qt\w+)", text))
        for names in re.findall(r"from\s+PySide6\s+import\s+\(?([^\n)]*)", text):
            used.update(n.strip() for n in names.split(",") if n.strip().startswith("Qt"))
    return used


@pytest.mark.slow
def test_bundle_has_only_the_qt_it_needs(check_run):
    _proc, _results, work = check_run
    pyside = work / "dist" / "bdhvs-desktop" / "_internal" / "PySide6"
    bindings = {p.name.split(".")[0] for p in pyside.glob("Qt*.so")}
    # Exactly the Qt modules the package's source imports (and the three every widgets
    # program needs); the app keeps growing, so the list is read from the source.
    assert bindings == _qt_modules_in_source(), bindings
    assert not bindings & {"QtQml", "QtQuick", "QtWebEngineCore", "QtPdf", "QtMultimedia", "QtDesigner"}
    names = [p.name for p in pyside.rglob("*")]
    for unwanted in ("Qt6Qml", "Qt6Quick", "Qt6Pdf", "Qt6VirtualKeyboard", "Qt6WebEngine", "qtvirtualkeyboard",
                     "qgtk3", "qsqlite"):
        assert not [n for n in names if unwanted in n], unwanted
    plugins = pyside / "Qt" / "plugins"
    assert (plugins / "platforms" / "libqoffscreen.so").is_file()
    assert (plugins / "platforms" / "libqxcb.so").is_file()
    assert not (plugins / "sqldrivers").exists()
    # The GTK theme plugin is gone, and so are the GTK libraries only it needed.
    assert not list((pyside.parent).glob("libgtk-3*"))


@pytest.mark.slow
def test_bundled_command_line_runs_without_the_source_tree(check_run, tmp_path):
    _proc, _results, work = check_run
    bdhvs = work / "dist" / "bdhvs-desktop" / "bdhvs"
    env = {"PATH": "/usr/bin:/bin", "BDHVS_HOME": str(tmp_path / "home"), "LANG": "C.UTF-8"}
    out = subprocess.run([str(bdhvs), "--help"], cwd="/", env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Cách dùng" in out.stdout and "Các lệnh" in out.stdout
    not_a_db = tmp_path / "ghi chú.sqlite3"
    not_a_db.write_text("đây không phải cơ sở dữ liệu", encoding="utf-8")
    bad = subprocess.run([str(bdhvs), "--db", str(not_a_db), "check"], cwd="/", env=env,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode in (1, 2, 3), bad.stdout + bad.stderr
    assert "Lỗi" in bad.stderr or "lỗi" in bad.stdout, bad.stdout + bad.stderr


@pytest.mark.slow
def test_size_and_start_time_are_reported(check_run):
    proc, results, _work = check_run
    for key in ("bundle_size_mb", "bundle_start_seconds", "source_start_seconds", "start_ratio",
                "build_seconds", "cli_version_seconds"):
        assert key in results, _report(proc)
    size = float(results["bundle_size_mb"])
    assert 40 < size < 400, size
    assert float(results["bundle_start_seconds"]) > 0
    assert float(results["source_start_seconds"]) > 0
    # One-folder bundles start about as fast as the source (one-file ones unpack first).
    assert float(results["start_ratio"]) < 3, results
    print(f"\nbundle {size} MB; start {results['bundle_start_seconds']} s "
          f"(source {results['source_start_seconds']} s); build {results['build_seconds']} s")


@pytest.mark.slow
def test_installer_exe_is_a_per_user_windows_installer(check_run):
    proc, results, work = check_run
    assert results.get("installer_compiled") == "1", _report(proc)
    setup = work / f"bdhvs-desktop-setup-{_version()}.exe"
    data = setup.read_bytes()
    assert data[:2] == b"MZ"
    assert b"Nullsoft" in data
    # RequestExecutionLevel user: the manifest asks for no elevation.
    assert b'level="asInvoker"' in data
    # Uncompressed header (NO_COMPRESSION): the HKCU uninstall key and the bundle are inside.
    assert "Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\bdhvs-desktop".encode("utf-16-le") in data
    assert setup.stat().st_size > 0.5 * float(results["bundle_size_mb"]) * 1024 * 1024


@pytest.mark.slow
def test_installer_installs_upgrades_and_uninstalls_keeping_data_under_wine(check_run):
    proc, results, _work = check_run
    if "BỎ QUA cài/nâng cấp/gỡ thử dưới wine" in proc.stdout:
        pytest.skip("chưa cài wine64 (gói Debian wine64; .ci/system-deps.sh cài nó khi chạy với quyền root)")
    assert results.get("wine_install") == "1", _report(proc)
    assert results.get("wine_upgrade") == "1", _report(proc)
    assert results.get("wine_uninstall") == "1", _report(proc)


def _section(text: str, name: str) -> str:
    match = re.search(rf'^Section "{re.escape(name)}"(.*?)^SectionEnd', text, re.M | re.S)
    assert match, name
    return match.group(1)


def test_nsis_script_installs_per_user_and_keeps_data_on_uninstall():
    """Fast static guard for what a compile cannot show (runs without makensis too)."""
    text = NSI.read_text(encoding="utf-8-sig")
    assert re.search(r"^RequestExecutionLevel user\s*$", text, re.M)
    assert re.search(r'^InstallDir "\$LOCALAPPDATA\\Programs\\\$\{APP_ID\}"', text, re.M)
    assert re.search(r'^!insertmacro MUI_LANGUAGE "Vietnamese"', text, re.M)
    assert "HKLM" not in text and "SetShellVarContext all" not in text
    assert re.search(r'^!define DATA_DIR "\$LOCALAPPDATA\\\$\{PUBLISHER\}\\\$\{APP_ID\}"', text, re.M)
    uninstall = _section(text, "Uninstall")
    commands = [line.strip() for line in uninstall.splitlines() if line.strip() and not line.strip().startswith(";")]
    removals = [c for c in commands if c.startswith(("RMDir", "Delete"))]
    assert removals
    for command in removals:
        assert "DATA_DIR" not in command and "$LOCALAPPDATA" not in command and "$APPDATA" not in command
        if command.startswith("RMDir /r"):
            assert command == 'RMDir /r "$INSTDIR\\_internal"', command
    assert 'DeleteRegKey HKCU "${UNINSTALL_KEY}"' in commands
    # Upgrade in place: the previous install is found in HKCU and its uninstaller run silently.
    assert 'ReadRegStr $PreviousDir HKCU "${UNINSTALL_KEY}" "InstallLocation"' in text
    assert re.search(r"ExecWait '\"\$PreviousDir\\\$\{UNINSTALLER\}\" /S _\?=\$PreviousDir'", text)
