#!/usr/bin/env python
"""Build the .docx templates of every form set from code (run once; commit the output).

    .venv/bin/python forms_templates/build_templates.py

The layout is here so it can be reviewed; the legal text (citations, titles, captions,
column headings) is in each set's ``manifest.toml`` and reaches the document through
``{{ form.wording.* }}``. The templates are docxtpl/Jinja templates rendered by
``bdhvs_desktop.documents.render`` in a sandbox with autoescaping.

Page and type (one layout serves both formats; the heading block switches on
``<ctx>.issuer.is_party``):

* A4, margins top 20, bottom 20, left 30, right 15 mm -- inside both Hướng dẫn
  36-HD/VPTW (party) and Decree 30/2020 (state: 20-25 / 20-25 / 30-35 / 15-20).
* Times New Roman; body 14 pt, justified, first-line indent 1.27 cm, 6 pt after.
* Party heading: "ĐẢNG CỘNG SẢN VIỆT NAM" 15 pt bold with a rule of its own length;
  left: parent level 14 pt, issuing body 14 pt bold, "*", "Số 12-TTr/ĐU".
* State heading: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" 13 pt bold, "Độc lập - Tự do -
  Hạnh phúc" 14 pt bold with a rule of its length; left: parent 13 pt, issuing body
  13 pt bold with a short rule, "Số: 12/TTr-UBND".
* Place and date italic 14 pt on the row of the number (Decree 30: same line).
* Tables: real Word tables, single borders, header row repeated on every page; no row
  splits across pages (w:cantSplit on every row), a group row ("I. TẬP THỂ") and the
  line that leads into a table (keep with next) stay with the rows that follow.
* Signature blocks: the signature table sits in the single unsplittable row of an outer
  borderless table, so titles, signature space, names and "Nơi nhận" stay on one page
  (LibreOffice ignores keep-with-next between table rows); the paragraphs before it keep
  with it, so the block never stands alone on a page.
* Party documents (Hướng dẫn 36-HD/VPTW): the document type name ("TỜ TRÌNH") 16 pt,
  "Nơi nhận" 14 pt underlined with its items 12 pt.
* Page numbers centred at the top from page 2; "DỰ THẢO" boxed at the top of page 1
  when ``draft`` is set.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

HERE = Path(__file__).resolve().parent
FORM_SETS = ("decree-98-2023", "decree-152-2025")

FONT = "Times New Roman"
TEXT_CM = 16.5  # 210 - 30 - 15 mm
# Heading table columns (issuing body | heading). The state heading's left column is
# wider so "ỦY BAN NHÂN DÂN PHƯỜNG LA GI" (12 pt) fits on one line; the national
# heading is then 12 pt (Decree 30 allows 12-13) so it fits the right column.
PARTY_COLS = (6.6, TEXT_CM - 6.6)
STATE_COLS = (7.2, TEXT_CM - 7.2)
# Rule lengths: width of the heading text in Times New Roman (measured with the
# metric-compatible Liberation Serif): "ĐẢNG CỘNG SẢN VIỆT NAM" bold 15 pt,
# "Độc lập - Tự do - Hạnh phúc" bold 13 pt (two-column heading) and 14 pt (centred).
PARTY_HEADING_RULE_CM = 7.3
MOTTO_13_RULE_CM = 5.62
MOTTO_14_RULE_CM = 6.05
BODY_RULE_CM = 2.4  # under a state issuing body (1/3 - 1/2 of its line)
TITLE_RULE_CM = 3.0  # under the subject line

CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY

# Elements that must follow w:pBdr inside w:pPr (schema order).
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
    "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
    "w:rPr", "w:sectPr", "w:pPrChange",
)


# ============================================================== low-level helpers


def _insert_before(parent, element, successors) -> None:
    for tag in successors:
        found = parent.find(qn(tag))
        if found is not None:
            found.addprevious(element)
            return
    parent.append(element)


def _set_fonts(rpr) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _fmt_run(run, size=None, bold=None, italic=None, underline=None):
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if italic is not None:
        run.italic = italic
    if underline is not None:
        run.underline = underline
    return run


def para(container, text="", *, style=None, align=None, size=None, bold=None,
         italic=None, underline=None, before=None, after=None, first=None,
         left=None, right=None, keep_next=None, page_break=False):
    """Add a paragraph. *text* is a string or a list of (text, run-format dict)."""
    p = container.add_paragraph(style=style)
    pieces = [(text, {})] if isinstance(text, str) else text
    for piece, fmt in pieces:
        if piece:
            merged = dict(size=size, bold=bold, italic=italic, underline=underline)
            merged.update(fmt)
            _fmt_run(p.add_run(piece), **merged)
    pf = p.paragraph_format
    if align is not None:
        pf.alignment = align
    if before is not None:
        pf.space_before = Pt(before)
    if after is not None:
        pf.space_after = Pt(after)
    if first is not None:
        pf.first_line_indent = Cm(first)
    if left is not None:
        pf.left_indent = Cm(left)
    if right is not None:
        pf.right_indent = Cm(right)
    if keep_next is not None:
        pf.keep_with_next = keep_next
    if page_break:
        pf.page_break_before = True
    return p


def tag(container, text):
    """A paragraph holding only a docxtpl paragraph tag ({%p ... %})."""
    return container.add_paragraph(text, style="Normal")


def rule(container, length_cm, avail_cm, *, after=0.0, before=3.0):
    """A horizontal rule of *length_cm*, centred in *avail_cm*: the top border of an
    almost empty paragraph (no text, 1 pt high, 3 pt below the line above so it clears
    the descenders in Word and LibreOffice alike)."""
    p = container.add_paragraph(style="Normal")
    pf = p.paragraph_format
    side = max((avail_cm - length_cm) / 2, 0)
    pf.left_indent = Cm(side)
    pf.right_indent = Cm(side)
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(1)
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
        top.set(qn(k), v)
    bdr.append(top)
    _insert_before(ppr, bdr, _AFTER_PBDR)
    rpr = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), "2")
    rpr.append(sz)
    _insert_before(ppr, rpr, ("w:sectPr", "w:pPrChange"))
    return p


def _tbl_pr(table):
    return table._tbl.tblPr


def _set_borders(table, visible: bool) -> None:
    tbl_pr = _tbl_pr(table)
    old = tbl_pr.find(qn("w:tblBorders"))
    if old is not None:
        tbl_pr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        if visible:
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), "4")
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        else:
            el.set(qn("w:val"), "nil")
        borders.append(el)
    _insert_before(tbl_pr, borders, ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                     "w:tblCaption", "w:tblDescription"))


def _set_cell_margins(table, left_cm, right_cm) -> None:
    tbl_pr = _tbl_pr(table)
    mar = OxmlElement("w:tblCellMar")
    for side, val in (("left", left_cm), ("right", right_cm)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(Cm(val).twips)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    _insert_before(tbl_pr, mar, ("w:tblLook", "w:tblCaption", "w:tblDescription"))


def _set_layout_fixed(table) -> None:
    tbl_pr = _tbl_pr(table)
    if tbl_pr.find(qn("w:tblLayout")) is not None:  # python-docx's autofit=False
        tbl_pr.find(qn("w:tblLayout")).set(qn("w:type"), "fixed")
        return
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    _insert_before(tbl_pr, layout, ("w:tblCellMar", "w:tblLook", "w:tblCaption",
                                    "w:tblDescription"))


def _set_table_width(table, width_cm) -> None:
    tbl_pr = _tbl_pr(table)
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        _insert_before(tbl_pr, tbl_w, ("w:jc", "w:shd", "w:tblBorders", "w:tblLayout",
                                       "w:tblCellMar", "w:tblLook"))
    tbl_w.set(qn("w:w"), str(int(Cm(width_cm).twips)))
    tbl_w.set(qn("w:type"), "dxa")


def make_table(container, rows, widths, *, borders, margins=None):
    table = container.add_table(rows=rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if borders:
        table.style = "Table Grid"
    _set_table_width(table, sum(widths))
    _set_borders(table, borders)
    _set_layout_fixed(table)
    if margins is not None:
        _set_cell_margins(table, *margins)
    for i, width in enumerate(widths):
        table.columns[i].width = Cm(width)
        for cell in table.columns[i].cells:
            cell.width = Cm(width)
    return table


def _row_flag(row, name):
    """Set a row property once (several builders may mark the same row)."""
    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(qn(f"w:{name}")) is None:
        tr_pr.append(OxmlElement(f"w:{name}"))


def header_row(row):
    """Repeat on every page, never split."""
    _row_flag(row, "cantSplit")
    _row_flag(row, "tblHeader")


def no_split(row):
    _row_flag(row, "cantSplit")


def finish_cell(cell):
    """Drop the empty paragraph a new cell starts with, once it has other content."""
    paragraphs = cell.paragraphs
    if len(paragraphs) > 1 and not paragraphs[0].text and not paragraphs[0].runs:
        paragraphs[0]._p.getparent().remove(paragraphs[0]._p)


def finish_table(table):
    for row in table.rows:
        for cell in row.cells:
            finish_cell(cell)


def merge_row(row):
    merged = row.cells[0].merge(row.cells[-1])
    return merged


def tiny_section_break(doc):
    """The paragraph that ends a section (it carries w:sectPr) after the signature block:
    1 pt high, so a block that fills the page exactly does not push it onto a blank page."""
    for p in doc.element.body.iterchildren(qn("w:p")):
        ppr = p.pPr
        if ppr is not None and ppr.find(qn("w:sectPr")) is not None:
            from docx.text.paragraph import Paragraph

            par = Paragraph(p, doc._body)
            pf = par.paragraph_format
            pf.space_before = Pt(0)
            pf.space_after = Pt(0)
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(1)
            pf.keep_with_next = False


def page_field(paragraph):
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


# ================================================================ document setup


def new_document():
    doc = Document()
    section = doc.sections[0]
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(20)
    section.bottom_margin = Mm(20)
    section.left_margin = Mm(30)
    section.right_margin = Mm(15)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True

    styles = doc.styles
    # document defaults: Times New Roman 14, Vietnamese
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr)
    for old in rpr.findall(qn("w:sz")) + rpr.findall(qn("w:szCs")) + rpr.findall(qn("w:lang")):
        rpr.remove(old)
    for name in ("w:sz", "w:szCs"):
        el = OxmlElement(name)
        el.set(qn("w:val"), "28")
        rpr.append(el)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)

    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    _set_fonts(normal.element.get_or_add_rPr())
    pf = normal.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing = 1.0
    pf.widow_control = True

    from docx.enum.style import WD_STYLE_TYPE

    def add(name, base="Normal", *, size=None, bold=None, italic=None, align=None,
            first=None, before=None, after=None, keep_next=None):
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = styles[base]
        st.quick_style = True
        if size is not None:
            st.font.size = Pt(size)
        if bold is not None:
            st.font.bold = bold
        if italic is not None:
            st.font.italic = italic
        spf = st.paragraph_format
        if align is not None:
            spf.alignment = align
        if first is not None:
            spf.first_line_indent = Cm(first)
        if before is not None:
            spf.space_before = Pt(before)
        if after is not None:
            spf.space_after = Pt(after)
        if keep_next is not None:
            spf.keep_with_next = keep_next
        return st

    add("BD Body", align=JUSTIFY, first=1.27, after=6)
    add("BD Heading", "BD Body", bold=True, keep_next=True, before=6)
    add("BD Title", align=CENTER, bold=True, keep_next=True)
    add("BD Cell", size=12, before=2, after=2, align=LEFT)
    add("BD Cell Center", "BD Cell", align=CENTER)
    add("BD Cell Head", "BD Cell Center", bold=True)
    add("BD Sign", align=CENTER, keep_next=True)
    add("BD Small", size=12, align=LEFT)

    core = doc.core_properties
    core.author = "bdhvs-desktop"
    core.last_modified_by = "bdhvs-desktop"
    core.title = ""
    core.subject = ""
    core.comments = ""
    core.keywords = ""
    core.revision = 1
    return doc


def page_headers(doc, v):
    """Page 1: "DỰ THẢO" in a box when drafting; later pages: the page number."""
    section = doc.sections[0]
    first = section.first_page_header
    first.is_linked_to_previous = False
    p = first.paragraphs[0]
    p.paragraph_format.alignment = RIGHT
    p.add_run(f"{{% if {v}.draft %}}")
    marker = _fmt_run(p.add_run("DỰ THẢO"), size=13, bold=True)
    bdr = OxmlElement("w:bdr")
    for k, val in (("w:val", "single"), ("w:sz", "8"), ("w:space", "2"), ("w:color", "000000")):
        bdr.set(qn(k), val)
    marker._r.get_or_add_rPr().append(bdr)
    p.add_run("{% endif %}")

    default = section.header
    default.is_linked_to_previous = False
    p = default.paragraphs[0]
    p.paragraph_format.alignment = CENTER
    page_field(p)
    for footer in (section.first_page_footer, section.footer):
        footer.is_linked_to_previous = False


# ==================================================================== building blocks


def heading_block(doc, v, *, number=True):
    """The two-column heading: issuing body and number left, national or party heading
    and place/date right -- one table per format."""
    tag(doc, f"{{%p if {v}.issuer.is_party %}}")
    t = make_table(doc, 2, list(PARTY_COLS), borders=False, margins=(0, 0))
    left, right = t.rows[0].cells
    tag(left, f"{{%p if {v}.issuer.parent_name %}}")
    para(left, f"{{{{ {v}.issuer.parent_name }}}}", align=CENTER, size=14)
    tag(left, "{%p endif %}")
    para(left, f"{{{{ {v}.issuer.name }}}}", align=CENTER, size=14, bold=True)
    para(left, "*", align=CENTER, size=14)
    para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", align=CENTER, size=15, bold=True)
    rule(right, PARTY_HEADING_RULE_CM, PARTY_COLS[1])
    left, right = t.rows[1].cells
    para(left, f"{{{{ {v}.number_text }}}}" if number else "", align=CENTER, size=14)
    para(right, f"{{{{ {v}.place_date }}}}", align=CENTER, size=14, italic=True)
    for cell in t.rows[0].cells + t.rows[1].cells:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    for cell in t.rows[1].cells:
        cell.paragraphs[-1].paragraph_format.space_before = Pt(6)
    finish_table(t)

    tag(doc, "{%p else %}")
    t = make_table(doc, 2, list(STATE_COLS), borders=False, margins=(0, 0))
    left, right = t.rows[0].cells
    tag(left, f"{{%p if {v}.issuer.parent_name %}}")
    para(left, f"{{{{ {v}.issuer.parent_name }}}}", align=CENTER, size=12)
    tag(left, "{%p endif %}")
    para(left, f"{{{{ {v}.issuer.name }}}}", align=CENTER, size=13, bold=True)
    rule(left, BODY_RULE_CM, STATE_COLS[0])
    para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align=CENTER, size=12, bold=True)
    para(right, "Độc lập - Tự do - Hạnh phúc", align=CENTER, size=13, bold=True)
    rule(right, MOTTO_13_RULE_CM, STATE_COLS[1])
    left, right = t.rows[1].cells
    para(left, f"{{{{ {v}.number_text }}}}" if number else "", align=CENTER, size=13)
    para(right, f"{{{{ {v}.place_date }}}}", align=CENTER, size=14, italic=True)
    for cell in t.rows[1].cells:
        cell.paragraphs[-1].paragraph_format.space_before = Pt(6)
    finish_table(t)
    tag(doc, "{%p endif %}")


def heading_only_block(doc, v):
    """Heading across the page (an individual's report has no issuing body)."""
    tag(doc, f"{{%p if {v}.issuer.is_party %}}")
    para(doc, "ĐẢNG CỘNG SẢN VIỆT NAM", align=CENTER, size=15, bold=True)
    rule(doc, PARTY_HEADING_RULE_CM, TEXT_CM)
    tag(doc, "{%p else %}")
    para(doc, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align=CENTER, size=13, bold=True)
    para(doc, "Độc lập - Tự do - Hạnh phúc", align=CENTER, size=14, bold=True)
    rule(doc, MOTTO_14_RULE_CM, TEXT_CM)
    tag(doc, "{%p endif %}")
    para(doc, f"{{{{ {v}.place_date }}}}", align=RIGHT, size=14, italic=True, before=8)


def title_block(doc, v, lines, *, rule_after=True):
    """Document title lines (first is the type name), then a short rule (state) or
    a dash line (party)."""
    first, *rest = lines
    # the document type name: 15-16 pt in the party format (HD 36), 13-14 pt in the state's
    tag(doc, f"{{%p if {v}.issuer.is_party %}}")
    para(doc, first, style="BD Title", before=18, size=16)
    tag(doc, "{%p else %}")
    para(doc, first, style="BD Title", before=18, size=14)
    tag(doc, "{%p endif %}")
    for line in rest:
        para(doc, line, style="BD Title")
    if rule_after:
        tag(doc, f"{{%p if {v}.issuer.is_party %}}")
        para(doc, "-----", align=CENTER, after=6)
        tag(doc, "{%p else %}")
        rule(doc, TITLE_RULE_CM, TEXT_CM, after=6)
        tag(doc, "{%p endif %}")


def body_lines(doc, expr, *, style="BD Body", var="para", keep_last=False):
    """Free text, one Word paragraph per line typed. With *keep_last* the last line is
    kept on the page of what follows (the signatures never stand alone on a page)."""
    tag(doc, f"{{%p for {var} in {expr}|paragraphs %}}")
    if keep_last:
        tag(doc, "{%p if loop.last %}")
        para(doc, f"{{{{ {var} }}}}", style=style, keep_next=True)
        tag(doc, "{%p else %}")
    para(doc, f"{{{{ {var} }}}}", style=style)
    if keep_last:
        tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def signer_top(cell, issuer_expr=None, *, caption_expr=None, note_expr=None,
               caption_replaced_by_title=False):
    """Caption / authority / title / (note) at the top of a signature block.

    With *caption_replaced_by_title* the caption is printed only when the issuer has
    no signer title ("THỦ TRƯỞNG ĐƠN VỊ" unless "BÍ THƯ" is known)."""
    if caption_expr and not caption_replaced_by_title:
        para(cell, f"{{{{ {caption_expr} }}}}", style="BD Sign", bold=True)
    if issuer_expr:
        tag(cell, f"{{%p if {issuer_expr}.signer_authority %}}")
        para(cell, f"{{{{ {issuer_expr}.signer_authority }}}}", style="BD Sign", bold=True)
        tag(cell, "{%p endif %}")
        tag(cell, f"{{%p if {issuer_expr}.signer_title %}}")
        para(cell, f"{{{{ {issuer_expr}.signer_title }}}}", style="BD Sign", bold=True)
        if caption_expr and caption_replaced_by_title:
            tag(cell, "{%p else %}")
            para(cell, f"{{{{ {caption_expr} }}}}", style="BD Sign", bold=True)
        tag(cell, "{%p endif %}")
    if note_expr:
        para(cell, f"{{{{ {note_expr} }}}}", style="BD Sign", italic=True, size=13)


def signer_bottom(cell, name_expr=None, *, blank_lines=4):
    """Room for the signature and seal, then the full name (bold)."""
    for _ in range(blank_lines):
        para(cell, "", style="BD Sign")
    para(cell, f"{{{{ {name_expr} }}}}" if name_expr else "", style="BD Sign", bold=True)


def data_table(doc, columns, *, wording_prefix="form.wording."):
    """A bordered table with one header row; returns (table, header_row).

    *columns* = [(wording key, width cm), ...]."""
    keep_lead_in(doc)
    t = make_table(doc, 1, [w for _, w in columns], borders=True)
    hdr = t.rows[0]
    header_row(hdr)
    for cell, (key, _) in zip(hdr.cells, columns):
        para(cell, f"{{{{ {wording_prefix}{key} }}}}", style="BD Cell Head")
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return t


def _is_tag_paragraph(p) -> bool:
    text = "".join(t.text or "" for t in p.iter(qn("w:t"))).strip()
    return text.startswith("{%p") or text.startswith("{%tr")


def keep_lead_in(doc):
    """Keep the line that leads into the table about to be added (the last real paragraph
    of the body, skipping template tags) on the page of the table's first rows."""
    body = doc.element.body
    for el in reversed(list(body)):
        if el.tag == qn("w:p"):
            if _is_tag_paragraph(el):
                continue
            text = "".join(t.text or "" for t in el.iter(qn("w:t"))).strip()
            if not text:
                return  # a spacer: nothing leads in
            el.get_or_add_pPr().get_or_add_keepNext()
            return
        if el.tag == qn("w:tbl"):
            return


def tag_row(table, text):
    """A row holding only a docxtpl row tag ({%tr ... %}) in its first cell."""
    row = table.add_row()
    para(row.cells[0], text, style="BD Cell")
    return row


def group_row(table, text):
    row = table.add_row()
    cell = merge_row(row)
    para(cell, text, style="BD Cell", bold=True, keep_next=True)  # with its first row
    no_split(row)
    return row


def values_row(table, values, centered=()):
    """values: list of template expressions (without braces) or literal (str, True)."""
    row = table.add_row()
    for i, (cell, value) in enumerate(zip(row.cells, values)):
        style = "BD Cell Center" if i in centered else "BD Cell"
        para(cell, value, style=style)
    no_split(row)
    return row


def signature_table(doc, widths=(8.25, 8.25), *, merge_left=False):
    """Borderless two-column signature table with two rows: titles on the first row,
    signature space and names on the second, so both names line up. Returns
    (table, top_left, top_right, bottom_left, bottom_right); with *merge_left* the
    left column is one cell (for "Nơi nhận") and bottom_left is None."""
    para(doc, "", size=6, keep_next=True)
    # The outer table's single row cannot split: the whole block moves to the next page
    # together (with the paragraphs before it, which keep with it).
    outer = make_table(doc, 1, [sum(widths)], borders=False, margins=(0, 0))
    no_split(outer.rows[0])
    holder = outer.cell(0, 0)
    t = make_table(holder, 2, list(widths), borders=False, margins=(0.05, 0.05))
    first, last = holder.paragraphs[0], holder.paragraphs[-1]
    first._p.getparent().remove(first._p)  # a cell must end with a paragraph: keep a tiny one
    last.paragraph_format.space_before = Pt(0)
    last.paragraph_format.space_after = Pt(0)
    last.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    last.paragraph_format.line_spacing = Pt(1)
    for row in t.rows:
        no_split(row)
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    top_left, top_right = t.rows[0].cells
    bottom_left, bottom_right = t.rows[1].cells
    if merge_left:
        top_left = top_left.merge(bottom_left)
        bottom_left = None
    return t, top_left, top_right, bottom_left, bottom_right


# ========================================================================= forms


DOTS = "…" * 24  # a line to fill in by hand (fits the body width with its indent)


def build_to_trinh(path: Path) -> None:
    v = "submission"
    doc = new_document()
    page_headers(doc, v)
    heading_block(doc, v)
    title_block(doc, v, [
        "{{ form.wording.title }}",
        f"{{{{ {v}.subject or (form.wording.subject_default ~ ' ' ~ {v}.campaign_name) }}}}",
    ])
    para(doc, [("{{ form.wording.recipient_label }} ", {}), (f"{{{{ {v}.recipient }}}}", {})],
         align=CENTER, before=6, after=12)
    # legal bases: the form set's, then the local ones
    tag(doc, "{%p for line in form.legal_basis %}")
    para(doc, "{{ line }}", style="BD Body")
    tag(doc, "{%p endfor %}")
    tag(doc, f"{{%p for line in {v}.legal_bases %}}")
    para(doc, "{{ line }}", style="BD Body")
    tag(doc, "{%p endfor %}")
    # the council meetings whose approvals are carried, one citation each
    tag(doc, f"{{%p for mt in {v}.meetings %}}")
    para(doc, "{{ mt.citation }}", style="BD Body")
    tag(doc, "{%p endfor %}")
    body_lines(doc, f"{v}.body")
    tag(doc, f"{{%p if {v}.proposal %}}")
    body_lines(doc, f"{v}.proposal")
    tag(doc, "{%p else %}")
    para(doc, (
        f"{{{{ {v}.issuer.text_name }}}} {{{{ form.wording.proposal_lead }}}} "
        f"{{{{ {v}.recipient }}}} xem xét, "
        f"{{% if {v}.award_name %}}tặng {{{{ {v}.award_name }}}} cho{{% else %}}khen thưởng{{% endif %}} "
        f"{{% if {v}.collectives %}}{{{{ {v}.collective_count }}}} tập thể{{% endif %}}"
        f"{{% if {v}.collectives and {v}.individuals %}} và {{% endif %}}"
        f"{{% if {v}.individuals %}}{{{{ {v}.individual_count }}}} cá nhân{{% endif %}} "
        f"đã có thành tích xuất sắc trong thực hiện {{{{ {v}.campaign_name }}}}."
    ), style="BD Body")
    tag(doc, "{%p endif %}")
    para(doc, "{{ form.wording.attached_note }}", style="BD Body", italic=True)
    para(doc, (
        f"{{{{ form.wording.closing }}}} {{{{ {v}.recipient }}}} "
        "{{ form.wording.closing_tail }}"
    ), style="BD Body", keep_next=True)

    t, left, right, _, bottom_right = signature_table(doc, (7.7, 8.8), merge_left=True)
    tag(left, f"{{%p if {v}.issuer.is_party %}}")
    para(left, "{{ form.wording.recipients_label }}", size=14, underline=True)
    tag(left, "{%p else %}")
    para(left, "{{ form.wording.recipients_label }}", size=12, bold=True, italic=True)
    tag(left, "{%p endif %}")
    tag(left, f"{{%p for r in {v}.recipients %}}")
    tag(left, f"{{%p if {v}.issuer.is_party %}}")
    para(left, "- {{ r }}", style="BD Small", size=12)  # HD 36: the items 12 pt
    tag(left, "{%p else %}")
    para(left, "- {{ r }}", style="BD Small", size=11)  # Decree 30: 11 pt
    tag(left, "{%p endif %}")
    tag(left, "{%p endfor %}")
    signer_top(right, f"{v}.issuer")
    signer_bottom(bottom_right, f"{v}.issuer.signer_name")
    finish_table(t)

    # ---- the attached list: its own section, A4 landscape, so six columns breathe
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    tiny_section_break(doc)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(20), Mm(15)
    section.different_first_page_header_footer = False  # page number on every page
    para(doc, "{{ form.wording.list_title }}", style="BD Title")
    para(doc, "{{ form.wording.list_subtitle }} " f"{{{{ {v}.campaign_name }}}}",
         style="BD Title")
    para(doc, (
        "({{ form.wording.list_attached }} "
        f"số {{{{ {v}.number_symbol }}}}, ngày {{{{ {v}.short_date }}}} của "
        f"{{{{ {v}.issuer.text_name }}}})"
    ), align=CENTER, italic=True, after=12)
    cols = [("col_stt", 1.3), ("col_name", 5.2), ("col_position_unit", 5.0),
            ("col_award", 4.4), ("col_summary", 7.7), ("col_note", 2.6)]  # 26.2 cm
    t = data_table(doc, cols)
    for group, items, var in (("group_collective", f"{v}.collectives", "n"),
                              ("group_individual", f"{v}.individuals", "n")):
        tag_row(t, f"{{%tr if {items} %}}")
        group_row(t, f"{{{{ form.wording.{group} }}}}")
        tag_row(t, f"{{%tr for {var} in {items} %}}")
        values_row(t, [
            "{{ loop.index }}", f"{{{{ {var}.name }}}}", f"{{{{ {var}.position_unit }}}}",
            f"{{{{ {var}.award }}}}", f"{{{{ {var}.achievement_summary }}}}",
            f"{{{{ {var}.note }}}}",
        ], centered=(0,))
        tag_row(t, "{%tr endfor %}")
        tag_row(t, "{%tr endif %}")
    finish_table(t)
    para(doc, "")
    doc.save(path)


def build_bien_ban(path: Path) -> None:
    v = "minutes"
    doc = new_document()
    page_headers(doc, v)
    heading_block(doc, v)
    title_block(doc, v, [
        "{{ form.wording.title }}",
        f"{{{{ form.wording.subtitle_prefix }}}} {{{{ {v}.council_name }}}}",
        f"{{{{ {v}.subject }}}}",
    ])
    tag(doc, "{%p for line in form.legal_basis %}")
    para(doc, "{{ line }}", style="BD Body", italic=True)
    tag(doc, "{%p endfor %}")
    tag(doc, f"{{%p for line in {v}.legal_bases %}}")
    para(doc, "{{ line }}", style="BD Body", italic=True)
    tag(doc, "{%p endfor %}")

    para(doc, "{{ form.wording.section_general }}", style="BD Heading")
    para(doc, [("{{ form.wording.time_label }} ", {"bold": True}),
               (f"{{{{ {v}.start_text }}}}.", {})], style="BD Body")
    para(doc, [("{{ form.wording.place_label }} ", {"bold": True}),
               (f"{{% if {v}.place %}}{{{{ {v}.place }}}}.{{% else %}}{DOTS[:16]}{{% endif %}}", {})],
         style="BD Body")
    para(doc, [("{{ form.wording.chair_label }} ", {"bold": True}),
               (f"{{{{ {v}.chair.name }}}}{{% if {v}.chair.position %}} – "
                f"{{{{ {v}.chair.position }}}}{{% endif %}}.", {})], style="BD Body")
    para(doc, [("{{ form.wording.secretary_label }} ", {"bold": True}),
               (f"{{{{ {v}.secretary.name }}}}{{% if {v}.secretary.position %}} – "
                f"{{{{ {v}.secretary.position }}}}{{% endif %}}.", {})], style="BD Body")
    para(doc, [("{{ form.wording.attendance_label }} ", {"bold": True}),
               (f"{v_council(v)} có {{{{ {v}.member_count }}}} thành viên; có mặt "
                f"{{{{ {v}.present_count }}}} thành viên"
                f"{{% if {v}.absent_members %}}; vắng {{{{ {v}.absent_count }}}} "
                f"thành viên{{% endif %}}.", {})], style="BD Body")
    para(doc, "{{ form.wording.members_label }}", style="BD Body", italic=True)
    tag(doc, f"{{%p for m in {v}.present_members %}}")
    para(doc, ("{{ loop.index }}. {{ m.name }}{% if m.position %} – {{ m.position }}"
               "{% endif %}{% if m.role %}, {{ m.role }}{% endif %}."), style="BD Body")
    tag(doc, "{%p endfor %}")
    tag(doc, f"{{%p for m in {v}.absent_members %}}")
    para(doc, [("{{ form.wording.absent_label }} ", {"italic": True}),
               ("{{ m.name }}{% if m.position %} – {{ m.position }}{% endif %}"
                "{% if m.absence_reason %} (lý do: {{ m.absence_reason }}){% endif %}.", {})],
         style="BD Body")
    tag(doc, "{%p endfor %}")
    tag(doc, f"{{%p if {v}.guests %}}")
    para(doc, "{{ form.wording.guests_label }}", style="BD Body", italic=True)
    tag(doc, f"{{%p for g in {v}.guests %}}")
    para(doc, "- {{ g }}", style="BD Body")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")

    para(doc, "{{ form.wording.section_content }}", style="BD Heading")
    tag(doc, f"{{%p if {v}.content %}}")
    body_lines(doc, f"{v}.content")
    tag(doc, "{%p else %}")
    for _ in range(3):  # nothing recorded: lines to write by hand
        para(doc, DOTS, style="BD Body")
    tag(doc, "{%p endif %}")
    tag(doc, f"{{%p if {v}.conflicts %}}")
    para(doc, "{{ form.wording.conflicts_label }}", style="BD Body", italic=True, keep_next=True)
    tag(doc, f"{{%p for x in {v}.conflicts %}}")
    para(doc, "- {{ x.text }}", style="BD Body")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    para(doc, [("{{ form.wording.voting_label }} ", {"bold": True}),
               (f"{{{{ {v}.voting_method_text }}}}.", {})], style="BD Body")

    result_cols = [("col_stt", 1.3), ("col_name", 4.4), ("col_award", 3.6),
                   ("col_votes", 2.8), ("col_percent", 1.9), ("col_note", 2.5)]

    def results_table():
        t = data_table(doc, result_cols)
        for group, items in (("group_collective", f"{v}.collective_results"),
                             ("group_individual", f"{v}.individual_results")):
            tag_row(t, f"{{%tr if {items} %}}")
            group_row(t, f"{{{{ form.wording.{group} }}}}")
            tag_row(t, f"{{%tr for r in {items} %}}")
            values_row(t, ["{{ loop.index }}", "{{ r.name }}", "{{ r.award }}",
                           "{{ r.votes_text }}", "{{ r.percent_text }}", "{{ r.note }}"],
                       centered=(0, 3, 4))
            tag_row(t, "{%tr endfor %}")
            tag_row(t, "{%tr endif %}")
        finish_table(t)

    # --- secret ballot: the vote-count record, then the results
    tag(doc, f"{{%p if {v}.is_secret_ballot %}}")
    para(doc, "{{ form.wording.section_results_ballot }}", style="BD Heading")
    para(doc, "{{ form.wording.ballot_record }}", style="BD Heading")
    para(doc, "{{ form.wording.ballot_committee_label }}", style="BD Body", keep_next=True)
    tag(doc, f"{{%p for c in {v}.ballot.committee %}}")
    para(doc, ("{{ loop.index }}. {{ c.name }}{% if c.position %} – {{ c.position }}"
               "{% endif %}{% if c.role %}, {{ c.role }}{% endif %}."), style="BD Body")
    tag(doc, "{%p else %}")
    for i in (1, 2, 3):  # not recorded: names to write by hand, the head first
        para(doc, f"{i}. {DOTS[:14]}, {'Trưởng ban' if i == 1 else 'Thành viên'}.", style="BD Body")
    tag(doc, "{%p endfor %}")
    for key, attr in (("ballots_issued", "issued"), ("ballots_returned", "returned"),
                      ("ballots_valid", "valid"), ("ballots_invalid", "invalid")):
        para(doc, f"- {{{{ form.wording.{key} }}}} {{{{ vn_count({v}.ballot.{attr}) }}}} phiếu.",
             style="BD Body")
    para(doc, "{{ form.wording.ballot_votes_label }}", style="BD Body")
    ballot_cols = [("col_stt", 1.3), ("col_name", 6.4), ("col_votes_for", 2.8),
                   ("col_votes_against", 2.8), ("col_percent", 3.2)]
    t = data_table(doc, ballot_cols)
    tag_row(t, f"{{%tr for r in {v}.results %}}")
    values_row(t, ["{{ loop.index }}", "{{ r.name }}", "{{ r.votes_for }}",
                   "{{ r.votes_against if r.votes_against is not none else '' }}",
                   "{{ r.percent_text }}"], centered=(0, 2, 3, 4))
    tag_row(t, "{%tr endfor %}")
    finish_table(t)
    tag(doc, f"{{%p if {v}.ballot.note %}}")
    body_lines(doc, f"{v}.ballot.note")
    tag(doc, "{%p endif %}")
    t, left, right, _, bottom_right = signature_table(doc, (7.5, 9.0), merge_left=True)
    para(right, "{{ form.wording.ballot_sign_caption }}", style="BD Sign", bold=True)
    para(right, "{{ form.wording.sign_note }}", style="BD Sign", italic=True, size=13)
    for _ in range(3):
        para(bottom_right, "", style="BD Sign")
    para(bottom_right, f"{{% if {v}.ballot.committee_head %}}"
                       f"{{{{ {v}.ballot.committee_head.name }}}}{{% else %}}{DOTS[:12]}{{% endif %}}",
         style="BD Sign", bold=True)
    finish_table(t)
    para(doc, "{{ form.wording.results_label_ballot }}", style="BD Heading")
    tag(doc, "{%p else %}")
    para(doc, "{{ form.wording.section_results_hands }}", style="BD Heading")
    para(doc, "{{ form.wording.results_label_hands }}", style="BD Body")
    tag(doc, "{%p endif %}")
    results_table()

    para(doc, "{{ form.wording.section_conclusion }}", style="BD Heading", before=12)
    body_lines(doc, f"{v}.conclusion")
    para(doc, (f"{{{{ form.wording.closing }}}} {{{{ {v}.end_text }}}}"
               "{{ form.wording.closing_tail }}"), style="BD Body", keep_next=True)

    t, left, right, bottom_left, bottom_right = signature_table(doc)
    signer_top(left, caption_expr="form.wording.secretary_caption",
               note_expr="form.wording.sign_note")
    signer_bottom(bottom_left, f"{v}.secretary.name")
    signer_top(right, caption_expr="form.wording.chair_caption",
               note_expr="form.wording.sign_note")
    signer_bottom(bottom_right, f"{v}.chair.name")
    finish_table(t)
    # Inside the signature block's unsplittable row: the anchor is printed on the page the
    # council signs, never alone on a page of its own.
    anchor_foot(t._parent)
    doc.save(path)


def anchor_foot(doc):
    """The audit chain's anchor (QR code and short code) at the very end of the minutes."""
    tag(doc, "{%p if audit_anchor is defined %}")
    para(doc, [("{{ audit_anchor.qr }}", {}),
               ("  Mã neo nhật ký quyết định: {{ audit_anchor.code }} ({{ audit_anchor.seq }} mục)",
                {"size": 9, "italic": True})],
         style="BD Body", align=WD_ALIGN_PARAGRAPH.LEFT, first=0, before=12)
    tag(doc, "{%p endif %}")


def v_council(v):
    return f"{{{{ {v}.council_name }}}}"


def _report_title(doc, v, *, individual):
    name = (f"{{{{ {v}.name }}}}{{% if {v}.position_unit %}}, {{{{ {v}.position_unit }}}}"
            "{% endif %}") if individual else f"{{{{ {v}.name }}}}"
    title_block(doc, v, [
        "{{ form.wording.title }}",
        f"{{{{ form.wording.award_prefix }}}} {{{{ {v}.award|upper }}}}",
    ], rule_after=False)
    para(doc, (f"{{{{ form.wording.campaign_prefix }}}} {{{{ {v}.campaign_name }}}}"
               "{{ form.wording.campaign_suffix }}"), align=CENTER, italic=True)
    para(doc, name, align=CENTER, bold=True, before=6)
    tag(doc, f"{{%p if {v}.issuer.is_party %}}")
    para(doc, "-----", align=CENTER, after=6)
    tag(doc, "{%p else %}")
    rule(doc, TITLE_RULE_CM, TEXT_CM, after=6)
    tag(doc, "{%p endif %}")


def _keep_row(row):
    """A Form 08 table row never splits across pages (added once, whoever else marks it)."""
    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:cantSplit")) is None:
        tr_pr.append(OxmlElement("w:cantSplit"))
    return row


def _targets_table(doc, v):
    tag(doc, f"{{%p if {v}.targets %}}")
    cols = [("col_stt", 1.2), ("col_indicator", 5.6), ("col_target", 3.3),
            ("col_result", 4.0), ("col_assessment", 2.4)]
    t = data_table(doc, cols)
    tag_row(t, f"{{%tr for r in {v}.targets %}}")
    _keep_row(values_row(t, ["{{ loop.index }}", "{{ r.indicator }}", "{{ r.target }}",
                             "{{ r.result }}", "{{ r.assessment }}"], centered=(0, 2, 4)))
    tag_row(t, "{%tr endfor %}")
    finish_table(t)
    para(doc, "", after=6)
    tag(doc, "{%p endif %}")


def _free_section(doc, heading_key, expr, *, keep_last=False, blank="achievement.blank"):
    """A heading and its free text; with no text, a dotted line to write on (never a bare
    heading)."""
    para(doc, f"{{{{ form.wording.{heading_key} }}}}", style="BD Heading", keep_next=True)
    tag(doc, f"{{%p if {expr} %}}")
    body_lines(doc, expr, keep_last=keep_last)
    tag(doc, "{%p else %}")
    para(doc, f"{{{{ {blank} }}}}", style="BD Body", keep_next=keep_last)
    tag(doc, "{%p endif %}")


def _field(doc, label_key, expr, v="achievement"):
    """"- Label: value", or a dotted line to fill in by hand when there is no data."""
    para(doc, f"- {{{{ form.wording.{label_key} }}}} {{% if {expr} %}}{{{{ {expr} }}}}.{{% else %}}"
              f"{{{{ {v}.blank }}}}{{% endif %}}", style="BD Body")


def _models_list(doc, v, *, none_when_empty=True):
    """The report's own models, then sentences about models it does not own."""
    tag(doc, f"{{%p for m in {v}.models %}}")
    para(doc, [("{{ loop.index }}) {{ m.name }}", {"bold": True, "italic": True}),
               ("{% if m.started %} ({{ form.wording.started_label }} {{ m.started_text }})"
                "{% endif %}{% if m.description %}: {{ m.description }}{% endif %}", {})],
         style="BD Body")
    tag(doc, "{%p if m.effect %}")
    para(doc, [("{{ form.wording.effect_label }} ", {"italic": True}), ("{{ m.effect }}", {})],
         style="BD Body")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if m.replication %}")
    para(doc, "{{ m.replication }}", style="BD Body")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if m.recognition %}")
    para(doc, "{{ m.recognition }}", style="BD Body")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, f"{{%p for line in {v}.related_models %}}")
    para(doc, "- {{ line }}", style="BD Body")
    tag(doc, "{%p endfor %}")
    if none_when_empty:
        tag(doc, f"{{%p if not {v}.models and not {v}.related_models %}}")
        para(doc, "{{ form.wording.none }}", style="BD Body")
        tag(doc, "{%p endif %}")


