"""Yearly emulation and award statistics (thống kê thi đua, khen thưởng hằng năm): pure counting.

The layout of each statistical form (Circular 02/2023/TT-BNV, forms 0601 to 0603, and the
program's own summary table) is DATA, one TOML file per form in resources/statistics/: the
title block, the numbered columns and rows, and for each column and row a *filter* saying which
campaigns or awards it counts. A cell counts the facts that match both its row's and its
column's filter. An office that finds the layout different from its copy of the circular edits
the file; no code changes.

Facts:
- a campaign (phong trào thi đua) counts in a year when it is active in that year (starts on or
  before 31/12 and ends on or after 01/01); it is classified by who launched it (organizer), its
  scope, its method (regular / thematic, i.e. "theo đợt, chuyên đề") and its duration;
- an award counts in a year when its decision date falls in that year; it is classified by
  subject (collective / individual), level, kind, method and the award's name.

Nothing here knows the database (services/statistics.py reads it) or the file formats
(documents/statistics_docs.py writes them).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bdhvs_desktop.domain import vocab
from bdhvs_desktop.domain.presets import _TOML_MESSAGES
from bdhvs_desktop.domain.text import clean

# --------------------------------------------------------------------------- vocabularies

#: Who launched a campaign (the columns of form 0601).
ORGANIZER_LABELS = {
    "central": "Cấp Trung ương",
    "ministry_province": "Cấp bộ, ban, ngành, đoàn thể trung ương, tỉnh",
    "unit": "Cơ quan, tổ chức, đơn vị (kể cả cấp xã, phường)",
}
#: The scope a campaign is organised in.
SCOPE_LABELS = {
    "national": "Toàn quốc",
    "local": "Bộ, ban, ngành, đoàn thể, địa phương",
    "cluster": "Cụm, khối thi đua",
    "unit": "Cơ quan, tổ chức, đơn vị",
}
#: Regular (thường xuyên) or thematic/by stage (theo chuyên đề, theo đợt) — Law on Emulation
#: and Commendation 2022, Art. 8.
CAMPAIGN_METHOD_LABELS = {"regular": "Thường xuyên", "thematic": "Theo chuyên đề, theo đợt"}
DURATION_LABELS = {
    "under_1y": "Dưới 1 năm",
    "1y": "1 năm",
    "1_3y": "Trên 1 năm đến dưới 3 năm",
    "3_5y": "Từ 3 năm đến dưới 5 năm",
    "5y_plus": "Từ 5 năm trở lên",
}
SUBJECT_LABELS = {str(k): vocab.SUBJECT_KIND_LABELS[k] for k in (vocab.SubjectKind.COLLECTIVE,
                                                                vocab.SubjectKind.INDIVIDUAL)}
#: How an award was given, from the register's kind: merit (thành tích thực hiện nhiệm vụ) is
#: regular, thematic is thematic, ad hoc is ad hoc; an award of a campaign takes its campaign's
#: method (a "theo đợt" campaign like Bình dân học vụ số is thematic).
AWARD_METHOD_LABELS = {"regular": "Thường xuyên", "thematic": "Chuyên đề", "ad_hoc": "Đột xuất"}
_KIND_METHOD = {vocab.AwardKind.MERIT.value: "regular", vocab.AwardKind.THEMATIC.value: "thematic",
                vocab.AwardKind.AD_HOC.value: "ad_hoc"}

SOURCES = ("campaigns", "awards")
#: Filter key -> allowed values, per source. "name" / "name_not" (awards) take free text.
FILTER_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "campaigns": {
        "organizer": tuple(ORGANIZER_LABELS),
        "scope": tuple(SCOPE_LABELS),
        "method": tuple(CAMPAIGN_METHOD_LABELS),
        "duration": tuple(DURATION_LABELS),
    },
    "awards": {
        "subject": tuple(SUBJECT_LABELS),
        "level": tuple(x.value for x in vocab.AwardLevel),
        "kind": tuple(x.value for x in vocab.AwardKind),
        "method": tuple(AWARD_METHOD_LABELS),
    },
}
TEXT_FILTERS = ("name", "name_not")
CAMPAIGN_DEFAULT_KEYS = ("organizer", "scope", "method")


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class CampaignStat:
    """One emulation campaign as the statistics see it."""

    id: int
    name: str
    start: dt.date
    end: dt.date
    organizer: str | None = None  # None: the layout's default
    scope: str | None = None
    method: str | None = None


@dataclass(frozen=True)
class AwardStat:
    """One award of the register as the statistics see it."""

    id: int
    subject_type: str  # unit | person
    award_name: str
    level: str
    kind: str
    decision_date: dt.date | None
    campaign_id: int | None = None


def duration_class(start: dt.date, end: dt.date) -> str:
    """The duration band of a campaign, counted in whole months (rounded to the nearest):
    under 12 -> under a year, 12 -> one year, 13 to 35 -> over one to under three years, …"""
    days = (end - start).days + 1
    months = round(days / (365.2425 / 12))
    if months < 12:
        return "under_1y"
    if months == 12:
        return "1y"
    if months < 36:
        return "1_3y"
    if months < 60:
        return "3_5y"
    return "5y_plus"


def organizer_of_locality(locality_full: str | None) -> str | None:
    """Who launched a campaign, from the locality of its plan: a province's plan ("tỉnh Sơn La") is
    launched at province level; for a commune or ward the layout's default applies (None)."""
    return "ministry_province" if clean(locality_full).casefold().startswith("tỉnh ") else None


