"""The command line: bdhvs score --json (exact shape), propose, candidates and council commands."""

from __future__ import annotations

import json

import pytest

from bdhvs_desktop.cli import build_parser, main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo_path(demo_db):
    return str(demo_db.path)


def test_score_json_has_exactly_the_documented_shape(capsys, demo_path):
    code, out, _ = run(capsys, "score", "--db", demo_path, "--at", "2026-11-15", "--json")
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list) and data
    keys = {"subject", "id", "name", "kind", "eligible", "points", "max_points", "rank", "criteria"}
    for item in data:
        assert set(item) == keys
        assert item["subject"] in ("unit", "person")
        assert item["kind"] in ("party_org", "collective", "individual")
        assert (item["rank"] is None) == (not item["eligible"])
        for c in item["criteria"]:
            assert set(c) == {"code", "name", "type", "passed", "points", "explanation"}
            assert c["type"] in ("gate", "points")
    kp3 = next(x for x in data if x["id"] == "CB-KP3")
    assert kp3["subject"] == "unit" and kp3["eligible"] is False
    assert "18/20 đảng viên" in kp3["criteria"][0]["explanation"]
    people = [x for x in data if x["subject"] == "person"]
    assert all(len(x["id"]) == 12 and x["id"].isdigit() for x in people)  # demo people have a CCCD


def test_score_text_and_bad_date(capsys, demo_path):
    code, out, _ = run(capsys, "score", "--db", demo_path, "--at", "15/11/2026", "--kind", "party_org")
    assert code == 0 and "Tổ chức đảng" in out and "#1" in out and "chưa đạt: 100% đảng viên sử dụng thành thạo VNeID trong quý I/2026" in out
    with pytest.raises(SystemExit) as exc:
        main(["score", "--db", demo_path, "--at", "2026-13-45"])
    assert exc.value.code == 2
    assert "ngày không hợp lệ" in capsys.readouterr().err


def test_propose_eligible_and_candidates_json(capsys, demo_path):
    code, out, _ = run(capsys, "propose", "--db", demo_path, "--eligible", "--at", "2026-11-15", "--award", "GK_CT_UBND")
    assert code == 0 and "Đã đề nghị" in out
    code, out, _ = run(capsys, "candidates", "--db", demo_path, "--json")
    data = json.loads(out)
    assert code == 0 and any(c["status"] == "proposed" for c in data)
    code, _, err = run(capsys, "propose", "--db", demo_path, "--unit", "KHONG-CO")
    assert code == 2 and "Không có đơn vị mã" in err
    code, _, err = run(capsys, "propose", "--db", demo_path, "--unit", "TDP-04", "--award", "NOPE")
    assert code == 2 and "Không có hình thức khen thưởng mã “NOPE”" in err


def test_a_whole_council_session_from_the_command_line(capsys, demo_path):
    db = ["--db", demo_path]
    code, out, _ = run(capsys, "council", "member", "add", "Lê Thị Hồng", "--position", "Ủy viên", *db)
    assert code == 0 and "Đã thêm thành viên" in out
    code, out, _ = run(capsys, "propose", "--unit", "TDP-03", *db)
    assert code == 0
    cid = int(out.strip().split("số ")[-1].rstrip("."))
    code, out, _ = run(capsys, "council", "meeting", "new", "--at", "25/11/2026 14:00", "--place", "Phòng họp số 1", *db)
    assert code == 0 and "Đã mở phiên họp" in out
    code, out, _ = run(capsys, "council", "member", "list", *db)
    first = int(out.split()[0])
    code, _, err = run(capsys, "council", "attend", str(first), "--absent", *db)
    assert code == 2 and "lý do" in err
    assert run(capsys, "council", "attend", str(first), "--absent", "--reason", "Ốm", *db)[0] == 0
    code, _, err = run(capsys, "council", "vote", str(cid), "--for", "9", "--against", "0", *db)
    assert code == 2 and "vượt số thành viên có mặt" in err
    code, out, _ = run(capsys, "council", "vote", str(cid), "--for", "5", "--against", "2", "--abstain", "0", *db)
    assert code == 0 and "ĐƯỢC THÔNG QUA" in out
    code, out, _ = run(capsys, "council", "decide", "--candidate", str(cid), *db)
    assert code == 0 and "khóa" in out
    code, _, err = run(capsys, "council", "vote", str(cid), "--for", "1", "--against", "6", *db)
    assert code == 1 and "mở lại" in err
    with pytest.raises(SystemExit) as exc:  # --reason is required
        main(["council", "reopen", str(cid), *db])
    assert exc.value.code == 2 and "--reason" in capsys.readouterr().err
    code, out, _ = run(capsys, "council", "reopen", str(cid), "--reason", "Sai số liệu", *db)
    assert code == 0 and "nhật ký" in out
    code, out, _ = run(capsys, "council", "meeting", "show", "--json", *db)
    view = json.loads(out)
    row = next(r for r in view["candidates"] if r["candidate_id"] == cid)
    assert row["status"] == "reviewed" and not row["locked"]
    code, out, _ = run(capsys, "council", "rules", "--pass", "1/2", "--at-least", "--base", "present", *db)
    assert code == 0 and "từ 50%" in out and "số thành viên có mặt" in out


def test_help_documents_the_commands(capsys):
    parser = build_parser()
    text = parser.format_help()
    for cmd in ("score", "propose", "candidates", "council"):
        assert cmd in text
    with pytest.raises(SystemExit):
        main(["council", "--help"])
    out = capsys.readouterr().out
    for word in ("member", "meeting", "attend", "vote", "decide", "reopen", "Ví dụ"):
        assert word in out
