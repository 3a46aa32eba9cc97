"""Reading a preset's TOML the way an office edits it in Notepad: finding the line of a key
(`_Lines`), typed access to one table with a Vietnamese message naming the file, line and key
(`_Ctx`, `_Table`), and TOML syntax errors in Vietnamese (`_toml_error`).

Split out of domain/presets.py (the loader), which still exports these names. Pure Python."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

from bdhvs_desktop.domain.preset_model import _CODE_RE, PresetError

# --------------------------------------------------------------------------- locating lines


_HEADER_RE = re.compile(r'^\s*(\[\[?)\s*([A-Za-z0-9_.\-" ]+?)\s*\]\]?\s*(?:#.*)?$')


class _Lines:
    """Maps a key path such as ("targets", 3, "deadline") to its line in the file text."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.blocks: list[tuple[tuple, int]] = [((), 0)]  # (path, first line index after header)
        counters: dict[str, int] = {}
        for i, line in enumerate(self.lines):
            m = _HEADER_RE.match(line)
            if not m:
                continue
            is_array = m.group(1) == "[["
            parts = [p.strip().strip('"') for p in m.group(2).split(".")]
            path: list = []
            for j, part in enumerate(parts):
                dotted = ".".join(parts[: j + 1])
                path.append(part)
                last = j == len(parts) - 1
                if last and is_array:
                    counters[dotted] = counters.get(dotted, -1) + 1
                    for k in list(counters):
                        if k.startswith(dotted + "."):
                            counters[k] = -1
                    path.append(counters[dotted])
                elif dotted in counters and counters[dotted] >= 0:
                    path.append(counters[dotted])
            self.blocks.append((tuple(path), i))

    def find(self, key_path: tuple) -> int | None:
        for n in range(len(key_path), -1, -1):
            prefix = key_path[:n]
            matches = [(b, i) for b, i in self.blocks if b == prefix]
            if not matches:
                continue
            block, header = matches[-1]
            rest = [k for k in key_path[n:] if isinstance(k, str)]
            if not rest:
                return header + 1 if block else None
            end = next((i for b, i in self.blocks if i > header), len(self.lines))
            key_re = re.compile(r'^\s*"?' + re.escape(rest[0]) + r'"?\s*=')
            for i in range(header + (1 if block else 0), end):
                if key_re.match(self.lines[i]):
                    return i + 1
            return header + 1 if block else None
        return None


# --------------------------------------------------------------------------- reading tables


class _Ctx:
    """Where we are in the file, to name it in an error."""

    def __init__(self, path: Path, lines: _Lines):
        self.path = path
        self.lines = lines

    def fail(self, detail: str, key_path: tuple = (), item: str | None = None) -> PresetError:
        return PresetError(detail, path=self.path, line=self.lines.find(key_path),
                           key=_key_text(key_path) or None, item=item)


def _key_text(key_path: tuple) -> str:
    out = ""
    for k in key_path:
        if isinstance(k, int):
            out += f"[{k + 1}]"
        else:
            out += ("." if out else "") + k
    return out


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    return value


