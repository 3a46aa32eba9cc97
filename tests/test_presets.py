"""The plan presets shipped in resources/presets, and the loader's checks on broken ones."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from bdhvs_desktop.domain.presets import (
    ACTIVITY_KINDS,
    MODEL_STATUSES,
    SUBJECT_KINDS,
    UNIT_KINDS,
    PresetError,
    default_preset,
    list_presets,
    load_preset,
)

PRESETS_DIR = Path(__file__).resolve().parents[1] / "resources" / "presets"
SHIPPED = sorted(PRESETS_DIR.glob("*.toml"))
D = dt.date


def _preset(name: str):
    return load_preset(PRESETS_DIR / f"{name}.toml")


# --------------------------------------------------------------------------- every shipped preset


def test_the_four_plans_are_shipped():
    assert {p.stem for p in SHIPPED} == {"la-gi-004", "gia-lai-ia-khuol-000", "son-la-001", "tuyen-quang-002"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_preset_loads_and_is_complete(path):
    p = load_preset(path)
    assert p.name == path.stem
    assert p.campaign.start < p.campaign.end
    assert p.phases and p.targets and p.award_forms
    assert {s.subject_kind for s in p.criteria_sets} == set(SUBJECT_KINDS)
    for cs in p.criteria_sets:
        assert cs.gates, cs.code
        assert cs.max_points == pytest.approx(100.0), cs.code  # the default points scheme
    assert p.dossier.form_set and p.dossier.plan_ref and "Bình dân học vụ số" in p.dossier.campaign_title
    for t in p.targets:
        assert p.campaign.start <= t.start <= t.deadline <= p.campaign.end


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_text_is_nfc_utf8_without_lookalikes(path):
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    assert text == unicodedata.normalize("NFC", text)
    assert "\u00d0" not in text and "\u00f0" not in text  # Ð/ð look like Đ/đ but are not Vietnamese
    assert "VNNeID" not in text and "VNedID" not in text and "VNelD" not in text  # typos of the originals


def test_list_presets_puts_the_default_first():
    infos = list_presets(PRESETS_DIR)
    assert [i.ok for i in infos] == [True] * len(SHIPPED)
    assert infos[0].name == "la-gi-004" and infos[0].default
    assert sum(i.default for i in infos) == 1
    assert default_preset(PRESETS_DIR).name == "la-gi-004"
    assert infos[0].campaign_start == D(2025, 12, 1) and infos[0].province == "Lâm Đồng"


# --------------------------------------------------------------------------- plan 004, La Gi


def test_004_header_and_campaign():
    p = _preset("la-gi-004")
    h = p.preset
    assert (h.locality, h.locality_full, h.province) == ("La Gi", "phường La Gi", "Lâm Đồng")
    assert h.issuer_party == "ĐẢNG ỦY PHƯỜNG LA GI"
    assert h.issuer_party_parent == "ĐẢNG BỘ TỈNH LÂM ĐỒNG"
    assert h.issuer_state == "ỦY BAN NHÂN DÂN PHƯỜNG LA GI"
    assert (p.campaign.start, p.campaign.end) == (D(2025, 12, 1), D(2026, 12, 31))


def test_004_has_four_phases_with_the_plans_dates():
    p = _preset("la-gi-004")
    assert [(ph.number, ph.start, ph.end) for ph in p.phases] == [
        (1, D(2025, 12, 1), D(2026, 3, 31)),
        (2, D(2026, 4, 1), D(2026, 6, 30)),
        (3, D(2026, 7, 1), D(2026, 9, 30)),
        (4, D(2026, 10, 1), D(2026, 12, 31)),
    ]
    assert "hưởng ứng" in p.phase(1).name and "Cao điểm" in p.phase(2).name
    assert "nhân rộng" in p.phase(3).name and "khen thưởng" in p.phase(4).name
    assert p.phase(2).timing == "Từ Quý II/2026" and p.phase(3).timing == "Từ Quý III/2026"
    assert p.phase_on(D(2026, 3, 31)).number == 1 and p.phase_on(D(2026, 4, 1)).number == 2
    assert p.phase_on(D(2027, 1, 1)) is None


def test_004_vneid_targets_are_100_percent_by_31_march_2026():
    p = _preset("la-gi-004")
    by_measure = {}
    for t in p.targets:
        by_measure.setdefault(t.measure, []).append(t)
    for measure in ("vneid_cadres", "vneid_party_members", "vneid_public_servants"):
        assert by_measure[measure], measure
        for t in by_measure[measure]:
            assert (t.value_kind, t.target, t.deadline, t.phase) == ("percent", 100.0, D(2026, 3, 31), 1)
    combined = p.target("VNEID_CB")
    assert combined.measure == "vneid_cadres" and combined.params["require_guide"] is True
    assert p.target("VNEID_DV").responsible_unit == "CB-CA"  # Chi bộ Công an, Mục V.3
    assert p.target("VNEID_TCD").scope == "party_org"


def test_004_other_targets():
    p = _preset("la-gi-004")
    aware = p.target("NHAN_BIET_PT")
    assert (aware.measure, aware.target, aware.deadline) == ("reported", 80.0, D(2026, 3, 31))
    weekly = p.target("HUONG_DAN_TUAN")
    assert (weekly.measure, weekly.scope, weekly.phase) == ("weekly_guidance", "residential_group", 2)
    assert weekly.params == {"min_per_week": 1, "kinds": ["guidance"]}
    daily = p.target("PHAT_THANH_NGAY")
    assert daily.measure == "daily_broadcast" and daily.params["min_per_day"] == 1
    quotas = {t.params["unit"]: t for t in p.targets if t.measure == "excellent_models_quota"}
    assert {u: t.target for u, t in quotas.items()} == {"DU-CQD": 1, "DU-UBND": 2}
    for t in quotas.values():
        assert (t.start, t.deadline, t.phase, t.scope) == (D(2026, 7, 1), D(2026, 9, 30), 3, "responsible_body")
        assert t.params["status"] == "excellent" and t.params["min_count"] == t.target


def test_004_units_and_tasks():
    p = _preset("la-gi-004")
    codes = {u.code for u in p.units}
    assert {"DU-CQD", "DU-UBND", "CB-CA", "VP-DU", "BXDD", "MTTQ"} <= codes
    assert p.unit("DU-UBND").is_party_org and p.unit("DU-UBND").kind == "dang_bo"
    assert {t.phase for t in p.tasks} == {1, 2, 3, 4}
    phase3 = {t.responsible_unit for t in p.tasks if t.phase == 3}
    assert {"DU-CQD", "DU-UBND"} <= phase3
    for t in p.tasks:
        assert t.responsible and (not t.responsible_unit or t.responsible_unit in codes)


def test_004_criteria_follow_section_iv():
    p = _preset("la-gi-004")
    party = p.criteria_set_for("party_org")
    gates = {c.rule: c for c in party.gates}
    assert gates["party_members_vneid"].params["by"] == D(2026, 3, 31)
    assert gates["min_models"].params["n"] >= 1

    collective = p.criteria_set_for("collective")
    gates = {c.rule: c for c in collective.gates if c.method == "auto"}
    assert gates["target_met"].params["target"] == "VNEID_CB"
    assert gates["min_models"].params["n"] >= 1

    individual = p.criteria_set_for("individual")
    gates = {c.rule: c for c in individual.gates}
    assert set(gates) == {"solution_applied", "min_people_guided", "person_vneid", "not_disciplined"}
    assert gates["solution_applied"].params["require_effect"] is True
    assert gates["person_vneid"].params == {"by": D(2026, 3, 31), "require_guide": True}
    points = [c for c in individual.criteria if c.type == "points"]
    assert points and all(c.max_points > 0 for c in points)
    assert any(c.method == "manual" for c in points)


def test_004_award_forms_and_dossier():
    p = _preset("la-gi-004")
    forms = {a.code: a for a in p.award_forms}
    assert forms["GK_CT_UBND"].level == "ward" and set(forms["GK_CT_UBND"].subject_kinds) == set(SUBJECT_KINDS)
    assert forms["GK_BTV_DU"].level == "ward"
    assert forms["BK_CT_UBND_TINH"].level == "province" and "Lâm Đồng" in forms["BK_CT_UBND_TINH"].issuer
    d = p.dossier
    assert d.form_set == "decree-98-2023" and d.issuer == "party" and d.award_type == "chuyên đề"
    assert any("08-KH/ĐU, ngày 30/10/2025" in ref for ref in d.plan_ref)
    assert any("01-KH/BCĐ, ngày 12/12/2025" in ref for ref in d.plan_ref)


# --------------------------------------------------------------------------- plans 000, 001, 002

YEARLY = {
    # preset: {target code: value}, 2025 targets due 31/12/2025, 2026 targets due 31/12/2026
    "gia-lai-ia-khuol-000": {"CBCCVC_2025": 90, "HOC_SINH_2025": 100, "NGUOI_DAN_2025": 70,
                             "VNEID_XAC_NHAN_2025": 60, "LAO_DONG_DN_2025": 80, "CBCCVC_2026": 100,
                             "HOC_SINH_2026": 100, "NGUOI_DAN_2026": 100, "VNEID_XAC_NHAN_2026": 70,
                             "LAO_DONG_DN_2026": 100},
    "son-la-001": {"CBCCVC_2025": 80, "HOC_SINH_2025": 100, "NGUOI_DAN_2025": 80, "VNEID_XAC_NHAN_2025": 50,
                   "LAO_DONG_DN_2025": 80, "CBCCVC_2026": 100, "HOC_SINH_2026": 100, "NGUOI_DAN_2026": 100,
                   "VNEID_XAC_NHAN_2026": 60, "LAO_DONG_DN_2026": 100},
    "tuyen-quang-002": {"CBCCVC_2025": 80, "KHOA_HOC_CBCCVC_2025": 50, "HOC_SINH_2025": 100,
                        "NGUOI_DAN_2025": 80, "VNEID_XAC_NHAN_2025": 50, "LAO_DONG_DN_2025": 80,
                        "CBCCVC_2026": 100, "KHOA_HOC_CBCCVC_2026": 80, "HOC_SINH_2026": 100,
                        "NGUOI_DAN_2026": 100, "VNEID_XAC_NHAN_2026": 80, "LAO_DONG_DN_2026": 100},
}


@pytest.mark.parametrize("name", sorted(YEARLY))
def test_yearly_targets_of_the_movement_plans(name):
    p = _preset(name)
    for code, value in YEARLY[name].items():
        t = p.target(code)
        year = int(code[-4:])
        assert (t.measure, t.value_kind, t.target) == ("reported", "percent", value), code
        assert t.deadline == D(year, 12, 31), code
        assert t.params["group"], code
    assert {t.measure for t in p.targets} >= {"reported", "digital_ambassadors", "thematic_meetings"}
    assert p.target("DAI_SU_SO").params["min_mentees"] == 5


def test_localities_of_the_movement_plans():
    assert _preset("gia-lai-ia-khuol-000").preset.locality_full == "xã Ia Khươl"
    assert _preset("gia-lai-ia-khuol-000").preset.province == "Gia Lai"
    assert _preset("son-la-001").preset.province == "Sơn La"
    tq = _preset("tuyen-quang-002")
    assert tq.preset.province == "Tuyên Quang" and tq.campaign.start == D(2025, 9, 9)
    assert {t.due for t in tq.tasks} >= {D(2025, 10, 30), D(2025, 12, 30)}


@pytest.mark.parametrize("name", sorted(YEARLY))
def test_movement_plans_carry_a_copy_of_the_default_criteria(name):
    def shape(p):
        return [(s.code, s.subject_kind, [(c.code, c.type, c.method, c.rule, c.max_points) for c in s.criteria])
                for s in p.criteria_sets]

    assert shape(_preset(name)) == shape(_preset("la-gi-004"))


# --------------------------------------------------------------------------- broken presets

BASE = (PRESETS_DIR / "la-gi-004.toml").read_text(encoding="utf-8")


def _write(tmp_path: Path, old: str, new: str, name: str = "la-gi-004") -> Path:
    assert old in BASE, f"test fixture out of date: {old!r}"
    path = tmp_path / f"{name}.toml"
    path.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    return path


BROKEN = [
    # (id, old text, new text, key expected in the error, words expected in the message)
    ("missing key", 'code = "NHAN_BIET_PT"\nname', 'code = "NHAN_BIET_PT"\nnam', "name", "thiếu khóa"),
    ("missing deadline", "deadline = 2026-09-30\nscope", "scope", "deadline", "thiếu khóa"),
    ("quoted date", "end = 2026-06-30", 'end = "2026-06-30"', "end", "2026-03-31"),
    ("deadline before start", "start = 2026-07-01\ndeadline = 2026-09-30", "start = 2026-07-01\ndeadline = 2026-06-30",
     "deadline", "sau ngày bắt đầu"),
    ("date outside campaign", "due = 2026-12-31\ntiming = \"Quý IV/2026\"", "due = 2027-01-15\ntiming = \"Quý IV/2026\"",
     "due", "ngoài thời gian phong trào"),
    ("unknown measure", 'measure = "daily_broadcast"', 'measure = "daily_broadcasts"', "measure", "daily_broadcast"),
    ("value kind not for measure", 'measure = "weekly_guidance"\nvalue_kind = "percent"',
     'measure = "weekly_guidance"\nvalue_kind = "count"', "value_kind", "percent"),
    ("unknown rule", 'rule = "person_vneid"', 'rule = "person_vneid_ok"', "rule", "person_vneid"),
    ("rule not for subject", 'rule = "person_vneid"', 'rule = "party_members_vneid"', "rule", "individual"),
    ("duplicate target code", 'code = "VNEID_DV"', 'code = "VNEID_CB"', "code", "VNEID_CB"),
    ("duplicate criterion code", 'code = "TT_D_LOP_HOC"', 'code = "TCD_D_LOP_HOC"', "code", "TCD_D_LOP_HOC"),
    ("duplicate unit code", 'code = "VP-DU"', 'code = "BXDD"', "code", "BXDD"),
    ("unknown phase", 'phase = 3\ntitle = "Tổ chức sơ kết', 'phase = 7\ntitle = "Tổ chức sơ kết', "phase", "giai đoạn 7"),
    ("unknown target referenced", 'target = "NHAN_BIET_PT"', 'target = "NHAN_BIET"', "params.target", "NHAN_BIET"),
    ("unknown unit referenced", 'unit = "DU-UBND", min_count = 2', 'unit = "DU-UBNDX", min_count = 2', "params.unit",
     "DU-UBNDX"),
    ("misspelt param", "min_per_day = 1", "min_per_days = 1", "params.min_per_days", "min_per_day"),
    ("missing param", "params = { min_per_week = 1, kinds", "params = { kinds", "params.min_per_week", "thiếu khóa"),
    ("param of wrong type", "params = { n = 50 }", 'params = { n = "50" }', "params.n", "số nguyên"),
    ("unknown activity kind", 'kinds = ["broadcast"]', 'kinds = ["radio"]', "params.kinds", "broadcast"),
    ("unknown model status", 'status = "evaluated" }\nsource = "Thang', 'status = "evaluate" }\nsource = "Thang',
     "params.status", "evaluated"),
    ("params on a manual criterion", 'max_points = 25.0\nmethod = "manual"',
     'max_points = 25.0\nmethod = "manual"\nrule = "min_models"', "rule", "manual"),
    ("gate with points", 'type = "gate"\nmethod = "auto"\nrule = "person_vneid"',
     'type = "gate"\nmax_points = 5.0\nmethod = "auto"\nrule = "person_vneid"', "max_points", "gate"),
    ("points without max", 'max_points = 25.0\nmethod = "manual"', 'method = "manual"', "max_points", "lớn hơn 0"),
    ("percent over 100", "target = 80.0", "target = 800.0", "target", "100"),
    ("misspelt key", 'at_risk_margin = 20.0\nsource = "Mục III.1; Mục IV.1"',
     'at_risk_margn = 20.0\nsource = "Mục III.1; Mục IV.1"', "at_risk_margn", "at_risk_margin"),
    ("overlapping phases", "start = 2026-07-01\nend = 2026-09-30", "start = 2026-06-01\nend = 2026-09-30", "start",
     "giai đoạn 2"),
    ("phase numbers not consecutive", "number = 3", "number = 5", "number", "liên tục"),
    ("unit parent missing", 'parent = "DU-UBND"\nis_party_org = false', 'parent = "DU-UBNDX"\nis_party_org = false',
     "parent", "DU-UBNDX"),
    ("unknown unit kind", 'kind = "chi_bo"', 'kind = "chibo"', "kind", "chi_bo"),
    ("unknown subject kind", 'subject_kinds = ["party_org", "individual"]\nrecipient = "Ban Thường vụ Đảng ủy',
     'subject_kinds = ["party", "individual"]\nrecipient = "Ban Thường vụ Đảng ủy', "subject_kinds", "party_org"),
    ("bad code", 'code = "MTTQ"', 'code = "mttq"', "code", "IN HOA"),
    ("name is not the file stem", 'name = "la-gi-004"', 'name = "la-gi-005"', "preset.name", "trùng với tên tệp"),
]


@pytest.mark.parametrize("case", BROKEN, ids=[c[0] for c in BROKEN])
def test_broken_preset_names_file_line_and_key(tmp_path, case):
    _, old, new, key, words = case
    path = _write(tmp_path, old, new)
    with pytest.raises(PresetError) as info:
        load_preset(path)
    err = info.value
    message = str(err)
    assert 'Tệp preset "la-gi-004.toml"' in message
    assert f'khóa "{key}"' in message, message
    assert words in message, message
    assert err.path == path and err.key.endswith(key)
    # The line named is the key's own line, or the header of the item it is missing from.
    line = path.read_text(encoding="utf-8").splitlines()[err.line - 1]
    assert any(part in line for part in key.split(".")) or line.lstrip().startswith("["), (err.line, line)


@pytest.mark.parametrize(
    "old, new, words",
    [
        ("end = 2026-06-30", "end = 2026-02-30", "ngày tháng không hợp lệ"),
        ("end = 2026-06-30", "end = 30/06/2026", "không dùng 31/03/2026"),
        ("end = 2026-06-30", "end = 2026-06-30\nend = 2026-06-29", "ghi hai lần"),
        ('name = "Sơ kết, nhân rộng mô hình"', 'name = "Sơ kết, nhân rộng mô hình', "ngoặc kép"),
    ],
    ids=["impossible date", "slashed date", "key twice", "unclosed string"],
)
def test_toml_syntax_errors_are_explained_with_a_line(tmp_path, old, new, words):
    path = _write(tmp_path, old, new)
    with pytest.raises(PresetError) as info:
        load_preset(path)
    assert words in str(info.value) and "la-gi-004.toml" in str(info.value)
    assert info.value.line is not None


def test_notepad_bom_and_decomposed_text_are_accepted(tmp_path):
    decomposed = unicodedata.normalize("NFD", BASE)
    path = tmp_path / "la-gi-004.toml"
    path.write_bytes(b"\xef\xbb\xbf" + decomposed.encode("utf-8"))
    p = load_preset(path)
    assert p.preset.locality_full == "phường La Gi"  # stored as NFC


def test_a_file_not_in_utf8_is_refused(tmp_path):
    path = tmp_path / "la-gi-004.toml"
    path.write_bytes(BASE.encode("utf-16"))
    with pytest.raises(PresetError, match="UTF-8"):
        load_preset(path)


def test_params_defaults_are_filled_in():
    p = _preset("la-gi-004")
    assert p.target("MO_HINH_DANG_KY").params["status"] == "registered"
    crit = {c.code: c for s in p.criteria_sets for c in s.criteria}
    assert crit["TCD_MO_HINH"].params == {"n": 1, "status": "implementing"}
    assert crit["CN_GIAI_PHAP"].params == {"require_effect": True, "n": 1}
    assert crit["TT_VNEID"].params["margin"] == 0.0


def test_list_presets_reports_a_broken_file_instead_of_hiding_it(tmp_path):
    for path in SHIPPED:
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "phuong-moi.toml").write_text(BASE, encoding="utf-8")  # copied but name not changed
    infos = {i.name: i for i in list_presets(tmp_path)}
    assert not infos["phuong-moi"].ok and "phuong-moi.toml" in infos["phuong-moi"].error
    assert all(i.ok for n, i in infos.items() if n != "phuong-moi")
    assert list_presets(tmp_path)[0].name == "la-gi-004"


# --------------------------------------------------------------------------- module hygiene


def test_vocabularies_agree_with_the_domain_vocab():
    vocab = pytest.importorskip("bdhvs_desktop.domain.vocab")
    assert set(ACTIVITY_KINDS) == {k.value for k in vocab.ActivityKind}
    assert list(MODEL_STATUSES) == [s.value for s in vocab.ModelStatus]
    assert set(SUBJECT_KINDS) == {k.value for k in vocab.SubjectKind}
    assert set(UNIT_KINDS) == {k.value for k in vocab.UnitKind}


def test_presets_module_imports_neither_qt_nor_sqlalchemy():
    code = ("import sys, bdhvs_desktop.domain.presets; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'sqlalchemy', 'shiboken6')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])
