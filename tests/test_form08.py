"""Issue 11: Form 08 tells the truth about the candidate, in the words an office would use.

Every Form 08 of the demo ward is generated, read back with python-docx and checked against
what `bdhvs score --json` and the status service say about the same subject at the same date;
the wording, the empty fields, the signatures and the narrative kept with the candidate."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from test_dossier import all_paragraphs, doc_text

from bdhvs_desktop.services import dossier as svc
from bdhvs_desktop.storage import models as m

AT = dt.date(2026, 11, 15)
HEADING = re.compile(r"^(\d+\.|[IVX]+\.)\s")


def body_blocks(path: Path) -> list[str]:
    """The body in order: each paragraph's text, "<table>" for a table (headings and what follows)."""
    import docx

    d = docx.Document(str(path))
    out = []
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in el.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))
            if text.strip():
                out.append(text.strip())
        elif tag == "tbl":
            out.append("<table>")
    return out


def tables(path: Path) -> list[list[list[str]]]:
    import docx

    return [[[c.text.strip() for c in row.cells] for row in t.rows] for t in docx.Document(str(path)).tables]


def target_rows(path: Path) -> list[list[str]]:
    for t in tables(path):
        if t and t[0][:2] == ["STT", "Chỉ tiêu"]:
            return t[1:]
    return []


def signature_cells(path: Path) -> tuple[list[str], list[str]]:
    """(left block lines, right block lines) of the last table (the signatures)."""
    import docx

    t = docx.Document(str(path)).tables[-1]
    if len(t.rows) == 1 and t.cell(0, 0).tables:  # kept whole in an unsplittable outer row (d11-route)
        t = t.cell(0, 0).tables[0]
    left = [p.text.strip() for c in (t.rows[0].cells[0], t.rows[1].cells[0]) for p in c.paragraphs if p.text.strip()]
    right = [p.text.strip() for c in (t.rows[0].cells[1], t.rows[1].cells[1]) for p in c.paragraphs if p.text.strip()]
    return left, right


@pytest.fixture
def dossier(demo_db, tmp_path):
    """The demo ward's own council round, as a draft dossier (every proposed candidate)."""
    out = tmp_path / "hs"
    outcome = svc.generate_dossier(demo_db, out, draft=True, at=AT)
    with demo_db.read() as s:
        docs = {d.candidate_id: Path(d.path) for d in s.scalars(select(m.GeneratedDocument))
                if d.candidate_id is not None}
        cands = {c.id: (c.subject_type, c.unit_id, c.person_id) for c in s.scalars(select(m.Candidate))}
    return outcome, docs, cands


