"""Certificates (Giấy khen): layouts checked on load, text fitted to its box and measured in the
PDF, plain-paper version, calibration page, the ceremony list, the service and the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import zipfile
from pathlib import Path

import pytest

from bdhvs_desktop.documents import certificate_layout as cl
from bdhvs_desktop.documents import certificates as cert
from bdhvs_desktop.documents.pdf_reports import FONT, FONT_BOLD, register_fonts
from tests.certificate_measure import inside, lines_of, poppler_words, word_inside

DATE = dt.date(2026, 12, 5)
LONG_UNIT = ("Chi bộ Khu phố 3 thuộc Đảng bộ phường La Gi, Ban công tác Mặt trận, Chi hội Phụ nữ và "
             "Chi đoàn Thanh niên khu phố ba (mô phỏng)")
assert len(LONG_UNIT) >= 120
ONE_WORD = "NguyễnThịThanhHươngĐặngHoàngThuỵVânTrươngQuốcKhánhHuỳnhLêBảoNgọcTrânPhạm"
DIACRITICS = ("Ỷ Ỵ Ữ Ẫ Ậ Ặ Ễ Ổ Ờ Ở Ỡ Ợ Ừ Ử Ự Ỳ Ỹ Ẩ Ẳ Ẵ Ể Ỗ ỷ ỵ ữ ẫ ậ ặ ễ ổ ờ ở ỡ ợ ừ ử ự ỳ ỹ "
              "Thủy Thuỷ Hòa Hoà Đặng Ð & <b> {{ x }} “Bình dân học vụ số” ") * 3


def awardee(i: int = 0, **kw) -> cert.Awardee:
    base = dict(key=f"k{i}", name=f"Nguyễn Văn Thử {i}", honorific="Ông", unit_line="Chi bộ Khu phố 1",
                achievement_line="Đã có thành tích xuất sắc trong phong trào", award_code="GK_CT_UBND",
                award_name="Giấy khen của Chủ tịch Ủy ban nhân dân phường", award_level="ward",
                award_issuer="Chủ tịch Ủy ban nhân dân phường La Gi", decision_number="123/QĐ-UBND",
                decision_date=DATE, collective=False)
    base.update(kw)
    return cert.Awardee(**base)


HOSTILE = [
    awardee(1, unit_line=LONG_UNIT),
    awardee(2, name=ONE_WORD, honorific=""),
    awardee(3, achievement_line=DIACRITICS, name="Ỷ Ỵ Ữ Ẫ Ậ Ặ Ễ Ổ Ờ Ở Ỡ Ợ Ừ Ử Ự Ỳ Ỹ " * 4),
    awardee(4, name=LONG_UNIT * 2, unit_line=ONE_WORD * 2, achievement_line=DIACRITICS * 3,
            decision_number="1234567890/QĐ-UBND-" + ONE_WORD),
]


def _layout(fmt: str = "state") -> cl.Layout:
    return cl.builtin_layout("", fmt)


def _norm(text: str) -> str:
    return "".join(text.split())


def _check_pdf(pdf: Path, awardees, layout: cl.Layout, place: str) -> None:
    """Every line of every field lies inside its box, and nothing of any field is lost."""
    page_w, page_h = layout.page_points
    pages = lines_of(pdf)
    assert len(pages) == len(awardees)
    for a, lines in zip(awardees, pages):
        texts = cert.field_texts(a, layout, place)
        got: dict[str, str] = {k: "" for k in texts}
        for line in lines:
            owners = [k for k, t in texts.items() if t and _norm(line.text) in _norm(t)
                      and _norm(got[k] + line.text) == _norm(t)[:len(_norm(got[k] + line.text))]]
            if not owners:  # plain paper: the frame (heading, title) must stay inside the border
                assert line.x0 >= 10 * cl.MM and line.x1 <= page_w - 10 * cl.MM, line
                assert line.bottom >= 10 * cl.MM and line.top <= page_h - 10 * cl.MM, line
                continue
            key = owners[0]
            box = layout.fields[key]
            assert inside(line, box, page_h), (key, line, box)
            got[key] += line.text
        for key, text in texts.items():
            assert _norm(got[key]) == _norm(text), (key, got[key], text)


# ------------------------------------------------------------------------------ fitting


@pytest.mark.parametrize("text", [LONG_UNIT, ONE_WORD, DIACRITICS, ONE_WORD * 5, "a " * 400, "Ngắn"])
@pytest.mark.parametrize("size,min_size,w_mm,h_mm", [(26, 14, 237, 18), (16, 10, 60, 8), (12, 8, 15, 4)])
def test_fit_text_never_larger_than_its_box(text, size, min_size, w_mm, h_mm):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    register_fonts()
    fitted = cert.fit_text(text, FONT_BOLD, w_mm * cl.MM, h_mm * cl.MM, size, min_size)
    assert fitted.lines
    assert " ".join(fitted.lines).split() == text.split()  # wrapped at word boundaries, nothing lost
    for line in fitted.lines:
        assert stringWidth(line, FONT_BOLD, fitted.size) <= w_mm * cl.MM - 2 * cert.SIDE_PAD + 1e-6
    assert cert.block_height(len(fitted.lines), fitted.size, FONT_BOLD) <= h_mm * cl.MM + 1e-6
    assert fitted.size <= size


def test_fit_text_prefers_the_largest_size_then_wraps_then_shrinks(caplog):
    register_fonts()
    short = cert.fit_text("Nguyễn Văn An", FONT, 200 * cl.MM, 20 * cl.MM, 26, 14)
    assert short.size == 26 and short.lines == ("Nguyễn Văn An",) and not short.below_min
    wrapped = cert.fit_text(LONG_UNIT, FONT, 237 * cl.MM, 30 * cl.MM, 16, 10)
    assert len(wrapped.lines) == 2 and wrapped.size >= 10 and not wrapped.below_min
    with caplog.at_level(logging.WARNING, logger="bdhvs"):
        tiny = cert.fit_text(ONE_WORD, FONT, 40 * cl.MM, 8 * cl.MM, 16, 10, label="name")
    assert tiny.below_min and tiny.size < 10
    assert any("shrunk" in r.getMessage() and "name" in r.getMessage() for r in caplog.records)


def test_fit_text_keeps_hard_line_breaks():
    register_fonts()
    fitted = cert.fit_text("T/M BAN THƯỜNG VỤ\nBÍ THƯ", FONT_BOLD, 125 * cl.MM, 14 * cl.MM, 13, 9)
    assert fitted.lines == ("T/M BAN THƯỜNG VỤ", "BÍ THƯ")


# ------------------------------------------------------------------- measured in the PDF


@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("fmt", ["state", "party"])
def test_every_field_lies_inside_its_box_in_the_pdf(tmp_path, plain, fmt):
    layout = _layout(fmt)
    pdf = tmp_path / "gk.pdf"
    cert.write_pdf(pdf, cert.certificates_pdf(HOSTILE, lambda code: layout, place="La Gi", plain=plain))
    _check_pdf(pdf, HOSTILE, layout, "La Gi")


def test_the_measurement_catches_a_careless_drawer(tmp_path, monkeypatch):
    """The check above can fail: with text drawn at its largest size on one line (what a naive
    drawString does), the long unit name is measured outside its box."""
    layout = _layout()

    def naive(text, font, width, height, max_size, min_size, *, label=""):
        return cert.Fitted(max_size, cert.LEADING * max_size, (" ".join(text.split()),), False)

    monkeypatch.setattr(cert, "fit_text", naive)
    pdf = tmp_path / "gk.pdf"
    cert.write_pdf(pdf, cert.certificates_pdf(HOSTILE[:1], lambda code: layout, place="La Gi"))
    with pytest.raises(AssertionError, match="unit"):
        _check_pdf(pdf, HOSTILE[:1], layout, "La Gi")


def test_poppler_finds_every_word_of_a_blank_print_inside_a_field_box(tmp_path):
    """An independent reader: on a blank, everything printed is a field, so every word's box
    (as poppler computes it) must lie in one of the layout's boxes."""
    layout = _layout()
    pdf = tmp_path / "gk.pdf"
    cert.write_pdf(pdf, cert.certificates_pdf(HOSTILE, lambda code: layout, place="La Gi"))
    pages = poppler_words(pdf)
    assert len(pages) == len(HOSTILE)
    for words in pages:
        assert len(words) > 20
        for w in words:
            assert any(word_inside(w, box) for box in layout.fields.values()), w


