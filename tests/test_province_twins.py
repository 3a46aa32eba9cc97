"""One file per person at the province council (issue #14, found in the screenshots): two wards
propose the same person (the same CCCD, or the same normalised name and birth date); a careless
council secretary approves the first and then tries the second. The second is refused with a
Vietnamese message naming the person, both wards and the file already approved, and nothing of it
is written (its state, its votes, the audit log). A ward office is not affected: two people of the
same name with different CCCDs are two people."""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata

import pytest
from province_office import PROVINCE_COUNCIL, PROVINCE_MEETING_AT, province_db
from province_packages import Person, ward_package, write_ward_package
from sqlalchemy import func, select

from bdhvs_desktop.services import council as cs
from bdhvs_desktop.services import people as people_service
from bdhvs_desktop.services.errors import ServiceError
from bdhvs_desktop.services.province import import_packages
from bdhvs_desktop.storage import models as m

ANH = Person("Âu Thị Ánh", "068185424242", dt.date(1985, 6, 14), female=True)
WARDS = (("BM", "Phường Bình Minh"), ("TH", "Phường Tân Hà"))


def _office(tmp_path, first: Person, second: Person):
    """A province office with Bình Minh proposing `first` and Tân Hà `second` (and others each)."""
    db = province_db(tmp_path / "tinh.sqlite3")
    paths = []
    for (code, name), person, seed in zip(WARDS, (first, second), (1, 2)):
        data, docs = ward_package(code, name, n=3, seed=seed, people=[person])
        paths.append(write_ward_package(tmp_path / f"{code}.bdhvs-goi", data, docs))
    report = import_packages(db, paths, trust_roots=())
    assert len(report.imported) == 2, report.summary_lines()
    return db


def _council(db) -> int:
    for name, position, role in PROVINCE_COUNCIL:
        cs.add_member(db, name, position=position, role=role)
    return cs.new_meeting(db, PROVINCE_MEETING_AT, place="Hội trường Ủy ban nhân dân tỉnh", number="05/BB-HĐTĐKT")


def _twins(db, name_key_of: str) -> tuple[cs.CandidateInfo, cs.CandidateInfo]:
    """The two candidates of the person, Bình Minh's first."""
    from bdhvs_desktop.domain.text import name_key

    found = [c for c in cs.list_candidates(db) if c.subject == "person"
             and name_key(c.name.rsplit(" — ", 1)[0]) == name_key(name_key_of)]
    assert len(found) == 2, [c.name for c in cs.list_candidates(db)]
    found.sort(key=lambda c: "Phường Bình Minh" not in c.name)
    return found[0], found[1]


def _first_approved(tmp_path):
    """Both wards propose Ánh (the same CCCD), the council votes both files through and decides
    Bình Minh's: (db, meeting, Bình Minh's file approved, Tân Hà's file voted, undecided)."""
    db = _office(tmp_path, ANH, ANH)
    meeting = _council(db)
    first, twin = _twins(db, "Âu Thị Ánh")
    for cid in (first.id, twin.id):
        cs.record_vote(db, meeting, cid, len(PROVINCE_COUNCIL), 0, 0)
    cs.decide(db, meeting, first.id)
    return db, meeting, first, twin


def _state(db, candidate_id: int):
    """Everything the refusal must leave as it was: the candidate, its votes, the audit log."""
    with db.read() as s:
        c = s.get(m.Candidate, candidate_id)
        votes = s.execute(select(m.Vote.meeting_id, m.Vote.votes_for, m.Vote.votes_against, m.Vote.votes_abstain)
                          .where(m.Vote.candidate_id == candidate_id)).all()
        audit = s.scalar(select(func.count()).select_from(m.AuditEntry))
        return (c.status, c.locked, c.decision_reason, c.decided_at, dict(c.score_snapshot or {}), c.version,
                sorted(votes), audit)


def _refused_message(db, call) -> str:
    with pytest.raises(ServiceError) as info:
        call()
    return str(info.value)