def _score_json(demo_db, capsys) -> list[dict]:
    from bdhvs_desktop.cli import main

    capsys.readouterr()
    assert main(["score", "--db", str(demo_db.path), "--at", AT.isoformat(), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _fraction(text: str) -> tuple[int, int] | None:
    m_ = re.search(r"\((\d+)/(\d+)", text)
    return (int(m_.group(1)), int(m_.group(2))) if m_ else None


def test_every_form08_number_equals_status_and_score(demo_db, dossier, capsys):
    _outcome, docs, cands = dossier
    assert len(docs) >= 6
    checked_rows, checked_people = check_form08_numbers(demo_db, docs, cands, _score_json(demo_db, capsys), AT)
    assert checked_rows >= 8 and checked_people >= 3


def check_form08_numbers(demo_db, docs: dict[int, Path], cands: dict, score_json: list[dict],
                         at: dt.date) -> tuple[int, int]:
    """Every number of each Form 08 in *docs* (candidate id -> file) against `bdhvs score --json`
    (*score_json*, taken at *at*) and the status service at *at*; returns (target rows,
    individuals) checked."""
    from bdhvs_desktop.services.status import compute_status

    scores = {(s["subject"], s["name"]): s for s in score_json}
    status = compute_status(demo_db, at)
    by_name = {t.name: t for t in status.targets}
    with demo_db.read() as s:
        units = {u.id: u for u in s.scalars(select(m.Unit))}
        people = {p.id: p for p in s.scalars(select(m.Person))}
    children: dict[int, list[int]] = {}
    for u in units.values():
        if u.parent_id:
            children.setdefault(u.parent_id, []).append(u.id)

    def subtree(uid):
        out = [uid]
        for c in children.get(uid, []):
            out += subtree(c)
        return out

    checked_rows = checked_people = 0
    for cid, path in docs.items():
        subject, unit_id, person_id = cands[cid]
        text = doc_text(path)
        if subject == "unit":
            unit = units[unit_id]
            score = scores[("unit", unit.name)]
            crit = {c["code"]: c for c in score["criteria"]}
            if unit.is_party_org:
                gate = next(c for c in score["criteria"] if "đảng viên thành thạo VNeID" in c["explanation"])
                n, d = re.search(r"(\d+)/(\d+) đảng viên", gate["explanation"]).groups()
                # Every party-member figure of the report is the score's.
                found = set(re.findall(r"(\d+)/(\d+) đảng viên", text))
                assert found == {(n, d)}, (unit.name, found, gate["explanation"])
            for _stt, indicator, _plan, result, assessment in target_rows(path):
                t = by_name[indicator]
                row = t.unit(unit.id)
                frac = _fraction(result)
                if row is not None and row.denominator and frac:
                    assert frac == (int(row.numerator), int(row.denominator)), (unit.name, indicator, result)
                    met = row.status == "met"
                elif t.measure.startswith("vneid_"):
                    # No per-unit row in the status: count the unit's own people like `bdhvs score` does.
                    day = min(at, t.deadline)
                    guide = "hướng dẫn được người dân" in t.name  # the target's require_guide
                    pop = [p for uid in subtree(unit.id) for p in people.values() if p.unit_id == uid
                           and ((t.measure == "vneid_cadres" and (p.is_party_member or p.is_public_servant))
                                or (t.measure == "vneid_public_servants" and p.is_public_servant))]
                    ok = [p for p in pop if p.vneid_proficient_on and p.vneid_proficient_on <= day
                          and (p.can_guide or not guide)]
                    assert frac == (len(ok), len(pop)), (unit.name, indicator, result)
                    met = len(ok) == len(pop)
                    linked = [c for c in crit.values() if f"chỉ tiêu {t.code} " in c["explanation"]]
                    for c in linked:
                        assert f"{len(ok)}/{len(pop)}" in c["explanation"]
                else:
                    assert row is not None, (unit.name, indicator)
                    assert re.match(rf"0?{int(row.value)}\b", result), (unit.name, indicator, result, row.value)
                    met = row.status == "met"
                assert (assessment in ("Đạt", "Vượt")) == met, (unit.name, indicator, assessment)
                checked_rows += 1
        else:
            person = people[person_id]
            score = scores[("person", person.full_name)]
            for c in score["criteria"]:
                if c["code"] == "CN_VNEID" and "từ" in c["explanation"]:
                    day = re.search(r"từ (\d\d/\d\d/\d{4})", c["explanation"]).group(1)
                    assert f"từ ngày {day}" in text
                if c["code"] == "CN_HUONG_DAN":
                    guided = re.search(r"hướng dẫn ([\d.]+) người", c["explanation"]).group(1)
                    assert f"trực tiếp hướng dẫn: {guided} người" in text, (person.full_name, guided)
            verdicts = {r[1]: r[4] for r in target_rows(path)}
            gates = [c for c in score["criteria"] if c["type"] == "gate" and c["code"] != "CN_KHONG_KY_LUAT"]
            assert gates
            for c in gates:
                assert verdicts[c["name"]] == ("Đạt" if c["passed"] else "Chưa đạt"), (person.full_name, c)
            checked_people += 1
    return checked_rows, checked_people


def _doc(docs, cands, demo_db, name):
    with demo_db.read() as s:
        for cid, (subject, unit_id, person_id) in cands.items():
            obj = s.get(m.Unit, unit_id) if subject == "unit" else s.get(m.Person, person_id)
            if obj is not None and (getattr(obj, "name", None) or obj.full_name) == name and cid in docs:
                return docs[cid]
    raise AssertionError(name)


def test_targets_apply_to_the_unit_and_are_not_repeated(demo_db, dossier):
    _outcome, docs, cands = dossier
    youth = _doc(docs, cands, demo_db, "Đoàn Thanh niên phường (mô phỏng)")
    rows = target_rows(youth)
    assert rows, "the Youth Union has targets of its own"
    # A party-member target is a party organisation's, not the Youth Union's.
    assert not [r for r in rows if "đảng viên" in r[1] and "cán bộ" not in r[1]]
    assert "Đảng viên sử dụng thành thạo" not in doc_text(youth)
    for cid, path in docs.items():
        rows = target_rows(path)
        if cands[cid][0] != "unit":
            continue
        party_only = [r for r in rows if "đảng viên" in r[1] and "cán bộ" not in r[1]]
        assert len(party_only) <= 1, (path.name, party_only)
        vneid = [(r[2], r[3]) for r in rows if "VNeID" in r[1]]
        assert len(vneid) == len(set(vneid)), (path.name, vneid)  # the same people counted twice


def test_no_bare_heading_and_models_credited_to_their_owner(demo_db, dossier):
    _outcome, docs, cands = dossier
    for cid, path in docs.items():
        blocks = body_blocks(path)
        for i, block in enumerate(blocks):
            # A numbered section ("2. Chức năng, nhiệm vụ được giao") has content before the next heading.
            if re.match(r"^\d+\.\s", block):
                assert i + 1 < len(blocks) and not HEADING.match(blocks[i + 1]), (path.name, block, blocks[i + 1:i + 2])
        text = "\n".join(blocks)
        assert "Kết quả thực hiện các chỉ tiêu\nKhông có." not in text
        if cands[cid][0] == "person":
            assert "Tham gia xây dựng, triển khai mô hình" in text
            assert target_rows(path), path.name  # the individual's criteria, with figures
    hieu = doc_text(_doc(docs, cands, demo_db, "Huỳnh Hoàng Hiếu"))
    assert "mô hình “Đại sứ số khu phố” của Chi bộ Phòng Văn hóa - Xã hội (mô phỏng)" in hieu
    # One model, one owner: "Đại sứ số khu phố" is the Chi bộ's; the Đảng ủy above it directed it.
    owners = [p.name for p in docs.values() if any(re.match(r"^\d+\) Đại sứ số khu phố", b)
                                                  for b in body_blocks(p))]
    assert owners == ["bao-cao-thanh-tich-mau-08-chi-bo-phong-van-hoa-xa-hoi-mo-phong.docx"]
    du = doc_text(_doc(docs, cands, demo_db, "Đảng ủy UBND phường"))
    assert "chỉ đạo Chi bộ Phòng Văn hóa - Xã hội (mô phỏng) xây dựng mô hình “Đại sứ số khu phố”" in du


def test_office_wording(demo_db, dossier):
    outcome, docs, cands = dossier
    texts = {p.name: doc_text(p) for p in outcome.files}
    everything = "\n".join(texts.values())
    assert "Q3/2026" not in everything and "Q2/2026" not in everything
    assert "quý III/2026" in everything
    assert "Nhân rộng: Nhân rộng" not in everything and "Đã nhân rộng ra 02 đơn vị" in everything
    assert "(thời hạn:" not in everything and "trước thời hạn ngày 31/03/2026" in everything
    assert ": ." not in everything and ":." not in everything
    assert "nghiệp vụ, lý luận chính trị" not in everything
    for cid, path in docs.items():
        if cands[cid][0] == "person":
            lines = [p.text for p in all_paragraphs(__import__("docx").Document(str(path)))]
            assert any(x.startswith("- Nghề nghiệp: ") for x in lines)
            assert any(x.startswith("- Trình độ chuyên môn, nghiệp vụ: ") for x in lines)
            assert any(x.startswith("- Trình độ lý luận chính trị: ") for x in lines)
        for t in tables(path):
            for row in t:
                if row[1:2] == ["Phát thanh tuyên truyền trên loa"]:
                    assert row[3] != "0", row  # nobody counts a broadcast's listeners
    summaries = [r[4] for t in tables(outcome.folder / "to-trinh-mau-01.docx") for r in t
                 if len(r) == 6 and r[0].isdigit()]
    assert summaries and all(s for s in summaries)
    for s in summaries:
        assert "điểm" not in s and "xếp thứ" not in s, s  # an achievement, not a score
    assert any(re.search(r"\d+/\d+ đảng viên", s) for s in summaries)


def _approved(demo_db, name):
    with demo_db.read() as s:
        for c in s.scalars(select(m.Candidate)):
            subject = c.unit.name if c.unit else c.person.full_name
            if subject == name:
                return c.id
    raise AssertionError(name)


def test_empty_field_prints_dotted_line_and_final_dossier_is_refused(demo_db, tmp_path, capsys):
    from bdhvs_desktop.cli import main

    with demo_db.session() as s:
        p = s.scalar(select(m.Person).where(m.Person.full_name == "Huỳnh Hoàng Hiếu"))
        p.home_town = None
        youth = s.scalar(select(m.Unit).where(m.Unit.code == "DT-DTN"))
        youth.head_name = None
    out = tmp_path / "hs"
    with pytest.raises(svc.DossierError) as info:
        svc.generate_dossier(demo_db, out, at=AT)
    assert type(info.value).__name__ == "MissingFieldsError"
    message = str(info.value)
    assert "Huỳnh Hoàng Hiếu: quê quán" in message
    assert "Đoàn Thanh niên phường (mô phỏng): họ tên người ký báo cáo" in message
    assert not out.exists()
    with demo_db.read() as s:
        assert "issued" not in {c.status for c in s.scalars(select(m.Candidate))}
    db_path = str(demo_db.path)
    demo_db.dispose()
    capsys.readouterr()
    assert main(["dossier", "--db", db_path, "--out", str(out), "--at", AT.isoformat()]) == 1
    err = capsys.readouterr().err
    assert "Huỳnh Hoàng Hiếu: quê quán" in err and "Đoàn Thanh niên phường (mô phỏng)" in err
    assert not out.exists()
    # A draft prints dotted lines to fill in by hand.
    from bdhvs_desktop.documents.vn_format import BLANK_FIELD

    assert main(["dossier", "--db", db_path, "--out", str(out), "--at", AT.isoformat(), "--draft"]) == 0
    hieu = doc_text(out / "bao-cao-thanh-tich-mau-08-huynh-hoang-hieu.docx")
    assert f"- Quê quán: {BLANK_FIELD}" in hieu
    _left, right = signature_cells(out / "bao-cao-thanh-tich-mau-08-doan-thanh-nien-phuong-mo-phong.docx")
    assert right[-1] == BLANK_FIELD and right[0]  # a title, and a line to sign the name on


def _council_chair(db) -> str:
    with db.read() as s:
        return s.scalar(select(m.CouncilMember.full_name).where(m.CouncilMember.role == "chair",
                                                                m.CouncilMember.active.is_(True)))


def test_signatures_head_signs_and_nobody_confirms_their_own(demo_db, dossier):
    _outcome, docs, cands = dossier
    with demo_db.read() as s:
        heads = {u.code: (u.head_title, u.head_name) for u in s.scalars(select(m.Unit))}
    left, right = signature_cells(_doc(docs, cands, demo_db, "Chi bộ Phòng Văn hóa - Xã hội (mô phỏng)"))
    assert right[0] == heads["CB-VHXH"][0].upper() and right[-1] == heads["CB-VHXH"][1] == "Huỳnh Hoàng Hiếu"
    # Confirmed by the council that proposes it, signed by its chair as the minutes name him.
    assert left[0] == "XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG" and left[-1] == _council_chair(demo_db)
    # The Chi bộ's secretary reports himself: the Đảng ủy above confirms.
    left, right = signature_cells(_doc(docs, cands, demo_db, "Huỳnh Hoàng Hiếu"))
    assert right[-1] == "Huỳnh Hoàng Hiếu"
    assert left[-1] == heads["DU-UBND"][1] != "Huỳnh Hoàng Hiếu"
    assert heads["DU-UBND"][0].upper() in left
    left, _right = signature_cells(_doc(docs, cands, demo_db, "Trương Thị Mai"))
    assert left[-1] == "Huỳnh Hoàng Hiếu" and "BÍ THƯ CHI BỘ" in left
    for path in docs.values():
        left, right = signature_cells(path)
        assert len(left) >= 3 and len(right) >= 3, path.name  # caption/title, note and a name (or dots)


def test_narrative_drafted_edited_and_kept_with_the_candidate(demo_db, tmp_path, capsys):
    from bdhvs_desktop.cli import main
    from bdhvs_desktop.services import council as cs

    cid = _approved(demo_db, "Trương Thị Mai")
    # An approved result is locked with its text (issue #15): the text is written while the
    # council reviews the candidate, here after a recorded reopening.
    with pytest.raises(svc.DossierError, match="khóa"):
        svc.save_narrative(demo_db, cid, {"summary": "Sửa sau khi thông qua"}, svc.narrative(demo_db, cid, at=AT).version)
    cs.reopen(demo_db, cid, "Viết lại báo cáo thành tích")
    n = svc.narrative(demo_db, cid, at=AT)
    assert n.kind == "individual" and {"measures", "lessons", "summary", "occupation"} <= set(n.drafted)
    assert "điểm" not in n.texts["summary"] and re.search(r"\d", n.texts["summary"])
    assert n.texts["measures"].startswith("- ")
    v = svc.save_narrative(demo_db, cid, {"measures": "Đi từng nhà & hướng dẫn <VNeID>", "summary": "Tóm tắt A"},
                           n.version)
    with pytest.raises(svc.StaleEditError):
        svc.save_narrative(demo_db, cid, {"lessons": "x"}, n.version)
    again = svc.narrative(demo_db, cid, at=AT)
    assert again.version == v and again.texts["measures"] == "Đi từng nhà & hướng dẫn <VNeID>"
    assert "measures" not in again.drafted and again.texts["summary"] == "Tóm tắt A"
    with pytest.raises(svc.DossierError, match="không hợp lệ"):
        svc.save_narrative(demo_db, cid, {"nonsense": "x"}, v)

    db_path = str(demo_db.path)
    demo_db.dispose()
    f = tmp_path / "bai-hoc.txt"
    f.write_text("Kiên trì, gần dân\nDòng hai", encoding="utf-8")
    capsys.readouterr()
    assert main(["candidate", "narrative", str(cid), "--db", db_path, "--field", "lessons", "--file", str(f),
                 "--at", AT.isoformat()]) == 0
    assert "Kiên trì, gần dân\nDòng hai" in capsys.readouterr().out
    assert main(["candidate", "narrative", str(cid), "--db", db_path, "--draft", "--field", "measures",
                 "--at", AT.isoformat(), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["fields"]["measures"]["drafted"] is False and data["fields"]["measures"]["text"].startswith("- ")
    assert main(["candidate", "narrative", str(cid), "--db", db_path, "--field", "nope", "--text", "x"]) == 2
    assert "Không có mục" in capsys.readouterr().err
    assert main(["candidate", "narrative", "999", "--db", db_path]) == 1
    out = tmp_path / "hs"
    assert main(["dossier", "--db", db_path, "--out", str(out), "--draft", "--at", AT.isoformat()]) == 0
    linh = doc_text(out / "bao-cao-thanh-tich-mau-08-truong-thi-mai.docx")
    assert "Kiên trì, gần dân\nDòng hai" in linh
    rows = [r for t in tables(out / "to-trinh-mau-01.docx") for r in t if len(r) == 6 and r[1] == "Trương Thị Mai"]
    assert rows and rows[0][4] == "Tóm tắt A"


def test_head_of_a_top_unit_is_confirmed_by_the_ward(demo_db):
    """The Youth Union's secretary has no unit above hers: the ward's signer confirms."""
    with demo_db.session() as s:
        youth = s.scalar(select(m.Unit).where(m.Unit.code == "DT-DTN"))
        head = s.scalar(select(m.Person).where(m.Person.unit_id == youth.id, m.Person.full_name == youth.head_name))
        assert head is not None and youth.parent_id is None
        form = s.scalar(select(m.AwardForm).where(m.AwardForm.code == "GK_CT_UBND"))
        s.add(m.Candidate(campaign_id=s.scalar(select(m.Campaign.id)), subject_type="person", person_id=head.id,
                          subject_kind="individual", award_form_id=form.id, status="proposed", report_text={}))
        name = head.full_name
    ctxs = svc.build_contexts(demo_db, draft=True, at=AT)
    ach = next(a for a in ctxs.achievements if a.name == name)
    assert ach.confirmer is not None and ach.confirmer.signer_name == _council_chair(demo_db) != name
    assert not [x for x in ctxs.missing if x.startswith(name)]