def active_in(c: CampaignStat, year: int) -> bool:
    return c.start <= dt.date(year, 12, 31) and c.end >= dt.date(year, 1, 1)


# --------------------------------------------------------------------------- layout


class LayoutError(ValueError):
    """A layout file that cannot be used; str() is the Vietnamese message naming the file and key."""

    def __init__(self, detail: str, *, path: Path | None = None, key: str | None = None,
                 line: int | None = None):
        self.detail = detail
        self.path = path
        self.key = key
        self.line = line
        where = [f"Tệp bố cục thống kê “{path.name}”" if path is not None else "Bố cục thống kê"]
        if line is not None:
            where.append(f"dòng {line}")
        if key:
            where.append(f"khóa “{key}”")
        super().__init__(", ".join(where) + f": {detail}")


@dataclass(frozen=True)
class LayoutColumn:
    key: str
    header: str
    number: str  # as printed in the numbering row: "1", "1=(2+3+4)"
    group: str = ""  # a header spanning neighbouring columns with the same group
    filter: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sum_of: tuple[str, ...] = ()  # column keys this one must equal the sum of (checked)


@dataclass(frozen=True)
class LayoutRow:
    label: str
    code: str = ""  # "Mã số"
    unit: str = ""  # "Đơn vị tính"
    bold: bool = False
    heading: bool = False  # a group title: no numbers
    untracked: bool = False  # the register does not record this breakdown: left blank
    filter: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sum_of: tuple[str, ...] = ()  # row codes this one must equal the sum of (checked)

    @property
    def has_values(self) -> bool:
        return not self.heading and not self.untracked


@dataclass(frozen=True)
class Layout:
    path: Path | None
    code: str
    symbol: str
    title: str
    basis: str
    receive_date: str
    receiver: str
    measure_unit: str
    source: str  # campaigns | awards
    label_header: str
    verified: bool
    notes: tuple[str, ...]
    signers: tuple[tuple[str, str], ...]  # (title, hint)
    filter: Mapping[str, tuple[str, ...]]
    defaults: Mapping[str, str]
    columns: tuple[LayoutColumn, ...]
    rows: tuple[LayoutRow, ...]

    @property
    def has_unit_column(self) -> bool:
        return any(r.unit for r in self.rows)


_CODE = re.compile(r"^[0-9A-Za-z_.-]{1,20}$")
_KEY = re.compile(r"^[A-Za-z0-9_]{1,40}$")


