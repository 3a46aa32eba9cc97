"""The services' one error family (issue #12): each older error name is a kind of the family,
and the family's pieces (problems with row/column, mine/theirs) behave as documented."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import select

from bdhvs_desktop.services import errors as E
from bdhvs_desktop.storage import models as m


def test_old_names_are_kinds_of_the_family():
    from bdhvs_desktop.services import activities, auth, awards, council, dossier, meeting, people, safety, units

    assert activities.ValidationError is E.Invalid and people.ValidationError is E.Invalid
    assert units.ValidationError is E.Invalid
    assert issubclass(awards.AwardValidationError, E.Invalid) and issubclass(awards.AwardValidationError,
                                                                              awards.AwardError)
    for old in (activities.StaleRecord, people.ConcurrentEdit, units.ConcurrentEdit, safety.EditConflict,
                dossier.StaleEditError, awards.AwardConcurrentEdit):
        assert issubclass(old, E.Conflict), old
    assert issubclass(activities.StaleRecord, RuntimeError)  # older callers caught RuntimeError
    assert issubclass(dossier.StaleEditError, dossier.DossierError)
    assert issubclass(awards.AwardConcurrentEdit, awards.AwardError)
    assert activities.NotFound is E.NotFound and issubclass(E.NotFound, LookupError)
    assert issubclass(auth.PermissionDenied, E.PermissionDenied) and issubclass(auth.PermissionDenied, auth.AuthError)
    assert activities.PermissionDenied is auth.PermissionDenied
    assert issubclass(council.LockedError, E.Locked) and issubclass(council.LockedError, council.CouncilActionError)
    assert issubclass(meeting.MeetingError, E.ServiceError) and issubclass(meeting.MeetingClosed, E.Locked)
    assert issubclass(dossier.DossierLocked, E.Locked) and issubclass(dossier.DossierLocked, dossier.DossierError)
    kinds = {cls.kind for cls in E.KINDS.values()}
    assert kinds == {"error", "invalid", "conflict", "not_found", "permission", "locked"}
    assert all(cls.title and cls.title[0].isupper() for cls in E.KINDS.values())


def test_invalid_takes_both_older_shapes_and_import_cells():
    from_dict = E.Invalid({"full_name": "Chưa nhập họ và tên.", "cccd": "Số CCCD phải có 12 chữ số."})
    from_pairs = E.Invalid([("full_name", "Chưa nhập họ và tên."), ("cccd", "Số CCCD phải có 12 chữ số.")])
    for exc in (from_dict, from_pairs):
        assert exc.errors == {"full_name": "Chưa nhập họ và tên.", "cccd": "Số CCCD phải có 12 chữ số."}
        assert dict(exc.problems) == exc.errors and [f for f, _ in exc.problems] == ["full_name", "cccd"]
        assert str(exc) == "Chưa nhập họ và tên.; Số CCCD phải có 12 chữ số."
        assert isinstance(exc, ValueError) and exc.kind == "invalid"
    cell = E.Invalid([E.Problem("cccd", "Số CCCD phải có 12 chữ số.", row=7, column="Số CCCD")])
    assert str(cell) == "Dòng 7, cột «Số CCCD»: Số CCCD phải có 12 chữ số."
    assert cell.problems[0].row == 7 and cell.errors == {"cccd": "Số CCCD phải có 12 chữ số."}


def test_conflict_keeps_mine_and_theirs():
    exc = E.Conflict(entity="person", entity_id=3, mine={"position": "Tổ phó", "phone": "09"},
                     theirs={"position": "Tổ trưởng", "phone": "09"}, current_version=4)
    assert not exc.deleted and exc.differing == {"position": ("Tổ phó", "Tổ trưởng")}
    assert str(exc) == E.CONFLICT_MESSAGE and exc.kind == "conflict"
    gone = E.Conflict(mine={"position": "Tổ phó"}, theirs=None)
    assert gone.deleted and gone.theirs == {} and str(gone) == E.DELETED_MESSAGE


def test_stale_data_error_becomes_a_conflict_and_others_pass():
    from sqlalchemy.orm.exc import StaleDataError

    with pytest.raises(E.Conflict) as info:
        with E.stale_as_conflict({"name": "A"}, lambda: {"name": "B"}, entity="unit", entity_id=1):
            raise StaleDataError("UPDATE statement on table 'unit' expected to update 1 row(s); 0 were matched.")
    assert info.value.mine == {"name": "A"} and info.value.theirs == {"name": "B"} and not info.value.deleted
    assert isinstance(info.value.__cause__, StaleDataError)
    with pytest.raises(KeyError):
        with E.stale_as_conflict({}, dict):
            raise KeyError("x")
    assert E.is_conflict(info.value) and E.is_conflict(StaleDataError("x")) and not E.is_conflict(ValueError())


# ------------------------------------------------------------------ every service conflict carries mine/theirs

SERVICES = Path(__file__).resolve().parents[1] / "bdhvs_desktop" / "services"


def _conflict_class_names() -> set[str]:
    import importlib
    import inspect
    import pkgutil

    import bdhvs_desktop.services as pkg

    names = set()
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, E.Conflict):
                names.add(name)
    return names


def _calls_without_mine(tree: ast.AST, conflicts: set[str]) -> list[int]:
    bad = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name not in conflicts:
            continue
        keywords = {k.arg for k in node.keywords}
        positional_mine = name == "EditConflict" and len(node.args) >= 4  # (entity, id, mine, theirs, version)
        if not positional_mine and not {"mine", "theirs"} <= keywords:
            bad.append(node.lineno)
    return bad


def test_every_conflict_a_service_builds_names_mine_and_theirs():
    conflicts = _conflict_class_names()
    assert {"Conflict", "EditConflict", "StaleRecord", "ConcurrentEdit", "StaleEditError", "AwardConcurrentEdit",
            "StaleCriterion"} <= conflicts
    # the check finds a bare one
    assert _calls_without_mine(ast.parse("raise ConcurrentEdit(STALE_MESSAGE)"), conflicts) == [1]
    assert _calls_without_mine(ast.parse("raise ConcurrentEdit('x', mine=a, theirs=b)"), conflicts) == []
    found = {}
    for path in sorted(SERVICES.rglob("*.py")):
        if path.name == "errors.py":
            continue
        bad = _calls_without_mine(ast.parse(path.read_text(encoding="utf-8")), conflicts)
        if bad:
            found[str(path.relative_to(SERVICES))] = bad
    assert not found, f"conflicts raised without mine/theirs: {found}"


def _assert_carries(exc: E.Conflict, field: str, mine, theirs) -> None:
    assert exc.mine[field] == mine and exc.theirs[field] == theirs, (exc.mine, exc.theirs)
    assert not exc.deleted and exc.current_version is not None and field in exc.differing


def test_person_and_unit_conflicts_carry_mine_and_theirs(demo_db):
    from bdhvs_desktop.services import people, units

    with demo_db.read() as s:
        first = s.get(m.Person, s.scalar(select(m.Person.id).order_by(m.Person.id).limit(1)))
    record = people.get_person(demo_db, first.id)
    record.data.position = "Tổ trưởng"
    people.save_person(demo_db, record.data, first.id, version=record.version)
    record.data.position = "Tổ phó"
    with pytest.raises(people.ConcurrentEdit) as info:
        people.save_person(demo_db, record.data, first.id, version=record.version)
    _assert_carries(info.value, "position", "Tổ phó", "Tổ trưởng")

    with demo_db.read() as s:
        unit = units.get_unit(demo_db, s.scalar(select(m.Unit.id).where(m.Unit.active).order_by(m.Unit.id).limit(1)))
    units.update_unit(demo_db, unit.id, dataclasses.replace(unit.data, name="Tên mới"), version=unit.version)
    with pytest.raises(units.ConcurrentEdit) as info:
        units.update_unit(demo_db, unit.id, dataclasses.replace(unit.data, name="Tên cũ"), version=unit.version)
    _assert_carries(info.value, "name", "Tên cũ", "Tên mới")


def test_award_model_and_criterion_conflicts_carry_mine_and_theirs(demo_db):
    import datetime as dt

    from bdhvs_desktop.services import activities as act
    from bdhvs_desktop.services import awards
    from bdhvs_desktop.services import scoring as sc

    data = awards.AwardData(subject_type="person", subject_name="Nguyễn Thị Hoà", level="ward", kind="campaign",
                            award_name="Giấy khen của Chủ tịch UBND phường", decision_number="15/QĐ-UBND",
                            decision_date=dt.date(2026, 12, 20), campaign_text="Phong trào Bình dân học vụ số")
    aid = awards.add_award(demo_db, data)
    v = awards.get_award(demo_db, aid).version
    awards.update_award(demo_db, aid, dataclasses.replace(data, achievement="Lần một"), v)
    with pytest.raises(awards.AwardConcurrentEdit) as info:
        awards.update_award(demo_db, aid, dataclasses.replace(data, achievement="Bản cũ"), v)
    _assert_carries(info.value, "achievement", "Bản cũ", "Lần một")
    with pytest.raises(awards.AwardConcurrentEdit) as info:
        awards.delete_award(demo_db, aid, v)
    _assert_carries(info.value, "version", v, v + 1)

    row = next(r for r in act.list_models(demo_db) if r.code == "MH-03")
    model = act.ModelInput(row.code, row.name + " (sửa)", row.owner_unit_id, status=row.status,
                           registered_on=row.registered_on, implementing_on=row.implementing_on)
    act.update_model(demo_db, row.id, model, version=row.version)
    with pytest.raises(act.StaleRecord) as info:
        act.update_model(demo_db, row.id, dataclasses.replace(model, name="Tên khác"), version=row.version)
    _assert_carries(info.value, "name", "Tên khác", row.name + " (sửa)")

    crit = sc.list_criteria_sets(demo_db)[0].criteria[0]
    typed = sc.CriterionInput(crit.code, crit.name + " (sửa)", crit.type, crit.method, crit.max_points, crit.rule,
                              crit.params, crit.description)
    sc.save_criterion(demo_db, crit.set_id, typed, crit.id, crit.version)
    with pytest.raises(E.Conflict) as info:
        sc.save_criterion(demo_db, crit.set_id, dataclasses.replace(typed, name="Cũ"), crit.id, crit.version)
    _assert_carries(info.value, "name", "Cũ", crit.name + " (sửa)")


def test_a_phase_dates_conflict_carries_the_dates_typed_and_stored(demo_db):
    """The plan page's phase dialog: a stale save says which dates you typed and which are stored."""
    import datetime as dt

    from bdhvs_desktop.services import activities as act

    with demo_db.read() as s:
        phase = s.scalar(select(m.Phase).order_by(m.Phase.number.desc()).limit(1))  # the last: free to end later
        number, start, end, version = phase.number, phase.start_date, phase.end_date, phase.version
    colleague_end = (end or start + dt.timedelta(days=60)) + dt.timedelta(days=3)
    act.update_phase(demo_db, number, start, colleague_end, version=version)
    mine_end = colleague_end + dt.timedelta(days=10)
    with pytest.raises(act.StaleRecord) as info:
        act.update_phase(demo_db, number, start, mine_end, version=version)
    _assert_carries(info.value, "end_date", mine_end, colleague_end)
    assert info.value.mine["start_date"] == info.value.theirs["start_date"] == start
    assert list(info.value.differing) == ["end_date"] and "người khác" in str(info.value)