def _says_who_and_where(text: str, first: cs.CandidateInfo) -> None:
    assert "Âu Thị Ánh" in text, text
    assert "Phường Bình Minh" in text and "Phường Tân Hà" in text, text
    assert f"số {first.id}" in text and "đã được thông qua" in text, text  # the file already approved


@pytest.mark.parametrize("second", [
    ANH,  # the same CCCD
    # the same person without a CCCD at the second ward, her name typed decomposed (the Windows keyboard)
    Person(unicodedata.normalize("NFD", "Âu Thị Ánh"), None, dt.date(1985, 6, 14), female=True),
], ids=["cccd", "name_birth"])
def test_the_second_ward_s_file_of_an_approved_person_is_refused(tmp_path, second):
    first_person = ANH if second.cccd else dataclasses.replace(ANH, cccd=None)
    db = _office(tmp_path, first_person, second)
    meeting = _council(db)
    first, twin = _twins(db, "Âu Thị Ánh")
    present = len(PROVINCE_COUNCIL)
    cs.record_vote(db, meeting, first.id, present, 0, 0)
    cs.record_vote(db, meeting, twin.id, present, 0, 0)
    cs.decide(db, meeting, first.id)
    assert cs.get_candidate(db, first.id).status == "approved"

    before = _state(db, twin.id)
    # the council page's "Quyết định và khóa" (one candidate), `bdhvs council decide` (the meeting), and
    # `bdhvs candidates ... approved` / the candidates dialog
    for call in (lambda: cs.decide(db, meeting, twin.id), lambda: cs.decide(db, meeting),
                 lambda: cs.set_status(db, twin.id, "approved")):
        _says_who_and_where(_refused_message(db, call), first)
        assert _state(db, twin.id) == before
    assert cs.get_candidate(db, first.id).status == "approved"

    # the council board says why: the twin names the file approved, with its ward
    row = next(r for r in cs.meeting_view(db, meeting).candidates if r.candidate.id == twin.id)
    assert row.candidate.twin and "Phường Bình Minh" in row.candidate.twin and "được thông qua" in row.candidate.twin
    assert f"số {first.id}" in row.candidate.twin

    # voted down, the second file is decided like any other
    cs.record_vote(db, meeting, twin.id, 1, present - 1, 0)
    cs.decide(db, meeting, twin.id)
    assert cs.get_candidate(db, twin.id).status == "rejected"
    db.dispose()


def test_both_twins_passing_in_one_decision_write_nothing(tmp_path):
    """`decide` for the whole meeting with both files passing: refused as a whole (the first is not
    approved alone behind the secretary's back either), the council chooses which file to pass."""
    db = _office(tmp_path, ANH, ANH)
    meeting = _council(db)
    first, twin = _twins(db, "Âu Thị Ánh")
    others = [c.id for c in cs.list_candidates(db) if c.id not in (first.id, twin.id)]
    for cid in (first.id, twin.id, *others):
        cs.record_vote(db, meeting, cid, len(PROVINCE_COUNCIL), 0, 0)
    before = {cid: _state(db, cid) for cid in (first.id, twin.id, *others)}
    text = _refused_message(db, lambda: cs.decide(db, meeting))
    assert "Âu Thị Ánh" in text and "Phường Bình Minh" in text and "Phường Tân Hà" in text, text
    assert {cid: _state(db, cid) for cid in before} == before
    db.dispose()


def test_a_reopened_file_does_not_block_and_the_twin_is_refused_on_its_way_back(tmp_path):
    db, meeting, first, twin = _first_approved(tmp_path)
    cs.reopen(db, first.id, "Hội đồng chọn hồ sơ của phường Tân Hà")
    cs.decide(db, meeting, twin.id)  # the first is no longer approved: the second passes
    assert cs.get_candidate(db, twin.id).status == "approved"
    text = _refused_message(db, lambda: cs.decide(db, meeting, first.id))
    assert "Âu Thị Ánh" in text and f"số {twin.id}" in text and "Phường Tân Hà" in text, text
    db.dispose()


