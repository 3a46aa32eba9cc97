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
