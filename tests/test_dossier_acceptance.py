"""Issue #11, "Done when", on the integrated code: the demo ward taken through two meetings
(tests/two_meetings.py: a show of hands, a secret ballot, a member added between them, a
conflict of interest), with one collective and two individuals proposed for the party
committee's award (the party format) and the others for the People's Committee chairman's
(the state format), produces a final dossier for each form set; every document is read back:

* every count in each Tờ trình equals its minutes, and each Tờ trình cites only the meetings
  whose approvals it carries, listing exactly the rows those minutes passed for its award;
* every Form 08 number (and every collective's figure in the Tờ trình's list) equals
  `bdhvs score --json` / the status service for that subject;
* no bare heading, no ": ." nor an empty field after a colon, no template tag left;
* a past meeting's minutes are byte-identical (text) before and after a council change;
* on the PDF LibreOffice makes, no table row and no signature block splits across a page.

The dossiers are built once for the module; the PDFs are made in one LibreOffice call."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select
from test_dossier import all_paragraphs, doc_text, no_tags_left, table_rows
from test_form08 import check_form08_numbers
from test_meeting_record import minutes_counts, submission_counts
from two_meetings import NEW_MEMBER, two_meetings

from bdhvs_desktop.services import council as cs
from bdhvs_desktop.services import dossier as svc
from bdhvs_desktop.storage import models as m

AT = dt.date(2026, 11, 30)
FORM_SETS = ("decree-98-2023", "decree-152-2025")
PARTY_AWARD, STATE_AWARD = "GK_BTV_DU", "GK_CT_UBND"
TT_STATE = "to-trinh-mau-01-chu-tich-uy-ban-nhan-dan-phuong-la-gi.docx"
TT_PARTY = "to-trinh-mau-01-ban-thuong-vu-dang-uy-phuong-la-gi.docx"
M1_FILE = "bien-ban-hop-xet-so-01-ngay-12-11-2026.docx"
M2_FILE = "bien-ban-hop-xet-so-02-ngay-26-11-2026.docx"
# a numbered or lettered section heading: "II. NỘI DUNG CUỘC HỌP", "2. Chức năng, nhiệm vụ được giao"
HEADING = re.compile(r"^(\d+\.|[IVX]+\.)\s+\S.*[^.;:,]$")


@dataclass
class World:
    db: object
    ids: dict
    party: set[int]  # candidates proposed for the party committee's award
    folders: dict[str, Path]  # form set -> final dossier
    files: dict[str, list[Path]]
    before_change: dict[str, str] = field(default_factory=dict)  # minutes text, first final dossier
    after_change: dict[str, str] = field(default_factory=dict)  # the same, regenerated after a council change


@pytest.fixture(scope="module")
def world(demo_template, tmp_path_factory):
    from bdhvs_desktop.storage.backup import backup_file
    from bdhvs_desktop.storage.engine import open_database

    root = tmp_path_factory.mktemp("acceptance")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BDHVS_HOME", str(root / "home"))
        mp.delenv("BDHVS_DB", raising=False)
        db = open_database(backup_file(demo_template, root / "demo.sqlite3"))
        party: set[int] = set()
        propose = cs.propose_eligible

        def propose_with_both_authorities(database, **kw):
            # One collective and two individuals (one voted at each meeting) go to the party
            # committee: both formats in one round, each chosen BEFORE the council votes.
            result = propose(database, **kw)
            with database.session() as s:
                cands = [s.get(m.Candidate, cid) for cid in result.created]
                award = s.scalar(select(m.AwardForm).where(m.AwardForm.code == PARTY_AWARD))
                chosen = [c for c in cands if c.subject_type == "unit"][:1] + \
                         [c for c in cands if c.subject_type == "person"][:2]
                for c in chosen:
                    c.award_form_id = award.id
                    party.add(c.id)
            return result

        mp.setattr(cs, "propose_eligible", propose_with_both_authorities)
        ids = two_meetings(db)
        mp.undo()
        mp.setenv("BDHVS_HOME", str(root / "home"))
        svc.save_settings(db, signer_name="Nguyễn Văn Ký", issuer_format="auto")
        folders, files = {}, {}
        for fs in FORM_SETS:
            outcome = svc.generate_dossier(db, root / fs, at=AT, form_set=fs)
            folders[fs], files[fs] = outcome.folder, list(outcome.files)
        first = FORM_SETS[0]
        w = World(db, ids, party, folders, files,
                  before_change={n: doc_text(folders[first] / n) for n in (M1_FILE, M2_FILE)})
        # the council changes after both meetings: a member added, the chairman renamed,
        # a position changed, the member added between the meetings leaves
        members = cs.list_members(db)
        chair = next(x for x in members if x.role == "chair")
        cs.add_member(db, "Lê Thị Hậu", position="Bí thư Đoàn phường")
        cs.update_member(db, chair.id, full_name="Đỗ Quang Hải Mới")
        cs.update_member(db, ids["absent"], position="Phó Trưởng Công an phường")
        cs.set_member_active(db, ids["new_member"], False)
        again = svc.generate_dossier(db, root / f"{first}-again", at=AT, form_set=first)
        w.after_change = {n: doc_text(again.folder / n) for n in (M1_FILE, M2_FILE)}
        yield w
    db.dispose()


def _candidates(db) -> dict[int, tuple[str, int | None, int | None]]:
    with db.read() as s:
        return {c.id: (c.subject_type, c.unit_id, c.person_id) for c in s.scalars(select(m.Candidate))}


def _docs(db, folder: Path) -> dict[int, Path]:
    """Candidate id -> its Form 08 in *folder* (from the records of the generated documents)."""
    with db.read() as s:
        return {d.candidate_id: Path(d.path) for d in s.scalars(select(m.GeneratedDocument))
                if d.candidate_id is not None and Path(d.path).parent == folder}


def _listed(path: Path) -> list[str]:
    return [r[1] for r in table_rows(path) if len(r) == 6 and r[0].isdigit()]


def _passed_by_award(path: Path) -> dict[str, list[str]]:
    """The minutes' results table: award name -> names passed (in order)."""
    out: dict[str, list[str]] = {}
    for r in table_rows(path):
        if len(r) == 6 and r[0].isdigit() and r[5] == "Thông qua":
            out.setdefault(" ".join(r[2].split()), []).append(r[1])
    return out