# ------------------------------------------------------------------ one CCCD mask (#12)


def test_one_cccd_mask_for_every_list():
    from bdhvs_desktop.domain import cccd
    from bdhvs_desktop.gui.people_model import mask_cccd

    assert cccd.mask("001188456789") == "001••••••789" == mask_cccd("001188456789")
    # stricter of the two older masks: anything but a 12-digit CCCD is hidden whole (the command
    # line showed a 9-digit CMND in full)
    assert cccd.mask("123456789") == "•••••••••" and cccd.mask(None) == cccd.mask("") == ""
    assert cccd.shown_reference("person", "123456789", "*") == "*********"
    assert cccd.shown_reference("person", "001188456789", "*") == "001******789"
    assert cccd.shown_reference("person", "ID-17") == "ID-17" and cccd.shown_reference("unit", "TDP-01") == "TDP-01"


# ------------------------------------------------------------------ one number formatter (#12)


def test_one_vietnamese_number_formatter():
    from bdhvs_desktop.cli.status import fmt_value
    from bdhvs_desktop.documents import vn_format
    from bdhvs_desktop.domain import numbers
    from bdhvs_desktop.domain.awards import vn_money
    from bdhvs_desktop.domain.scoring import points_text
    from bdhvs_desktop.gui.forms import num

    assert vn_format.vn_number is numbers.vn_number
    assert numbers.vn_number(1234567.5) == "1.234.567,5" and numbers.vn_number(12.25, places=1) == "12,3"
    # the status screen and `bdhvs status` print a value one way, with thousands grouped (they
    # printed 12345,5 before)
    assert num(12345.5, "count") == fmt_value(12345.5, "count") == "12.345,5"
    assert num(87.0, "percent") == fmt_value(87.0, "percent") == "87%" and num(None) == "—"
    assert points_text(12.5) == "12,5" and points_text(10.0) == "10"
    assert vn_money(1500000) == "1.500.000 đồng"