def test_custom_page_and_tiny_boxes_still_never_overflow(tmp_path, caplog):
    layout = _layout()
    data = layout.to_dict()
    data.update(page_size="custom", custom_width=240, custom_height=170)
    for _key, box in data["fields"].items():
        box.update(x=box["x"] * 0.7, y=box["y"] * 0.7, width=min(box["width"] * 0.3, 60), height=5,
                   font_size=20, min_font_size=12)
    small = cl.layout_from_dict(data, "nhỏ")
    pdf = tmp_path / "gk.pdf"
    with caplog.at_level(logging.WARNING, logger="bdhvs"):
        cert.write_pdf(pdf, cert.certificates_pdf(HOSTILE, lambda code: small, place="La Gi"))
    assert any("shrunk" in r.getMessage() for r in caplog.records)
    _check_pdf(pdf, HOSTILE, small, "La Gi")
    from pypdf import PdfReader

    box = PdfReader(str(pdf)).pages[0].mediabox
    assert round(float(box.width) / cl.MM) == 240 and round(float(box.height) / cl.MM) == 170


def test_a3_and_portrait_pages(tmp_path):
    from pypdf import PdfReader

    for size, orientation, expect in (("A3", "landscape", (420, 297)), ("A4", "portrait", (210, 297))):
        data = _layout().to_dict()
        data.update(page_size=size, orientation=orientation)
        if orientation == "portrait":  # the A4-landscape boxes do not fit a portrait page
            for box in data["fields"].values():
                box.update(x=box["x"] * 0.6, width=box["width"] * 0.6)
        layout = cl.layout_from_dict(data, size)
        pdf = tmp_path / f"{size}.pdf"
        cert.write_pdf(pdf, cert.certificates_pdf(HOSTILE[:2], lambda code: layout, place="La Gi", plain=True))
        page = PdfReader(str(pdf)).pages[0].mediabox
        assert (round(float(page.width) / cl.MM), round(float(page.height) / cl.MM)) == expect
        _check_pdf(pdf, HOSTILE[:2], layout, "La Gi")