class _Reader:
    """Strict reading of one layout table: unknown keys, wrong types and missing keys are named."""

    def __init__(self, path: Path | None, data: Mapping[str, Any], key: str):
        self.path = path
        self.data = data
        self.key = key
        self.used: set[str] = set()

    def _k(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def error(self, detail: str, name: str | None = None) -> LayoutError:
        return LayoutError(detail, path=self.path, key=self._k(name) if name else (self.key or None))

    def text(self, name: str, required: bool = False, default: str = "") -> str:
        self.used.add(name)
        if name not in self.data:
            if required:
                raise self.error("thiếu khóa bắt buộc này.", name)
            return default
        value = self.data[name]
        if not isinstance(value, str):
            raise self.error(f"phải là chuỗi chữ đặt trong dấu ngoặc kép (đang là {_kind(value)}).", name)
        value = clean(value)
        if required and not value:
            raise self.error("không được để trống.", name)
        return value

    def flag(self, name: str) -> bool:
        self.used.add(name)
        value = self.data.get(name, False)
        if not isinstance(value, bool):
            raise self.error(f"phải là true hoặc false (đang là {_kind(value)}).", name)
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        self.used.add(name)
        value = self.data.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error("phải là danh sách chuỗi chữ, ví dụ [\"a\", \"b\"].", name)
        return tuple(clean(v) for v in value)

    def table(self, name: str, required: bool = False) -> Mapping[str, Any]:
        self.used.add(name)
        value = self.data.get(name)
        if value is None:
            if required:
                raise self.error("thiếu mục bắt buộc này.", name)
            return {}
        if not isinstance(value, dict):
            raise self.error(f"phải là một bảng (đang là {_kind(value)}).", name)
        return value

    def array(self, name: str) -> list[Mapping[str, Any]]:
        self.used.add(name)
        value = self.data.get(name)
        if value is None:
            raise self.error(f"thiếu danh sách [[{name}]].", name)
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            raise self.error(f"phải là danh sách các mục [[{name}]], ít nhất một mục.", name)
        return value

    def done(self) -> None:
        extra = sorted(set(self.data) - self.used)
        if extra:
            raise self.error(f"khóa không được hỗ trợ (gõ sai tên?). Các khóa dùng được: "
                             f"{', '.join(sorted(self.used))}.", extra[0])


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "số"
    if isinstance(value, str):
        return "chuỗi chữ"
    if isinstance(value, list):
        return "danh sách"
    if isinstance(value, dict):
        return "bảng"
    return type(value).__name__


def _filter(reader: _Reader, name: str, source: str) -> dict[str, tuple[str, ...]]:
    raw = reader.table(name)
    allowed = FILTER_VALUES[source]
    out: dict[str, tuple[str, ...]] = {}
    for fkey, value in raw.items():
        key = f"{reader._k(name)}.{fkey}"
        texts_ok = source == "awards" and fkey in TEXT_FILTERS
        if fkey not in allowed and not texts_ok:
            choices = list(allowed) + (list(TEXT_FILTERS) if source == "awards" else [])
            raise LayoutError(f"không lọc được theo “{fkey}” với số liệu {_source_label(source)} "
                              f"(dùng được: {', '.join(choices)}).", path=reader.path, key=key)
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
            raise LayoutError("phải là một chuỗi chữ hoặc danh sách chuỗi chữ, không để trống.",
                              path=reader.path, key=key)
        values = [clean(v) for v in values]
        if texts_ok:
            if not all(values):
                raise LayoutError("có chuỗi chữ rỗng trong danh sách tên.", path=reader.path, key=key)
        else:
            bad = [v for v in values if v not in allowed[fkey]]
            if bad:
                raise LayoutError(f"giá trị “{bad[0]}” không hợp lệ (chọn trong: {', '.join(allowed[fkey])}).",
                                  path=reader.path, key=key)
        out[fkey] = tuple(values)
    return out


def _source_label(source: str) -> str:
    return "phong trào thi đua" if source == "campaigns" else "khen thưởng"


def parse_layout(data: Mapping[str, Any], path: Path | None = None) -> Layout:
    """Check a layout read from TOML and build it. Raises LayoutError (Vietnamese, file and key)."""
    root = _Reader(path, data, "")
    form = _Reader(path, root.table("form", required=True), "form")
    code = form.text("code", required=True)
    if not _CODE.match(code):
        raise form.error(f"mã biểu “{code}” chỉ gồm chữ, số và các dấu “.”, “-”, “_” (ví dụ 0601).", "code")
    source = form.text("source", required=True)
    if source not in SOURCES:
        raise form.error(f"phải là “campaigns” (phong trào thi đua) hoặc “awards” (khen thưởng), "
                         f"không phải “{source}”.", "source")
    title = form.text("title", required=True)
    symbol = form.text("symbol")
    basis = form.text("basis")
    receive_date = form.text("receive_date")
    receiver = form.text("receiver")
    measure_unit = form.text("measure_unit")
    label_header = form.text("label_header")
    verified = form.flag("verified")
    notes = form.texts("notes")
    signer_titles = form.texts("signers") or ("Người lập biểu", "Thủ trưởng đơn vị")
    hints = form.texts("signer_hints")
    if hints and len(hints) != len(signer_titles):
        raise form.error(f"cần đúng {len(signer_titles)} dòng hướng dẫn, mỗi người ký một dòng.", "signer_hints")
    if not hints:
        hints = tuple(["(Ký, ghi rõ họ tên)"] * (len(signer_titles) - 1) + ["(Ký, đóng dấu, ghi rõ họ tên)"])
    table_filter = _filter(form, "filter", source)
    form.done()

    defaults_reader = _Reader(path, root.table("defaults"), "defaults")
    defaults: dict[str, str] = {}
    if source == "campaigns":
        for key in CAMPAIGN_DEFAULT_KEYS:
            value = defaults_reader.text(key, required=True)
            if value not in FILTER_VALUES["campaigns"][key]:
                raise defaults_reader.error(
                    f"giá trị “{value}” không hợp lệ (chọn trong: {', '.join(FILTER_VALUES['campaigns'][key])}).", key)
            defaults[key] = value
    defaults_reader.done()

    columns: list[LayoutColumn] = []
    for i, raw in enumerate(root.array("columns"), 1):
        r = _Reader(path, raw, f"columns[{i}]")
        key = r.text("key", required=True)
        if not _KEY.match(key):
            raise r.error(f"khóa cột “{key}” chỉ gồm chữ không dấu, số và dấu “_”.", "key")
        if any(c.key == key for c in columns):
            raise r.error(f"khóa cột “{key}” đã dùng cho một cột trước.", "key")
        col = LayoutColumn(key=key, header=r.text("header", required=True), number=r.text("number", required=True),
                           group=r.text("group"), filter=_filter(r, "filter", source), sum_of=r.texts("sum_of"))
        r.done()
        columns.append(col)
    keys = [c.key for c in columns]
    for i, c in enumerate(columns, 1):
        for k in c.sum_of:
            if k not in keys or k == c.key:
                raise LayoutError(f"cột “{k}” không có trong [[columns]] (các cột: {', '.join(keys)}).",
                                  path=path, key=f"columns[{i}].sum_of")

    rows: list[LayoutRow] = []
    for i, raw in enumerate(root.array("rows"), 1):
        r = _Reader(path, raw, f"rows[{i}]")
        row = LayoutRow(label=r.text("label", required=True), code=r.text("code"), unit=r.text("unit"),
                        bold=r.flag("bold"), heading=r.flag("heading"), untracked=r.flag("untracked"),
                        filter=_filter(r, "filter", source), sum_of=r.texts("sum_of"))
        r.done()
        if row.heading and (row.filter or row.code or row.untracked):
            raise r.error("dòng tiêu đề nhóm (heading = true) không có mã số, bộ lọc hay untracked.", "heading")
        if row.untracked and row.filter:
            raise r.error("dòng không theo dõi (untracked = true) không cần bộ lọc.", "filter")
        if row.code and any(x.code == row.code for x in rows):
            raise r.error(f"mã số “{row.code}” đã dùng cho một dòng trước.", "code")
        rows.append(row)
    codes = [x.code for x in rows if x.code]
    for i, row in enumerate(rows, 1):
        for k in row.sum_of:
            if k not in codes or k == row.code:
                raise LayoutError(f"dòng có mã số “{k}” không có trong [[rows]].", path=path, key=f"rows[{i}].sum_of")
    root.done()
    return Layout(path=path, code=code, symbol=symbol, title=title, basis=basis, receive_date=receive_date,
                  receiver=receiver, measure_unit=measure_unit, source=source, label_header=label_header,
                  verified=verified, notes=notes, signers=tuple(zip(signer_titles, hints)), filter=table_filter,
                  defaults=defaults, columns=tuple(columns), rows=tuple(rows))


_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def load_layout(path: str | Path) -> Layout:
    """Read and check one layout file. Raises LayoutError (Vietnamese, naming the file and key)."""

    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise LayoutError(f"không đọc được tệp ({exc.strerror or exc}).", path=path) from exc
    except UnicodeDecodeError as exc:
        raise LayoutError("tệp không được lưu với bảng mã UTF-8.", path=path) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raw = str(exc)
        m = _TOML_LINE.search(raw)
        reason = raw[: m.start()].strip() if m else raw
        detail = next((vi for en, vi in _TOML_MESSAGES.items() if reason.startswith(en)), None)
        raise LayoutError(f"{detail}." if detail else f"tệp không đúng cú pháp TOML ({reason}).", path=path,
                          line=int(m.group(1)) if m else None) from exc
    return parse_layout(data, path)


# --------------------------------------------------------------------------- counting


@functools.lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    return clean(text).casefold()


def _matches(attrs: Mapping[str, str], name: str, flt: Mapping[str, tuple[str, ...]]) -> bool:
    """*name* is already normalised (_norm)."""
    for key, values in flt.items():
        if key == "name":
            if not any(_norm(v) in name for v in values):
                return False
        elif key == "name_not":
            if any(_norm(v) in name for v in values):
                return False
        elif attrs.get(key) not in values:
            return False
    return True


@dataclass(frozen=True)
class StatTable:
    """One form filled in for one year: values[row][column] (None: a heading or untracked row)."""

    layout: Layout
    year: int
    values: tuple[tuple[int | None, ...], ...]
    #: facts of the year the form looks at (after the form's own filter), e.g. the province's awards
    counted: int
    #: facts of the year before the form's filter (all awards decided in the year, all campaigns active)
    in_year: int
    warnings: tuple[str, ...] = ()


def _campaign_attrs(c: CampaignStat, defaults: Mapping[str, str]) -> dict[str, str]:
    return {"organizer": c.organizer or defaults.get("organizer", ""), "scope": c.scope or defaults.get("scope", ""),
            "method": c.method or defaults.get("method", ""), "duration": duration_class(c.start, c.end)}


def award_method(a: AwardStat, campaign_methods: Mapping[int, str], default_campaign_method: str = "thematic") -> str:
    if a.kind in _KIND_METHOD:
        return _KIND_METHOD[a.kind]
    method = campaign_methods.get(a.campaign_id) if a.campaign_id is not None else None
    return {"regular": "regular", "thematic": "thematic"}.get(method or default_campaign_method, "thematic")


def _award_attrs(a: AwardStat, campaign_methods: Mapping[int, str], default_method: str) -> dict[str, str]:
    # An unknown subject type (a hand-edited row) is neither: the totals check then reports it.
    subject = {"unit": "collective", "person": "individual"}.get(a.subject_type, "")
    return {"subject": subject, "level": a.level,
            "kind": a.kind, "method": award_method(a, campaign_methods, default_method)}


def compute(layout: Layout, year: int, *, campaigns: Sequence[CampaignStat] = (),
            awards: Sequence[AwardStat] = (), default_campaign_method: str = "thematic") -> StatTable:
    """Fill *layout* for *year*: each cell counts the facts of the year matching its row and column."""
    # Facts with the same attributes and name are counted together: a register of 20,000 awards has a
    # few hundred distinct kinds of award at most.
    kinds: list[tuple[dict[str, str], str, int]]
    if layout.source == "campaigns":
        selected = [c for c in campaigns if active_in(c, year)]
        kinds = [(_campaign_attrs(c, layout.defaults), _norm(c.name), 1) for c in selected]
    else:
        methods = {c.id: c.method or default_campaign_method for c in campaigns}
        same = Counter((a.subject_type, a.award_name, a.level, a.kind, a.campaign_id if a.kind not in _KIND_METHOD
                        else None) for a in awards if a.decision_date is not None and a.decision_date.year == year)
        kinds = [(_award_attrs(AwardStat(0, st, name, level, kind, None, cid), methods, default_campaign_method),
                  _norm(name), n) for (st, name, level, kind, cid), n in same.items()]
    in_year = sum(k[2] for k in kinds)
    kinds = [k for k in kinds if _matches(k[0], k[1], layout.filter)]
    values: list[tuple[int | None, ...]] = []
    for row in layout.rows:
        if not row.has_values:
            values.append(tuple(None for _ in layout.columns))
            continue
        in_row = [k for k in kinds if _matches(k[0], k[1], row.filter)]
        values.append(tuple(sum(n for attrs, name, n in in_row if _matches(attrs, name, col.filter))
                            for col in layout.columns))
    warnings = _check_sums(layout, values)
    return StatTable(layout=layout, year=year, values=tuple(values), counted=sum(k[2] for k in kinds),
                     in_year=in_year, warnings=tuple(warnings))


def _check_sums(layout: Layout, values: list[tuple[int | None, ...]]) -> list[str]:
    """The totals the layout declares (sum_of) against the counted parts: a layout whose parts do
    not cover its total (an award form no column names, a campaign in no band) is reported."""
    out: list[str] = []
    col_index = {c.key: i for i, c in enumerate(layout.columns)}
    row_index = {r.code: i for i, r in enumerate(layout.rows) if r.code}
    for ri, row in enumerate(layout.rows):
        if not row.has_values:
            continue
        for ci, col in enumerate(layout.columns):
            if col.sum_of:
                parts = sum(values[ri][col_index[k]] or 0 for k in col.sum_of)
                if parts != values[ri][ci]:
                    out.append(f"Biểu {layout.code}, dòng “{row.label}”: cột {col.number} là {values[ri][ci]} nhưng "
                               f"tổng các cột {', '.join(layout.columns[col_index[k]].number for k in col.sum_of)} "
                               f"là {parts}.")
        if row.sum_of:
            for ci, col in enumerate(layout.columns):
                parts = sum(values[row_index[k]][ci] or 0 for k in row.sum_of)
                if parts != values[ri][ci]:
                    out.append(f"Biểu {layout.code}, cột {col.number}: dòng mã số {row.code} là {values[ri][ci]} "
                               f"nhưng tổng các dòng mã số {', '.join(row.sum_of)} là {parts}.")
    return out
