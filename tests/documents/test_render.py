"""Rendering: read every generated document back with python-docx -- texts, table rows,
no template tag left, the page and type of the chosen format, and text that comes out
exactly as typed."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Mm, Pt

from bdhvs_desktop.documents.context import Issuer, Nominee
from bdhvs_desktop.documents.formsets import load_form_set
from bdhvs_desktop.documents.render import (
    DocumentRenderError,
    InvalidTextError,
    docx_text,
    render_document,
)

from . import sample_data as sd
from .conftest import all_texts, patch_docx, table_rows

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

NASTY = ('A & B <C> "kép" \'đơn\' {{ x }} {% if y %} {# z #} {_{ }_} {_% %_} %} }} #}\n'
         'Dòng hai: Thủy/Thuỷ, Hòa/Hoà, Đ Ð đ – “ngoặc” … €\tsau tab,  hai  khoảng trắng ')


def _doc(data: bytes):
    return Document(io.BytesIO(data))


def _render(fs, ctx):
    return _doc(render_document(fs, ctx))


def _no_template_tags(doc) -> None:
    for text in all_texts(doc):
        for tag in ("{{", "}}", "{%", "%}", "{#", "#}"):
            assert tag not in text, f"template tag {tag!r} left in: {text!r}"


def _heading_table(doc):
    return doc.tables[0]


def _runs(paragraph):
    return [r for r in paragraph.runs if r.text.strip()]


# ------------------------------------------------------------------- environment


def test_environment_is_sandboxed_strict_and_escaping():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from bdhvs_desktop.documents.render import make_environment

    env = make_environment()
    assert isinstance(env, SandboxedEnvironment)
    assert env.autoescape is True and env.undefined is StrictUndefined
    assert "safe" not in env.filters and "paragraphs" in env.filters
    assert env.from_string("{{ x }}").render(x="A & B <C>") == "A &amp; B &lt;C&gt;"


# ------------------------------------------------------------------- page and type


def _assert_page(section, *, landscape=False):
    w, h = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    assert abs(section.page_width - w) < Mm(0.5) and abs(section.page_height - h) < Mm(0.5)


def test_page_fonts_and_margins(fs98):
    doc = _render(fs98, sd.submission("party"))
    s = doc.sections[0]
    _assert_page(s)
    for value, mm in ((s.top_margin, 20), (s.bottom_margin, 20), (s.left_margin, 30),
                      (s.right_margin, 15)):
        assert abs(value - Mm(mm)) < Mm(0.5)
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    rfonts = normal.element.rPr.rFonts
    assert {rfonts.get(f"{W}{k}") for k in ("ascii", "hAnsi", "cs", "eastAsia")} == {"Times New Roman"}
    body = [p for p in doc.paragraphs if p.style.name == "BD Body" and p.text.startswith("Căn cứ")]
    assert body
    for p in body:
        indent = p.paragraph_format.first_line_indent or p.style.paragraph_format.first_line_indent
        assert Cm(1.0) <= indent <= Cm(1.3)
        assert p.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    # the attached list: its own A4 landscape section
    assert len(doc.sections) == 2
    _assert_page(doc.sections[1], landscape=True)
    assert doc.sections[1].orientation == WD_ORIENT.LANDSCAPE


def test_party_heading(fs98):
    doc = _render(fs98, sd.submission("party"))
    head = _heading_table(doc)
    left, right = head.rows[0].cells
    heading = right.paragraphs[0]
    assert heading.text == "ĐẢNG CỘNG SẢN VIỆT NAM" == heading.text.upper()
    assert all(r.bold and r.font.size == Pt(15) for r in _runs(heading))
    # the rule under it: a paragraph border as long as the heading
    rule = right.paragraphs[1]
    assert rule.text == "" and rule._p.pPr.find(f"{W}pBdr") is not None
    assert [p.text for p in left.paragraphs] == ["ĐẢNG BỘ TỈNH LÂM ĐỒNG", "ĐẢNG ỦY PHƯỜNG LA GI", "*"]
    parent, body, star = left.paragraphs
    assert all(r.font.size == Pt(14) for r in _runs(parent) + _runs(body))
    assert all(r.bold for r in _runs(body)) and not any(r.bold for r in _runs(parent))
    number, place_date = head.rows[1].cells
    assert number.text == "Số 12-TTr/ĐU"  # no colon in the party format
    assert place_date.text == "La Gi, ngày 05 tháng 11 năm 2026"
    assert all(r.italic and r.font.size == Pt(14) for r in _runs(place_date.paragraphs[0]))
    assert [p.alignment for p in left.paragraphs] == [WD_ALIGN_PARAGRAPH.CENTER] * 3
    texts = all_texts(doc)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in texts
    assert "T/M BAN THƯỜNG VỤ" in texts and "PHÓ BÍ THƯ" in texts and "Võ Minh Vương" in texts
    _no_template_tags(doc)


def test_state_heading(fs98):
    doc = _render(fs98, sd.submission("state"))
    head = _heading_table(doc)
    left, right = head.rows[0].cells
    assert [p.text for p in right.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert all(r.bold for p in right.paragraphs for r in _runs(p))
    assert right.paragraphs[-1]._p.pPr.find(f"{W}pBdr") is not None  # rule under the motto
    assert left.paragraphs[0].text == "ỦY BAN NHÂN DÂN\nPHƯỜNG LA GI"  # "\n" is a real line break
    assert left.paragraphs[0]._p.find(f".//{W}br") is not None
    assert head.rows[1].cells[0].text == "Số: 12/TTr-UBND"
    assert head.rows[1].cells[1].text == "La Gi, ngày 05 tháng 11 năm 2026"
    texts = all_texts(doc)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in texts and "*" not in texts
    assert "TM. ỦY BAN NHÂN DÂN" in texts and "CHỦ TỊCH" in texts
    _no_template_tags(doc)


# ------------------------------------------------------------------------ Form 01


def test_submission_texts_and_attached_list(fs98):
    doc = _render(fs98, sd.submission("party"))
    texts = [p.text for p in doc.paragraphs]
    assert "TỜ TRÌNH" in texts
    assert ("Về việc đề nghị khen thưởng các tập thể, cá nhân có thành tích xuất sắc trong thực hiện "
            "Phong trào thi đua “Bình dân học vụ số”") in texts
    assert "Kính gửi: Chủ tịch Ủy ban nhân dân phường La Gi" in texts
    assert texts.index("Căn cứ Luật Thi đua, khen thưởng ngày 15/6/2022;") < texts.index(
        sd.submission().legal_bases[0])
    assert any(t.startswith("Ban Thường vụ Đảng ủy phường La Gi kính trình Chủ tịch Ủy ban nhân dân "
                            "phường La Gi xem xét, tặng Giấy khen của Chủ tịch Ủy ban nhân dân phường La Gi "
                            "cho 03 tập thể và 04 cá nhân") for t in texts)
    assert "(Có danh sách kèm theo)" in texts
    assert "(Kèm theo Tờ trình số 12-TTr/ĐU, ngày 05/11/2026 của Ban Thường vụ Đảng ủy phường La Gi)" in texts
    # body free text: one paragraph per line
    assert sd.submission().body.split("\n")[1] in texts

    table = doc.tables[-1]
    rows = table_rows(table)
    assert rows[0] == ["STT", "Tên tập thể, cá nhân", "Chức vụ - đơn vị", "Hình thức khen thưởng đề nghị",
                       "Tóm tắt thành tích", "Ghi chú"]
    assert rows[1] == ["I. TẬP THỂ"]
    assert rows[2][:3] == ["1", "Chi bộ Khu phố 3", "Đảng bộ phường La Gi"]
    assert rows[2][4] == sd.COLLECTIVES[0].achievement_summary  # line break kept
    assert [r[1] for r in rows[2:5]] == [n.name for n in sd.COLLECTIVES]
    assert rows[5] == ["II. CÁ NHÂN"]
    assert [r[0] for r in rows[6:]] == ["1", "2", "3", "4"]
    assert [r[1] for r in rows[6:]] == [n.name for n in sd.INDIVIDUALS]
    assert rows[8][5] == "Nữ"
    # a real table with borders and a header row repeated on every page
    tbl_pr = table._tbl.tblPr
    borders = tbl_pr.find(f"{W}tblBorders")
    assert borders is not None and borders.find(f"{W}insideH").get(f"{W}val") == "single"
    assert table.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None
    assert "Nơi nhận:" in all_texts(doc) and "- Như trên;" in all_texts(doc)
    _no_template_tags(doc)


def test_empty_group_is_left_out(fs98):
    doc = _render(fs98, sd.submission(collectives=[]))
    rows = table_rows(doc.tables[-1])
    assert ["I. TẬP THỂ"] not in rows and rows[1] == ["II. CÁ NHÂN"]
    # a part that is zero is not written (issue #11: "01 tập thể và 0 cá nhân" read badly)
    assert any("cho 04 cá nhân đã có" in t for t in all_texts(doc))
    assert not any("0 tập thể" in t for t in all_texts(doc))


def test_subject_and_proposal_overrides(fs98):
    doc = _render(fs98, sd.submission(subject="Về việc đề nghị tặng Bằng khen", proposal="Dòng 1\nDòng 2"))
    texts = [p.text for p in doc.paragraphs]
    assert "Về việc đề nghị tặng Bằng khen" in texts
    assert texts.index("Dòng 1") + 1 == texts.index("Dòng 2")
    assert not any("kính trình" in t for t in texts)


def test_draft_marker(fs98):
    def header_text(doc):
        return doc.sections[0].first_page_header.paragraphs[0].text

    assert header_text(_render(fs98, sd.submission(draft=True))) == "DỰ THẢO"
    assert header_text(_render(fs98, sd.submission(draft=False))) == ""
    blank = _render(fs98, sd.submission(draft=True, date=None, number=dataclasses.replace(
        sd.submission().number, number=None)))
    head = _heading_table(blank)
    assert head.rows[1].cells[0].text.startswith("Số ") and "-TTr/ĐU" in head.rows[1].cells[0].text
    assert not any(ch.isdigit() for ch in head.rows[1].cells[1].text)


# --------------------------------------------------------------------- escaping


def _nasty_submission():
    nominee = Nominee(name=NASTY, position_unit=" khoảng trắng đầu", award="<b>Giấy khen</b>",
                      achievement_summary=NASTY, note="{{ note }}")
    issuer = dataclasses.replace(sd.PARTY_ISSUER, name_in_text="Ban Thường vụ & <Đảng ủy>")
    return sd.submission(issuer=issuer, recipient=NASTY.split("\n")[0], collectives=[nominee],
                         legal_bases=[NASTY], body=NASTY, recipients=["{% raw %}x{% endraw %}"])


def test_user_text_comes_out_exactly_as_typed(fs98):
    data = render_document(fs98, _nasty_submission())
    doc = _doc(data)
    first, second = NASTY.split("\n")
    texts = [p.text for p in doc.paragraphs]
    assert f"Kính gửi: {first}" in texts
    assert NASTY in texts  # legal basis line: the "\n" is a line break inside the paragraph
    i = texts.index(first)  # body: one paragraph per line
    assert texts[i + 1] == second
    rows = table_rows(doc.tables[-1])
    assert rows[2][1] == NASTY and rows[2][4] == NASTY
    assert rows[2][2] == " khoảng trắng đầu"
    assert rows[2][3] == "<b>Giấy khen</b>" and rows[2][5] == "{{ note }}"
    assert "- {% raw %}x{% endraw %}" in all_texts(doc)
    assert any("Ban Thường vụ & <Đảng ủy>" in t for t in all_texts(doc))
    # real line breaks and tabs in Word, not characters
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "<w:br/>" in xml and "<w:tab/>" in xml
    assert "\n" not in "".join(t for t in xml.split("<w:t")[1:] if "Dòng hai" in t).split("</w:t>")[0]
    assert NASTY in docx_text(data)


def test_escaping_in_every_form(fs98):
    ach = sd.achievements()
    coll = dataclasses.replace(ach[0], name=NASTY, measures=NASTY, lessons=NASTY)
    ind = dataclasses.replace(ach[3], name=NASTY, position_unit=NASTY)
    minutes = sd.minutes(place=NASTY, content=NASTY, conclusion=NASTY)
    for ctx in (coll, ind, minutes):
        data = render_document(fs98, ctx)
        text = docx_text(data)
        for line in NASTY.split("\n"):
            assert line in text
    doc = _doc(render_document(fs98, coll))
    texts = [p.text for p in doc.paragraphs]
    first, second = NASTY.split("\n")
    assert texts.count(first) == 2 and texts.count(second) == 2  # measures, lessons
    assert NASTY in texts  # the name under the title keeps its line break


def test_control_characters_are_refused_naming_the_field(fs98):
    bad = sd.submission(collectives=[Nominee(name="Chi bộ\x01 Khu phố 3")])
    with pytest.raises(InvalidTextError) as err:
        render_document(fs98, bad)
    assert "submission.collectives[0].name" in str(err.value) and "U+0001" in str(err.value)


def test_windows_line_endings_and_vertical_tab_become_line_breaks(fs98):
    doc = _render(fs98, sd.submission(legal_bases=["Một\r\nHai\rBa\x0bBốn"]))
    assert "Một\nHai\nBa\nBốn" in [p.text for p in doc.paragraphs]


def test_leftover_tags_after_rendering_are_an_error(builtin_dir, tmp_path):
    # docxtpl turns "{_{" into "{{" after rendering: a tag that survives is caught.
    user = tmp_path / "user"
    patch_docx(builtin_dir / "decree-98-2023" / "to-trinh-mau-01.docx",
               user / "decree-98-2023" / "to-trinh-mau-01.docx",
               {"{{ form.wording.attached_note }}": "{{ form.wording.attached_note }} {_{ sót }_}"})
    fs = load_form_set("decree-98-2023", builtin_dir, user)
    with pytest.raises(DocumentRenderError, match="còn thẻ mẫu"):
        render_document(fs, sd.submission())


def test_text_that_does_not_reach_the_page_is_an_error(builtin_dir, tmp_path):
    user = tmp_path / "user"
    patch_docx(builtin_dir / "decree-98-2023" / "to-trinh-mau-01.docx",
               user / "decree-98-2023" / "to-trinh-mau-01.docx",
               {'<w:jc w:val="center"/>': '<w:jc w:val="center"/><w:pStyle w:val="{{ submission.campaign_name|reverse }}"/>'})
    fs = load_form_set("decree-98-2023", builtin_dir, user, check=False)
    with pytest.raises(DocumentRenderError, match="không xuất hiện"):
        render_document(fs, sd.submission())


def test_unchecked_template_errors_are_loud(builtin_dir, tmp_path):
    user = tmp_path / "user"
    for tag, expected in (("{{ submission.recipint }}", "recipint"),
                          ("{{ submission.__class__ }}", "__class__")):
        patch_docx(builtin_dir / "decree-98-2023" / "to-trinh-mau-01.docx",
                   user / "decree-98-2023" / "to-trinh-mau-01.docx",
                   {"{{ submission.recipient }}": tag})
        fs = load_form_set("decree-98-2023", builtin_dir, user, check=False)
        with pytest.raises(DocumentRenderError, match=expected):
            render_document(fs, sd.submission())


# ----------------------------------------------------------------------- minutes


def test_minutes_secret_ballot(fs98):
    doc = _render(fs98, sd.minutes(secret=True))
    texts = [p.text for p in doc.paragraphs]
    head = _heading_table(doc)
    assert [p.text for p in head.rows[0].cells[0].paragraphs if p.text] == [
        "ỦY BAN NHÂN DÂN PHƯỜNG LA GI", "HỘI ĐỒNG THI ĐUA -\nKHEN THƯỞNG"]
    assert head.rows[1].cells[0].text == "Số: 3/BB-HĐTĐKT"
    assert "BIÊN BẢN" in texts and "Họp Hội đồng Thi đua - Khen thưởng phường La Gi" in texts
    assert "Thời gian: 14 giờ 00 phút, ngày 03 tháng 11 năm 2026." in texts
    assert ("Thành phần: Hội đồng Thi đua - Khen thưởng phường La Gi có 09 thành viên; có mặt 08 "
            "thành viên; vắng 01 thành viên.") in texts
    assert "Vắng: Đỗ Thị Mai – Chánh Văn phòng HĐND và UBND phường (lý do: đi học tập trung)." in texts
    assert "1. Nguyễn Văn Thành – Phó Bí thư Đảng ủy, Chủ tịch UBND phường, Chủ tịch Hội đồng." in texts
    assert "Hình thức biểu quyết: bỏ phiếu kín." in texts
    assert "III. KẾT QUẢ BỎ PHIẾU KÍN" in texts and "Ban kiểm phiếu gồm:" in texts
    assert "1. Đặng Văn Tú – Trưởng Ban Xây dựng Đảng, Trưởng ban." in texts
    for line in ("- Số phiếu phát ra: 08 phiếu.", "- Số phiếu thu về: 08 phiếu.",
                 "- Số phiếu hợp lệ: 08 phiếu.", "- Số phiếu không hợp lệ: 0 phiếu."):
        assert line in texts
    ballot = next(t for t in doc.tables if table_rows(t)[0][:2] == ["STT", "Tên tập thể, cá nhân"]
                  and "Số phiếu không đồng ý" in table_rows(t)[0])
    rows = table_rows(ballot)
    assert rows[1] == ["1", "Chi bộ Khu phố 3", "8", "0", "88,89%"]
    assert len(rows) == 1 + 7
    results = next(t for t in doc.tables if "Số phiếu đồng ý / tổng số thành viên" in table_rows(t)[0])
    rows = table_rows(results)
    assert rows[0] == ["STT", "Tên tập thể, cá nhân", "Hình thức khen thưởng đề nghị",
                       "Số phiếu đồng ý / tổng số thành viên", "Tỷ lệ %", "Ghi chú"]
    assert rows[1] == ["I. TẬP THỂ"]
    assert rows[2] == ["1", "Chi bộ Khu phố 3", sd.AWARD, "8/9", "88,89%", "Đề nghị"]
    assert rows[5] == ["II. CÁ NHÂN"]
    assert rows[8] == ["3", "Lê Thị Thu Hà", sd.AWARD, "6/9", "66,67%", "Đề nghị"]
    assert results.rows[0]._tr.trPr.find(f"{W}tblHeader") is not None
    all_ = all_texts(doc)
    assert "TRƯỞNG BAN KIỂM PHIẾU" in all_ and "Đặng Văn Tú" in all_
    assert "THƯ KÝ" in all_ and "CHỦ TỊCH HỘI ĐỒNG" in all_ and "Châu Ngọc Ánh" in all_
    assert any(t.startswith("Cuộc họp kết thúc vào hồi 16 giờ 30 phút cùng ngày;") for t in texts)
    _no_template_tags(doc)


def test_minutes_show_of_hands(fs98):
    doc = _render(fs98, sd.minutes(secret=False))
    texts = all_texts(doc)
    assert "Hình thức biểu quyết: biểu quyết giơ tay." in texts
    assert "III. KẾT QUẢ BIỂU QUYẾT" in texts
    assert "Ban kiểm phiếu gồm:" not in texts and "TRƯỞNG BAN KIỂM PHIẾU" not in texts
    assert not any(t.startswith("- Số phiếu phát ra") for t in texts)
    _no_template_tags(doc)


def test_minutes_before_the_meeting_prints_blanks(fs98):
    doc = _render(fs98, sd.minutes(secret=False, start=None, end=None, draft=True))
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("Thời gian: ") and "giờ" in t and not any(c.isdigit() for c in t)
               for t in texts)


# ------------------------------------------------------------------------ Form 08


def test_collective_report(fs98):
    ach = sd.achievements()[0]
    doc = _render(fs98, ach)
    texts = [p.text for p in doc.paragraphs]
    head = _heading_table(doc)
    assert [p.text for p in head.rows[0].cells[0].paragraphs] == ["ĐẢNG ỦY PHƯỜNG LA GI", "CHI BỘ KHU PHỐ 3", "*"]
    assert head.rows[1].cells[0].text == "Số 5-BC/CB"
    assert head.rows[1].cells[1].text == "La Gi, ngày 20 tháng 10 năm 2026"
    assert "BÁO CÁO THÀNH TÍCH" in texts
    assert "ĐỀ NGHỊ TẶNG GIẤY KHEN CỦA CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG LA GI" in texts
    assert "(Về thành tích xuất sắc trong thực hiện Phong trào thi đua “Bình dân học vụ số”)" in texts
    assert "Chi bộ Khu phố 3" in texts
    assert "- Địa điểm trụ sở chính: Khu phố 3, phường La Gi, tỉnh Lâm Đồng; điện thoại: 0252 3 870 123." in texts
    # Issue 11: "(thời hạn: ...)" is machine wording; an office writes "trước thời hạn ngày ...".
    assert ("- Đảng viên sử dụng thành thạo nền tảng định danh điện tử VNeID: 35/35 đảng viên (100%), "
            "hoàn thành ngày 20/03/2026, trước thời hạn ngày 31/03/2026.") in texts
    for line in ach.measures.split("\n") + ach.collective.functions.split("\n"):
        assert line in texts
    assert "1) Gia đình số (triển khai từ 10/01/2026): mỗi hộ có ít nhất 01 thành viên được hướng dẫn 05 " \
           "kỹ năng số thiết yếu" in texts
    assert "Hiệu quả: 312/340 hộ (91,8%) có thành viên sử dụng VNeID & thanh toán QR." in texts
    targets = next(t for t in doc.tables if table_rows(t)[0][1] == "Chỉ tiêu")
    assert table_rows(targets)[1] == ["1", "Đảng viên sử dụng thành thạo VNeID (Quý I/2026)", "100%",
                                      "100% (35/35)", "Đạt"]
    acts = next(t for t in doc.tables if table_rows(t)[0][1] == "Hình thức hoạt động")
    assert table_rows(acts)[2] == ["2", "Buổi hướng dẫn trực tiếp tại tổ dân phố", "46 buổi", "1.130", ""]
    # the signature table sits in the unsplittable row of an outer table (issue #11)
    signs = table_rows(doc.tables[-1].cell(0, 0).tables[0])
    assert signs[0][0].startswith("XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG\nT/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ")
    assert signs[0][1].startswith("T/M CHI BỘ\nBÍ THƯ\n(Ký, đóng dấu)")
    assert signs[1][0].strip() == "Võ Minh Vương" and signs[1][1].strip() == "Trần Văn Hùng"
    _no_template_tags(doc)


def test_collective_report_without_confirmer_or_lists(fs152):
    ach = dataclasses.replace(sd.achievements()[2], confirmer=None, models=(), activities=(), targets=())
    doc = _render(fs152, ach)
    texts = all_texts(doc)
    assert texts.count("Không có.") == 3  # issue 11: section II.1 with no target is not a bare heading
    assert "(Thành tích thi đua theo chuyên đề trong thực hiện Phong trào thi đua “Bình dân học vụ số”)" in texts
    assert "HIỆU TRƯỞNG" in texts and "Lý Thị Ngọc Hân" in texts
    _no_template_tags(doc)


def test_individual_report(fs98):
    ach = sd.achievements()[3]
    doc = _render(fs98, ach)
    texts = [p.text for p in doc.paragraphs]
    assert texts[:3] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", ""]
    assert "La Gi, ngày 23 tháng 10 năm 2026" in texts
    assert ("Nguyễn Thị Hồng Nhung, Công chức Văn hóa - Xã hội, UBND phường La Gi") in texts
    # Issue 11: each personal field of Form 08 on its own line; the two levels apart.
    for line in ("- Họ và tên: Nguyễn Thị Hồng Nhung.", "- Giới tính: Nữ.",
                 "- Ngày, tháng, năm sinh: 02/08/1990.",
                 "- Quê quán: Phường La Gi, tỉnh Lâm Đồng.",
                 "- Nơi thường trú: Khu phố 5, phường La Gi, tỉnh Lâm Đồng.",
                 "- Đơn vị công tác: UBND phường La Gi.",
                 "- Chức vụ: Công chức Văn hóa - Xã hội.",
                 "- Trình độ chuyên môn, nghiệp vụ: Đại học; Trung cấp lý luận chính trị.",
                 "- Sử dụng thành thạo nền tảng định danh điện tử VNeID từ ngày 14/02/2026, trước thời hạn ngày "
                 "31/03/2026, hướng dẫn được người dân sử dụng VNeID.",
                 "- Số lượt người được trực tiếp hướng dẫn: 1.245 người (trong đó 410 người cao tuổi).",
                 "1) Tra cứu tiến độ hồ sơ bằng mã QR (áp dụng từ 01/04/2026): dán mã QR tại Bộ phận "
                 "một cửa để người dân tự tra cứu"):
        assert line in texts, line
    classes = next(t for t in doc.tables if table_rows(t)[0][1] == "Nội dung lớp học, buổi hướng dẫn")
    assert table_rows(classes)[1] == ["1", "VNeID và Dịch vụ công Quốc gia cho người cao tuổi",
                                      "09/05/2026", "Nhà văn hóa Khu phố 5", "42"]
    # the signature table sits in the unsplittable row of an outer table (issue #11)
    signs = table_rows(doc.tables[-1].cell(0, 0).tables[0])
    assert signs[0][0].startswith("THỦ TRƯỞNG ĐƠN VỊ XÁC NHẬN, ĐỀ NGHỊ\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH")
    assert signs[0][1].startswith("NGƯỜI BÁO CÁO THÀNH TÍCH\n(Ký, ghi rõ họ và tên)")
    assert signs[1][0].strip() == "Nguyễn Văn Thành" and signs[1][1].strip() == "Nguyễn Thị Hồng Nhung"
    _no_template_tags(doc)


def test_individual_report_party_heading_and_missing_vneid(fs98):
    ach = sd.achievements()[4]
    party = Issuer(format="party", name="CHI BỘ KHU PHỐ 5", abbreviation="CB", place="La Gi",
                   signer_title="BÍ THƯ", signer_name="Trần Văn Hùng")
    ach = dataclasses.replace(ach, issuer=party, individual=dataclasses.replace(
        ach.individual, vneid_proficient_on=None, people_guided=None))
    doc = _render(fs98, ach)
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert "- Chưa có xác nhận sử dụng thành thạo nền tảng định danh điện tử VNeID." in texts
    assert not any(t.startswith("- Số lượt người") for t in texts)
    _no_template_tags(doc)