class _Table:
    """One TOML table with typed getters; `done()` rejects keys nobody read (typos)."""

    def __init__(self, ctx: _Ctx, data: Any, path: tuple, item: str | None = None):
        self.ctx, self.path, self.item = ctx, path, item
        if not isinstance(data, dict):
            raise ctx.fail("cần một bảng (table) TOML ở đây.", path, item)
        self.data = data
        self.seen: set[str] = set()

    def fail(self, key: str | None, detail: str) -> PresetError:
        return self.ctx.fail(detail, self.path + ((key,) if key else ()), self.item)

    def _get(self, key: str, required: bool) -> Any:
        self.seen.add(key)
        if key not in self.data:
            if required:
                raise self.fail(key, f'thiếu khóa bắt buộc "{key}".')
            return None
        return self.data[key]

    def text(self, key: str, required: bool = True, allow_empty: bool = False) -> str:
        value = self._get(key, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(key, "cần một chuỗi chữ đặt trong dấu ngoặc kép.")
        value = value.strip()
        if required and not value and not allow_empty:
            raise self.fail(key, "không được để trống.")
        return value

    def choice(self, key: str, allowed: tuple[str, ...], required: bool = True, default: str = "") -> str:
        value = self.text(key, required)
        if not value:
            return default
        if value not in allowed:
            raise self.fail(key, _unknown(value, allowed))
        return value

    def code(self, key: str = "code") -> str:
        value = self.text(key)
        if not _CODE_RE.match(value):
            raise self.fail(key, f'mã "{value}" chỉ được gồm chữ IN HOA không dấu, chữ số, "_" và "-".')
        return value

    def date(self, key: str, required: bool = True) -> dt.date | None:
        return _as_date(self, key, self._get(key, required))

    def integer(self, key: str, required: bool = True, minimum: int | None = None) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "cần một số nguyên (không đặt trong dấu ngoặc kép).")
        if minimum is not None and value < minimum:
            raise self.fail(key, f"cần một số nguyên từ {minimum} trở lên.")
        return value

    def number(self, key: str, required: bool = True, minimum: float | None = None) -> float | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, "cần một số (ví dụ 100 hoặc 80.5, không đặt trong dấu ngoặc kép).")
        if minimum is not None and value < minimum:
            raise self.fail(key, f"cần một số từ {minimum:g} trở lên.")
        return float(value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(key, "cần true hoặc false (viết thường, không đặt trong dấu ngoặc kép).")
        return value

    def str_list(self, key: str, required: bool = True, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
        value = self._get(key, required)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, 'cần một danh sách chuỗi, ví dụ ["a", "b"].')
        out = tuple(v.strip() for v in value if v.strip())
        if allowed is not None:
            for v in out:
                if v not in allowed:
                    raise self.fail(key, _unknown(v, allowed))
        if required and not out:
            raise self.fail(key, "danh sách không được để trống.")
        return out

    def table(self, key: str, required: bool = False) -> dict[str, Any]:
        value = self._get(key, required)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, "cần một bảng, ví dụ { min_per_week = 1 }.")
        return value

    def array(self, key: str, required: bool = True) -> list[Any]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, f"cần một hoặc nhiều mục [[{key}]].")
        if required and not value:
            raise self.fail(key, f"cần ít nhất một mục [[{key}]].")
        return value

    def done(self) -> None:
        for key in self.data:
            if key not in self.seen:
                raise self.fail(key, _unknown_key(key, self.seen))


def _unknown(value: str, allowed: tuple[str, ...]) -> str:
    guess = difflib.get_close_matches(value, allowed, n=1)
    hint = f' Có phải "{guess[0]}"?' if guess else ""
    return f'giá trị "{value}" không được hỗ trợ; dùng một trong: {", ".join(allowed)}.{hint}'


def _unknown_key(key: str, known: set[str]) -> str:
    guess = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f' Có phải "{guess[0]}"?' if guess else ""
    return f'khóa "{key}" không được hỗ trợ ở đây.{hint}'


def _as_date(table: _Table, key: str, value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise table.fail(key, f'cần một ngày dạng NĂM-THÁNG-NGÀY, ví dụ 2026-03-31, không đặt trong '
                              f'dấu ngoặc kép và không kèm giờ (đang ghi "{value}").')
    return value


# --------------------------------------------------------------------------- parsing


_TOML_MESSAGES = {
    "Invalid date or datetime": "ngày tháng không hợp lệ (viết NĂM-THÁNG-NGÀY, ví dụ 2026-03-31; "
                                "ngày đó phải có thật)",
    "Cannot overwrite a value": "một khóa được ghi hai lần trong cùng một mục",
    "Cannot declare": "một bảng [..] được khai báo hai lần",
    "Expected newline or end of document after a statement": "sau giá trị còn chữ thừa trên cùng dòng",
    "Invalid value": "giá trị không hợp lệ (chuỗi chữ phải đặt trong dấu ngoặc kép)",
    "Unterminated string": "chuỗi chữ thiếu dấu ngoặc kép đóng",
    "Illegal character '\\n'": "chuỗi chữ thiếu dấu ngoặc kép đóng ở cuối dòng",
    "Illegal character": "có ký tự không được phép (ví dụ dấu ngoặc kép hoặc dấu \\ chưa đúng)",
    "Invalid statement": "dòng không đúng cú pháp TOML (khóa = giá trị)",
}


def _toml_error(path: Path, text: str, err: tomllib.TOMLDecodeError) -> PresetError:
    raw = str(err)
    m = re.search(r"\(at line (\d+), column \d+\)", raw)
    line = int(m.group(1)) if m else None
    if not m and "end of document" in raw:
        line = len(text.splitlines())
    reason = raw[: m.start()].strip() if m else raw
    detail = next((vi for en, vi in _TOML_MESSAGES.items() if reason.startswith(en)), None)
    detail = f"{detail}." if detail else f"tệp không đúng cú pháp TOML ({reason})."
    if line is not None and 0 < line <= len(text.splitlines()):
        src = text.splitlines()[line - 1]
        if re.search(r"\b\d{1,2}/\d{1,2}/\d{4}\b", src):
            detail += " Ngày phải viết dạng NĂM-THÁNG-NGÀY, ví dụ 2026-03-31 (không dùng 31/03/2026)."
    return PresetError(detail, path=path, line=line)