def test_plain_paper_prints_heading_by_format_and_title(tmp_path):
    from pypdf import PdfReader

    for fmt, heading, absent in (("state", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "ĐẢNG CỘNG SẢN"),
                                 ("party", "ĐẢNG CỘNG SẢN VIỆT NAM", "CỘNG HÒA")):
        pdf = tmp_path / f"{fmt}.pdf"
        cert.write_pdf(pdf, cert.certificates_pdf([awardee()], lambda code: _layout(fmt), place="La Gi", plain=True))
        text = PdfReader(str(pdf)).pages[0].extract_text()
        assert heading in text and absent not in text
        assert "GIẤY KHEN" in text and "TẶNG" in text and "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG LA GI" in text
        if fmt == "state":
            assert "Độc lập - Tự do - Hạnh phúc" in text
    blank = tmp_path / "blank.pdf"
    cert.write_pdf(blank, cert.certificates_pdf([awardee()], lambda code: _layout(), place="La Gi"))
    text = PdfReader(str(blank)).pages[0].extract_text()
    assert "GIẤY KHEN" not in text and "CỘNG HÒA" not in text  # pre-printed on the blank
    assert "Ông Nguyễn Văn Thử 0" in text and "La Gi, ngày 05 tháng 12 năm 2026" in text
    assert "Quyết định số 123/QĐ-UBND ngày 05/12/2026" in text


def test_fonts_are_embedded(tmp_path):
    """Every font that draws text is Liberation Serif, embedded (reportlab also lists its unused
    default Helvetica in the page resources; no text uses it)."""
    from pypdf import PdfReader

    pdf = tmp_path / "gk.pdf"
    cert.write_pdf(pdf, cert.certificates_pdf(HOSTILE, lambda code: _layout(), place="La Gi", plain=True))
    page = PdfReader(str(pdf)).pages[0]
    used = set()
    page.extract_text(visitor_text=lambda text, cm, tm, fd, fs: used.add(fd["/BaseFont"]) if text.strip() else None)
    assert used and all("LiberationSerif" in name for name in used)
    for ref in page["/Resources"]["/Font"].values():
        font = ref.get_object()
        if font["/BaseFont"] not in used:
            continue
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object(), font["/BaseFont"]


