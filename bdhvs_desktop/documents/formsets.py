"""Versioned form sets: a folder with ``manifest.toml`` and the .docx templates.

A form set is the legal layer of the dossier: decree citations ("Căn cứ ..."), form
numbers, titles, footnotes and wording are data in ``manifest.toml``; the layout is in
the .docx templates. A new decree is a new folder, not a code change.

Two folders are searched, both passed in by the caller:

* ``builtin_dir`` -- ``forms_templates/`` shipped with the program;
* ``user_dir`` -- a folder in the user's data folder. A file there
  (``<user_dir>/<set name>/<file>``) takes precedence over the built-in file of the
  same name, **file by file**: an office can correct one template or only the
  manifest and keep the rest.

Every template is checked when the set is loaded, before anything is generated:
each Jinja tag in the document XML is parsed; a broken tag, an unknown variable or
field (not in the context dataclasses), an unknown filter, an unbalanced block, text
that docxtpl would delete (beside a ``{%p %}``/``{%tr %}`` tag) and tags in parts that
are not rendered are reported with the file and the tag. :func:`load_form_set` raises
:class:`FormSetError` listing them all.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import io
import re
import tomllib
import types
import typing
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import TemplateError, TemplateSyntaxError
from lxml import etree

from .context import AchievementContext, MinutesContext, SubmissionContext
from .decision_context import DecisionContext
from .province_context import ProvinceSubmissionContext
from .template_env import make_environment

__all__ = [
    "CONTEXT_TYPES",
    "FORM_KEYS",
    "OPTIONAL_FORM_KEYS",
    "FormSet",
    "FormSetError",
    "FormSetSummary",
    "FormSpec",
    "TemplateProblem",
    "check_form_set",
    "check_template",
    "list_form_sets",
    "load_form_set",
]

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

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{_W_NS}}}"


# ----------------------------------------------------------------------- data model


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


# ------------------------------------------------------------------------ discovery


def _resolve(name: str, filename: str, builtin_dir: Path, user_dir: Path | None):
    if user_dir is not None:
        candidate = Path(user_dir) / name / filename
        if candidate.is_file():
            return candidate, "user"
    candidate = Path(builtin_dir) / name / filename
    if candidate.is_file():
        return candidate, "builtin"
    return None, None


def list_form_sets(builtin_dir: Path, user_dir: Path | None = None) -> list[FormSetSummary]:
    """Form sets found in either folder (a folder with a ``manifest.toml``), by name.

    A set whose manifest cannot be read is listed with the reason as its title, so
    the user sees it and :func:`load_form_set` can report the details.
    """
    found: dict[str, dict[str, bool]] = {}  # name -> source -> has a manifest
    for source, root in (("user", user_dir), ("builtin", builtin_dir)):
        if root is None or not Path(root).is_dir():
            continue
        for sub in sorted(Path(root).iterdir()):
            if sub.is_dir():
                found.setdefault(sub.name, {})[source] = (sub / MANIFEST_NAME).is_file()
    # a set exists when some folder has its manifest; a user folder may hold only
    # corrected templates of a built-in set
    names = {
        name: [src for src in ("user", "builtin") if src in sources]
        for name, sources in found.items()
        if any(sources.values())
    }
    out = []
    for name in sorted(names):
        path, _ = _resolve(name, MANIFEST_NAME, builtin_dir, user_dir)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            out.append(
                FormSetSummary(
                    name=name,
                    title=str(data.get("title", name)),
                    decree=str(data.get("decree", "")),
                    in_force_from=data.get("in_force_from"),
                    in_force_until=data.get("in_force_until"),
                    sources=tuple(dict.fromkeys(names[name])),
                    replaced_by=str(data.get("replaced_by", "") or ""),
                )
            )
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            out.append(
                FormSetSummary(name, f"(không đọc được manifest: {exc})", "", None, None,
                               tuple(dict.fromkeys(names[name])))
            )
    return out


# ------------------------------------------------------------------------- manifest

_SAFE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.docx$")
_WORDING_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_MAPPING_ATTRS = set(dir(types.MappingProxyType({})))


def _str_list(value, what: str, problems: list, manifest: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(TemplateProblem(manifest, f"{what} phải là danh sách chuỗi"))
        return ()
    return tuple(value)


def _parse_manifest(name: str, path: Path, source: str, builtin_dir, user_dir):
    problems: list[TemplateProblem] = []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FormSetError(name, [TemplateProblem(path, f"không đọc được tệp: {exc}")]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise FormSetError(name, [TemplateProblem(path, f"lỗi cú pháp TOML: {exc}")]) from exc

    schema = data.get("schema_version")
    if schema != SUPPORTED_SCHEMA:
        problems.append(
            TemplateProblem(path, f"schema_version phải là {SUPPORTED_SCHEMA}, có {schema!r}")
        )
    if data.get("name", name) != name:
        problems.append(
            TemplateProblem(path, f"name = {data.get('name')!r} khác tên thư mục {name!r}")
        )
    for key in ("title", "decree"):
        if not isinstance(data.get(key), str) or not data.get(key):
            problems.append(TemplateProblem(path, f"thiếu khóa “{key}”"))
    citations = data.get("citations", {})
    if not isinstance(citations, dict) or not all(
        isinstance(v, str) for v in citations.values()
    ):
        problems.append(TemplateProblem(path, "[citations] phải gồm các chuỗi"))
        citations = {}
    for key in ("in_force_from", "in_force_until"):
        if data.get(key) is not None and not isinstance(data.get(key), datetime.date):
            problems.append(TemplateProblem(path, f"{key} phải là ngày (YYYY-MM-DD)"))
    replaced_by = data.get("replaced_by", "")
    if replaced_by and (not isinstance(replaced_by, str) or not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", replaced_by)):
        problems.append(TemplateProblem(path, f"replaced_by = {replaced_by!r} phải là tên một bộ mẫu, "
                                              "ví dụ \"decree-152-2025\""))
    if replaced_by and data.get("in_force_until") is None:
        problems.append(TemplateProblem(path, "replaced_by cần có in_force_until (ngày cuối còn hiệu lực)"))

    forms_data = data.get("forms", {})
    if not isinstance(forms_data, dict):
        forms_data = {}
        problems.append(TemplateProblem(path, "[forms] phải là bảng"))
    forms: dict[str, FormSpec] = {}
    for key, expected_ctx in {**FORM_KEYS, **OPTIONAL_FORM_KEYS}.items():
        spec = forms_data.get(key)
        if spec is None and key in OPTIONAL_FORM_KEYS:
            continue
        if not isinstance(spec, dict):
            problems.append(TemplateProblem(path, f"thiếu mẫu [forms.{key}]"))
            continue
        file = spec.get("file")
        if not isinstance(file, str) or not _SAFE_FILE.match(file):
            problems.append(
                TemplateProblem(path, f"[forms.{key}] file = {file!r} không hợp lệ "
                                      "(tên tệp .docx, không có thư mục)")
            )
            continue
        ctx = spec.get("context", expected_ctx)
        if ctx != expected_ctx:
            problems.append(
                TemplateProblem(path, f"[forms.{key}] context phải là {expected_ctx!r}")
            )
        legal = []
        for ref in _str_list(spec.get("legal_basis"), f"[forms.{key}] legal_basis",
                             problems, path):
            if ref not in citations:
                problems.append(
                    TemplateProblem(path, f"[forms.{key}] legal_basis: không có "
                                          f"[citations] “{ref}”")
                )
            else:
                legal.append(citations[ref])
        wording = spec.get("wording", {})
        if not isinstance(wording, dict):
            problems.append(TemplateProblem(path, f"[forms.{key}.wording] phải là bảng"))
            wording = {}
        for wkey, wval in wording.items():
            if not _WORDING_KEY.match(wkey) or wkey in _MAPPING_ATTRS:
                problems.append(
                    TemplateProblem(path, f"[forms.{key}.wording] khóa “{wkey}” không "
                                          "hợp lệ (chữ thường, số, _; không trùng tên "
                                          "phương thức)")
                )
            if not isinstance(wval, str):
                problems.append(
                    TemplateProblem(path, f"[forms.{key}.wording] “{wkey}” phải là chuỗi")
                )
        tpl_path, tpl_source = _resolve(name, file, builtin_dir, user_dir)
        if tpl_path is None:
            problems.append(TemplateProblem(Path(file), f"không tìm thấy tệp mẫu {file}"))
            continue
        try:
            blob = tpl_path.read_bytes()
        except OSError as exc:
            problems.append(TemplateProblem(tpl_path, f"không đọc được tệp: {exc}"))
            continue
        forms[key] = FormSpec(
            key=key,
            file=file,
            context=expected_ctx,
            form_number=str(spec.get("form_number", "")),
            form_label=str(spec.get("form_label", "")),
            title=str(spec.get("title", "")),
            legal_basis=tuple(legal),
            footnotes=_str_list(spec.get("footnotes"), f"[forms.{key}] footnotes",
                                problems, path),
            wording=types.MappingProxyType({k: str(v) for k, v in wording.items()}),
            path=tpl_path,
            source=tpl_source,
            template_bytes=blob,
        )
    if problems:
        raise FormSetError(name, problems)
    return FormSet(
        name=name,
        title=data["title"],
        decree=data["decree"],
        citations=types.MappingProxyType(dict(citations)),
        forms=types.MappingProxyType(forms),
        in_force_from=data.get("in_force_from"),
        in_force_until=data.get("in_force_until"),
        note=str(data.get("note", "")),
        manifest_path=path,
        source=source,
        replaced_by=str(replaced_by or ""),
    )


def load_form_set(
    name: str, builtin_dir: Path, user_dir: Path | None = None, *, check: bool = True
) -> FormSet:
    """Load form set *name*, file by file from *user_dir* first, then *builtin_dir*.

    With ``check=True`` (the default) every template is checked and
    :class:`FormSetError` lists every problem; the templates' bytes are kept in
    memory, so what is rendered is exactly what was checked.
    """
    if not name or PurePath(name).name != name or name in (".", ".."):
        raise FormSetError(str(name), [TemplateProblem(Path(str(name)), "tên bộ mẫu không hợp lệ")])
    path, source = _resolve(name, MANIFEST_NAME, Path(builtin_dir), user_dir)
    if path is None:
        raise FormSetError(
            name, [TemplateProblem(Path(name) / MANIFEST_NAME, "không tìm thấy bộ mẫu")]
        )
    form_set = _parse_manifest(name, path, source, Path(builtin_dir), user_dir)
    if check:
        problems = check_form_set(form_set)
        if problems:
            raise FormSetError(name, problems)
    return form_set


# ---------------------------------------------------------------- template checking


def check_form_set(form_set: FormSet) -> list[TemplateProblem]:
    problems: list[TemplateProblem] = []
    for spec in form_set.forms.values():
        problems.extend(check_template(spec, form_set))
    return problems


# -- the type model used to check variables against the context dataclasses


class _AnyT:
    def __repr__(self) -> str:
        return "Any"


ANY = _AnyT()


@dataclass(frozen=True)
class _Leaf:
    py: type


@dataclass(frozen=True)
class _Obj:
    cls: type


@dataclass(frozen=True)
class _Seq:
    item: Any


@dataclass(frozen=True)
class _Record:
    label: str
    keys: Mapping[str, Any]


@dataclass(frozen=True)
class _Func:
    returns: Any


_LEAVES = (str, int, float, bool, Decimal, datetime.date, datetime.datetime, datetime.time,
           PurePath, bytes)


def _from_hint(hint) -> Any:
    if hint is None or hint is type(None):
        return ANY
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        real = [a for a in args if a is not type(None)]
        return _from_hint(real[0]) if len(real) == 1 else ANY
    if origin is typing.Literal:
        return _Leaf(str)
    if origin in (tuple, list, Sequence, typing.Sequence) or hint in (tuple, list):
        return _Seq(_from_hint(args[0]) if args else ANY)
    if isinstance(hint, type):
        if is_dataclass(hint):
            return _Obj(hint)
        for leaf in _LEAVES:
            if issubclass(hint, leaf):
                return _Leaf(hint)
    return ANY


@functools.cache
def _hints(cls) -> dict:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 - get_type_hints evaluates annotations  # pragma: no cover - defensive
        return {}


def _attr_type(t, name: str):
    """(type of ``t.name``, error message or None)."""
    if t is ANY or isinstance(t, _Func):
        return ANY, None
    if name.startswith("_"):
        return ANY, f"thuộc tính “{name}” không được phép (bắt đầu bằng _)"
    if isinstance(t, _Record):
        if name in t.keys:
            return t.keys[name], None
        known = ", ".join(sorted(t.keys)) or "(trống)"
        return ANY, f"“{t.label}” không có khóa “{name}” (có: {known})"
    if isinstance(t, _Obj):
        cls = t.cls
        if name in {f.name for f in fields(cls)}:
            return _from_hint(_hints(cls).get(name)), None
        try:
            static = inspect.getattr_static(cls, name)
        except AttributeError:
            known = ", ".join(
                sorted({f.name for f in fields(cls)} | {
                    n for n, v in vars(cls).items()
                    if isinstance(v, property) and not n.startswith("_")
                })
            )
            return ANY, f"{cls.__name__} không có trường “{name}” (có: {known})"
        if isinstance(static, property):
            ret = _hints(static.fget).get("return") if static.fget else None
            return _from_hint(ret), None
        if callable(static):
            ret = _hints(static).get("return")
            return _Func(_from_hint(ret)), None
        return ANY, None
    if isinstance(t, _Leaf):
        if hasattr(t.py, name):
            return (_Func(ANY) if callable(getattr(t.py, name)) else ANY), None
        return ANY, f"giá trị kiểu {t.py.__name__} không có thuộc tính “{name}”"
    if isinstance(t, _Seq):
        if hasattr(tuple, name):
            return _Func(ANY), None
        return ANY, f"danh sách không có thuộc tính “{name}”"
    return ANY, None


_STR_FILTERS = {
    "capitalize", "center", "e", "escape", "filesizeformat", "format", "indent", "join",
    "lower", "replace", "string", "striptags", "title", "trim", "truncate", "upper",
    "urlencode", "wordwrap",
}
_INT_FILTERS = {"count", "length", "wordcount", "int", "sum", "abs", "round", "float"}
_SAME_SEQ_FILTERS = {"sort", "reverse", "unique", "list", "select", "reject",
                     "selectattr", "rejectattr"}
_ATTRIBUTE_FILTERS = {"sort", "selectattr", "rejectattr", "map", "sum", "groupby",
                      "unique", "min", "max"}


class _Checker:
    """Walks a template AST with the types of the context, collecting problems."""

    def __init__(self, top: dict[str, Any], env):
        self.top = top
        self.globals = env.globals
        self.filters = env.filters
        self.tests = env.tests
        self.errors: list[tuple[int, str]] = []

    def error(self, node, message: str) -> None:
        self.errors.append((getattr(node, "lineno", 0) or 0, message))

    # statements
    def visit(self, node, scope: list[dict]) -> None:
        if isinstance(node, nodes.For):
            iter_t = self.infer(node.iter, scope)
            item = iter_t.item if isinstance(iter_t, _Seq) else ANY
            if isinstance(iter_t, (_Leaf, _Obj)) and not (
                isinstance(iter_t, _Leaf) and iter_t.py is str
            ):
                self.error(node.iter, "vòng lặp trên giá trị không phải danh sách")
            inner = {"loop": ANY}
            self.bind(node.target, item, inner)
            new_scope = scope + [inner]
            if node.test is not None:
                self.infer(node.test, new_scope)
            for child in node.body:
                self.visit(child, new_scope)
            for child in node.else_:
                self.visit(child, scope)
            return
        if isinstance(node, nodes.Assign):
            t = self.infer(node.node, scope)
            self.bind(node.target, t, scope[-1])
            return
        if isinstance(node, nodes.AssignBlock):
            self.bind(node.target, _Leaf(str), scope[-1])
            for child in node.body:
                self.visit(child, scope)
            return
        if isinstance(node, nodes.With):
            inner: dict = {}
            for target, value in zip(node.targets, node.values):
                self.bind(target, self.infer(value, scope), inner)
            for child in node.body:
                self.visit(child, scope + [inner])
            return
        if isinstance(node, (nodes.Macro, nodes.CallBlock)):
            inner = {a.name: ANY for a in node.args}
            inner.update(caller=ANY, varargs=ANY, kwargs=ANY)
            if isinstance(node, nodes.Macro):
                scope[-1][node.name] = _Func(_Leaf(str))
            else:
                self.infer(node.call, scope)
            for child in node.body:
                self.visit(child, scope + [inner])
            return
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Expr):
                self.infer(child, scope)
            else:
                self.visit(child, scope)

    def bind(self, target, t, into: dict) -> None:
        if isinstance(target, nodes.Name):
            into[target.name] = t
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, ANY, into)
        elif isinstance(target, nodes.NSRef):
            pass

    def lookup(self, node: nodes.Name, scope: list[dict]):
        for frame in reversed(scope):
            if node.name in frame:
                return frame[node.name]
        if node.name in self.top:
            return self.top[node.name]
        if node.name in self.globals:
            value = self.globals[node.name]
            return _Func(_Leaf(str)) if getattr(value, "__module__", "").endswith(
                "vn_format") else ANY
        known = ", ".join(sorted(self.top))
        self.error(node, f"biến “{node.name}” không có trong dữ liệu (có: {known})")
        return ANY

    # expressions
    def infer(self, node, scope: list[dict]):
        if isinstance(node, nodes.Name):
            return self.lookup(node, scope)
        if isinstance(node, nodes.Const):
            return _Leaf(type(node.value)) if node.value is not None else ANY
        if isinstance(node, nodes.Getattr):
            base = self.infer(node.node, scope)
            t, err = _attr_type(base, node.attr)
            if err:
                self.error(node, err)
            return t
        if isinstance(node, nodes.Getitem):
            base = self.infer(node.node, scope)
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                t, err = _attr_type(base, arg.value)
                if err:
                    self.error(node, err)
                return t
            self.infer(arg, scope)
            if isinstance(base, _Seq):
                return base if isinstance(arg, nodes.Slice) else base.item
            return ANY
        if isinstance(node, nodes.Filter):
            return self.infer_filter(node, scope)
        if isinstance(node, nodes.Test):
            if node.name not in self.tests:
                self.error(node, f"phép thử “{node.name}” không tồn tại")
            self.infer(node.node, scope)
            self.infer_args(node, scope)
            return _Leaf(bool)
        if isinstance(node, nodes.Call):
            f = self.infer(node.node, scope)
            self.infer_args(node, scope)
            return f.returns if isinstance(f, _Func) else ANY
        if isinstance(node, nodes.CondExpr):
            self.infer(node.test, scope)
            first = self.infer(node.expr1, scope)
            if node.expr2 is not None:
                second = self.infer(node.expr2, scope)
                return first if first == second else ANY
            return first
        if isinstance(node, (nodes.Concat,)):
            for child in node.iter_child_nodes():
                self.infer(child, scope)
            return _Leaf(str)
        if isinstance(node, (nodes.List, nodes.Tuple)):
            for child in node.iter_child_nodes():
                self.infer(child, scope)
            return _Seq(ANY)
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Expr):
                self.infer(child, scope)
        return ANY

    def infer_args(self, node, scope) -> None:
        for arg in node.args:
            self.infer(arg, scope)
        for kw in node.kwargs:
            self.infer(kw.value, scope)
        if node.dyn_args is not None:
            self.infer(node.dyn_args, scope)
        if node.dyn_kwargs is not None:
            self.infer(node.dyn_kwargs, scope)

    def infer_filter(self, node: nodes.Filter, scope):
        base = self.infer(node.node, scope) if node.node is not None else ANY
        self.infer_args(node, scope)
        name = node.name
        if name not in self.filters:
            self.error(node, f"bộ lọc “{name}” không tồn tại hoặc không được phép")
        item = base.item if isinstance(base, _Seq) else ANY
        # attribute= arguments are checked against the item type
        attr_names = [kw.value.value for kw in node.kwargs
                      if kw.key == "attribute" and isinstance(kw.value, nodes.Const)]
        if name in ("selectattr", "rejectattr") and node.args and isinstance(
            node.args[0], nodes.Const
        ):
            attr_names.append(node.args[0].value)
        if name == "map" and node.args and isinstance(node.args[0], nodes.Const) and \
                not any(kw.key == "attribute" for kw in node.kwargs):
            pass  # map("filtername")
        attr_t = ANY
        if name in _ATTRIBUTE_FILTERS:
            for attr in attr_names:
                if isinstance(attr, str):
                    for part in attr.split("."):
                        attr_t, err = _attr_type(item if attr_t is ANY else attr_t, part)
                        if err:
                            self.error(node, err)
                            break
        if name == "paragraphs":
            return _Seq(_Leaf(str))
        if name in ("first", "last", "random", "min", "max"):
            return item
        if name in _SAME_SEQ_FILTERS:
            return base
        if name == "map":
            return _Seq(attr_t)
        if name in _INT_FILTERS:
            return _Leaf(int)
        if name in _STR_FILTERS:
            return _Leaf(str)
        if name == "default":
            return base
        return ANY


def _template_schema(spec: FormSpec) -> dict[str, Any]:
    form_fields = {f.name: _from_hint(_hints(FormSpec).get(f.name)) for f in fields(FormSpec)}
    form_fields["wording"] = _Record("form.wording", {k: _Leaf(str) for k in spec.wording})
    formset_t = _Record("formset", {
        "name": _Leaf(str), "title": _Leaf(str), "decree": _Leaf(str),
        "citations": ANY, "note": _Leaf(str),
        "in_force_from": _Leaf(datetime.date), "in_force_until": _Leaf(datetime.date),
    })
    return {
        spec.context: _Obj(CONTEXT_TYPES[spec.context]),
        "form": _Record("form", form_fields),
        "formset": formset_t,
        # The decision chain's anchor (render.AnchorView); defined only when printed.
        "audit_anchor": _Record("audit_anchor", {"code": _Leaf(str), "seq": _Leaf(int), "qr": ANY}),
    }


# -- XML-level scanning


_OPENERS = re.compile(r"\{\{|\{%|\{#")
_CLOSERS = re.compile(r"\}\}|%\}|#\}")
_CLOSE_FOR = {"{{": "}}", "{%": "%}", "{#": "#}"}
_XML_IN_TAG = re.compile(r"</?w:[A-Za-z]")
_DOCXTPL_SPECIAL = re.compile(r"(\{%|\{\{|\{#)(p|tr|tc|r) ")
_BLOCK_OPEN = {"for", "if", "macro", "call", "filter", "with", "block", "autoescape", "raw"}
_UNSUPPORTED = {"include", "import", "from", "extends", "block"}


def _plain(xml: str) -> str:
    return re.sub(r"<[^>]+>", "", xml)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rendered_part(name: str) -> bool:
    return name == "word/document.xml" or bool(
        re.fullmatch(r"word/(header|footer)\d*\.xml|word/footnotes\.xml", name)
    )


def _text_of(el) -> str:
    return "".join(t.text or "" for t in el.iter(_W + "t"))


def _own_text(p) -> str:
    """Text of a paragraph without the paragraphs nested in it (text boxes)."""
    return "".join(
        t.text or "" for t in p.iter(_W + "t") if next(t.iterancestors(_W + "p"), None) is p
    )


_DOCXTPL_PREFIX = re.compile(r"^(\{%|\{\{|\{#)(?:p|tr|tc|r) ")


def _normal_tag(tag: str) -> str:
    return " ".join(_DOCXTPL_PREFIX.sub(r"\1 ", tag).split())


def _paragraph_tags(root, path: Path, part: str):
    """Tags paragraph by paragraph, as written in Word. A tag must open and close in
    one paragraph: docxtpl would otherwise glue paragraphs together and delete text."""
    problems: list[TemplateProblem] = []
    tags: list[str] = []
    for p in root.iter(_W + "p"):
        text = _own_text(p)
        if "{" not in text and "}" not in text:
            continue
        found, scan_problems = _scan_tags(text, path, part, plain=True)
        tags.extend(found)
        problems.extend(scan_problems)
    return tags, problems


def _structure_problems(root, path: Path, part: str) -> list[TemplateProblem]:
    """docxtpl replaces the whole paragraph/row/cell of a {%p %}/{%tr %}/{%tc %} tag:
    any other text there would silently disappear."""
    problems = []
    for p in root.iter(_W + "p"):
        text = _text_of(p)
        for m in _DOCXTPL_SPECIAL.finditer(text):
            level = m.group(2)
            closer = _CLOSE_FOR[m.group(1)]
            end = text.find(closer, m.end())
            tag = text[m.start(): end + 2] if end != -1 else text[m.start():]
            if level == "r":
                problems.append(TemplateProblem(
                    path, "thẻ {%r %}/{{r }} (RichText) không được hỗ trợ", _short(tag), part))
                continue
            container = {"p": _W + "p", "tr": _W + "tr", "tc": _W + "tc"}[level]
            holder = p if level == "p" else next(
                (a for a in p.iterancestors(container)), None)
            if holder is None:
                problems.append(TemplateProblem(
                    path, f"thẻ {{%{level} %}} phải nằm trong "
                          f"{'một dòng bảng' if level == 'tr' else 'một ô bảng'}",
                    _short(tag), part))
                continue
            rest = _text_of(holder).replace(tag, "", 1)
            if rest.strip():
                where = {"p": "đoạn văn", "tr": "dòng bảng", "tc": "ô bảng"}[level]
                problems.append(TemplateProblem(
                    path, f"chữ cùng {where} với thẻ {{%{level} %}} sẽ bị xóa khi tạo "
                          f"tài liệu: “{_short(rest, 60)}”", _short(tag), part))
    return problems


def _scan_tags(xml: str, path: Path, part: str, *, plain: bool = False):
    """Split text (or patched XML) into complete tags; report broken and stray ones."""
    problems: list[TemplateProblem] = []
    tags: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    while True:
        m = _OPENERS.search(xml, pos)
        if not m:
            break
        closer = _CLOSE_FOR[m.group()]
        end = xml.find(closer, m.end())
        nxt = _OPENERS.search(xml, m.end())
        body = xml[m.start(): end + 2] if end != -1 else ""
        if end == -1 or (nxt and nxt.start() < end) or _XML_IN_TAG.search(body):
            stop = nxt.start() if nxt else len(xml)
            snippet = _short(_plain(xml[m.start(): min(stop, m.start() + 400)]), 60)
            problems.append(TemplateProblem(
                path, f"thẻ bị hỏng: mở bằng “{m.group()}” nhưng không có “{closer}” "
                      "đi kèm trong cùng đoạn văn", snippet, part))
            pos = m.end()
            continue
        tags.append(body)
        spans.append((m.start(), end + 2))
        pos = end + 2
    # closers outside any tag
    outside = []
    last = 0
    for start, stop in spans:
        outside.append((last, xml[last:start]))
        last = stop
    outside.append((last, xml[last:]))
    for offset, chunk in outside:
        for m in _CLOSERS.finditer(chunk):
            absolute = offset + m.start()
            before = _plain(xml[max(0, absolute - 300): absolute])[-40:]
            problems.append(TemplateProblem(
                path, f"thẻ bị hỏng: “{m.group()}” không có thẻ mở đi kèm",
                _short(before + m.group(), 60), part))
    return tags, problems


def _block_problems(tags: list[str], path: Path, part: str) -> list[TemplateProblem]:
    problems = []
    stack: list[tuple[str, str]] = []
    for tag in tags:
        if not tag.startswith("{%"):
            continue
        inner = tag[2:-2].strip("-+ \t")
        word = inner.split(None, 1)[0] if inner.split() else ""
        if word in _UNSUPPORTED:
            problems.append(TemplateProblem(
                path, f"thẻ “{word}” không được dùng trong mẫu hồ sơ", tag, part))
            continue
        if word in _BLOCK_OPEN or (word == "set" and "=" not in inner):
            stack.append((word, tag))
        elif word.startswith("end"):
            want = word[3:]
            if not stack:
                problems.append(TemplateProblem(
                    path, f"thẻ đóng “{word}” không có thẻ mở “{want}” tương ứng", tag, part))
            elif stack[-1][0] != want:
                opener = stack[-1][1]
                problems.append(TemplateProblem(
                    path, f"thẻ đóng “{word}” không khớp với thẻ mở {opener}", tag, part))
                return problems
            else:
                stack.pop()
        elif word in ("else", "elif") and not stack:
            problems.append(TemplateProblem(
                path, f"thẻ “{word}” nằm ngoài khối if/for", tag, part))
    for word, tag in stack:
        problems.append(TemplateProblem(
            path, f"khối “{word}” mở nhưng không có thẻ “end{word}”", tag, part))
    return problems


def check_template(spec: FormSpec, form_set: FormSet | None = None) -> list[TemplateProblem]:
    """Check one template; returns the problems (empty when it is fine)."""
    from docxtpl import DocxTemplate

    path = spec.path
    problems: list[TemplateProblem] = []
    try:
        zf = zipfile.ZipFile(io.BytesIO(spec.template_bytes or path.read_bytes()))
    except (OSError, zipfile.BadZipFile) as exc:
        return [TemplateProblem(path, f"không phải tệp .docx hợp lệ: {exc}")]
    env = make_environment()
    patcher = DocxTemplate(io.BytesIO())
    schema = _template_schema(spec)
    with zf:
        names = zf.namelist()
        if "word/document.xml" not in names:
            return [TemplateProblem(path, "không phải tệp .docx hợp lệ: thiếu word/document.xml")]
        for part in names:
            if not part.endswith(".xml") and not part.endswith(".rels"):
                continue
            raw = zf.read(part).decode("utf-8", errors="replace")
            if not _rendered_part(part):
                plain = _plain(raw)
                m = _OPENERS.search(plain)
                if m:
                    problems.append(TemplateProblem(
                        path, "thẻ nằm ở phần không được xử lý khi tạo tài liệu "
                              "(chỉ thân văn bản, đầu trang, chân trang)",
                        _short(plain[m.start(): m.start() + 60]), part))
                continue
            try:
                root = etree.fromstring(zf.read(part))
            except etree.XMLSyntaxError as exc:
                problems.append(TemplateProblem(path, f"XML hỏng: {exc}", "", part))
                continue
            problems.extend(_structure_problems(root, path, part))
            written, scan_problems = _paragraph_tags(root, path, part)
            if scan_problems:
                problems.extend(scan_problems)
                continue  # docxtpl's clean-up would swallow text around a broken tag
            xml = patcher.patch_xml(etree.tostring(root, encoding="unicode"))
            tags, scan_problems = _scan_tags(xml, path, part)
            problems.extend(scan_problems)
            # Every tag written in Word must survive docxtpl's clean-up unchanged.
            remaining = [_normal_tag(t) for t in tags]
            for tag in written:
                norm = _normal_tag(tag)
                if norm in remaining:
                    remaining.remove(norm)
                else:
                    problems.append(TemplateProblem(
                        path, "thẻ này (và chữ quanh nó) sẽ bị mất khi xử lý mẫu; hãy đặt "
                              "mỗi thẻ trọn trong một đoạn văn", _short(tag), part))
            block = _block_problems(tags, path, part)
            problems.extend(block)
            if block or not tags:
                continue
            lines = [" ".join(t.split("\n")) for t in tags]
            source = "\n".join(lines)
            try:
                ast = env.parse(source)
                env.compile(ast)
            except TemplateSyntaxError as exc:
                tag = lines[exc.lineno - 1] if exc.lineno and exc.lineno <= len(lines) else ""
                problems.append(TemplateProblem(
                    path, f"lỗi cú pháp: {exc.message}", tag, part))
                continue
            except TemplateError as exc:
                lineno = getattr(exc, "lineno", None)
                tag = lines[lineno - 1] if lineno and lineno <= len(lines) else ""
                problems.append(TemplateProblem(path, f"lỗi mẫu: {exc}", tag, part))
                continue
            checker = _Checker(schema, env)
            checker.visit(ast, [{}])
            seen = set()
            for lineno, message in checker.errors:
                tag = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
                if (tag, message) in seen:
                    continue
                seen.add((tag, message))
                problems.append(TemplateProblem(path, message, tag, part))
    return problems
