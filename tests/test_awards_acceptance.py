"""Issue #13 "Done when", end to end on the demo ward through the command line, as the ward
secretary would: the council approves 50 awardees (the demo's six plus 44 proposed and voted at a
second meeting, tests/awards_more.py), the decision is issued with its number and date, the
certificates are printed for all 50 on the blank layout and on plain paper (every field measured
in the PDF), the ceremony list and the register count the same 50, a person's history shows the
award, a second proposal of the same achievement is refused naming the decision, the 2026
statistics count exactly the awards issued, and `bdhvs check` finds the register consistent.

The single steps have their own tests (test_decision, test_certificates, test_statistics,
test_awards); this one checks that they agree with each other on one database."""

from __future__ import annotations

import contextlib
import io
import json

from docx import Document
from sqlalchemy import func, select

from bdhvs_desktop.documents.render import docx_text
from bdhvs_desktop.services import certificate_awardees, certificate_layouts
from bdhvs_desktop.services import statistics as stats_service
from bdhvs_desktop.storage import models as m
from tests.awards_more import approve_more
from tests.test_certificates import _check_pdf
from tests.test_statistics import _rows

TOTAL = 50


def _cli(db, *argv):
    from bdhvs_desktop.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", str(db.path), *argv])
    return code, out.getvalue(), err.getvalue()


def test_fifty_awardees_from_the_council_to_the_statistics(demo_db, tmp_path):
    from bdhvs_desktop.services.dossier import _authority

    approve_more(demo_db, TOTAL)
    code, out, err = _cli(demo_db, "decision", "show")
    assert code == 0 and f"{TOTAL} hồ sơ" in out, (out, err)

    # The decision: number and date entered; the heading is the granting authority the dossier routes to.
    code, out, err = _cli(demo_db, "decision", "issue", "--award", "GK_CT_UBND", "--number", "15", "--date",
                          "20/12/2026", "--out", str(tmp_path / "qd"))
    assert code == 0, err
    assert f"{TOTAL} tập thể, cá nhân được ghi vào sổ khen thưởng" in out
    with demo_db.read() as s:
        campaign = s.scalar(select(m.Campaign))
        form = s.scalar(select(m.AwardForm).where(m.AwardForm.code == "GK_CT_UBND"))
        authority = _authority(campaign, form)
        issued_units = s.scalar(select(func.count()).select_from(m.Candidate)
                                .where(m.Candidate.status == "issued", m.Candidate.subject_type == "unit"))
    register = json.loads(_cli(demo_db, "awards", "list", "--year", "2026", "--json")[1])
    assert len(register) == TOTAL
    assert {a["decision_number"] for a in register} == {"15/QĐ-UBND"}
    n_units = sum(1 for a in register if a["subject_type"] == "unit")
    n_people = TOTAL - n_units
    assert issued_units == n_units == 3  # the demo's three collectives
    text = docx_text((tmp_path / "qd" / "quyet-dinh-khen-thuong-so-15.docx").read_bytes())
    assert "{{" not in text and "{%" not in text
    assert authority.format == "state" and "Số: 15/QĐ-UBND" in text
    assert authority.name.upper() in text.upper()  # "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG LA GI"
    assert "ngày 20 tháng 12 năm 2026" in text
    assert f"{n_units:02d} tập thể và {n_people:02d} cá nhân" in text
    for a in register:
        assert a["subject_name"] in text

    # Every candidate reads as awarded, with the decision named.
    code, out, _ = _cli(demo_db, "candidates")
    assert out.count("Đã có quyết định khen thưởng (số 15/QĐ-UBND)") == TOTAL

    # Certificates for all 50: on the blank layout and on plain paper, every field inside its box.
    awardees = certificate_awardees.list_awardees(demo_db)
    assert len(awardees) == TOTAL and {a.decision_number for a in awardees} == {"15/QĐ-UBND"}
    layout = certificate_layouts.get_layout(demo_db, "GK_CT_UBND")
    for plain in (False, True):
        pdf = tmp_path / f"gk-{'trang' if plain else 'phoi'}.pdf"
        code, out, err = _cli(demo_db, "certificates", "print", "--out", str(pdf), *(["--plain"] if plain else []))
        assert code == 0, err
        assert f"Đã tạo {TOTAL} giấy khen" in out
        _check_pdf(pdf, awardees, layout, certificate_awardees.place(demo_db))

    # The ceremony: the same 50, counted per award form.
    code, out, err = _cli(demo_db, "ceremony", "--out", str(tmp_path / "xd.docx"), "--seats")
    assert code == 0 and f"({n_units} tập thể, {n_people} cá nhân)" in out, err
    doc = Document(str(tmp_path / "xd.docx"))
    called = [r.cells[3].text for t in doc.tables[:-1] for r in t.rows[1:]]
    assert len(called) == TOTAL and called == [a.display_name for a in awardees]
    assert [c.text for c in doc.tables[-1].rows[-1].cells][2:] == [str(n_units), str(n_people), str(TOTAL)]

    # A person's history shows the award; proposing the same achievement again is refused.
    person = next(a for a in register if a["subject_type"] == "person" and a.get("cccd"))
    code, out, _ = _cli(demo_db, "awards", "history", "--person", person["cccd"])
    assert code == 0 and "15/QĐ-UBND" in out and person["subject_name"] in out
    code, out, err = _cli(demo_db, "propose", "--person", person["cccd"], "--award", "GK_CT_UBND",
                          "--summary", "Đề nghị lại cùng thành tích")
    assert code != 0 and "15/QĐ-UBND" in err and "một thành tích chỉ được khen thưởng một lần" in err
    # and nothing was written for it
    assert len(json.loads(_cli(demo_db, "awards", "list", "--json")[1])) == TOTAL

    # The 2026 statistics count exactly the awards issued; 2025 none.
    code, out, err = _cli(demo_db, "stats", "--year", "2026", "--form", "all", "--out", str(tmp_path / "tk.xlsx"))
    assert code == 0 and f"tổng số {TOTAL} khen thưởng" in out, err
    table = stats_service.statistics_report(demo_db, 2026, "TH").tables[0]
    assert _rows(table)["01"] == (TOTAL, n_units, n_people)
    assert _rows(stats_service.statistics_report(demo_db, 2025, "TH").tables[0])["01"] == (0, 0, 0)

    # And the office's check finds the register and the candidates in agreement.
    code, out, err = _cli(demo_db, "check")
    assert f"Sổ khen thưởng: {TOTAL} mục ({TOTAL} do quyết định lập tại đây)" in out, out
    assert "Kết quả: 0 lỗi" in out, out
