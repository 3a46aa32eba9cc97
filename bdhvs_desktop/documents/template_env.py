"""The Jinja environment dossier templates are checked (documents/formsets.py) and rendered
(documents/render.py) with: sandboxed, autoescaping, strict, with the program's filters and
functions. Lower than both, so the form-set check does not import the renderer (issue #12,
cycles); render.py re-exports these names."""

from __future__ import annotations

import re
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from . import vn_format

__all__ = ["TEMPLATE_GLOBALS", "make_environment", "paragraphs"]

#: Functions the templates may call.
TEMPLATE_GLOBALS: dict[str, Any] = {
    "vn_date": vn_format.vn_date,
    "vn_short_date": vn_format.vn_short_date,
    "vn_time": vn_format.vn_time,
    "vn_datetime": vn_format.vn_datetime,
    "vn_number": vn_format.vn_number,
    "vn_percent": vn_format.vn_percent,
    "vn_count": vn_format.vn_count,
}

# Filters that would let text bypass escaping or emit markup Word does not understand.
_REMOVED_FILTERS = ("safe", "urlize", "xmlattr", "tojson", "forceescape")

_LINE_BREAKS = re.compile(r"\r\n|\r|\x0b|\x0c|\u2028|\u2029")


def paragraphs(text: Any) -> list[str]:
    """Split free text into paragraphs, one per line, keeping empty lines.

    Used as ``{%p for para in achievement.measures|paragraphs %}`` so each line the
    secretary typed becomes a real Word paragraph with the body indent.
    """
    if text is None:
        return []
    if isinstance(text, Markup):
        text = text.unescape()
    text = _LINE_BREAKS.sub("\n", str(text))
    if text == "":
        return []
    return text.split("\n")


def make_environment(finalize=None) -> ImmutableSandboxedEnvironment:
    """The sandboxed, autoescaping, strict environment templates are checked and
    rendered with."""
    env = ImmutableSandboxedEnvironment(
        autoescape=True,
        undefined=StrictUndefined,
        finalize=finalize,
        keep_trailing_newline=True,
    )
    for name in _REMOVED_FILTERS:
        env.filters.pop(name, None)
    env.filters["paragraphs"] = paragraphs
    env.globals.update(TEMPLATE_GLOBALS)
    return env