def test_calibration_page_has_grid_labels_and_boxes(tmp_path):
    from pypdf import PdfReader

    pdf = tmp_path / "calib.pdf"
    layouts = [_layout("state"), _layout("party")]
    cert.write_pdf(pdf, cert.calibration_pdf(layouts, sample=awardee(), place="La Gi"))
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 2
    text = reader.pages[0].extract_text()
    for label in cl.FIELDS.values():
        assert label in text
    assert "Trang căn chỉnh" in text and "100 mm" in text and "x 30, y 86, 237 × 18 mm" in text
    for n in ("10", "100", "200", "280"):
        assert n in text.split()
    with pytest.raises(cert.CertificateError):
        cert.calibration_pdf([])


def test_cancel_writes_nothing(tmp_path):
    out = tmp_path / "gk.pdf"
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(cert.CertificatesCancelled):
        data = cert.certificates_pdf([awardee(i) for i in range(50)], lambda code: _layout(), place="X",
                                     cancel=cancel)
        cert.write_pdf(out, data)
    assert not out.exists()


# ---------------------------------------------------------------------------- layouts


def _bad(mutate) -> str:
    data = _layout().to_dict()
    mutate(data)
    with pytest.raises(cl.LayoutError) as info:
        cl.layout_from_dict(data, "GK_TEST")
    return str(info.value)


def test_layout_validation_messages_say_what_and_where():
    msg = _bad(lambda d: d["fields"]["name"].update(x="abc"))
    assert "GK_TEST" in msg and "Tên tập thể, cá nhân" in msg and "“x” phải là một số" in msg
    msg = _bad(lambda d: d["fields"]["unit"].update(x=200, width=150))
    assert "Chức vụ, đơn vị" in msg and "vượt ra ngoài trang 297 × 210 mm" in msg
    msg = _bad(lambda d: d["fields"]["decision"].update(font_size=8, min_font_size=12))
    assert "cỡ chữ nhỏ nhất (12) lớn hơn cỡ chữ lớn nhất (8)" in msg
    msg = _bad(lambda d: d["fields"]["name"].update(align="justify"))
    assert "align" in msg and "left, center, right" in msg
    msg = _bad(lambda d: d["fields"].pop("signer_name"))
    assert "Họ tên người ký" in msg and "thiếu vị trí" in msg
    msg = _bad(lambda d: d["fields"].update(logo={"x": 1}))
    assert "logo" in msg
    msg = _bad(lambda d: d.update(page_size="Letter"))
    assert "page_size" in msg and "A4, A3, custom" in msg
    msg = _bad(lambda d: d["fields"]["name"].update(font_size=float("nan")))
    assert "font_size" in msg
    msg = _bad(lambda d: d["fields"]["name"].update(bold="yes"))
    assert "true hoặc false" in msg
    with pytest.raises(cl.LayoutError, match="thiếu bảng “fields”"):
        cl.layout_from_dict({"title": "x"}, "X")


def test_layout_files_round_trip_and_bad_files(tmp_path):
    layout = _layout("party")
    for suffix, dump in ((".toml", cl.layout_to_toml), (".json", cl.layout_to_json)):
        path = tmp_path / f"l{suffix}"
        path.write_text(dump(layout), encoding="utf-8")
        assert cl.load_layout_file(path) == layout
    (tmp_path / "bad.toml").write_text("title = \n", encoding="utf-8")
    with pytest.raises(cl.LayoutError, match="bad.toml.*TOML sai"):
        cl.load_layout_file(tmp_path / "bad.toml")
    (tmp_path / "bad.json").write_text("{\n  \"title\": ,\n}", encoding="utf-8")
    with pytest.raises(cl.LayoutError, match="JSON sai ở dòng 2"):
        cl.load_layout_file(tmp_path / "bad.json")
    (tmp_path / "l.txt").write_text("x", encoding="utf-8")
    with pytest.raises(cl.LayoutError, match=r"\.toml hoặc \.json"):
        cl.load_layout_file(tmp_path / "l.txt")


def test_builtin_layouts_load_and_differ_by_format():
    state, party = _layout("state"), _layout("party")
    assert state.format == "state" and party.format == "party"
    assert party.signer_title == "T/M BAN THƯỜNG VỤ\nBÍ THƯ"
    assert state.page_mm == (297, 210) and set(state.fields) == set(cl.FIELDS)


# ------------------------------------------------------------------------- ceremony


