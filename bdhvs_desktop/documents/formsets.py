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
import re
import tomllib
import types
from pathlib import Path, PurePath

from .formset_model import (
    CONTEXT_TYPES,
    FORM_KEYS,
    MANIFEST_NAME,
    OPTIONAL_FORM_KEYS,
    SUPPORTED_SCHEMA,
    FormSet,
    FormSetError,
    FormSetSummary,
    FormSpec,
    TemplateProblem,
)
from .template_check import check_template

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