def _award_names(db) -> dict[str, str]:
    with db.read() as s:
        return {f.code: f.name for f in s.scalars(select(m.AwardForm))}


# ------------------------------------------------------------------ counts and citations


@pytest.mark.parametrize("form_set", FORM_SETS)
def test_each_submission_carries_exactly_what_its_minutes_passed(world, form_set):
    folder = world.folders[form_set]
    names = {p.name for p in world.files[form_set]}
    assert {TT_STATE, TT_PARTY, M1_FILE, M2_FILE} <= names
    assert len([n for n in names if n.startswith("to-trinh")]) == 2
    awards = _award_names(world.db)
    minutes = {"12/11/2026": folder / M1_FILE, "26/11/2026": folder / M2_FILE}
    counts = {day: minutes_counts(path) for day, path in minutes.items()}
    passed = {day: _passed_by_award(path) for day, path in minutes.items()}
    totals = {day: {"collective": 0, "individual": 0} for day in minutes}
    for tt, code in ((TT_STATE, STATE_AWARD), (TT_PARTY, PARTY_AWARD)):
        path = folder / tt
        text = doc_text(path)
        cited = submission_counts(path)
        assert cited, tt
        carried = [name for day in minutes for name in passed[day].get(awards[code], [])]
        # the list is exactly what the minutes passed for this award (ranked, so compared as a set)
        assert sorted(_listed(path)) == sorted(carried) and len(set(carried)) == len(carried), \
            (tt, _listed(path), carried)
        for day, got in cited.items():
            # present/total are that meeting's; it carries at least one of its approvals
            assert (got["present"], got["total"]) == (counts[day]["present"], counts[day]["total"]), (tt, day)
            assert got["collective"] + got["individual"] > 0, (tt, day)
            assert got["collective"] + got["individual"] == len(passed[day].get(awards[code], [])), (tt, day, got)
            for part in ("collective", "individual"):
                totals[day][part] += got[part]
            number = "01" if day == "12/11/2026" else "02"
            assert (f"Căn cứ Biên bản họp Hội đồng Thi đua - Khen thưởng phường La Gi ngày {day} (số {number}"
                    in text), (tt, day)
        # a meeting whose approvals this Tờ trình does not carry is not cited
        for day in minutes:
            if day not in cited:
                assert f"ngày {day} (số" not in text, (tt, day)
        # the closing sentence totals its own list
        n_coll = sum(g["collective"] for g in cited.values())
        n_ind = sum(g["individual"] for g in cited.values())
        closing = re.search(r"cho (?:(\d+) tập thể)?(?: và )?(?:(\d+) cá nhân)? đã có thành tích", " ".join(text.split()))
        assert closing, tt
        assert (int(closing.group(1) or 0), int(closing.group(2) or 0)) == (n_coll, n_ind), (tt, closing.group(0))
    # the two Tờ trình together carry every approval of each meeting
    for day in minutes:
        assert totals[day] == {"collective": counts[day]["collective"], "individual": counts[day]["individual"]}, day
    assert counts["12/11/2026"]["present"] == 6 and counts["12/11/2026"]["total"] == 7
    assert counts["26/11/2026"]["present"] == 8 and counts["26/11/2026"]["total"] == 8