def _docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_ceremony_docx_order_seats_and_counts(tmp_path):
    from docx import Document

    from bdhvs_desktop.documents.ceremony import ceremony_docx, seat_of

    people = [
        awardee(1, name="Chi bộ A & <B>", honorific="", collective=True),
        awardee(2, name="Chi bộ C", honorific="", collective=True, award_code="BK", award_name="Bằng khen tỉnh"),
        awardee(3, name="Trần Thị {{ x }}", honorific="Bà"),
        awardee(4, name="Lê Văn D"),
        awardee(5, name="Phạm E"),
    ]
    path = tmp_path / "xd.docx"
    path.write_bytes(ceremony_docx(people, campaign_title="phong trào “Bình dân học vụ số”",
                                   locality="phường La Gi", seats=True, seats_per_row=2))
    text = _docx_text(path)
    assert "DANH SÁCH XƯỚNG DANH" in text and "I. TẬP THỂ" in text and "II. CÁ NHÂN" in text
    assert "Chi bộ A & <B>" in text and "Bà Trần Thị {{ x }}" in text
    doc = Document(str(path))
    body_rows = [[c.text for c in r.cells] for t in doc.tables[:-1] for r in t.rows[1:]]
    assert [r[3] for r in body_rows] == ["Chi bộ A & <B>", "Chi bộ C", "Bà Trần Thị {{ x }}", "Ông Lê Văn D",
                                         "Ông Phạm E"]
    assert [(r[1], r[2]) for r in body_rows] == [("1", "1"), ("1", "2"), ("2", "1"), ("2", "2"), ("3", "1")]
    assert seat_of(5, 2) == (3, 2)
    summary = [[c.text for c in r.cells] for r in doc.tables[-1].rows]
    assert summary[1] == ["1", "Giấy khen của Chủ tịch Ủy ban nhân dân phường", "1", "3", "4"]
    assert summary[2] == ["2", "Bằng khen tỉnh", "1", "0", "1"]
    assert summary[-1] == ["", "Tổng cộng", "2", "3", "5"]
    with zipfile.ZipFile(path) as z:
        assert "{{" not in z.read("word/document.xml").decode().replace("{{ x }}", "")


def test_ceremony_without_seats_has_no_seat_columns(tmp_path):
    from docx import Document

    from bdhvs_desktop.documents.ceremony import ceremony_docx

    path = tmp_path / "xd.docx"
    path.write_bytes(ceremony_docx([awardee(1)], campaign_title="x", locality="", seats=False))
    header = [c.text for c in Document(str(path)).tables[0].rows[0].cells]
    assert header == ["STT", "Tên tập thể, họ và tên", "Chức vụ, đơn vị"]


@pytest.mark.parametrize("seats", [True, False])
def test_ceremony_tables_declare_their_column_widths(tmp_path, seats):
    """LibreOffice and Word lay a table out from its grid (w:tblGrid), not from the cells' widths:
    with python-docx's equal grid the MC's list had wide STT/Hàng/Ghế columns and the names
    squeezed into a narrow one."""
    from docx import Document
    from docx.oxml.ns import qn

    from bdhvs_desktop.documents.ceremony import ceremony_docx

    path = tmp_path / "xd.docx"
    path.write_bytes(ceremony_docx([awardee(1), awardee(2, collective=True)], campaign_title="x", locality="",
                                   seats=seats))
    doc = Document(str(path))
    for table in doc.tables:
        grid = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        header = [c.text for c in table.rows[0].cells]
        name_col = header.index("Tên tập thể, họ và tên" if "Cộng" not in header else "Hình thức khen thưởng")
        assert grid[name_col] >= 2 * grid[0], (header, grid)
        assert sum(grid) <= 17 / 2.54 * 1440 + 1, (header, grid)  # twips, within the 17 cm text width


# --------------------------------------------------------------------- service and CLI


def _hostile_records(db) -> None:
    """Records a careless user (or a direct SQL edit) leaves: a 120+-character unit name, a
    person whose name is one very long word, diacritics everywhere."""
    from sqlalchemy import select, update

    from bdhvs_desktop.storage import models as m

    with db.session() as s:
        cands = list(s.scalars(select(m.Candidate).where(m.Candidate.status == "approved").order_by(m.Candidate.id)))
        unit = next(c for c in cands if c.subject_type == "unit")
        person = next(c for c in cands if c.subject_type == "person")
        s.execute(update(m.Unit).where(m.Unit.id == unit.unit_id).values(name=LONG_UNIT))
        s.execute(update(m.Person).where(m.Person.id == person.person_id).values(full_name=ONE_WORD,
                                                                                 position=DIACRITICS[:90]))


