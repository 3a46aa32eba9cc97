"""Start-up: from process start until the main window has painted the people table of the
demo ward, against a process that only opens a bare PySide6 window. Target ratio <= 1.5.

Both are measured the same way (wall clock of a fresh process, median of interleaved runs),
so machine noise hits both alike."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
TARGET = 1.5
BARE = r"""
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1280, 800)
class W(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint:
            o.removeEventFilter(self); QTimer.singleShot(0, app.quit)
        return False
f = W(); w.installEventFilter(f); w.show(); app.exec()
"""


def wall(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"failed: {cmd}\n{result.stderr}")
    return elapsed


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"), "BDHVS_HOME": tmp}
        db = str(Path(tmp) / "demo.sqlite3")
        subprocess.run([sys.executable, "-m", "bdhvs_desktop.cli", "--db", db, "demo"], env=env, check=True,
                       capture_output=True)
        app_cmd = [sys.executable, "-m", "bdhvs_desktop", "--db", db, "--startup-benchmark"]
        bare_cmd = [sys.executable, "-c", BARE]
        wall(app_cmd, env)  # warm the file cache once
        wall(bare_cmd, env)
        app_times, bare_times = [], []
        for _ in range(RUNS):
            bare_times.append(wall(bare_cmd, env))
            app_times.append(wall(app_cmd, env))
    app_median, bare_median = statistics.median(app_times), statistics.median(bare_times)
    ratio = app_median / bare_median
    print(f"startup app runs (s): {' '.join(f'{t:.3f}' for t in app_times)}")
    print(f"startup bare PySide6 window runs (s): {' '.join(f'{t:.3f}' for t in bare_times)}")
    print(f"startup app median {app_median:.3f} s, bare window median {bare_median:.3f} s")
    print(f"startup: ratio {ratio:.2f} (target <= {TARGET}) {'PASS' if ratio <= TARGET else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