def test_the_gui_council_page_shows_the_refusal(tmp_path, qtbot, monkeypatch):
    """Through the council page ("Quyết định và khóa" → gui/ops): a warning with the message, nothing written."""
    from gui_wait import settle
    from PySide6.QtWidgets import QMessageBox

    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.pages.council import CouncilPage

    db, meeting, first, twin = _first_approved(tmp_path)
    before = _state(db, twin.id)
    page = CouncilPage(AppContext(db))
    qtbot.addWidget(page)
    page.refresh()
    settle(qtbot)
    row = next(i for i, r in enumerate(page._rows) if r.candidate.id == twin.id)
    assert "Trùng với" in page.table.item(row, 6).text()  # the board says why
    page.table.selectRow(row)
    warnings = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    page.decide_selected()
    settle(qtbot)
    assert len(warnings) == 1
    _says_who_and_where(warnings[0], first)
    assert _state(db, twin.id) == before
    db.dispose()


def test_a_ward_office_approves_two_people_of_the_same_name(demo_db):
    """At a ward, the same name and birth date with two CCCDs are two people: both approved."""
    with demo_db.read() as s:
        taken = set(s.scalars(select(m.Candidate.person_id).where(m.Candidate.person_id.is_not(None))))
        pid = s.scalar(select(m.Person.id).where(m.Person.cccd.is_not(None), m.Person.birth_date.is_not(None),
                                                 m.Person.id.not_in(taken)).order_by(m.Person.id).limit(1))
    rec = people_service.get_person(demo_db, pid)
    cccd = rec.data.cccd[:6] + ("000001" if rec.data.cccd[6:] != "000001" else "000002")
    namesake = people_service.save_person(demo_db, dataclasses.replace(rec.data, cccd=cccd))
    ids = [cs.propose(demo_db, "person", p, award_code="GK_CT_UBND") for p in (pid, namesake)]
    meeting = cs.new_meeting(demo_db, dt.datetime(2026, 11, 20, 8, 0), place="Hội trường")
    present = cs.meeting_view(demo_db, meeting).present
    for cid in ids:
        cs.record_vote(demo_db, meeting, cid, present, 0, 0)
        cs.decide(demo_db, meeting, cid)
    assert [cs.get_candidate(demo_db, cid).status for cid in ids] == ["approved", "approved"]
    assert all(cs.get_candidate(demo_db, cid).twin is None for cid in ids)


def test_a_final_province_dossier_refuses_a_person_approved_twice(tmp_path):
    """Files approved twice before the rule existed (written here straight to the database, as an
    older version left them) are not issued twice: the final dossier is refused, nothing written."""
    from bdhvs_desktop.services.dossier import DossierError
    from bdhvs_desktop.services.province_dossier import generate_province_dossier

    db, meeting, first, twin = _first_approved(tmp_path)
    with db.session() as s:
        c = s.get(m.Candidate, twin.id)
        c.status, c.locked = "approved", True
    before = _state(db, first.id), _state(db, twin.id)
    with pytest.raises(DossierError) as info:
        generate_province_dossier(db, tmp_path / "ho-so-tinh", at=dt.date(2026, 12, 5))
    text = str(info.value)
    assert f"số {first.id}" in text and f"số {twin.id}" in text and "Phường Tân Hà" in text, text
    assert "Phường Bình Minh" in text and "cùng một người" in text, text
    assert not (tmp_path / "ho-so-tinh" / "manifest.json").exists()
    assert (_state(db, first.id), _state(db, twin.id)) == before
    db.dispose()


