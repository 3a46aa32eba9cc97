"""Render one dossier document from a checked form set and a context dataclass.

Guarantees (pitfall 2: docxtpl without escaping turns "A & B <C>" into "A  B "):

* Templates are code, rendered in Jinja's **sandbox** (an
  ``ImmutableSandboxedEnvironment``, a ``SandboxedEnvironment`` that also refuses to
  mutate lists and dicts) with ``autoescape=True`` and ``StrictUndefined``: a
  misspelt field is an error, never an empty string.
* User text is data. Every ``{{ value }}`` goes through :func:`_Finalizer`: XML-escaped
  (``& < > " '``), braces written as character references (so docxtpl's own
  ``{_{``-unescaping and the leftover check cannot touch them), ``\\n`` as a Word line
  break, ``\\t`` as a tab; characters XML cannot hold are refused with the field's name.
* After rendering, every rendered XML part is scanned for template tags left over
  (user braces are character references at that point, so only template tags can
  match), and the saved .docx is read back: every piece of user text that the
  template printed must be found in the document text, or rendering fails.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
import zipfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2.exceptions import TemplateError
from lxml import etree
from markupsafe import Markup, escape

from . import vn_format
from .atomic import atomic_write_bytes
from .context import AchievementContext, MinutesContext, SubmissionContext
from .decision_context import DecisionContext
from .province_context import ProvinceSubmissionContext
from .qr import qr_png
from .template_env import _LINE_BREAKS, TEMPLATE_GLOBALS, make_environment, paragraphs

if TYPE_CHECKING:  # pragma: no cover
    from .formsets import FormSet

__all__ = [
    "DocumentRenderError",
    "InvalidTextError",
    "TEMPLATE_GLOBALS",
    "docx_text",
    "form_key_for",
    "make_environment",
    "paragraphs",
    "render_document",
    "render_to_file",
]


class DocumentRenderError(Exception):
    """A document could not be rendered safely; nothing was written."""


class InvalidTextError(DocumentRenderError, ValueError):
    """Some text contains characters a Word document cannot hold."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            "Dữ liệu có ký tự không thể đưa vào tài liệu Word (ký tự điều khiển):\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


# ------------------------------------------------------------------ environment

_INVALID_XML = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _to_wordml(plain: str) -> str:
    xml = str(escape(plain))
    xml = xml.replace("{", "&#123;").replace("}", "&#125;")
    xml = xml.replace("\t", '</w:t><w:tab/><w:t xml:space="preserve">')
    xml = xml.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    return xml


def _describe_char(ch: str) -> str:
    return f"U+{ord(ch):04X}"


class _Finalizer:
    """Turns every ``{{ value }}`` into WordprocessingML text and remembers it."""

    def __init__(self) -> None:
        self.emitted: list[str] = []

    def __call__(self, value: Any) -> Markup:
        if value is None:
            return Markup("")
        if isinstance(value, _AnchorImage):  # the QR code of the audit anchor
            return Markup(value.image._insert_image())
        if isinstance(value, Markup):
            plain = value.unescape()
        elif isinstance(value, str):
            plain = value
        elif isinstance(value, bool):
            plain = "Có" if value else "Không"
        elif isinstance(value, datetime.datetime):
            plain = vn_format.vn_datetime(value)
        elif isinstance(value, datetime.date):
            plain = vn_format.vn_short_date(value)
        elif isinstance(value, (float, Decimal)):
            plain = vn_format.vn_number(value)
        else:
            plain = str(value)
        bad = _INVALID_XML.search(plain)
        if bad:
            raise InvalidTextError(
                [f"“{plain[:40]}…” chứa ký tự {_describe_char(bad.group())}"]
            )
        plain = _LINE_BREAKS.sub("\n", plain)
        if isinstance(value, str) and plain:
            self.emitted.append(plain)
        return Markup(_to_wordml(plain))


class _AnchorImage:
    """An image the program made (not user text): passed through as WordprocessingML."""

    def __init__(self, image: Any) -> None:
        self.image = image


class AnchorView:
    """`audit_anchor` in a template: `.code` ("ABCD-EFGH-IJKL"), `.seq` (entries covered)
    and `.qr` (the QR code image of the chain head)."""

    def __init__(self, anchor: Any, tpl: Any) -> None:
        from docx.shared import Mm  # lazy: start-up
        from docxtpl import InlineImage  # lazy: start-up

        self.code, self.seq = anchor.code, anchor.seq
        self.qr = _AnchorImage(InlineImage(tpl, io.BytesIO(qr_png(anchor.qr_data)), width=Mm(20)))


# --------------------------------------------------------------- context checks


def form_key_for(ctx: Any) -> str:
    """The form a context is rendered with."""
    if isinstance(ctx, ProvinceSubmissionContext):  # the province's Tờ trình, its list by ward
        return "to_trinh_tinh"
    if isinstance(ctx, SubmissionContext):
        return "to_trinh"
    if isinstance(ctx, MinutesContext):
        return "bien_ban"
    if isinstance(ctx, AchievementContext):
        return "bao_cao_tap_the" if ctx.kind == "collective" else "bao_cao_ca_nhan"

    if isinstance(ctx, DecisionContext):
        return "quyet_dinh"
    raise TypeError(f"không biết mẫu nào dùng cho {type(ctx).__name__}")


