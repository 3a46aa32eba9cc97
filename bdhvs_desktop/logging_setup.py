"""Logging to a rotating file in the user log folder (windowed builds have no console:
sys.stdout and sys.stderr are None there, pitfalls #12)."""

from __future__ import annotations

import logging
import logging.handlers
import sys

_configured = False


def setup_logging(*, console: bool = False, level: int = logging.INFO) -> str | None:
    global _configured
    if _configured:
        return None
    _configured = True
    root = logging.getLogger()
    root.setLevel(level)
    log_file = None
    try:
        from bdhvs_desktop.paths import user_log_dir

        log_file = str(user_log_dir() / "bdhvs.log")
        handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    except OSError:
        log_file = None
    if console and sys.stderr is not None:
        stream = logging.StreamHandler(sys.stderr)
        stream.setLevel(logging.WARNING)
        root.addHandler(stream)
    return log_file