def test_the_trùng_lặp_page_and_the_council_use_one_rule(tmp_path):
    """Every two files the Trùng lặp page groups as one person, the council's rule calls the same
    person (and the board marks both)."""
    from bdhvs_desktop.domain.council import ProposedPerson, same_person
    from bdhvs_desktop.domain.text import name_key
    from bdhvs_desktop.services.province_views import duplicates

    db = _office(tmp_path, ANH, dataclasses.replace(ANH, cccd=None))
    found = duplicates(db)
    assert found
    twins = {c.id: c.twin for c in cs.list_candidates(db)}
    for d in found:
        people = [ProposedPerson(name_key(e.name), e.cccd, e.birth_date, e.birth_year) for e in d.entries]
        assert all(same_person(a, b) for i, a in enumerate(people) for b in people[i + 1:]), d.explanation
        assert all(twins[e.candidate_id] for e in d.entries)
    db.dispose()


@pytest.mark.parametrize(("a", "b", "expected"), [
    (("a", "068185424242", dt.date(1985, 6, 14)), ("b", "068185424242", None), "cccd"),  # the CCCD decides
    (("a", "068185424242", dt.date(1985, 6, 14)), ("a", "068185000001", dt.date(1985, 6, 14)), None),  # two people
    (("a", None, dt.date(1985, 6, 14)), ("a", "068185424242", dt.date(1985, 6, 14)), "name_birth"),
    (("a", None, dt.date(1985, 6, 14)), ("a", None, dt.date(1985, 6, 15)), None),
    (("a", None, dt.date(1985, 6, 14)), ("a", None, 1985), "name_birth"),  # a ward that knows only the year
    (("a", None, 1985), ("a", None, 1986), None),
    (("a", None, None), ("a", None, None), None),  # a name alone is not a person
])
def test_same_person(a, b, expected):
    from bdhvs_desktop.domain.council import ProposedPerson, same_person

    def person(key, cccd, born):
        return ProposedPerson(key, cccd, born if isinstance(born, dt.date) else None,
                              born if isinstance(born, int) else None)

    assert same_person(person(*a), person(*b)) == expected
    assert same_person(person(*b), person(*a)) == expected


# --------------------------------------------------------------------------- the Trùng lặp page = the council's rule

NAM = Person("Trần Văn Nam", "079090000111", dt.date(1985, 1, 1))
NAM_OTHER = Person("Trần Văn Nam", "079090000222", dt.date(1985, 1, 1))  # same name and birth date, another CCCD
HOA = Person("Nguyễn Thị Hoà", None, dt.date(1990, 4, 5), female=True)
LAN = Person("Phạm Thị Lan", "068192000333", dt.date(1992, 9, 2), female=True)  # proposed by one ward only


def _year_only(data: dict, name: str) -> None:
    """The ward knows only the birth year of `name` (its old register)."""
    for c in data["candidates"]:
        if c["name"] == name:
            c["birth_date"] = None


def _proposed_again(data: dict, name: str) -> None:
    """The ward proposes `name` a second time, for another award form (allowed by the import: one
    file per award form and ward), so the same person has two files from ONE ward."""
    first = next(c for c in data["candidates"] if c["name"] == name)
    again = {**first, "key": first["key"] + "-CSTD", "documents": [],
             "award_form": {"code": "CSTD_TINH", "name": "Chiến sĩ thi đua cấp tỉnh", "level": "province",
                            "issuer": "Chủ tịch Ủy ban nhân dân tỉnh", "authority": "state"}}
    data["candidates"].append(again)
    for meeting in data["council"]["meetings"]:
        meeting["votes"].append({**next(v for v in meeting["votes"] if v["candidate"] == first["key"]),
                                 "candidate": again["key"]})
    for sub in data["proposal"]["submissions"]:
        sub["candidates"].append(again["key"])