def test_service_prints_the_approved_candidates_measured(demo_db, tmp_path):
    from bdhvs_desktop.services import certificate_awardees, certificate_layouts
    from bdhvs_desktop.services import certificates as svc

    _hostile_records(demo_db)
    awardees = certificate_awardees.list_awardees(demo_db, decision="45", decision_date=DATE)
    assert awardees and all(a.decision_number == "45/QĐ-UBND" for a in awardees if a.award_code == "GK_CT_UBND")
    kinds = [a.collective for a in awardees]
    assert kinds == sorted(kinds, reverse=True)  # collectives first
    assert {a.name for a in awardees} >= {LONG_UNIT, ONE_WORD}
    for plain in (False, True):
        out = tmp_path / f"gk-{plain}.pdf"
        outcome = svc.print_certificates(demo_db, out, plain=plain, decision="45", decision_date=DATE)
        assert outcome.count == len(awardees) and sum(n for _, n in outcome.per_form) == len(awardees)
        layout = certificate_layouts.get_layout(demo_db, "GK_CT_UBND")
        same = [a for a in awardees]
        assert all(a.award_code == "GK_CT_UBND" for a in same)
        _check_pdf(out, same, layout, "La Gi")


def test_party_award_uses_party_layout_and_symbol(demo_db):
    from sqlalchemy import select, update

    from bdhvs_desktop.services import certificate_awardees, certificate_layouts
    from bdhvs_desktop.services import certificates as svc
    from bdhvs_desktop.storage import models as m

    with demo_db.session() as s:
        form = s.scalar(select(m.AwardForm).where(m.AwardForm.code == "GK_BTV_DU"))
        s.execute(update(m.Candidate).where(m.Candidate.status == "approved", m.Candidate.subject_type == "unit")
                  .values(award_form_id=form.id))
    party = [a for a in certificate_awardees.list_awardees(demo_db, decision="45", decision_date=DATE) if a.award_code == "GK_BTV_DU"]
    assert party and party[0].decision_number == "45-QĐ/ĐU"
    assert certificate_layouts.get_layout(demo_db, "GK_BTV_DU").format == "party"
    assert certificate_awardees.list_awardees(demo_db, decision="45/QĐ-UBND")[-1].decision_number == "45/QĐ-UBND"  # as typed
    assert {a.award_code for a in certificate_awardees.list_awardees(demo_db, award_form="GK_BTV_DU")} == {"GK_BTV_DU"}
    with pytest.raises(svc.CertificateError, match="Không có hình thức khen thưởng mã “KHONG_CO”"):
        certificate_awardees.list_awardees(demo_db, award_form="KHONG_CO")


def test_office_layout_saved_in_settings_reset_and_a_sql_edit_is_refused(demo_db, tmp_path):
    from sqlalchemy import update

    from bdhvs_desktop.services import certificate_layouts
    from bdhvs_desktop.services import certificates as svc
    from bdhvs_desktop.services.auth import act_as_administrator
    from bdhvs_desktop.storage import models as m

    act_as_administrator(demo_db)
    layout = certificate_layouts.get_layout(demo_db, "GK_CT_UBND")
    assert not certificate_layouts.layout_is_edited(demo_db, "GK_CT_UBND")
    moved = layout.with_field("name", dataclasses.replace(layout.fields["name"], y=80, font_size=30))
    certificate_layouts.save_layout(demo_db, moved)
    assert certificate_layouts.layout_is_edited(demo_db, "GK_CT_UBND")
    assert certificate_layouts.get_layout(demo_db, "GK_CT_UBND").fields["name"].y == 80
    assert certificate_layouts.get_layout(demo_db, "GK_BTV_DU").fields["name"].y == 86  # other forms unchanged
    # someone edits the stored JSON by hand: the layout is refused with a message, not printed wrong
    bad = moved.to_dict()
    bad["fields"]["name"]["width"] = 5000
    with demo_db.session() as s:
        s.execute(update(m.Setting).where(m.Setting.key == "certificates.layout.GK_CT_UBND").values(value=bad))
    with pytest.raises(cl.LayoutError, match="GK_CT_UBND.*bản của văn phòng.*width"):
        svc.print_certificates(demo_db, tmp_path / "x.pdf", decision="1", decision_date=DATE)
    assert not (tmp_path / "x.pdf").exists()
    assert certificate_layouts.reset_layout(demo_db, "GK_CT_UBND").fields["name"].y == 86
    assert not certificate_layouts.layout_is_edited(demo_db, "GK_CT_UBND")
    with demo_db.read() as s:
        from sqlalchemy import select

        actions = [(a.action, a.field) for a in s.scalars(select(m.AuditEntry).where(
            m.AuditEntry.field == "certificates.layout.GK_CT_UBND"))]
    assert ("update", "certificates.layout.GK_CT_UBND") in actions and ("delete", "certificates.layout.GK_CT_UBND") in actions


