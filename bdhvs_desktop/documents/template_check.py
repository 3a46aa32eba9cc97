"""The check of one .docx template when its form set is loaded: every Jinja tag in the XML parts
is parsed with the rendering environment; broken tags, unbalanced blocks, text docxtpl would delete,
tags in parts that are not rendered and unknown variables (documents/template_types.py) are reported
with the file and the tag."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from jinja2.exceptions import TemplateError, TemplateSyntaxError
from lxml import etree

from .formset_model import (
    FormSet,
    FormSpec,
    TemplateProblem,
)
from .template_env import make_environment
from .template_types import Checker, template_schema

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{_W_NS}}}"
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
    from docxtpl import DocxTemplate  # lazy: start-up

    path = spec.path
    problems: list[TemplateProblem] = []
    try:
        zf = zipfile.ZipFile(io.BytesIO(spec.template_bytes or path.read_bytes()))
    except (OSError, zipfile.BadZipFile) as exc:
        return [TemplateProblem(path, f"không phải tệp .docx hợp lệ: {exc}")]
    env = make_environment()
    patcher = DocxTemplate(io.BytesIO())
    schema = template_schema(spec)
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
            checker = Checker(schema, env)
            checker.visit(ast, [{}])
            seen = set()
            for lineno, message in checker.errors:
                tag = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
                if (tag, message) in seen:
                    continue
                seen.add((tag, message))
                problems.append(TemplateProblem(path, message, tag, part))
    return problems
