"""`bdhvs province dossier THƯ_MỤC [--draft]` (the province's Tờ trình and minutes from the command line) and the
province council's decision naming each candidate with its ward."""

from __future__ import annotations

import json

import pytest
from province_office import council_round, generated_packages, province_db

from bdhvs_desktop.cli import main
from bdhvs_desktop.services import council as cs
from bdhvs_desktop.services.province import import_packages

WARDS = ("Phường Bình Minh", "Phường Tân Hà", "Phường Hòa Đông")


@pytest.fixture
def office(tmp_path):
    path = tmp_path / "tinh.sqlite3"
    db = province_db(path)
    packages, ca = generated_packages(tmp_path / "goi", n=3)
    report = import_packages(db, packages, trust_roots=[ca])
    assert len(report.imported) == 3, report.summary_lines()
    yield db, path
    db.dispose()


def test_the_decision_names_the_candidate_with_its_ward(office):
    db, _path = office
    council_round(db, reject=1)
    decided = [c for c in cs.list_candidates(db) if c.decision_reason]
    assert decided
    for c in decided:
        ward = c.name.rsplit(" — ", 1)[-1]
        assert ward in WARDS, c.name
        assert f" — {ward}" in c.decision_reason, (c.name, c.decision_reason)


def test_command_line_writes_the_draft_then_the_dossier(office, tmp_path, capsys):
    db, path = office
    out = tmp_path / "ho-so-tinh"
    assert main(["province", "dossier", str(out), "--draft", "--db", str(path), "--at", "2026-12-05"]) == 0
    text = capsys.readouterr().out
    assert "Bản dự thảo hồ sơ cấp tỉnh" in text and "to-trinh-tinh" in text
    assert all(f"  {w}:" in text for w in WARDS)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    names = [f["name"] if isinstance(f, dict) else f for f in manifest["files"]]
    assert any(n.startswith("to-trinh-tinh") for n in names)
    assert all((out / n).is_file() for n in names)
    assert all(c.status != "issued" for c in cs.list_candidates(db))  # a draft changes nothing

    # Not decided yet: the final dossier is refused with the reason, nothing written.
    final = tmp_path / "chinh-thuc"
    assert main(["province", "dossier", str(final), "--db", str(path)]) == 1
    assert "chưa thông qua" in capsys.readouterr().err and not (final / "manifest.json").exists()

    result = council_round(db, reject=1)
    assert main(["province", "dossier", str(final), "--db", str(path), "--at", "2026-12-05"]) == 0
    text = capsys.readouterr().out
    assert "Hồ sơ trình khen thưởng cấp tỉnh" in text
    assert f"Đã chuyển {len(result['approved'])} hồ sơ" in text
    assert (final / "manifest.json").is_file()
    assert any(p.name.startswith("bien-ban") for p in final.iterdir())


def test_command_line_refuses_a_file_as_the_folder(office, tmp_path, capsys):
    _db, path = office
    afile = tmp_path / "tep.txt"
    afile.write_text("x", encoding="utf-8")
    assert main(["province", "dossier", str(afile), "--db", str(path)]) == 2
    assert "không phải thư mục" in capsys.readouterr().err