def _walk_text(obj: Any, path: str, out: list[str]) -> None:
    if isinstance(obj, str):
        bad = _INVALID_XML.search(obj)
        if bad:
            out.append(
                f"{path}: ký tự điều khiển {_describe_char(bad.group())} ở vị trí "
                f"{bad.start() + 1} (“{obj[max(0, bad.start() - 20): bad.start()]}…”)"
            )
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            _walk_text(getattr(obj, f.name), f"{path}.{f.name}", out)
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            _walk_text(item, f"{path}[{i}]", out)
    elif isinstance(obj, Mapping):
        for key, item in obj.items():
            _walk_text(item, f"{path}[{key!r}]", out)


def check_text(ctx: Any, name: str) -> None:
    """Raise :class:`InvalidTextError` naming every field with unusable characters."""
    problems: list[str] = []
    _walk_text(ctx, name, problems)
    if problems:
        raise InvalidTextError(problems)


# -------------------------------------------------------------------- rendering

_LEFTOVER = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _make_template_class():
    from docxtpl import DocxTemplate  # lazy: start-up

    class CheckedDocxTemplate(DocxTemplate):
        """docxtpl, plus a scan of each rendered part for template tags left over."""

        leftovers: list[str]

        def render_xml_part(self, src_xml, part, context, jinja_env=None):
            dst_xml = super().render_xml_part(src_xml, part, context, jinja_env)
            for m in _LEFTOVER.finditer(dst_xml):
                text = re.sub(r"<[^>]+>", "", dst_xml[max(0, m.start() - 200): m.end() + 200])
                name = str(getattr(part, "partname", "?"))
                self.leftovers.append(f"{name}: “{' '.join(text.split())[:80]}”")
            return dst_xml

        def render_properties(self, context, jinja_env=None):
            # Document properties are never templated (the check rejects tags there).
            return None

    return CheckedDocxTemplate


def _rendered_parts(zf: zipfile.ZipFile) -> list[str]:
    return [
        n for n in zf.namelist()
        if n == "word/document.xml"
        or re.fullmatch(r"word/(header|footer)\d*\.xml|word/footnotes\.xml", n)
    ]


def docx_text(data: bytes) -> str:
    """All text of a .docx's body, headers, footers and footnotes: paragraphs joined by
    "\\n", ``<w:br/>`` as "\\n", ``<w:tab/>`` as "\\t" (what python-docx shows)."""
    out: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in _rendered_parts(zf):
            root = etree.fromstring(zf.read(name))
            for p in root.iter(_W + "p"):
                chunks = []
                for el in p.iter(_W + "t", _W + "br", _W + "cr", _W + "tab"):
                    if el.tag == _W + "t":
                        chunks.append(el.text or "")
                    elif el.tag == _W + "tab":
                        chunks.append("\t")
                    else:
                        chunks.append("\n")
                out.append("".join(chunks))
    return "\n".join(out)


def render_document(form_set: FormSet, ctx: Any, *, form_key: str | None = None,
                    audit_anchor: Any = None) -> bytes:
    """Render *ctx* with its form from *form_set*; returns the .docx bytes.

    *audit_anchor* (code, seq, qr_data: services.audit.Anchor) is the template's
    ``audit_anchor`` (the minutes print it at their foot); without it the name is undefined.

    Raises :class:`InvalidTextError` for unusable characters (naming the fields) and
    :class:`DocumentRenderError` for anything else that would lose or garble text.
    """
    key = form_key or form_key_for(ctx)
    spec = form_set.form(key)
    check_text(ctx, spec.context)
    finalizer = _Finalizer()
    env = make_environment(finalize=finalizer)
    template_cls = _make_template_class()
    tpl = template_cls(io.BytesIO(spec.template_bytes or spec.path.read_bytes()))
    tpl.leftovers = []
    context = {spec.context: ctx, "form": spec, "formset": form_set}
    if audit_anchor is not None:
        context["audit_anchor"] = AnchorView(audit_anchor, tpl)
    try:
        tpl.render(context, jinja_env=env, autoescape=True)
        buf = io.BytesIO()
        tpl.save(buf)
    except InvalidTextError:
        raise
    except TemplateError as exc:
        raise DocumentRenderError(
            f"Lỗi khi tạo “{spec.file}” (bộ mẫu {form_set.name}): {exc}"
        ) from exc
    except etree.XMLSyntaxError as exc:  # pragma: no cover - template bug
        raise DocumentRenderError(f"Lỗi XML khi tạo “{spec.file}”: {exc}") from exc
    if tpl.leftovers:
        raise DocumentRenderError(
            f"“{spec.file}”: còn thẻ mẫu chưa được xử lý trong tài liệu:\n"
            + "\n".join(f"  - {x}" for x in tpl.leftovers)
        )
    data = buf.getvalue()
    text = docx_text(data)
    missing = [s for s in finalizer.emitted if s not in text]
    if missing:
        raise DocumentRenderError(
            f"“{spec.file}”: một phần nội dung không xuất hiện trong tài liệu đã tạo "
            "(mẫu có lỗi?):\n" + "\n".join(f"  - “{s[:60]}”" for s in missing[:10])
        )
    return data


def render_to_file(
    form_set: FormSet, ctx: Any, path: Path, *, form_key: str | None = None
) -> Path:
    """Render and write atomically (see :mod:`bdhvs_desktop.documents.atomic`)."""

    data = render_document(form_set, ctx, form_key=form_key)
    return atomic_write_bytes(Path(path), data)