def _tricky_office(tmp_path):
    """Three wards with every way two files can (or cannot) be the same person."""
    wards = (
        ("BM", "Phường Bình Minh", [ANH, NAM, HOA, LAN],
         lambda d: (_proposed_again(d, ANH.name), _proposed_again(d, LAN.name))),
        # Ánh without her CCCD, typed decomposed with stray spaces, upper case and a zero-width space (pasted);
        # Nam's namesake (another CCCD); Hòa in the old tone placement with the birth year only
        ("TH", "Phường Tân Hà", [Person(unicodedata.normalize("NFD", " ÂU  thị\u200b ánh "), None, ANH.birth_date,
                                         female=True), NAM_OTHER, dataclasses.replace(HOA, name="Nguyễn Thị Hòa")],
         lambda d: _year_only(d, "Nguyễn Thị Hòa")),
        # Nam without a CCCD, born 1985 (the year only): the same person as each of the two Nams (not the two
        # Nams as one); Hòa born on another day of 1990: not the same as Bình Minh's Hòa, the same as Tân Hà's
        ("HD", "Phường Hòa Đông", [dataclasses.replace(NAM, cccd=None),
                                   dataclasses.replace(HOA, birth_date=dt.date(1990, 4, 6))],
         lambda d: _year_only(d, NAM.name)),
    )
    db = province_db(tmp_path / "tinh.sqlite3")
    paths = []
    for seed, (code, name, people, change) in enumerate(wards, start=1):
        data, docs = ward_package(code, name, n=len(people) + 1, seed=seed, people=people)
        change(data)
        paths.append(write_ward_package(tmp_path / f"{code}.bdhvs-goi", data, docs))
    report = import_packages(db, paths, trust_roots=())
    assert len(report.imported) == 3, report.summary_lines()
    return db


def _council_pairs(db) -> set[frozenset[int]]:
    """Every two files the council considers one person (one file per person)."""
    from bdhvs_desktop.services.council.twins import twin_pairs

    with db.read() as s:
        return {frozenset((a.candidate_id, b.candidate_id)) for a, b in twin_pairs(s)}


def test_the_trùng_lặp_page_shows_exactly_the_pairs_the_council_refuses(tmp_path):
    """Both directions: every two files the page groups are one person for the council, and every
    two files the council would refuse to approve together are in one group of the page (also two
    files from ONE ward, proposed for two award forms)."""
    from bdhvs_desktop.services.province_views import duplicates

    db = _tricky_office(tmp_path)
    found = duplicates(db)
    page = {frozenset((a.candidate_id, b.candidate_id)) for d in found
            for i, a in enumerate(d.entries) for b in d.entries[i + 1:]}
    council = _council_pairs(db)
    names = {c.id: c.name for c in cs.list_candidates(db)}
    explain = [[names[i] for i in pair] for pair in page ^ council]
    assert page == council, explain
    # what the council decides: Ánh (twice in Bình Minh, once in Tân Hà): 3 pairs; the Nams: each with
    # Hòa Đông's; the Hòas: Tân Hà's (1990 only) with each of the others; Lan twice in Bình Minh
    assert len(council) == 3 + 2 + 2 + 1, [[names[i] for i in pair] for pair in council]
    # no group puts the two Nams (two CCCDs) or the two Hòas (two birth dates) together
    for d in found:
        assert len({e.cccd for e in d.entries if e.cccd}) <= 1, d.explanation
        assert len({e.birth_date for e in d.entries if e.birth_date}) <= 1 or d.reason == "cccd", d.explanation
    # a person twice from one ward says so
    twice = next(d for d in found if d.reason == "cccd" and LAN.cccd in d.explanation)
    assert len(twice.entries) == 2 and twice.wards == ("Phường Bình Minh",), twice.explanation
    assert "2 lần" in twice.explanation, twice.explanation
    db.dispose()


