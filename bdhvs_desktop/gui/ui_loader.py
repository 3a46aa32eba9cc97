"""Qt Designer forms (ui/*.ui) loaded at run time, found the same way from a checkout, a
wheel and a frozen bundle (bdhvs_desktop.paths.ui_dir)."""

from __future__ import annotations

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QWidget

from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.paths import ui_dir


def load_ui(name: str, parent: QWidget | None = None) -> QWidget:
    path = ui_dir() / name
    file = QFile(str(path))
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FileNotFoundError(tr("Không mở được biểu mẫu giao diện {path}: {error}").format(
            path=path, error=file.errorString()))
    try:
        widget = QUiLoader().load(file, parent)
    finally:
        file.close()
    if widget is None:
        raise RuntimeError(tr("Biểu mẫu giao diện {path} bị lỗi.").format(path=path))
    return widget