def test_ceremony_from_the_service_counts_equal_the_awardees(demo_db, tmp_path):
    from docx import Document

    from bdhvs_desktop.services import certificate_awardees
    from bdhvs_desktop.services import certificates as svc

    awardees = certificate_awardees.list_awardees(demo_db)
    out = svc.ceremony(demo_db, tmp_path / "xd.docx", seats=True, seats_per_row=4)
    doc = Document(str(out))
    rows = [[c.text for c in r.cells] for t in doc.tables[:-1] for r in t.rows[1:]]
    assert [r[3] for r in rows] == [a.display_name for a in awardees]
    total = [c.text for c in doc.tables[-1].rows[-1].cells]
    assert total[2:] == [str(sum(a.collective for a in awardees)), str(sum(not a.collective for a in awardees)),
                         str(len(awardees))]
    last = awardees[-1]
    out = svc.ceremony(demo_db, tmp_path / "xd2.docx", order=[last.key])  # the office calls this one first
    rows = [[c.text for c in r.cells] for t in Document(str(out)).tables[:-1] for r in t.rows[1:]]
    assert [r[1] for r in rows] == [last.display_name] + [a.display_name for a in awardees[:-1]]
    with pytest.raises(svc.CertificateError, match="không có trong danh sách"):
        svc.ceremony(demo_db, tmp_path / "x.docx", order=["candidate:99999"])
    with pytest.raises(svc.CertificateError, match="Số ghế mỗi hàng"):
        svc.ceremony(demo_db, tmp_path / "x.docx", seats=True, seats_per_row=0)


def test_no_awardees_is_a_clear_error(db, tmp_path):
    from bdhvs_desktop.services import certificates as svc

    with pytest.raises(svc.CertificateError, match="Chưa có phong trào"):
        svc.print_certificates(db, tmp_path / "x.pdf")


def _cli(*argv, db_path):
    import contextlib
    import io

    from bdhvs_desktop.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", str(db_path), *argv])
    return code, out.getvalue(), err.getvalue()


