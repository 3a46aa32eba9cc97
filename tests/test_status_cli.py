"""`bdhvs status` and `bdhvs export status` on the demo ward, at a date in each phase."""

from __future__ import annotations

import json

import pytest

from bdhvs_desktop.cli import main


def _status(capsys, db, at: str) -> dict:
    code = main(["status", "--db", str(db.path), "--at", at, "--json"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def _by_code(data: dict) -> dict:
    return {t["code"]: t for t in data["targets"]}


def test_json_shape(capsys, demo_db):
    data = _status(capsys, demo_db, "2026-02-15")
    assert set(data) == {"as_of", "phase", "targets", "tasks"}
    assert data["as_of"] == "2026-02-15"
    assert set(data["phase"]) == {"number", "name", "start", "end"}
    for t in data["targets"]:
        assert set(t) == {"code", "name", "value", "target", "status", "shortfall"}
        assert t["status"] in {"met", "at_risk", "missed", "not_due"}
        assert isinstance(t["shortfall"], list)
    for t in data["tasks"]:
        assert set(t) == {"title", "unit", "due", "status"}
        assert t["status"] in {"not_started", "in_progress", "done", "late"}


def test_phase_1(capsys, demo_db):
    data = _status(capsys, demo_db, "2026-02-15")
    assert data["phase"] == {"number": 1, "name": "Tham gia hưởng ứng, phát động và triển khai",
                             "start": "2025-12-01", "end": "2026-03-31"}
    t = _by_code(data)
    assert t["HUONG_DAN_TUAN"]["status"] == "not_due" and t["HUONG_DAN_TUAN"]["value"] is None
    assert t["PHAT_THANH_NGAY"]["status"] == "not_due"
    assert t["MO_HINH_XS_DUUBND"]["status"] == "not_due"
    assert t["VNEID_DV"]["status"] in ("at_risk", "missed")
    assert all(x["status"] != "late" for x in data["tasks"])  # nothing is due before 31/03


def test_end_of_phase_1_deadline_day(capsys, demo_db):
    data = _status(capsys, demo_db, "2026-03-31")
    t = _by_code(data)
    # CB-KP3: 18/20 proficient by 31/03/2026 (one became proficient on 01/04, one never did).
    kp3 = [x for x in t["VNEID_TCD"]["shortfall"] if "Chi bộ Khu phố 3" in x]
    assert len(kp3) == 2
    assert any("01/04/2026" in x for x in kp3) and any("chưa thành thạo" in x for x in kp3)
    # Chi bộ Công an: everyone, one of them exactly on the deadline day.
    assert not any("Chi bộ Công an" in x for x in t["VNEID_DV"]["shortfall"])
    assert t["NHAN_BIET_PT"]["status"] == "met"


def test_phase_2(capsys, demo_db):
    data = _status(capsys, demo_db, "2026-05-20")
    assert data["phase"]["number"] == 2
    t = _by_code(data)
    for code in ("VNEID_DV", "VNEID_TCD", "VNEID_CB"):
        assert t[code]["status"] == "missed"
    weekly = t["HUONG_DAN_TUAN"]
    assert weekly["status"] == "missed"
    assert "Tổ dân phố 4 (mô phỏng): Tuần 19/2026 (04/05–10/05)" in weekly["shortfall"]
    assert sum("Tổ dân phố 5" in x for x in weekly["shortfall"]) == 6  # weeks 15-20: no sessions at all
    assert not any("Tổ dân phố 3" in x for x in weekly["shortfall"])  # its Sunday sessions count
    assert not any(x.startswith(("Tổ dân phố 1", "Tổ dân phố 2")) for x in weekly["shortfall"])
    assert t["PHAT_THANH_NGAY"]["shortfall"] == ["15/05/2026"] and t["PHAT_THANH_NGAY"]["status"] == "missed"
    assert t["SINH_HOAT_CD"]["status"] == "at_risk"
    assert t["SINH_HOAT_CD"]["shortfall"] == ["Chi bộ Khu phố 3 (mô phỏng) (0/1 buổi sinh hoạt chuyên đề)"]
    late = [x for x in data["tasks"] if x["status"] == "late"]
    assert late and all(x["due"] <= "2026-05-20" for x in late)


def test_phase_3(capsys, demo_db):
    data = _status(capsys, demo_db, "2026-08-20")
    assert data["phase"]["number"] == 3
    t = _by_code(data)
    # Đảng ủy UBND has fewer than 2 excellent models (MH-02 becomes excellent only on 20/09).
    assert t["MO_HINH_XS_DUUBND"]["value"] == 1 and t["MO_HINH_XS_DUUBND"]["status"] == "at_risk"
    assert "MH-01" in t["MO_HINH_XS_DUUBND"]["shortfall"][0]
    assert t["MO_HINH_XS_DUCQD"]["value"] == 0
    assert t["SINH_HOAT_CD"]["status"] == "missed"
    assert t["PHAT_THANH_NGAY"]["shortfall"] == ["15/05/2026"]  # 15/08 is after the target's window


def test_phase_4(capsys, demo_db):
    data = _status(capsys, demo_db, "2026-10-15")
    assert data["phase"]["number"] == 4
    t = _by_code(data)
    assert t["MO_HINH_XS_DUCQD"]["status"] == "met"
    assert t["MO_HINH_XS_DUUBND"]["status"] == "met"
    assert t["MO_HINH_DANH_GIA"]["status"] == "missed"
    assert any("Chi bộ Khu phố 3" in x for x in t["MO_HINH_DANH_GIA"]["shortfall"])


def test_readable_text(capsys, demo_db):
    assert main(["status", "--db", str(demo_db.path), "--at", "2026-05-20"]) == 0
    out = capsys.readouterr().out
    assert "tính đến ngày 20/05/2026" in out
    assert "Giai đoạn 2: Cao điểm phổ cập" in out
    assert "Hạn gần nhất: 30/06/2026 (còn 41 ngày)" in out
    assert "Chưa đạt" in out and "15/05/2026" in out
    assert "NHIỆM VỤ" in out and "Trễ hạn" in out


def test_bad_date_and_empty_database(capsys, demo_db, db):
    assert main(["status", "--db", str(demo_db.path), "--at", "31-02-2026"]) == 2
    assert "Ngày không hợp lệ" in capsys.readouterr().err
    assert main(["status", "--db", str(db.path)]) == 2
    assert "chưa có phong trào" in capsys.readouterr().err


def test_export_status_xlsx(capsys, demo_db, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "tinh-hinh.xlsx"
    assert main(["export", "status", str(out), "--db", str(demo_db.path), "--at", "2026-10-15"]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["Theo đơn vị", "Tổng hợp", "Nhiệm vụ"]
    rows = list(wb["Theo đơn vị"].iter_rows(min_row=5, values_only=True))
    kp3 = [r for r in rows if r[0] == "VNEID_TCD" and r[3] == "CB-KP3"]
    assert len(kp3) == 1
    assert kp3[0][5] == pytest.approx(0.9) and kp3[0][9] == "Chưa đạt"
    assert "Trương Xuân Long" in kp3[0][10] and "Ngô Ngọc Thủy" in kp3[0][10]
    ca = [r for r in rows if r[0] == "VNEID_TCD" and r[3] == "CB-CA"]
    assert ca[0][9] == "Đạt"
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary file left behind
    assert main(["export", "status", str(tmp_path / "x.csv"), "--db", str(demo_db.path)]) == 2
