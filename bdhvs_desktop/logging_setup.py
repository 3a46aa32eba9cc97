"""Logging to a rotating file in the user log folder (windowed builds have no console:
sys.stdout and sys.stderr are None there, pitfalls #12).

The log holds no personal data: every line goes through `redact`, which removes what a
database driver copies into its error messages (a unique violation's DETAIL carries the
key's values, e.g. the CCCD; SQLAlchemy adds the statement's parameters: name, birth
date...) and masks ID-number-like digit runs and dates. The file is created readable and
writable by its owner only (0600) on POSIX; on Windows it lives in the user's
%LOCALAPPDATA%, which other (non-administrator) users cannot read."""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys

_configured = False

_REDACTIONS: list[tuple[re.Pattern[str], str]] = [
    # SQLAlchemy: "[parameters: {...}]" or "[parameters: (...)]", possibly over several lines.
    (re.compile(r"\[parameters: .*?\](?=\s*(?:\n|\(Background|$))", re.S), "[parameters: ẩn]"),
    # PostgreSQL DETAIL / CONTEXT lines quote the values of the row or key.
    (re.compile(r"(DETAIL|CHI TIẾT|CONTEXT|HINT):[^\n]*"), r"\1: [ẩn]"),
    (re.compile(r"Key \(([^)]*)\)=\((?:[^()]|\([^()]*\))*\)"), r"Key (\1)=([ẩn])"),
    (re.compile(r"Failing row contains \((?:[^()]|\([^()]*\))*\)"), "Failing row contains ([ẩn])"),
    # datetime.date(1985, 3, 12) and the like in a repr.
    (re.compile(r"datetime\.(?:date|datetime)\([^)]*\)"), "[ngày ẩn]"),
    # ID numbers (CCCD has 12 digits, the old CMND 9) and phone-like runs.
    (re.compile(r"(?<!\d)\d{9,13}(?!\d)"), "[số ẩn]"),
    # Dates: 12/03/1985, 12-03-1985, 1985-03-12.
    (re.compile(r"(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}(?!\d)"), "[ngày ẩn]"),
    (re.compile(r"(?<![\d:])(?:19|20)\d{2}-\d{2}-\d{2}(?![\d:])"), "[ngày ẩn]"),
]


def redact(text: str) -> str:
    """`text` without the personal data a database error may carry (see the module doc)."""
    if not text:
        return text
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts the message and the traceback (not the time stamp)."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        stamp = self.formatTime(record, self.datefmt) if self.usesTime() else ""
        if stamp and text.startswith(stamp):
            return stamp + redact(text[len(stamp):])
        return redact(text)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created 0600 (owner only) on POSIX."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _owner_only(self.baseFilename)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def _owner_only(path: str) -> None:
    if sys.platform == "win32":  # %LOCALAPPDATA% is private to the user already
        return
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass


def setup_logging(*, console: bool = False, level: int = logging.INFO) -> str | None:
    global _configured
    if _configured:
        return None
    _configured = True
    root = logging.getLogger()
    root.setLevel(level)
    log_file = None
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        from bdhvs_desktop.paths import user_log_dir  # lazy: start-up

        log_file = str(user_log_dir() / "bdhvs.log")
        # Files written by older versions (created with the default, world-readable mode).
        for n in range(0, 6):
            candidate = log_file if n == 0 else f"{log_file}.{n}"
            if os.path.exists(candidate):
                _owner_only(candidate)
        handler = PrivateRotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(formatter)
        root.addHandler(handler)
    except OSError:
        log_file = None
    if console and sys.stderr is not None:
        stream = logging.StreamHandler(sys.stderr)
        stream.setLevel(logging.WARNING)
        stream.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(stream)
    return log_file
