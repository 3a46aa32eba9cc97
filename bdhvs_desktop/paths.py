"""Where the program's data folders and the user's folders are, the same way from a
source checkout, an installed wheel and a frozen (PyInstaller) bundle."""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from bdhvs_desktop import APP_AUTHOR, APP_NAME

_PACKAGE_DIR = Path(__file__).resolve().parent
DATA_FOLDERS = ("resources", "forms_templates", "ui")


@cache
def data_dir(name: str) -> Path:
    """The folder `resources`, `forms_templates` or `ui` shipped with the program.

    Looked up, in order: a frozen bundle (sys._MEIPASS/<name>), a wheel
    (bdhvs_desktop/_data/<name>), a source checkout (<repo>/<name>)."""
    if name not in DATA_FOLDERS:
        raise ValueError(f"unknown data folder {name!r}")
    candidates = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / name)
    candidates.append(_PACKAGE_DIR / "_data" / name)
    candidates.append(_PACKAGE_DIR.parent / name)
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"Không tìm thấy thư mục dữ liệu '{name}' của chương trình (đã tìm: "
        + ", ".join(str(c) for c in candidates)
        + "). Hãy cài đặt lại chương trình."
    )


def resources_dir() -> Path:
    return data_dir("resources")


def presets_dir() -> Path:
    return resources_dir() / "presets"


def forms_templates_dir() -> Path:
    return data_dir("forms_templates")


def ui_dir() -> Path:
    return data_dir("ui")


def _platformdirs():
    import platformdirs  # lazy: start-up

    return platformdirs.PlatformDirs(APP_NAME, APP_AUTHOR, roaming=False)


def user_data_dir() -> Path:
    """The user's data folder; BDHVS_HOME overrides it (tests, portable installs)."""
    override = os.environ.get("BDHVS_HOME")
    path = Path(override) if override else Path(_platformdirs().user_data_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_log_dir() -> Path:
    override = os.environ.get("BDHVS_HOME")
    path = Path(override) / "logs" if override else Path(_platformdirs().user_log_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def backups_dir() -> Path:
    path = user_data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_templates_dir() -> Path:
    """Office-edited copies of form templates; they take precedence over the built-in ones."""
    path = user_data_dir() / "forms_templates"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return user_data_dir() / "bdhvs.sqlite3"
