"""Checking a code printed on paper (the minutes, the dossier) against the audit chain: which head of
the chain it was, and how many entries came after it, or that the chain no longer has it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bdhvs_desktop.services.audit.verify import chained_entries
from bdhvs_desktop.storage import audit_chain as chain


@dataclass(frozen=True)
class CodeMatch:
    found: bool
    position: int | None  # 1-based position in the chain of the matching head
    length: int  # chained entries now
    at: dt.datetime | None
    message: str  # Vietnamese


def match_code(session: Session, code: str) -> CodeMatch:
    """Compare a code printed on paper with every head the chain has had."""
    wanted = chain.normalise_code(code)
    entries = chained_entries(session)
    if len(wanted.replace("-", "")) < 8:
        return CodeMatch(False, None, len(entries), None, f"Mã “{code}” quá ngắn; hãy nhập đủ 12 ký tự in trên "
                                                          "biên bản.")
    if not entries and wanted.replace("-", "") == "0" * len(wanted.replace("-", "")):
        return CodeMatch(True, 0, 0, None, "Mã khớp: chuỗi nhật ký trống.")
    for i, e in enumerate(entries, start=1):
        if chain.anchor_code(e.hash).startswith(wanted):
            later = len(entries) - i
            return CodeMatch(True, i, len(entries), e.at,
                             f"Mã {chain.anchor_code(e.hash)} khớp với chuỗi nhật ký tại mục thứ {i} (ghi lúc "
                             f"{e.at:%d/%m/%Y %H:%M} UTC); sau đó chuỗi có thêm {later} mục.")
    return CodeMatch(False, None, len(entries), None,
                     f"Mã {wanted} KHÔNG khớp với bất kỳ điểm nào của chuỗi nhật ký hiện tại ({len(entries)} mục): "
                     "chuỗi đã bị viết lại hoặc bị cắt, hoặc mã thuộc một cơ sở dữ liệu khác.")


def verify_code(db: Any, code: str) -> CodeMatch:
    with db.read() as s:
        return match_code(s, code)