# ------------------------------------------------------------------ Form 08 against score/status


def test_every_form08_of_both_form_sets_equals_score_and_status(world, capsys):
    from bdhvs_desktop.cli import main

    capsys.readouterr()
    assert main(["score", "--db", str(world.db.path), "--at", AT.isoformat(), "--json"]) == 0
    score_json = json.loads(capsys.readouterr().out)
    cands = _candidates(world.db)
    approved = set(world.ids["m1_candidates"]) | set(world.ids["m2_candidates"])
    approved.discard(world.ids["failing"])
    for fs in FORM_SETS:
        docs = _docs(world.db, world.folders[fs])
        assert set(docs) == approved, fs  # every candidate the council passed, of both kinds
        assert {cands[c][0] for c in docs} == {"unit", "person"} and docs.keys() & world.party
        rows, people = check_form08_numbers(world.db, docs, cands, score_json, AT)
        assert rows >= 6 and people == len([c for c in docs if cands[c][0] == "person"]), (fs, rows, people)
    # the collectives' figures in the Tờ trình's list are the score's too
    gates = {}
    for s in score_json:
        for c in s["criteria"]:
            found = re.search(r"(\d+)/(\d+) đảng viên", c["explanation"])
            if s["subject"] == "unit" and found and "thành thạo VNeID" in c["explanation"]:
                gates[s["name"]] = found.groups()
    checked = 0
    for fs in FORM_SETS:
        for tt in (TT_STATE, TT_PARTY):
            for r in table_rows(world.folders[fs] / tt):
                if len(r) == 6 and r[0].isdigit():
                    for n, d in re.findall(r"(\d+)/(\d+) đảng viên", r[4]):
                        assert (n, d) == gates[r[1]], (fs, tt, r[1], r[4], gates.get(r[1]))
                        checked += 1
    assert checked >= 2


# ------------------------------------------------------------------ what is printed