def test_cli_certificates_and_ceremony(demo_db, tmp_path):
    from pypdf import PdfReader

    db_path = tmp_path / "demo.sqlite3"  # the demo_db fixture's copy
    assert db_path.is_file()
    code, out, err = _cli("certificates", "print", "--out", str(tmp_path / "gk.pdf"), "--decision", "45",
                          "--date", "05/12/2026", db_path=db_path)
    assert code == 0, err
    assert "Đã tạo 6 giấy khen (in trên phôi)" in out
    assert "Quyết định số 45/QĐ-UBND ngày 05/12/2026" in PdfReader(str(tmp_path / "gk.pdf")).pages[0].extract_text()
    code, out, err = _cli("certificates", "layout", "export", "--award-form", "GK_CT_UBND", "--out",
                          str(tmp_path / "l.json"), db_path=db_path)
    assert code == 0, err
    data = json.loads((tmp_path / "l.json").read_text(encoding="utf-8"))
    data["fields"]["unit"]["min_font_size"] = 40
    (tmp_path / "l.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = _cli("certificates", "layout", "import", str(tmp_path / "l.json"), "--award-form", "GK_CT_UBND",
                          db_path=db_path)
    assert code == 2 and "Chức vụ, đơn vị" in err and "cỡ chữ nhỏ nhất (40)" in err
    data["fields"]["unit"]["min_font_size"] = 9
    data["fields"]["unit"]["y"] = 104
    (tmp_path / "l.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = _cli("certificates", "layout", "import", str(tmp_path / "l.json"), "--award-form", "GK_CT_UBND",
                          db_path=db_path)
    assert code == 0, err
    code, out, err = _cli("certificates", "layout", "show", "--award-form", "GK_CT_UBND", "--json", db_path=db_path)
    shown = json.loads(out)
    assert shown[0]["edited"] is True and shown[0]["fields"]["unit"]["y"] == 104
    code, out, err = _cli("certificates", "layout", "calibrate", "--out", str(tmp_path / "c.pdf"), db_path=db_path)
    assert code == 0 and len(PdfReader(str(tmp_path / "c.pdf")).pages) == 4  # one per award form
    code, out, err = _cli("certificates", "print", "--out", str(tmp_path / "gk.pdf"), "--award-form", "BK_BTV_TU",
                          db_path=db_path)
    assert code == 1 and "Không có tập thể, cá nhân nào" in err
    code, out, err = _cli("certificates", "print", "--out", str(tmp_path / "gk.docx"), db_path=db_path)
    assert code == 2 and ".pdf" in err
    (tmp_path / "order.txt").write_text("Đặng Thành Sơn\n", encoding="utf-8")
    code, out, err = _cli("ceremony", "--out", str(tmp_path / "xd.docx"), "--seats", "--order",
                          str(tmp_path / "order.txt"), db_path=db_path)
    assert code == 0, err
    assert "3 tập thể, 3 cá nhân" in out
    from docx import Document

    assert Document(str(tmp_path / "xd.docx")).tables[0].rows[1].cells[3].text == "Ông Đặng Thành Sơn"
    (tmp_path / "order.txt").write_text("Người Không Có\n", encoding="utf-8")
    code, out, err = _cli("ceremony", "--out", str(tmp_path / "xd.docx"), "--order", str(tmp_path / "order.txt"),
                          db_path=db_path)
    assert code == 2 and "dòng 1" in err and "Người Không Có" in err


def test_issued_awards_are_read_from_the_register(demo_db, tmp_path):
    """After `decision issue`, the awardees come from the award register with the decision's own
    number and date; --decision selects that decision; approved candidates not yet in a decision
    are printed with the number and date given."""
    from pypdf import PdfReader
    from sqlalchemy import select, update

    from bdhvs_desktop.services import certificate_awardees
    from bdhvs_desktop.services import certificates as svc
    from bdhvs_desktop.services.auth import act_as_administrator
    from bdhvs_desktop.services.decision import issue_decision
    from bdhvs_desktop.storage import models as m

    act_as_administrator(demo_db)
    before = certificate_awardees.list_awardees(demo_db)
    issued_ids = [int(a.key.split(":")[1]) for a in before[:2]]
    issue_decision(demo_db, number="15", date=dt.date(2026, 12, 20), award_code="GK_CT_UBND",
                   candidate_ids=issued_ids, today=dt.date(2026, 12, 20))
    # The register keeps the name as written on the decision: a later rename of the unit does not
    # change the certificate of an award already issued.
    with demo_db.session() as s:
        rec = s.scalar(select(m.AwardRecord).where(m.AwardRecord.candidate_id == issued_ids[0]))
        s.execute(update(m.Unit).where(m.Unit.id == rec.unit_id).values(name="Tên đổi sau quyết định"))
        written = rec.subject_name
    everyone = certificate_awardees.list_awardees(demo_db, decision="16", decision_date=dt.date(2026, 12, 22))
    assert all(a.decision_number == "16/QĐ-UBND" for a in everyone)  # the pending ones only
    assert {int(a.key.split(":")[1]) for a in everyone}.isdisjoint(issued_ids)
    only = certificate_awardees.list_awardees(demo_db, decision="15")
    assert sorted(int(a.key.split(":")[1]) for a in only) == sorted(issued_ids)
    assert all(a.decision_number == "15/QĐ-UBND" and a.decision_date == dt.date(2026, 12, 20) for a in only)
    assert written in {a.name for a in only}
    assert certificate_awardees.list_awardees(demo_db, decision="15/QĐ-UBND") == only
    assert len(certificate_awardees.list_awardees(demo_db)) == len(before)
    out = svc.print_certificates(demo_db, tmp_path / "gk.pdf", decision="15")
    assert out.count == 2
    text = "".join(p.extract_text() for p in PdfReader(str(out.path)).pages)
    assert text.count("Quyết định số 15/QĐ-UBND ngày 20/12/2026") == 2 and "Tên đổi sau quyết định" not in text