def build_bao_cao_tap_the(path: Path) -> None:
    v = "achievement"
    c = f"{v}.collective"
    doc = new_document()
    page_headers(doc, v)
    heading_block(doc, v)
    _report_title(doc, v, individual=False)

    para(doc, "{{ form.wording.section_general }}", style="BD Heading", keep_next=True)
    para(doc, "{{ form.wording.general_situation }}", style="BD Heading", keep_next=True)
    para(doc, [("- {{ form.wording.address_label }} ", {}),
               (f"{{{{ {c}.address or {v}.blank }}}}"
                f"{{% if {c}.phone %}}; {{{{ form.wording.phone_label }}}} {{{{ {c}.phone }}}}{{% endif %}}"
                f"{{% if {c}.website %}}; {{{{ form.wording.website_label }}}} "
                f"{{{{ {c}.website }}}}{{% endif %}}{{% if {c}.address %}}.{{% endif %}}", {})], style="BD Body")
    _field(doc, "structure_label", f"{c}.structure")
    para(doc, (f"- {{{{ form.wording.headcount_label }}}} {{{{ {c}.headcount_text or {v}.blank }}}}"
               f"{{% if {c}.headcount_detail %}} ({{{{ {c}.headcount_detail }}}}){{% endif %}}"
               f"{{% if {c}.headcount_text %}}.{{% endif %}}"), style="BD Body")
    _free_section(doc, "functions_heading", f"{c}.functions")

    para(doc, "{{ form.wording.section_achievements }}", style="BD Heading", keep_next=True)
    body_lines(doc, f"{v}.results")
    para(doc, "{{ form.wording.targets_heading }}", style="BD Heading", keep_next=True)
    tag(doc, f"{{%p if {c}.vneid %}}")
    para(doc, (f"- {{{{ form.wording.vneid_label }}}} {{{{ {c}.vneid.members_proficient }}}}/"
               f"{{{{ {c}.vneid.members_total }}}} đảng viên ({{{{ {c}.vneid.percent_text }}}})"
               f"{{% if {c}.vneid.on_time %}}, hoàn thành ngày {{{{ {c}.vneid.completed_text }}}}, "
               f"trước thời hạn ngày {{{{ {c}.vneid.deadline_text }}}}"
               f"{{% elif {c}.vneid.deadline %}}, tính đến ngày {{{{ {c}.vneid.deadline_text }}}}"
               "{% endif %}."), style="BD Body", keep_next=True)
    tag(doc, "{%p endif %}")
    _targets_table(doc, v)
    tag(doc, f"{{%p if not {v}.targets and not {c}.vneid %}}")
    para(doc, "{{ form.wording.none }}", style="BD Body")
    tag(doc, "{%p endif %}")

    para(doc, "{{ form.wording.models_heading }}", style="BD Heading", keep_next=True)
    _models_list(doc, v)

    para(doc, "{{ form.wording.activities_heading }}", style="BD Heading", keep_next=True)
    tag(doc, f"{{%p if {v}.activities %}}")
    cols = [("col_stt", 1.3), ("col_activity", 6.8), ("col_count", 2.5),
            ("col_participants", 3.0), ("col_note", 2.9)]
    t = data_table(doc, cols)
    tag_row(t, f"{{%tr for a in {v}.activities %}}")
    _keep_row(values_row(t, ["{{ loop.index }}", "{{ a.kind }}", "{{ a.count_text }} {{ a.unit }}",
                             "{{ a.participants_text }}", "{{ a.note }}"], centered=(0, 2, 3)))
    tag_row(t, "{%tr endfor %}")
    finish_table(t)
    para(doc, "", after=6)
    tag(doc, "{%p else %}")
    para(doc, "{{ form.wording.none }}", style="BD Body")
    tag(doc, "{%p endif %}")

    _free_section(doc, "measures_heading", f"{v}.measures")
    _free_section(doc, "lessons_heading", f"{v}.lessons", keep_last=True)

    t, left, right, bottom_left, bottom_right = signature_table(doc)
    signer_top(left, caption_expr="form.wording.left_caption")
    tag(left, f"{{%p if {v}.confirmer %}}")
    signer_top(left, f"{v}.confirmer", note_expr="form.wording.left_note")
    tag(left, "{%p else %}")
    signer_top(left, note_expr="form.wording.left_note")
    tag(left, "{%p endif %}")
    signer_bottom(bottom_left, f"({v}.confirmer.signer_name if {v}.confirmer else '') or {v}.blank")
    signer_top(right, f"{v}.issuer", caption_expr="form.wording.right_caption",
               note_expr="form.wording.right_note", caption_replaced_by_title=True)
    signer_bottom(bottom_right, f"{v}.issuer.signer_name or {v}.blank")
    finish_table(t)
    doc.save(path)