def _blocks(path: Path) -> list[str]:
    """The body in order: each non-empty paragraph, "<table>" for a table."""
    import docx

    out = []
    for el in docx.Document(str(path)).element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in el.iter(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t")).strip()
            if text:
                out.append(text)
        elif tag == "tbl":
            out.append("<table>")
    return out


def _level(heading: str) -> int:
    return 0 if re.match(r"^[IVX]+\.", heading) else 1


EMPTY_AFTER_COLON = re.compile(r":\s*[.;,]|:\s*\)|\(\s*\)|:\s+:")
DOUBLED = re.compile(r"(?<![./])([,;:])\s*\1|(?<![./…])\.\s*\.(?![./…])|,\s*\.(?!/)")
CODE_WORDS = re.compile(r"\b(state|party|secret_ballot|show_of_hands|approved|proposed|None|null|True|False|"
                        r"[A-Z]{2,}_[A-Z_]{2,})\b")


@pytest.mark.parametrize("form_set", FORM_SETS)
def test_no_bare_heading_no_empty_field_no_tag_no_code_word(world, form_set):
    problems = []
    for path in world.files[form_set]:
        no_tags_left(path)
        blocks = _blocks(path)
        for i, block in enumerate(blocks):
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            # bare: followed by the end or by a heading of its own level or above ("2." after
            # "1.", "II." after "1."); "1. Đặc điểm" under "I. THÔNG TIN CHUNG" is its content
            if HEADING.match(block) and (nxt is None or (HEADING.match(nxt) and _level(nxt) <= _level(block))):
                problems.append(f"{path.name}: bare heading {block!r} -> {nxt!r}")
            if block.endswith(":") and (nxt is None or HEADING.match(nxt)):
                problems.append(f"{path.name}: lead-in {block!r} followed by {nxt!r}")
            # a field line ("- Chức vụ:") with nothing after its colon
            if re.match(r"^- [^:]{1,80}:$", block) and nxt is not None and nxt.startswith("- "):
                problems.append(f"{path.name}: empty field {block!r}")
        import docx

        for p in all_paragraphs(docx.Document(str(path))):
            text = " ".join(p.text.split())
            for pattern, what in ((EMPTY_AFTER_COLON, "empty value"), (DOUBLED, "doubled punctuation"),
                                  (CODE_WORDS, "code word")):
                found = pattern.search(text)
                if found:
                    problems.append(f"{path.name}: {what} {found.group(0)!r} in {text!r}")
            # a part with nobody in it is left out, never counted as zero ("0 tập thể và 02 cá nhân")
            if re.search(r"(?<![\d/,])0 (tập thể|cá nhân|thành viên)\b", text):
                problems.append(f"{path.name}: a bare zero count in {text!r}")
    assert problems == [], "\n".join(problems)


def test_past_minutes_are_the_same_text_after_the_council_changed(world):
    assert world.after_change.keys() == world.before_change.keys()
    for name, before in world.before_change.items():
        assert world.after_change[name] == before, name  # byte-identical text
    assert "Lê Thị Hậu" not in "".join(world.before_change.values())
    assert "Đỗ Quang Hải Mới" not in "".join(world.after_change.values())
    assert NEW_MEMBER not in world.before_change[M1_FILE] and NEW_MEMBER in world.before_change[M2_FILE]
    # Each minutes prints the decision chain's head at its meeting's close (not the head when
    # the dossier was made, which the issuing of the first final dossier moved on); the code
    # is still found in the chain, and the manifest keeps both.
    from bdhvs_desktop.services import audit

    codes = {}
    for name, text in world.before_change.items():
        found = re.search(r"Mã neo nhật ký quyết định: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}) \((\d+) mục\)", text)
        assert found, name
        codes[name] = found.group(1)
        assert audit.verify_code(world.db, found.group(1)).found, name
    assert codes[M1_FILE] != codes[M2_FILE]  # meeting 2's decisions came after meeting 1's close
    manifest = json.loads((world.folders[FORM_SETS[0]] / "manifest.json").read_text(encoding="utf-8"))
    assert {n: a["code"] for n, a in manifest["minutes_anchors"].items()} == codes
    # nothing was decided between meeting 2's close and the first dossier: the head then was its close
    assert manifest["audit_anchor"]["code"] == codes[M2_FILE]
    with world.db.read() as s:
        assert audit.current_anchor(s).code not in codes.values()  # the issuing moved the head on since


# ------------------------------------------------------------------ on the printed page


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _pdf_pages(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    return [_norm(page.extract_text() or "") for page in PdfReader(str(pdf)).pages]


def _pages_with(pages: list[str], needle: str) -> list[int]:
    return [i for i, p in enumerate(pages) if needle in p]


def _words(text: str, n: int, last: bool = False) -> str:
    words = _norm(text).split()
    return " ".join(words[-n:] if last else words[:n])


def _row_problems(path: Path, pages: list[str]) -> list[str]:
    """Each data row of each table (not the signature tables): the start and the end of its
    longest cell and its name cell on one page."""
    import docx

    problems = []
    page = 0
    for t in docx.Document(str(path)).tables:
        rows = [[_norm(c.text) for c in r.cells] for r in t.rows]
        if any("(Ký" in c or "Nơi nhận" in c for r in rows for c in r):
            continue
        everything = [c for r in rows for c in r]
        for r in rows[1:]:
            cells = [c for c in dict.fromkeys(r) if len(c.split()) >= 2 and everything.count(c) == 1]
            if len(set(r)) < 3 or not cells:
                continue  # a part heading ("I. TẬP THỂ") or a row of figures only
            longest = max(cells, key=len)
            needles = {_words(longest, 4), _words(longest, 4, last=True)} | {_words(c, 3) for c in cells[:2]}
            # the pages (from the previous row's on) holding each piece; the row is whole if
            # one page holds them all (a piece may recur elsewhere: the name in the text above)
            where = {needle: {i for i in _pages_with(pages, needle) if i >= page} for needle in needles}
            common = set.intersection(*where.values())
            if not all(where.values()):
                problems.append(f"{path.name}: row {r[:2]} not found on the page ({where})")
            elif not common:
                problems.append(f"{path.name}: row {r[:2]} split across pages {where}")
            else:
                page = min(common)
    return problems


def _signature_problems(path: Path, pages: list[str]) -> list[str]:
    """Every line of each signature table (and the paragraph just before it) on one page."""
    import docx

    d = docx.Document(str(path))
    problems = []
    body = list(d.element.body.iterchildren())
    for t in d.tables:
        lines = [_norm(p.text) for row in t.rows for cell in row.cells for p in _cell_paragraphs(cell)
                 if _norm(p.text)]
        if not any(x.startswith(("(Ký", "Nơi nhận")) for x in lines):
            continue
        i = body.index(t._tbl)
        before = next((_norm(_p_text(x)) for x in reversed(body[:i]) if x.tag.endswith("}p") and _norm(_p_text(x))),
                      None)
        needles = list(dict.fromkeys(lines + ([before] if before else [])))
        where = {n: set(_pages_with(pages, n)) for n in needles}
        if not all(where.values()):
            problems.append(f"{path.name}: signature line not found {[n for n, p in where.items() if not p]}")
        elif not set.intersection(*where.values()):  # no page holds the whole block
            problems.append(f"{path.name}: signature block over pages {where}")
    return problems


def _p_text(p) -> str:
    return "".join(t.text or "" for t in p.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))


def _cell_paragraphs(cell):
    yield from cell.paragraphs
    for inner in cell.tables:
        for row in inner.rows:
            for c in row.cells:
                yield from _cell_paragraphs(c)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_no_row_or_signature_block_splits_on_the_page(world, tmp_path):
    files = [p for fs in FORM_SETS for p in world.files[fs]]
    # one LibreOffice call for both form sets (the names repeat: copy them apart first)
    src = tmp_path / "src"
    src.mkdir()
    for fs in FORM_SETS:
        for p in world.files[fs]:
            shutil.copy2(p, src / f"{fs}--{p.name}")
    pdf_dir = tmp_path / "pdf"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(pdf_dir)] + sorted(str(p) for p in src.iterdir()),
                   check=True, capture_output=True, timeout=600)
    problems = []
    checked_signatures = 0
    for fs in FORM_SETS:
        for path in world.files[fs]:
            pages = _pdf_pages(pdf_dir / f"{fs}--{path.stem}.pdf")
            problems += _row_problems(path, pages)
            sig = _signature_problems(path, pages)
            problems += sig
            checked_signatures += 1
            # no page of a document holds only a line or two (an orphaned signature, "- Lưu: VT")
            for i, page in enumerate(pages[1:], start=1):
                if len(re.sub(r"^\d+\s*", "", page)) < 40:
                    problems.append(f"{fs}/{path.name}: page {i + 1} holds only {page!r}")
    assert checked_signatures == len(files)
    assert problems == [], "\n".join(problems)


def test_a_collectives_headcount_reads_as_a_total_with_its_parts(world):
    """"Tổng số …: 10 (3 đảng viên; 2 cán bộ …)" read as if the parts made the total; the
    parts are "trong đó" (of whom), counted the way the rest of the report counts ("03")."""
    cands = _candidates(world.db)
    checked = 0
    for fs in FORM_SETS:
        for cid, path in _docs(world.db, world.folders[fs]).items():
            if cands[cid][0] != "unit":
                continue
            line = next(x for x in doc_text(path).splitlines()
                        if x.startswith("- Tổng số cán bộ, đảng viên, công chức, viên chức:"))
            found = re.fullmatch(r"- Tổng số cán bộ, đảng viên, công chức, viên chức: (\d+) \(trong đó (.+)\)\.", line)
            assert found, (fs, path.name, line)
            for n in re.findall(r"(\d+) (?:đảng viên|cán bộ)", found.group(2)):
                assert int(n) <= int(found.group(1)) and (len(n) >= 2), (fs, path.name, line)
            checked += 1
    assert checked >= 4
