"""The award register: storage, matching, the rules that use it ("one achievement, one award",
thematic and ad hoc awards not counted toward merit), versions and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bdhvs_desktop.domain import awards as rules
from bdhvs_desktop.services import awards as svc
from bdhvs_desktop.services import council as council_svc
from bdhvs_desktop.storage import models as m


def _campaign_id(db) -> int:
    with db.read() as s:
        return s.scalar(select(m.Campaign.id))


def _person(db, idx: int = 0) -> m.Person:
    with db.read() as s:
        p = list(s.scalars(select(m.Person).where(m.Person.cccd.isnot(None)).order_by(m.Person.id)))[idx]
        s.expunge(p)
        return p


def _award(**kw) -> svc.AwardData:
    base = dict(subject_type="person", subject_name="Nguyễn Thị Hoà", award_name="Giấy khen của Chủ tịch UBND phường",
                level="ward", kind="campaign", decision_number="15/QĐ-UBND", decision_date=dt.date(2026, 12, 20),
                campaign_text="Phong trào Bình dân học vụ số")
    base.update(kw)
    return svc.AwardData(**base)


# ------------------------------------------------------------------------- pure rules


def test_blocking_award_same_campaign_same_or_higher_level_only():
    ward = rules.AwardFact(1, "Giấy khen", "ward", "campaign", campaign_id=7, decision_number="15/QĐ-UBND",
                           decision_date=dt.date(2026, 12, 20))
    other_campaign = rules.AwardFact(2, "Bằng khen", "province", "campaign", campaign_id=8)
    assert rules.blocking_award([ward], 7, "ward") is ward
    assert rules.blocking_award([ward], 7, "unit") is ward
    # A province-level proposal carries the ward's award; it is not a second reward.
    assert rules.blocking_award([ward], 7, "province") is None
    assert rules.carried_award([ward], 7, "province") is ward
    assert rules.blocking_award([other_campaign], 7, "ward") is None


def test_thematic_and_ad_hoc_awards_do_not_count_toward_merit():
    facts = [rules.AwardFact(1, "GK", "ward", "campaign", decision_date=dt.date(2025, 1, 1)),
             rules.AwardFact(2, "GK", "ward", "thematic", decision_date=dt.date(2025, 2, 1)),
             rules.AwardFact(3, "GK", "ward", "ad_hoc", decision_date=dt.date(2025, 3, 1)),
             rules.AwardFact(4, "BK", "province", "merit", decision_date=dt.date(2024, 3, 1))]
    assert rules.count_merit_awards(facts) == 2
    assert [a.id for a in rules.merit_awards(facts)] == [1, 4]
    assert rules.count_merit_awards(facts, since=dt.date(2025, 1, 1)) == 1
    assert rules.count_merit_awards(facts, min_level="province") == 1


def test_decision_symbol_and_format():
    assert rules.decision_symbol("15", "state", "UBND") == "15/QĐ-UBND"
    assert rules.decision_symbol("120", "party", "ĐU") == "120-QĐ/ĐU"
    assert rules.authority_format("Ban Thường vụ Đảng ủy phường La Gi") == "party"
    assert rules.authority_format("Chủ tịch Ủy ban nhân dân phường La Gi") == "state"
    assert rules.parse_prize("500.000 đồng") == 500000
    assert rules.vn_money(1500000) == "1.500.000 đồng"
    with pytest.raises(ValueError):
        rules.parse_prize("năm trăm")


# ------------------------------------------------------------------------- storage


def test_add_links_by_cccd_and_audits(demo_db):
    p = _person(demo_db)
    aid = svc.add_award(demo_db, _award(subject_name=p.full_name, cccd=p.cccd))
    info = svc.get_award(demo_db, aid)
    assert info.person_id == p.id and info.source == "typed" and info.version == 1
    with demo_db.read() as s:
        entries = list(s.scalars(select(m.AuditEntry).where(m.AuditEntry.entity == "award_record",
                                                            m.AuditEntry.entity_id == aid)))
    assert [e.action for e in entries] == ["create"]
    assert [a.id for a in svc.history(demo_db, person_id=p.id)] == [aid]
    assert [a.id for a in svc.list_awards(demo_db, cccd=p.cccd)] == [aid]


def test_bad_entry_is_refused_with_every_field_named(demo_db):
    with pytest.raises(svc.AwardValidationError) as err:
        svc.add_award(demo_db, _award(subject_name="", cccd="12ab", level="huyen", decision_number=None,
                                      decision_date=None))
    assert set(err.value.errors) >= {"subject_name", "cccd", "level", "decision_number", "decision_date"}
    with demo_db.read() as s:
        assert s.scalar(select(m.AwardRecord.id)) is None


def test_cccd_of_another_person_is_refused(demo_db):
    p = _person(demo_db)
    with pytest.raises(svc.AwardValidationError) as err:
        svc.add_award(demo_db, _award(subject_name="Người Khác Hẳn", cccd=p.cccd))
    assert p.full_name in err.value.errors["cccd"]


def test_older_award_of_someone_not_in_database_matches_by_normalised_name(demo_db):
    p = _person(demo_db)
    # Typed years ago without a CCCD, in another spelling (old tone placement, upper case).
    odd = p.full_name.upper().replace("OÀ", "ÒA")
    aid = svc.add_award(demo_db, _award(subject_name=odd, cccd=None, kind="thematic"))
    found = svc.history(demo_db, person_id=p.id)
    assert [(a.id, a.match) for a in found] == [(aid, "name")]
    # An entry with another CCCD is someone else, whatever the name.
    other = _person(demo_db, 1)
    svc.add_award(demo_db, _award(subject_name=p.full_name, cccd="0" * 11 + "9"))
    assert [a.id for a in svc.history(demo_db, person_id=p.id)] == [aid]
    assert svc.history(demo_db, person_id=other.id) == []


def test_stale_update_is_refused_and_newer_save_kept(demo_db):
    aid = svc.add_award(demo_db, _award())
    v = svc.get_award(demo_db, aid).version
    v2 = svc.update_award(demo_db, aid, _award(achievement="Lần sửa thứ nhất"), v)
    assert v2 == v + 1
    with pytest.raises(svc.AwardConcurrentEdit):
        svc.update_award(demo_db, aid, _award(achievement="Bản cũ"), v)
    assert svc.get_award(demo_db, aid).achievement == "Lần sửa thứ nhất"
    with pytest.raises(svc.AwardConcurrentEdit):
        svc.delete_award(demo_db, aid, v)
    svc.delete_award(demo_db, aid, v2)
    with pytest.raises(svc.AwardError):
        svc.get_award(demo_db, aid)


def test_merit_count_excludes_thematic_and_ad_hoc(demo_db):
    p = _person(demo_db)
    for kind, num in (("campaign", "1/QĐ-UBND"), ("thematic", "2/QĐ-UBND"), ("ad_hoc", "3/QĐ-UBND"),
                      ("merit", "4/QĐ-UBND")):
        svc.add_award(demo_db, _award(subject_name=p.full_name, cccd=p.cccd, kind=kind, decision_number=num))
    assert len(svc.history(demo_db, person_id=p.id)) == 4
    assert svc.merit_award_count(demo_db, person_id=p.id) == 2


# ------------------------------------------------------------------------- one achievement, one award


def test_second_proposal_of_the_same_achievement_is_refused_naming_the_decision(demo_db):
    from tests.dossier_setup import clear_council_round

    clear_council_round(demo_db)
    p = _person(demo_db, 2)
    svc.add_award(demo_db, _award(subject_name=p.full_name, cccd=p.cccd, campaign_id=_campaign_id(demo_db),
                                  decision_number="15/QĐ-UBND", decision_date=dt.date(2026, 12, 20),
                                  granting_authority="Chủ tịch Ủy ban nhân dân phường La Gi"))
    with pytest.raises(council_svc.CouncilActionError) as err:
        council_svc.propose(demo_db, "person", p.id, award_code="GK_CT_UBND")
    assert "Quyết định số 15/QĐ-UBND ngày 20/12/2026" in str(err.value)
    with demo_db.read() as s:
        assert s.scalar(select(m.Candidate.id).where(m.Candidate.person_id == p.id)) is None
    # The province-level proposal carries the ward's award: allowed.
    cid = council_svc.propose(demo_db, "person", p.id, award_code="BK_CT_UBND_TINH")
    assert cid


def test_thematic_award_of_this_campaign_does_not_block_a_proposal(demo_db):
    from tests.dossier_setup import clear_council_round

    clear_council_round(demo_db)
    p = _person(demo_db, 2)
    svc.add_award(demo_db, _award(subject_name=p.full_name, cccd=p.cccd, campaign_id=_campaign_id(demo_db),
                                  kind="thematic"))
    assert council_svc.propose(demo_db, "person", p.id, award_code="GK_CT_UBND")


# ------------------------------------------------------------------------- presets: prize_amount


def _preset_with(tmp_path, line: str):
    from bdhvs_desktop.services.campaign import preset_path

    base = preset_path(None).read_text(encoding="utf-8")
    old = 'code = "GK_CT_UBND"\n'
    assert old in base
    path = tmp_path / "la-gi-004.toml"
    path.write_text(base.replace(old, old + line + "\n", 1), encoding="utf-8")
    return path


def test_preset_prize_amount_is_read_and_validated(tmp_path):
    from bdhvs_desktop.domain.presets import PresetError, load_preset

    p = load_preset(_preset_with(tmp_path, "prize_amount = 500000"))
    assert {a.code: a.prize_amount for a in p.award_forms}["GK_CT_UBND"] == 500000
    assert {a.code: a.prize_amount for a in p.award_forms}["BK_CT_UBND_TINH"] is None
    for bad, words in (('prize_amount = "500.000"', "số nguyên"), ("prize_amount = -1", "từ 0"),
                       ("prize_amount = 5000000000000", "quá lớn")):
        with pytest.raises(PresetError) as err:
            load_preset(_preset_with(tmp_path, bad))
        assert "prize_amount" in str(err.value) and words in str(err.value)


# ------------------------------------------------------------------------- Excel import


def _xlsx(path, rows, headers=None):
    from openpyxl import Workbook

    from bdhvs_desktop.documents.awards_excel import AWARDS

    wb = Workbook()
    ws = wb.active
    ws.title = "KhenThuong"
    ws.append(headers or AWARDS.headers)
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def _row(name="Trần Thị Mai", cccd=None, subject="Cá nhân", award="Giấy khen của Chủ tịch UBND phường",
         level="Cấp xã, phường", number="12/QĐ-UBND", date=dt.date(2024, 12, 20), kind="Theo chuyên đề",
         campaign="Chuyên đề chuyển đổi số 2024", prize=None, unit_code=None):
    return (subject, name, cccd, unit_code, "Khu phố 1", "Tổ trưởng", award, None, level,
            "Chủ tịch Ủy ban nhân dân phường La Gi", number, date, kind, campaign, "Thành tích A & B", prize)


def test_import_older_awards_links_by_cccd_and_is_idempotent(demo_db, tmp_path):
    p = _person(demo_db)
    path = _xlsx(tmp_path / "so.xlsx", [
        _row(name=p.full_name, cccd=p.cccd, kind="Theo phong trào thi đua", campaign="Phong trào năm 2024"),
        _row(),  # someone not in the database, no CCCD
        _row(name="Chi bộ Khu phố Cũ", subject="Tập thể", unit_code="KHONG-CO", number="13/QĐ-UBND",
             kind="Đột xuất", prize=1000000),
    ])
    dry = svc.import_awards(demo_db, path, dry_run=True)
    assert dry.errors == [] and dry.added == 3
    with demo_db.read() as s:
        assert s.scalar(select(m.AwardRecord.id)) is None
    done = svc.import_awards(demo_db, path)
    assert done.written and done.added == 3, done.errors
    hist = svc.history(demo_db, person_id=p.id)
    assert len(hist) == 1 and hist[0].source == "imported" and hist[0].match == "link"
    assert svc.merit_award_count(demo_db, person_id=p.id) == 1
    again = svc.import_awards(demo_db, path)
    assert again.added == 0 and again.skipped == 3 and not again.errors
    assert len(svc.list_awards(demo_db)) == 3


def test_import_with_one_bad_row_writes_nothing_and_names_row_and_column(demo_db, tmp_path):
    p = _person(demo_db)
    path = _xlsx(tmp_path / "so.xlsx", [
        _row(),
        _row(name="Lê Văn Sai", level="Cấp huyện lỵ", number="14/QĐ-UBND"),
        _row(name="Người Khác", cccd=p.cccd, number="15/QĐ-UBND"),       # someone else's CCCD
        _row(name="Phạm Văn Tương Lai", date=dt.date(2099, 1, 1)),
        _row(name="Nguyễn\u202eVăn A", number="16/QĐ-UBND"),               # a bidi override
    ])
    result = svc.import_awards(demo_db, path, today=dt.date(2026, 12, 7))
    assert not result.written and result.added == 0
    text = "\n".join(result.errors)
    assert 'trang KhenThuong, dòng 3, cột "Cấp khen thưởng"' in text
    assert 'dòng 4, cột "Số CCCD"' in text and p.full_name in text
    assert 'dòng 5, cột "Ngày quyết định"' in text
    assert 'dòng 6, cột "Tên tập thể, cá nhân"' in text
    with demo_db.read() as s:
        assert s.scalar(select(m.AwardRecord.id)) is None


def test_import_refuses_a_file_without_the_sheet_and_an_unusable_file(demo_db, tmp_path):
    from openpyxl import Workbook

    from bdhvs_desktop.documents.excel_io import UnusableFile

    wb = Workbook()
    wb.active.title = "NhanSu"
    wb.save(tmp_path / "khac.xlsx")
    result = svc.import_awards(demo_db, tmp_path / "khac.xlsx")
    assert result.errors and "KhenThuong" in result.errors[0] and "NhanSu" in result.errors[0]
    (tmp_path / "x.xlsx").write_bytes(b"not a zip at all")
    with pytest.raises(UnusableFile):
        svc.import_awards(demo_db, tmp_path / "x.xlsx")


def test_template_imports_to_nothing(demo_db, tmp_path):
    from bdhvs_desktop.documents.awards_excel import write_awards_template

    path = write_awards_template(tmp_path / "mau.xlsx")
    result = svc.import_awards(demo_db, path)
    assert result.errors == [] and result.added == 0 and result.rows == 0
    assert any("dòng ví dụ" in w for w in result.warnings)


def test_cli_awards_add_and_import(demo_db, tmp_path, capsys):
    from bdhvs_desktop.cli import main

    p = _person(demo_db)
    db = str(demo_db.path)
    assert main(["--db", db, "awards", "add", "--person", p.cccd, "--award", "Giấy khen chuyên đề", "--level",
                 "ward", "--kind", "thematic", "--number", "9/QĐ-UBND", "--date", "01/06/2025",
                 "--campaign", "Chuyên đề 2025"]) == 0
    assert "9/QĐ-UBND" in capsys.readouterr().out
    assert main(["--db", db, "awards", "history", "--person", p.cccd]) == 0
    out = capsys.readouterr().out
    assert "không tính cho khen thưởng thành tích" in out and "0 được tính" in out
    assert main(["--db", db, "awards", "add", "--name", "X", "--cccd", "123", "--award", "GK", "--level", "ward",
                 "--number", "1", "--date", "01/01/2025", "--kind", "ad_hoc"]) == 1
    assert "12 chữ số" in capsys.readouterr().err
    path = _xlsx(tmp_path / "so.xlsx", [_row(level="sai")])
    assert main(["--db", db, "awards", "import", str(path)]) == 1
    out = capsys.readouterr().out
    assert "dòng 2" in out and "KHÔNG ghi gì" in out
    assert main(["--db", db, "awards", "template", str(tmp_path / "mau.xlsx")]) == 0


def test_only_the_secretary_writes_the_register_or_issues_a_decision(demo_db, tmp_path):
    from bdhvs_desktop.services import decision
    from bdhvs_desktop.services.auth import PermissionDenied, UserInfo, role_label

    aid = svc.add_award(demo_db, _award())
    v = svc.get_award(demo_db, aid).version
    for role in ("viewer", "council_member"):
        demo_db.current_user = UserInfo(1, "nguoi-dung", "Người dùng", role, role_label(role), True, None)
        with pytest.raises(PermissionDenied):
            svc.add_award(demo_db, _award(decision_number="99/QĐ-UBND"))
        with pytest.raises(PermissionDenied):
            svc.update_award(demo_db, aid, _award(achievement="x"), v)
        with pytest.raises(PermissionDenied):
            svc.delete_award(demo_db, aid, v)
        with pytest.raises(PermissionDenied):
            decision.issue_decision(demo_db, number="15", date=dt.date(2026, 12, 1), award_code="GK_CT_UBND")
        assert svc.history(demo_db, name="Nguyễn Thị Hoà")  # reading is for everyone
    assert len(svc.list_awards(demo_db)) == 1


def test_a_namesakes_award_is_shown_but_does_not_refuse_a_proposal(demo_db):
    from tests.dossier_setup import clear_council_round

    clear_council_round(demo_db)
    p = _person(demo_db, 2)
    svc.add_award(demo_db, _award(subject_name=p.full_name, cccd=None, campaign_id=_campaign_id(demo_db)))
    assert [a.match for a in svc.history(demo_db, person_id=p.id)] == ["name"]
    assert council_svc.propose(demo_db, "person", p.id, award_code="GK_CT_UBND")