def build_bao_cao_ca_nhan(path: Path) -> None:
    v = "achievement"
    i = f"{v}.individual"
    doc = new_document()
    page_headers(doc, v)
    heading_only_block(doc, v)
    _report_title(doc, v, individual=True)

    # Section I: the personal fields of Form 08, each on its own line, as the form lists them.
    para(doc, "{{ form.wording.section_general }}", style="BD Heading", keep_next=True)
    para(doc, (f"- {{{{ form.wording.name_label }}}} {{{{ {v}.name }}}}"
               f"{{% if {i}.alias %}} ({{{{ form.wording.alias_label }}}} {{{{ {i}.alias }}}})"
               "{% endif %}."), style="BD Body")
    for label, expr in (
        ("sex_label", f"{i}.sex"),
        ("birth_label", f"{i}.birth_date_text"),
        ("home_town_label", f"{i}.home_town"),
        ("residence_label", f"{i}.residence"),
        ("occupation_label", f"{i}.occupation"),
        ("position_label", f"{i}.position"),
        ("unit_label", f"{i}.unit"),
        ("qualifications_label", f"({i}.professional_level or {i}.qualifications)"),
        ("political_theory_label", f"{i}.political_theory"),
    ):
        _field(doc, label, expr)

    para(doc, "{{ form.wording.section_achievements }}", style="BD Heading", keep_next=True)
    body_lines(doc, f"{v}.results")
    para(doc, "{{ form.wording.vneid_heading }}", style="BD Heading", keep_next=True)
    tag(doc, f"{{%p if {i}.vneid_proficient_on %}}")
    para(doc, (f"- {{{{ form.wording.vneid_done }}}} {{{{ {i}.vneid_text }}}}"
               f"{{% if {i}.vneid_deadline %}}{{% if {i}.vneid_on_time %}}, "
               f"{{{{ form.wording.before_deadline }}}} {{{{ {i}.vneid_deadline_text }}}}{{% else %}}, "
               f"{{{{ form.wording.after_deadline }}}} {{{{ {i}.vneid_deadline_text }}}}{{% endif %}}{{% endif %}}"
               f"{{% if {i}.can_guide %}}, {{{{ form.wording.vneid_guide }}}}{{% endif %}}."), style="BD Body")
    tag(doc, "{%p else %}")
    para(doc, "- {{ form.wording.vneid_missing }}", style="BD Body")
    tag(doc, "{%p endif %}")

    para(doc, "{{ form.wording.guidance_heading }}", style="BD Heading", keep_next=True)
    tag(doc, f"{{%p if {i}.people_guided is not none %}}")
    para(doc, (f"- {{{{ form.wording.people_guided_label }}}} {{{{ {i}.people_guided_text or '0' }}}} người"
               f"{{% if {i}.people_guided_detail %}} ({{{{ {i}.people_guided_detail }}}})"
               "{% endif %}."), style="BD Body")
    tag(doc, "{%p endif %}")
    tag(doc, f"{{%p if {i}.classes_taught %}}")
    para(doc, "- {{ form.wording.classes_label }}", style="BD Body", keep_next=True)
    cols = [("col_stt", 1.3), ("col_class", 6.2), ("col_date", 2.4), ("col_place", 4.1),
            ("col_participants", 2.5)]
    t = data_table(doc, cols)
    tag_row(t, f"{{%tr for k in {i}.classes_taught %}}")
    _keep_row(values_row(t, ["{{ loop.index }}", "{{ k.topic }}", "{{ k.held_on_text }}",
                             "{{ k.place }}", "{{ k.participants_text }}"], centered=(0, 2, 4)))
    tag_row(t, "{%tr endfor %}")
    finish_table(t)
    para(doc, "", after=6)
    tag(doc, "{%p endif %}")

    para(doc, "{{ form.wording.solutions_heading }}", style="BD Heading", keep_next=True)
    tag(doc, f"{{%p for s in {i}.solutions %}}")
    para(doc, [("{{ loop.index }}) {{ s.name }}", {"bold": True, "italic": True}),
               ("{% if s.applied_from %} ({{ form.wording.applied_label }} "
                "{{ s.applied_from_text }}){% endif %}{% if s.description %}: "
                "{{ s.description }}{% endif %}", {})], style="BD Body")
    tag(doc, "{%p if s.effect %}")
    para(doc, [("{{ form.wording.effect_label }} ", {"italic": True}), ("{{ s.effect }}", {})],
         style="BD Body")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p else %}")
    para(doc, "{{ form.wording.none }}", style="BD Body")
    tag(doc, "{%p endfor %}")

    para(doc, "{{ form.wording.models_heading }}", style="BD Heading", keep_next=True)
    _models_list(doc, v)

    para(doc, "{{ form.wording.targets_heading }}", style="BD Heading", keep_next=True)
    _targets_table(doc, v)
    tag(doc, f"{{%p if not {v}.targets %}}")
    para(doc, "{{ form.wording.none }}", style="BD Body")
    tag(doc, "{%p endif %}")
    _free_section(doc, "measures_heading", f"{v}.measures")
    _free_section(doc, "lessons_heading", f"{v}.lessons", keep_last=True)

    # The head of the person's unit confirms (never the person: then the level above).
    t, left, right, bottom_left, bottom_right = signature_table(doc)
    tag(left, f"{{%p if {v}.confirmer %}}")
    signer_top(left, f"{v}.confirmer", caption_expr="form.wording.left_caption",
               note_expr="form.wording.left_note")
    tag(left, "{%p else %}")
    signer_top(left, f"{v}.issuer", caption_expr="form.wording.left_caption",
               note_expr="form.wording.left_note")
    tag(left, "{%p endif %}")
    signer_bottom(bottom_left, f"({v}.confirmer.signer_name if {v}.confirmer else {v}.issuer.signer_name)"
                               f" or {v}.blank")
    signer_top(right, caption_expr="form.wording.right_caption",
               note_expr="form.wording.right_note")
    signer_bottom(bottom_right, f"{v}.name")
    finish_table(t)
    doc.save(path)


