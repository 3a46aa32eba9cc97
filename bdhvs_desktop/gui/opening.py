"""Opening and printing documents and folders with the programs the office already uses."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from bdhvs_desktop.gui.i18n import tr


def open_path(path: Path) -> bool:
    """Open a file or folder with its default program (Word, Excel, Explorer...)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).resolve())))


def print_path(path: Path) -> str:
    """Print a document through its own program's print verb on Windows; elsewhere open it
    so the user prints from there. Returns what happened, in Vietnamese."""
    path = Path(path)
    if sys.platform == "win32":
        os.startfile(str(path), "print")  # type: ignore[attr-defined]
        return tr("Đã gửi “{name}” tới máy in mặc định.").format(name=path.name)
    open_path(path)
    return tr("Đã mở “{name}”; hãy in từ chương trình vừa mở (Ctrl+P).").format(name=path.name)
