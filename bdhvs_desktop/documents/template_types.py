"""The type model of a template's variables: each Jinja name and attribute a template uses is
checked against the context dataclasses (documents/context.py) it is rendered from, and each filter
against the sandbox's; unknown ones are reported by documents/template_check.py."""

from __future__ import annotations

import datetime
import functools
import inspect
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from jinja2 import nodes

from .formset_model import (
    CONTEXT_TYPES,
    FormSpec,
)


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


class Checker:
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


def template_schema(spec: FormSpec) -> dict[str, Any]:
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