def build_quyet_dinh(path: Path) -> None:
    """Quyết định khen thưởng (Decree 30/2020 for the state format, HD 36 for the party
    format) with its attached list in a landscape section."""
    v = "decision"
    doc = new_document()
    page_headers(doc, v)
    heading_block(doc, v)
    title_block(doc, v, [
        "{{ form.wording.title }}",
        f"{{{{ {v}.subject }}}}",
    ])
    para(doc, f"{{{{ {v}.authority_title }}}}", style="BD Title", before=6, after=6)
    tag(doc, "{%p for line in form.legal_basis %}")
    para(doc, "{{ line }}", style="BD Body", italic=True)
    tag(doc, "{%p endfor %}")
    tag(doc, f"{{%p for line in {v}.legal_bases %}}")
    para(doc, "{{ line }}", style="BD Body", italic=True)
    tag(doc, "{%p endfor %}")
    para(doc, "{{ form.wording.decides }}", style="BD Title", before=6, after=6)
    para(doc, [
        ("{{ form.wording.article_1 }} ", {"bold": True}),
        (f"{{% if {v}.award_name %}}Tặng {{{{ {v}.award_name }}}} cho{{% else %}}Khen thưởng{{% endif %}} "
         f"{{{{ {v}.awarded_text }}}} "
         f"đã có thành tích xuất sắc trong thực hiện {{{{ {v}.campaign_name }}}}", {}),
        (" {{ form.wording.attached_note }}.", {"italic": True}),
    ], style="BD Body")
    tag(doc, f"{{%p if {v}.has_prizes %}}")
    para(doc, [("{{ form.wording.article_2 }} ", {"bold": True}),
               ("{{ form.wording.prize_lead }}", {})], style="BD Body")
    tag(doc, f"{{%p for p in {v}.prizes %}}")
    para(doc, "- {{ p.award }}: {{ p.amount_text }} cho mỗi tập thể, cá nhân ({{ p.recipients_text }}; "
              "tổng cộng {{ p.total_text }}).", style="BD Body")
    tag(doc, "{%p endfor %}")
    tag(doc, f"{{%p if {v}.prize_source %}}")
    para(doc, f"{{{{ {v}.prize_source }}}}", style="BD Body")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endif %}")
    para(doc, [(f"{{{{ {v}.last_article }}}} ", {"bold": True}), ("{{ form.wording.effect }} ", {}),
               (f"{{{{ {v}.executors }}}}", {})], style="BD Body", keep_next=True)

    # One borderless row: "Nơi nhận" left, the whole signature right (it never splits).
    para(doc, "", size=6, keep_next=True)
    t = make_table(doc, 1, [7.7, 8.8], borders=False, margins=(0.05, 0.05))
    no_split(t.rows[0])
    left, right = t.rows[0].cells
    for cell in (left, right):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    tag(left, f"{{%p if {v}.issuer.is_party %}}")
    para(left, "{{ form.wording.recipients_label }}", size=14, underline=True)
    tag(left, "{%p else %}")
    para(left, "{{ form.wording.recipients_label }}", size=12, bold=True, italic=True)
    tag(left, "{%p endif %}")
    tag(left, f"{{%p for r in {v}.recipients %}}")
    para(left, "- {{ r }}", style="BD Small", size=11)
    tag(left, "{%p endfor %}")
    signer_top(right, f"{v}.issuer")
    signer_bottom(right, f"{v}.issuer.signer_name")
    finish_table(t)

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(20), Mm(15)
    section.different_first_page_header_footer = False
    para(doc, "{{ form.wording.list_title }}", style="BD Title")
    para(doc, "{{ form.wording.list_subtitle }} " f"{{{{ {v}.campaign_name }}}}", style="BD Title")
    para(doc, (
        "({{ form.wording.list_attached }} "
        f"số {{{{ {v}.number_symbol }}}}, ngày {{{{ {v}.short_date }}}} của "
        f"{{{{ {v}.issuer.text_name }}}})"
    ), align=CENTER, italic=True, after=12)
    cols = [("col_stt", 1.3), ("col_name", 5.6), ("col_position_unit", 5.2),
            ("col_award", 4.6), ("col_achievement", 7.0), ("col_prize", 2.5)]  # 26.2 cm
    t = data_table(doc, cols)
    for group, items in (("group_collective", f"{v}.collectives"), ("group_individual", f"{v}.individuals")):
        tag_row(t, f"{{%tr if {items} %}}")
        group_row(t, f"{{{{ form.wording.{group} }}}}")
        tag_row(t, f"{{%tr for a in {items} %}}")
        no_split(values_row(t, [
            "{{ loop.index }}", "{{ a.name }}", "{{ a.position_unit }}", "{{ a.award }}",
            "{{ a.achievement }}", "{{ a.prize_text }}",
        ], centered=(0,)))  # a row never splits across pages
        tag_row(t, "{%tr endfor %}")
        tag_row(t, "{%tr endif %}")
    finish_table(t)
    para(doc, "")
    doc.save(path)


BUILDERS = {
    "to-trinh-mau-01.docx": build_to_trinh,
    "bien-ban-hop-xet.docx": build_bien_ban,
    "bao-cao-thanh-tich-mau-08-tap-the.docx": build_bao_cao_tap_the,
    "bao-cao-thanh-tich-mau-08-ca-nhan.docx": build_bao_cao_ca_nhan,
    "quyet-dinh-khen-thuong.docx": build_quyet_dinh,
}


def build_all(root: Path = HERE, sets=FORM_SETS) -> list[Path]:
    written = []
    for name in sets:
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        for file, builder in BUILDERS.items():
            builder(folder / file)
            written.append(folder / file)
    return written


def main(argv=None) -> int:
    for path in build_all():
        print(path.relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