# ------------------------------------------------------------------ one unit tree walk (#12)


def test_one_unit_tree_walk_is_cycle_safe_and_shared():
    import inspect

    from bdhvs_desktop.domain import targets, unit_tree
    from bdhvs_desktop.gui.pages import people as people_page
    from bdhvs_desktop.gui.pages import units as units_page
    from bdhvs_desktop.services import facts, units
    from bdhvs_desktop.services.council import common as council_common
    from bdhvs_desktop.services.form08 import source

    parents = {1: None, 2: 1, 3: 2, 4: 1, 5: 6, 6: 5}  # 5 and 6: a cycle in bad data
    assert unit_tree.ancestors(parents, 3) == (3, 2, 1) and unit_tree.ancestors(parents, 5) == (5, 6)
    assert unit_tree.ancestors(parents, 99) == () and unit_tree.ancestors(parents, None) == ()
    children = unit_tree.children_of(parents)
    assert unit_tree.descendants(children, 1) == [1, 4, 2, 3] and unit_tree.descendants(children, 6) == [6, 5]
    tree = targets.UnitTree(targets.UnitRow(u, f"U{u}", f"Đơn vị {u}", "khac", p, False) for u, p in parents.items())
    assert tree.chain(3) == (3, 2, 1) and tree.is_under(3, 1) and not tree.is_under(4, 2)
    # every walk of the tree goes through domain/unit_tree (no second loop over parent ids)
    for module in (targets, units, council_common, source, facts, units_page, people_page):
        assert "unit_tree." in inspect.getsource(module), module.__name__


# ------------------------------------------------------------------ labels only from domain/vocab.py (#12)


def test_status_and_task_labels_are_written_once_in_vocab():
    """The target-status and task labels had four copies (status export, overview, plan, `bdhvs
    status`): each is now read from domain/vocab.py, and no other module spells one out."""
    from bdhvs_desktop.domain import vocab

    labels = [*vocab.TARGET_STATUS_LABELS.values(), *vocab.TASK_STATUS_LABELS.values(),
              *vocab.MEETING_STATUS_LABELS.values()]
    package = Path(__file__).resolve().parents[1] / "bdhvs_desktop"
    spelled = {}
    for path in package.rglob("*.py"):
        if path.name == "vocab.py":
            continue
        literals = {n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        found = [x for x in labels if x in literals and x not in ("Đạt", "Chưa đạt")]  # also plain words
        if found:
            spelled[str(path.relative_to(package))] = found
    assert not spelled, spelled
