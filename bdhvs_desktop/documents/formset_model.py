"""The data of a form set (documents/formsets.py): its forms and the context each one is rendered
from, the summary a list shows, and the problems the check on load reports."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .context import AchievementContext, MinutesContext, SubmissionContext
from .decision_context import DecisionContext
from .province_context import ProvinceSubmissionContext

MANIFEST_NAME = "manifest.toml"
SUPPORTED_SCHEMA = 1

#: Name under which each context class is visible in a template.
CONTEXT_TYPES: dict[str, type] = {
    "submission": SubmissionContext,
    "minutes": MinutesContext,
    "achievement": AchievementContext,
    "decision": DecisionContext,
    "province_submission": ProvinceSubmissionContext,
}

#: The forms every set must provide, and the context each one is rendered from.
FORM_KEYS: dict[str, str] = {
    "to_trinh": "submission",
    "bien_ban": "minutes",
    "bao_cao_tap_the": "achievement",
    "bao_cao_ca_nhan": "achievement",
}

#: Forms a set may provide (a set copied before they existed still loads without them).
OPTIONAL_FORM_KEYS: dict[str, str] = {
    "quyet_dinh": "decision",
    "to_trinh_tinh": "province_submission",  # the province office's Tờ trình (documents/province_context.py)
}



@dataclass(frozen=True)
class TemplateProblem:
    """One problem found in a form set: the file, the offending tag, what is wrong."""

    file: Path
    message: str
    tag: str = ""
    part: str = ""

    def __str__(self) -> str:
        where = self.file.name + (f" [{self.part}]" if self.part else "")
        return f"{where}: {self.message}" + (f" — thẻ: {self.tag}" if self.tag else "")


class FormSetError(Exception):
    """A form set could not be loaded; ``problems`` lists every problem found."""

    def __init__(self, name: str, problems: Sequence[TemplateProblem]):
        self.name = name
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"Bộ mẫu hồ sơ “{name}” có lỗi, chưa tạo tài liệu nào:\n{lines}")


@dataclass(frozen=True)
class FormSpec:
    """One form of a set, as the manifest describes it (visible to templates as ``form``)."""

    key: str
    file: str
    #: "submission" | "minutes" | "achievement".
    context: str
    form_number: str
    #: "Mẫu số 01, Phụ lục I ban hành kèm theo Nghị định số 98/2023/NĐ-CP".
    form_label: str
    title: str
    #: The decree citation lines ("Căn cứ ...;") printed by this form, in order.
    legal_basis: tuple[str, ...]
    #: The form's footnotes (instructions for filling it in), not printed.
    footnotes: tuple[str, ...]
    #: Titles, captions and fixed sentences, by key.
    wording: Mapping[str, str]
    #: Where the template came from (after per-file precedence).
    path: Path
    #: "user" or "builtin".
    source: str
    template_bytes: bytes = field(repr=False, compare=False, default=b"")


@dataclass(frozen=True)
class FormSet:
    """A loaded and checked form set (visible to templates as ``formset``)."""

    name: str
    title: str
    #: "Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ".
    decree: str
    #: Citation lines by key ("law", "decree", ...).
    citations: Mapping[str, str]
    forms: Mapping[str, FormSpec]
    in_force_from: datetime.date | None
    in_force_until: datetime.date | None
    note: str
    manifest_path: Path
    #: "user" or "builtin" for the manifest.
    source: str
    #: Name of the form set that replaced this one ("" while in force).
    replaced_by: str = ""

    def form(self, key: str) -> FormSpec:
        try:
            return self.forms[key]
        except KeyError:
            raise KeyError(f"Bộ mẫu “{self.name}” không có mẫu “{key}”") from None


@dataclass(frozen=True)
class FormSetSummary:
    name: str
    title: str
    decree: str
    in_force_from: datetime.date | None
    in_force_until: datetime.date | None
    #: Folder(s) it was found in: ("builtin",), ("user",) or ("user", "builtin").
    sources: tuple[str, ...]
    replaced_by: str = ""

