"""Where each field of a certificate (Giấy khen) is printed: a layout per award form, as data.

A layout gives the page (A4 landscape by default, A3, or a custom size in mm) and, for every
field, its box in millimetres measured from the page's top-left corner, the largest and
smallest font size, the alignment and the weight. The built-in layouts are TOML files in
``resources/certificate_layouts/``; the office's edited copies are stored as JSON in the
database settings (see services.certificates). Every layout, built-in or edited, is checked
on load; a wrong value gets a Vietnamese message naming the layout, the field and the value.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from bdhvs_desktop import paths
from bdhvs_desktop.domain.numbers import vn_number

MM = 72.0 / 25.4  # points per millimetre

#: Fields in the order they are edited and drawn: key -> Vietnamese label.
FIELDS: dict[str, str] = {
    "name": "Tên tập thể, cá nhân",
    "unit": "Chức vụ, đơn vị",
    "achievement": "Thành tích",
    "decision": "Số và ngày quyết định",
    "place_date": "Địa danh, ngày tháng",
    "signer_title": "Chức danh người ký",
    "signer_name": "Họ tên người ký",
}

PAGE_SIZES_MM: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
ALIGNS = ("left", "center", "right")
VALIGNS = ("top", "middle", "bottom")
FORMATS = ("state", "party")
#: Font sizes a layout may ask for (points).
MIN_POINTS, MAX_POINTS = 4.0, 96.0


class LayoutError(ValueError):
    """A layout cannot be used; the message is Vietnamese and says where the fault is."""


@dataclass(frozen=True)
class FieldBox:
    x: float  # mm from the left edge
    y: float  # mm from the top edge
    width: float
    height: float
    font_size: float = 14.0  # the size tried first (points)
    min_font_size: float = 9.0  # the size below which a warning is logged
    align: str = "center"
    valign: str = "middle"
    bold: bool = False
    italic: bool = False
    show: bool = True

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class Layout:
    #: The award form this layout is for, or "" for the built-in fallback of a format.
    code: str
    title: str
    page_size: str = "A4"  # A4 | A3 | custom
    orientation: str = "landscape"  # landscape | portrait
    custom_width: float = 0.0  # mm, page_size "custom" only
    custom_height: float = 0.0
    #: Heading of the plain-paper version: "state" (Quốc hiệu) or "party" (ĐẢNG CỘNG SẢN VIỆT NAM).
    format: str = "state"
    signer_title: str = "CHỦ TỊCH"
    signer_name: str = ""
    fields: dict[str, FieldBox] = field(default_factory=dict)

    @property
    def page_mm(self) -> tuple[float, float]:
        """(width, height) of the page in mm, orientation applied."""
        if self.page_size == "custom":
            return (self.custom_width, self.custom_height)
        short, long_ = PAGE_SIZES_MM[self.page_size]
        return (long_, short) if self.orientation == "landscape" else (short, long_)

    @property
    def page_points(self) -> tuple[float, float]:
        w, h = self.page_mm
        return (w * MM, h * MM)

    def with_field(self, key: str, box: FieldBox) -> Layout:
        return replace(self, fields={**self.fields, key: box})

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "fields"}
        data["fields"] = {k: asdict(self.fields[k]) for k in FIELDS if k in self.fields}
        return data


# ------------------------------------------------------------------------- validation


def _where(source: str) -> str:
    return f"Mẫu in giấy khen “{source}”"


def _number(raw: dict, key: str, where: str, *, low: float, high: float, default: float | None = None) -> float:
    value = raw.get(key, default)
    if value is None:
        raise LayoutError(f"{where}: thiếu giá trị “{key}”.")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LayoutError(f"{where}: “{key}” phải là một số, không phải {value!r}.")
    value = float(value)
    if not math.isfinite(value):  # nan, inf: no number to write in the message below
        raise LayoutError(f"{where}: “{key}” phải là một số, không phải {value!r}.")
    if not (low <= value <= high):
        raise LayoutError(f"{where}: “{key}” = {vn_number(value)} nằm ngoài khoảng cho phép {vn_number(low)}–{vn_number(high)}.")
    return value


def _choice(raw: dict, key: str, where: str, choices: tuple[str, ...], default: str) -> str:
    value = raw.get(key, default)
    if value not in choices:
        raise LayoutError(f"{where}: “{key}” phải là một trong {', '.join(choices)}, không phải {value!r}.")
    return value


def _flag(raw: dict, key: str, where: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise LayoutError(f"{where}: “{key}” phải là true hoặc false, không phải {value!r}.")
    return value


def _text(raw: dict, key: str, where: str, default: str) -> str:
    value = raw.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise LayoutError(f"{where}: “{key}” phải là chữ, không phải {value!r}.")
    if len(value) > 300:
        raise LayoutError(f"{where}: “{key}” dài quá 300 ký tự.")
    return value


def layout_from_dict(raw: Any, source: str) -> Layout:
    """A checked layout from parsed TOML/JSON; *source* names it in messages."""
    where = _where(source)
    if not isinstance(raw, dict):
        raise LayoutError(f"{where}: nội dung phải là một bảng (TOML) hoặc đối tượng (JSON).")
    known = {"code", "title", "page_size", "orientation", "custom_width", "custom_height", "format",
             "signer_title", "signer_name", "fields"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise LayoutError(f"{where}: khóa không được hỗ trợ: {', '.join(unknown)}.")
    page_size = _choice(raw, "page_size", where, ("A4", "A3", "custom"), "A4")
    orientation = _choice(raw, "orientation", where, ("landscape", "portrait"), "landscape")
    cw = ch = 0.0
    if page_size == "custom":
        cw = _number(raw, "custom_width", where, low=50, high=1000)
        ch = _number(raw, "custom_height", where, low=50, high=1000)
    layout = Layout(
        code=_text(raw, "code", where, ""), title=_text(raw, "title", where, source),
        page_size=page_size, orientation=orientation, custom_width=cw, custom_height=ch,
        format=_choice(raw, "format", where, FORMATS, "state"),
        signer_title=_text(raw, "signer_title", where, "CHỦ TỊCH"),
        signer_name=_text(raw, "signer_name", where, ""),
    )
    page_w, page_h = layout.page_mm
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, dict):
        raise LayoutError(f"{where}: thiếu bảng “fields” (vị trí các ô).")
    unknown = sorted(set(fields_raw) - set(FIELDS))
    if unknown:
        raise LayoutError(f"{where}: ô không có trong giấy khen: {', '.join(unknown)} "
                          f"(các ô: {', '.join(FIELDS)}).")
    boxes: dict[str, FieldBox] = {}
    for key, label in FIELDS.items():
        fw = f"{where}, ô “{label}” (fields.{key})"
        box_raw = fields_raw.get(key)
        if box_raw is None:
            raise LayoutError(f"{fw}: thiếu vị trí của ô này.")
        if not isinstance(box_raw, dict):
            raise LayoutError(f"{fw}: phải là một bảng x, y, width, height, font_size...")
        bad = sorted(set(box_raw) - set(FieldBox.__dataclass_fields__))
        if bad:
            raise LayoutError(f"{fw}: khóa không được hỗ trợ: {', '.join(bad)}.")
        x = _number(box_raw, "x", fw, low=0, high=page_w)
        y = _number(box_raw, "y", fw, low=0, high=page_h)
        width = _number(box_raw, "width", fw, low=1, high=page_w)
        height = _number(box_raw, "height", fw, low=1, high=page_h)
        if x + width > page_w + 1e-6 or y + height > page_h + 1e-6:
            raise LayoutError(f"{fw}: ô ({vn_number(x)}; {vn_number(y)}) rộng {vn_number(width)} cao {vn_number(height)} mm "
                              "vượt ra ngoài trang "
                              f"{vn_number(page_w)} × {vn_number(page_h)} mm.")
        size = _number(box_raw, "font_size", fw, low=MIN_POINTS, high=MAX_POINTS, default=14.0)
        min_size = _number(box_raw, "min_font_size", fw, low=MIN_POINTS, high=MAX_POINTS,
                           default=min(9.0, size))
        if min_size > size:
            raise LayoutError(f"{fw}: cỡ chữ nhỏ nhất ({vn_number(min_size)}) lớn hơn cỡ chữ lớn nhất ({vn_number(size)}).")
        boxes[key] = FieldBox(
            x=x, y=y, width=width, height=height, font_size=size, min_font_size=min_size,
            align=_choice(box_raw, "align", fw, ALIGNS, "center"),
            valign=_choice(box_raw, "valign", fw, VALIGNS, "middle"),
            bold=_flag(box_raw, "bold", fw, False), italic=_flag(box_raw, "italic", fw, False),
            show=_flag(box_raw, "show", fw, True))
    return replace(layout, fields=boxes)


def load_layout_file(path: Path) -> Layout:
    """A layout from a .toml or .json file, checked."""
    path = Path(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise LayoutError(f"Không đọc được tệp mẫu in “{path.name}”: {exc.strerror or exc}.") from exc
    if len(raw_bytes) > 1_000_000:
        raise LayoutError(f"Tệp mẫu in “{path.name}” quá lớn để là một mẫu in giấy khen.")
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LayoutError(f"Tệp mẫu in “{path.name}” không phải văn bản UTF-8.") from exc
    try:
        if path.suffix.lower() == ".json":
            raw = json.loads(text)
        elif path.suffix.lower() == ".toml":
            raw = tomllib.loads(text)
        else:
            raise LayoutError(f"Tệp mẫu in “{path.name}” phải có đuôi .toml hoặc .json.")
    except json.JSONDecodeError as exc:
        raise LayoutError(f"Tệp mẫu in “{path.name}”: JSON sai ở dòng {exc.lineno}, cột {exc.colno}.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"Tệp mẫu in “{path.name}”: TOML sai ({exc}).") from exc
    return layout_from_dict(raw, path.name)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value)) if isinstance(value, float) and not value.is_integer() else str(int(value))
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def layout_to_toml(layout: Layout) -> str:
    data = layout.to_dict()
    lines = ["# Mẫu in giấy khen: vị trí (mm, tính từ góc trên bên trái trang) và cỡ chữ (pt) của từng ô."]
    for key, value in data.items():
        if key != "fields":
            lines.append(f"{key} = {_toml_value(value)}")
    for key, box in data["fields"].items():
        lines.append("")
        lines.append(f"# {FIELDS[key]}")
        lines.append(f"[fields.{key}]")
        lines.extend(f"{k} = {_toml_value(v)}" for k, v in box.items())
    return "\n".join(lines) + "\n"


def layout_to_json(layout: Layout) -> str:
    return json.dumps(layout.to_dict(), ensure_ascii=False, indent=2) + "\n"


def builtin_layout_dir() -> Path:
    return paths.resources_dir() / "certificate_layouts"


def builtin_layout(code: str, fmt: str) -> Layout:
    """The shipped layout of an award form: ``<CODE>.toml`` if there is one, else the layout of
    its format (``state.toml`` or ``party.toml``)."""
    folder = builtin_layout_dir()
    own = folder / f"{code}.toml"
    path = own if code and own.is_file() else folder / f"{fmt if fmt in FORMATS else 'state'}.toml"
    layout = load_layout_file(path)
    return replace(layout, code=code or layout.code)