@pytest.mark.parametrize("seed", range(40))
def test_same_person_groups_cover_exactly_the_same_person_pairs(seed):
    """The grouping (bucketed, near-linear) against the rule applied to every pair: random
    proposals drawn from few names, CCCDs and dates so that many collide."""
    import random

    from bdhvs_desktop.domain.council import ProposedPerson, same_person, same_person_groups, same_person_pairs

    rng = random.Random(seed)
    days = [dt.date(1985, 6, 14), dt.date(1985, 6, 15), dt.date(1986, 1, 1)]
    people = []
    for _ in range(rng.randint(2, 14)):
        born = rng.choice(days + [None, None])
        year = rng.choice([1985, 1986, None]) if born is None else None
        people.append(ProposedPerson(rng.choice(["a", "b"]), rng.choice(["X", "Y", None, None]), born, year))
    pairs = {(i, j) for i in range(len(people)) for j in range(i + 1, len(people)) if same_person(people[i], people[j])}
    assert set(same_person_pairs(people)) == pairs
    groups = same_person_groups(people)
    covered = {(a, b) for _, g in groups for n, a in enumerate(g) for b in g[n + 1:]}
    assert covered == pairs, (people, groups)
    for reason, g in groups:
        assert len(g) > 1 and (reason == "cccd") == (len({people[i].cccd for i in g}) == 1
                                                     and people[g[0]].cccd is not None), (people, groups)
    assert len(set(groups)) == len(groups)  # each group once


def test_same_person_groups_stay_near_linear():
    """3,000 proposals (100 wards × 30), one in ten proposed again by another ward: grouped in well
    under a second (bucketed by CCCD and by name and year, not compared two by two)."""
    import random
    import time

    from bdhvs_desktop.domain.council import ProposedPerson, same_person_groups

    rng = random.Random(3)
    people = [ProposedPerson(f"ten {i}", f"{i:012d}", dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 15000)))
              for i in range(2700)]
    again = rng.sample(people, 300)  # sent again by another ward, half of them without the CCCD
    people += [dataclasses.replace(p, cccd=p.cccd if n % 2 else None) for n, p in enumerate(again)]
    started = time.perf_counter()
    groups = same_person_groups(people)
    elapsed = time.perf_counter() - started
    assert len(groups) == 300 and elapsed < 1.0, (len(groups), elapsed)


def test_the_vote_panel_says_a_twin_cannot_be_approved(tmp_path, qtbot):
    """The council page's live result, as the secretary types a passing tally for the second ward's
    file of a person already approved: not "ĐƯỢC THÔNG QUA" but the refusal `decide` will give
    (the same words, from the service), in red; another file's passing tally still passes."""
    import html

    from gui_wait import settle
    from PySide6.QtGui import QTextDocument

    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.pages.council import CouncilPage

    db, meeting, first, twin = _first_approved(tmp_path)
    refusal = _refused_message(db, lambda: cs.decide(db, meeting, twin.id))
    page = CouncilPage(AppContext(db))
    qtbot.addWidget(page)
    page.refresh()
    settle(qtbot)

    def live_for(candidate_id: int, votes_for: int) -> str:
        page.table.selectRow(next(i for i, r in enumerate(page._rows) if r.candidate.id == candidate_id))
        page.votes_against.setValue(0)
        page.votes_for.setValue(votes_for)
        doc = QTextDocument()
        doc.setHtml(page.live.text())
        return doc.toPlainText()

    present = len(PROVINCE_COUNCIL)
    text = live_for(twin.id, present)
    assert "ĐƯỢC THÔNG QUA" not in text and "KHÔNG THÔNG QUA ĐƯỢC" in text, text
    assert refusal in text, (refusal, text)  # the service's words, as decide refuses
    _says_who_and_where(text, first)
    assert "#b71c1c" in page.live.text()
    # the board's result column agrees (not "Thông qua"), its tooltip says why
    row = next(i for i, r in enumerate(page._rows) if r.candidate.id == twin.id)
    assert page.table.item(row, 5).text() != "Thông qua"
    assert refusal in html.unescape(page.table.item(row, 5).toolTip())
    # voted down: an ordinary result, no refusal
    text = live_for(twin.id, 1)
    assert "KHÔNG ĐƯỢC THÔNG QUA" in text and "không thông qua được" not in text, text
    # any other file passes as before
    other = next(c for c in cs.list_candidates(db) if c.status in ("proposed", "reviewed") and c.id != twin.id)
    text = live_for(other.id, present)
    assert "ĐƯỢC THÔNG QUA" in text and "không thông qua được" not in text, text
    db.dispose()
