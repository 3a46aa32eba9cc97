"""Issue #12, items 1-2: service calls from the window run off the GUI thread (gui/ops.py), each
error kind is shown one way, and a page reloads only for the changes it shows.

The slowed-service tests do not rely on gui/ops.py to wait: they count a QTimer's ticks until the
result lands, so a call made on the GUI thread (the window frozen for a second) fails them."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from gui_wait import settle
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from bdhvs_desktop.gui.context import AppContext
from bdhvs_desktop.services import council as cs

AT = dt.date(2026, 11, 15)
SLOW = 1.0  # seconds each slowed service call sleeps
TICK_MS = 20


@pytest.fixture
def ctx(demo_db, qtbot):
    context = AppContext(demo_db)
    context.set_as_of(AT)
    return context


def slowed(monkeypatch, module, name):
    """Make module.name sleep SLOW seconds (in whatever thread calls it) before doing its work."""
    original = getattr(module, name)

    def slow(*args, **kwargs):
        time.sleep(SLOW)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


class Ticker:
    """A QTimer counting its ticks: it ticks only while the GUI thread processes events."""

    def __init__(self):
        self.ticks = 0
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(TICK_MS)

    def _tick(self):
        self.ticks += 1

    def stop(self):
        self.timer.stop()


def _kept_ticking(ticks: int) -> bool:
    # A second of work at 20 ms a tick: ~50 ticks if the window kept processing events, 0-1 if it froze.
    return ticks >= 0.4 * SLOW * 1000 / TICK_MS


def test_propose_all_keeps_the_window_responsive(ctx, qtbot, monkeypatch):
    from bdhvs_desktop.gui.pages.scoring import ScoringPage

    page = ScoringPage(ctx)
    qtbot.addWidget(page)
    page.load_now()
    before = len(cs.list_candidates(ctx.db))
    slowed(monkeypatch, cs, "propose_eligible")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    landed = {}
    ticker = Ticker()
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: landed.setdefault("ticks", ticker.ticks))
    page.propose_all()
    qtbot.waitUntil(lambda: "ticks" in landed, timeout=20000)
    ticker.stop()
    assert _kept_ticking(landed["ticks"]), landed
    assert len(cs.list_candidates(ctx.db)) > before  # and the result landed


def test_decide_keeps_the_window_responsive(ctx, qtbot, monkeypatch):
    from sqlalchemy import select

    from bdhvs_desktop.gui.pages.council import CouncilPage
    from bdhvs_desktop.storage import models as m

    with ctx.db.read() as s:
        tdp = s.scalar(select(m.Unit.id).where(m.Unit.code == "TDP-02"))
    cid = cs.propose(ctx.db, "unit", tdp, at=AT)
    page = CouncilPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    qtbot.waitUntil(lambda: page.view is not None, timeout=20000)
    cs.attach_candidates(ctx.db, page.view.id)
    cs.record_vote(ctx.db, page.view.id, cid, 5, 1, 0)
    page.refresh()
    qtbot.waitUntil(lambda: any(r.candidate.id == cid and r.tally for r in getattr(page, "_rows", [])),
                    timeout=20000)
    page.table.selectRow(next(i for i, r in enumerate(page._rows) if r.candidate.id == cid))
    slowed(monkeypatch, cs, "decide")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    landed = {}
    ticker = Ticker()
    ctx.data_changed.connect(lambda _changes: landed.setdefault("ticks", ticker.ticks))
    page.decide_selected()
    qtbot.waitUntil(lambda: "ticks" in landed, timeout=20000)
    ticker.stop()
    assert _kept_ticking(landed["ticks"]), landed
    info = cs.get_candidate(ctx.db, cid)
    assert info.status == "approved" and info.locked


def test_scoring_keeps_the_window_responsive(ctx, qtbot, monkeypatch):
    from bdhvs_desktop.gui.pages.scoring import ScoringPage
    from bdhvs_desktop.services import scoring

    slowed(monkeypatch, scoring, "compute_scores")
    page = ScoringPage(ctx)
    qtbot.addWidget(page)
    ticker = Ticker()
    page.refresh()
    qtbot.waitUntil(lambda: page.board is not None, timeout=20000)
    landed = ticker.ticks
    ticker.stop()
    assert _kept_ticking(landed), landed
    assert page.eligible_model.rowCount() + page.other_model.rowCount() > 0


def _dossier_page(ctx):
    from bdhvs_desktop.gui.pages.dossier import DossierPage
    from bdhvs_desktop.services import dossier

    page = DossierPage(ctx)
    return page, dossier, "list_dossier_candidates", lambda: setattr(page, "_items", None), \
        lambda: page._items is not None


def _units_page(ctx):
    from bdhvs_desktop.gui.pages import units

    page = units.UnitsPage(ctx)
    return page, units, "list_units", lambda: setattr(page, "units", []), lambda: bool(page.units)


def _models_page(ctx):
    from bdhvs_desktop.gui.pages.models import ModelsPage
    from bdhvs_desktop.services import activities

    page = ModelsPage(ctx)
    return page, activities, "list_models", lambda: page.models.set_rows([]), lambda: page.models.rowCount() > 0


@pytest.mark.parametrize("make", [_dossier_page, _units_page, _models_page],
                         ids=["dossier candidates", "unit tree", "digital models"])
def test_a_page_read_over_20_ms_on_a_large_ward_keeps_the_window_responsive(ctx, qtbot, monkeypatch, make):
    """The dossier page's candidates (the read fails without a campaign), the unit tree with its
    counts (40 ms on a ward of 30,000 people) and the digital models page (59 ms there) load as page
    loads, off the GUI thread."""
    page, module, name, forget, landed_when = make(ctx)
    qtbot.addWidget(page)
    settle(qtbot)
    forget()
    slowed(monkeypatch, module, name)
    ticker = Ticker()
    page.refresh()
    qtbot.waitUntil(landed_when, timeout=20000)
    landed = ticker.ticks
    ticker.stop()
    assert _kept_ticking(landed), landed


def test_a_change_to_people_does_not_reload_the_council_page(ctx, qtbot, monkeypatch):
    from bdhvs_desktop.gui.pages.council import CouncilPage
    from bdhvs_desktop.services.changes import Change, Changes

    loads = []
    original = cs.meeting_view
    monkeypatch.setattr(cs, "meeting_view", lambda *a, **k: loads.append(1) or original(*a, **k))
    page = CouncilPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: page.view is not None, timeout=20000)
    settle(qtbot)
    shown_once = len(loads)
    assert shown_once == 1
    ctx.publish(Changes.of(Change.PEOPLE))
    ctx.publish(Changes.of(Change.UNITS, Change.ACTIVITIES))
    settle(qtbot)
    assert len(loads) == shown_once  # people, units, activities: not on this page
    ctx.publish(Changes.of(Change.COUNCIL))
    settle(qtbot)
    assert len(loads) == shown_once + 1  # a council change reloads it
    # Hidden, it does not load at all; shown again, it loads once for what it missed.
    page.hide()
    ctx.publish(Changes.of(Change.CANDIDATES))
    ctx.publish(Changes.of(Change.COUNCIL))
    settle(qtbot)
    assert len(loads) == shown_once + 1
    page.show()
    settle(qtbot)
    assert len(loads) == shown_once + 2


def test_a_person_saved_from_the_form_reloads_the_people_page_not_the_council_page(ctx, qtbot, monkeypatch):
    from bdhvs_desktop.gui.pages.council import CouncilPage
    from bdhvs_desktop.gui.pages.people import PeoplePage
    from bdhvs_desktop.gui.person_dialog import PersonDialog

    council_page, people_page = CouncilPage(ctx), PeoplePage(ctx)
    for page in (council_page, people_page):
        qtbot.addWidget(page)
        page.show()
    settle(qtbot)
    council_loads = council_page.loads
    people_refreshes = []
    monkeypatch.setattr(people_page, "refresh", lambda: people_refreshes.append(1))
    person_id = people_page.model.row_at(0).id
    form = PersonDialog(ctx, people_page._units, person_id, people_page)
    qtbot.addWidget(form)
    form.phone.setText("0912345678")
    form.save()
    settle(qtbot)
    assert form.result() == form.DialogCode.Accepted
    assert people_refreshes == [1]
    assert council_page.loads == council_loads


# ----------------------------------------------------------------------------- errors, one way


@pytest.fixture
def shown(monkeypatch):
    """What each way of showing an error received."""
    from bdhvs_desktop.gui import conflict

    seen: list[tuple[str, str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: seen.append(("warning", title, text)))
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text, *a: seen.append(("critical", title, text)))
    monkeypatch.setattr(conflict, "show_conflict",
                        lambda _p, exc, labels=None: seen.append(("conflict", "", str(exc))) or False)
    return seen


def _errors():
    from bdhvs_desktop.services.activities import NotFound, ValidationError
    from bdhvs_desktop.services.auth import PermissionDenied
    from bdhvs_desktop.services.council import LockedError
    from bdhvs_desktop.services.importer import ImportCancelled
    from bdhvs_desktop.services.people import ConcurrentEdit
    from bdhvs_desktop.services.people import ValidationError as PersonInvalid
    from bdhvs_desktop.services.safety import EditConflict

    return [
        ("invalid", ValidationError([("date", "Ngày: sau ngày hôm nay."), ("unit_id", "Đơn vị: chưa chọn.")]),
         ("warning", "Không thực hiện được", "• Ngày: sau ngày hôm nay.\n• Đơn vị: chưa chọn.")),
        ("invalid, the other shape", PersonInvalid({"full_name": "Họ và tên: còn trống."}),
         ("warning", "Không thực hiện được", "• Họ và tên: còn trống.")),
        ("conflict with mine and theirs", EditConflict("person", 1, {"phone": "1"}, {"phone": "2"}, 3),
         ("conflict", "", "người khác")),
        ("conflict without them", ConcurrentEdit("Bản ghi này vừa được người khác sửa."),
         ("warning", "Xung đột khi lưu", "người khác sửa")),
        ("not found", NotFound("Không tìm thấy hoạt động 7."), ("warning", "Không tìm thấy", "hoạt động 7")),
        ("permission denied", PermissionDenied("Chỉ thư ký được sửa."), ("warning", "Không đủ quyền", "thư ký")),
        ("locked", LockedError("Kết quả đã khóa."), ("warning", "Đang bị khóa", "đã khóa")),
        ("unexpected", ZeroDivisionError("division by zero"), ("critical", "Lỗi không mong đợi", "ZeroDivisionError")),
        ("cancelled", ImportCancelled("Đã hủy."), None),
    ]


@pytest.mark.parametrize("name, exc, expected", _errors(), ids=[e[0] for e in _errors()])
def test_each_error_kind_from_an_operation_is_shown_one_way(ctx, qtbot, shown, name, exc, expected):
    from PySide6.QtWidgets import QWidget

    from bdhvs_desktop.gui import ops
    from bdhvs_desktop.services.changes import Change, Changes

    published = []
    ctx.data_changed.connect(published.append)
    owner = QWidget()
    qtbot.addWidget(owner)

    def fails(_db):
        raise exc

    op = ops.run(owner, fails, ctx=ctx, changes=Changes.of(Change.PEOPLE))
    settle(qtbot)
    assert op.succeeded is False
    if expected is None:
        assert shown == []
        return
    assert len(shown) == 1, shown
    how, title, text = shown[0]
    assert (how, title) == expected[:2]
    assert expected[2] in text
    # A record changed or gone elsewhere: the pages showing it reload; nothing else publishes.
    stale = name.startswith("conflict") or name == "not found"
    assert published == ([Changes.of(Change.PEOPLE)] if stale else [])


def _conflict_with_mine_and_theirs():
    from bdhvs_desktop.services.safety import EditConflict

    return EditConflict("person", 1, {"phone": "0912345678", "position": "Tổ phó"},
                        {"phone": "0912345678", "position": "Tổ trưởng"}, 3)


@pytest.mark.parametrize("how", ["the caller keeps the text", "nothing would reload"])
def test_a_conflict_nothing_reloads_is_a_warning_listing_what_differs(ctx, qtbot, shown, how):
    """The one rule (gui/ops.py, docs/architecture.md 5.1): the reload question only when an answer
    can reload something; an editor that keeps the user's text (`reload=ops.KEEP`) or an op that
    reloads nothing (a form given only the database) gets a warning with what differs, and nothing
    reloads behind the user's text."""
    from PySide6.QtWidgets import QWidget

    from bdhvs_desktop.gui import ops
    from bdhvs_desktop.services.changes import Change, Changes

    published = []
    ctx.data_changed.connect(published.append)
    owner = QWidget()
    qtbot.addWidget(owner)
    exc = _conflict_with_mine_and_theirs()

    def fails(_db):
        raise exc

    if how == "the caller keeps the text":
        op = ops.run(owner, fails, ctx=ctx, changes=Changes.of(Change.PEOPLE), reload=ops.KEEP,
                     labels={"position": "Chức vụ"})
    else:
        op = ops.run(owner, fails, ctx=None, db=ctx.db, changes=Changes.of(Change.PEOPLE),
                     labels={"position": "Chức vụ"})
    settle(qtbot)
    assert op.succeeded is False
    assert [(h, t) for h, t, _ in shown] == [("warning", "Xung đột khi lưu")], shown
    text = shown[0][2]
    assert "người khác" in text and "Chức vụ: bạn nhập «Tổ phó», hiện đang lưu «Tổ trưởng»" in text
    assert "0912345678" not in text  # only what differs
    assert published == []


def test_a_conflict_an_answer_can_reload_asks_the_question(ctx, qtbot, shown):
    from PySide6.QtWidgets import QWidget

    from bdhvs_desktop.gui import ops

    owner = QWidget()
    qtbot.addWidget(owner)
    exc = _conflict_with_mine_and_theirs()
    reloaded = []

    def fails(_db):
        raise exc

    ops.run(owner, fails, ctx=None, db=ctx.db, reload=lambda: reloaded.append(1))
    settle(qtbot)
    assert [h for h, _t, _x in shown] == ["conflict"] and reloaded == []  # the answer was "Để sau"


def test_a_form_shows_invalid_input_next_to_its_fields_not_in_a_box(ctx, qtbot, shown):
    from bdhvs_desktop.gui.pages.activities import ActivitiesPage, ActivityDialog

    page = ActivitiesPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    dialog = ActivityDialog(ctx.db, page.units, None, dt.date(2026, 6, 18), page)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("guidance"))
    dialog.unit.setCurrentIndex(0)
    dialog._on_save()
    settle(qtbot)
    assert "phải ghi đơn vị tổ chức" in dialog.errors.text() and shown == []
    assert dialog.result() != dialog.DialogCode.Accepted


def test_the_progress_dialog_appears_only_for_a_slow_call_and_cancel_reaches_the_service(ctx, qtbot):
    from PySide6.QtWidgets import QWidget

    from bdhvs_desktop.gui import ops

    owner = QWidget()
    qtbot.addWidget(owner)
    quick = ops.run(owner, lambda _db: 1, ctx=ctx, title="nhanh")
    settle(qtbot)
    assert quick.result == 1 and quick.dialog is None

    steps = []

    def slow(_db, progress, cancelled):
        for i in range(200):
            if cancelled():
                return "cancelled"
            progress(i, 200, f"bước {i}")
            steps.append(i)
            time.sleep(0.01)
        return "done"

    op = ops.run(owner, slow, ctx=ctx, progress=True, cancellable=True, title="chậm")
    qtbot.waitUntil(lambda: op.dialog is not None and op.dialog.isVisible(), timeout=5000)
    assert op.dialog.labelText().startswith("bước")
    from PySide6.QtWidgets import QPushButton

    op.dialog.findChild(QPushButton).click()  # the user presses "Hủy"
    settle(qtbot)
    assert op.result == "cancelled" and len(steps) < 200


# ------------------------------------------------- no page or dialog says a conflict on its own


@pytest.fixture
def asked(monkeypatch, shown):
    """The conflict boxes asked (the error and the field labels they were given); "Để sau"."""
    from bdhvs_desktop.gui import conflict

    questions: list[tuple[BaseException, dict[str, str] | None]] = []
    monkeypatch.setattr(conflict, "show_conflict",
                        lambda _p, exc, labels=None: questions.append((exc, labels)) or False)
    return questions


def test_a_unit_dropped_while_a_colleague_renames_it_asks_the_conflict_question(ctx, qtbot, monkeypatch, shown,
                                                                                asked):
    """Issue #12: the drop's conflict goes through ops' one rule (the question with the differing
    fields, then the page reloads), not onto the page's own message line."""
    from bdhvs_desktop.gui.conflict import conflict_details
    from bdhvs_desktop.gui.pages.units import UnitsPage
    from bdhvs_desktop.services import units as unit_service
    from bdhvs_desktop.services.changes import Change
    from bdhvs_desktop.storage import models as m

    page = UnitsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    settle(qtbot)
    published = []
    ctx.data_changed.connect(published.append)
    by_code = {u.code: u for u in page.units}
    moved, target = by_code["TDP-05"], by_code["CB-KP3"]
    read = unit_service.get_unit

    def read_then_a_colleague_renames(db, unit_id):
        record = read(db, unit_id)
        with db.session() as s:
            s.get(m.Unit, unit_id).name = "Tổ dân phố 5 (đổi tên)"
        return record

    monkeypatch.setattr(unit_service, "get_unit", read_then_a_colleague_renames)
    assert page.move_to(moved.id, target.id) is False
    settle(qtbot)
    assert shown == [] and len(asked) == 1
    exc, labels = asked[0]
    details = conflict_details(exc, labels)
    assert f"Tên đơn vị: bạn nhập «{moved.name}», hiện đang lưu «Tổ dân phố 5 (đổi tên)»" in details
    assert "người khác" not in page.message.text()  # not said again on the page's own line
    assert any(c.touches({Change.UNITS}) for c in published)
    assert {u.code: u for u in page.units}["TDP-05"].name == "Tổ dân phố 5 (đổi tên)"  # the page reloaded


def test_the_vneid_bulk_mark_colliding_with_a_colleague_asks_the_conflict_question(ctx, qtbot, monkeypatch, shown,
                                                                                  asked):
    """Issue #12: the bulk mark's conflict goes through ops' one rule (the question with the
    differing fields, the people page reloads); the dialog stays open with what was typed."""
    from bdhvs_desktop.gui.conflict import conflict_details
    from bdhvs_desktop.gui.person_dialog import BulkVneidDialog
    from bdhvs_desktop.services import errors
    from bdhvs_desktop.services import people as people_service
    from bdhvs_desktop.services.changes import Change
    from bdhvs_desktop.storage import models as m

    with ctx.db.read() as s:
        ids = [p.id for p in s.query(m.Person).filter(m.Person.vneid_proficient_on.is_(None)).limit(3)]
    published = []
    ctx.data_changed.connect(published.append)

    def a_colleague_saved_one_first(db, person_ids, on, verified_by, **_options):
        with db.session() as s:
            s.get(m.Person, person_ids[0]).vneid_verified_by = "Tổ trưởng"
        mine = {"vneid_proficient_on": on, "vneid_verified_by": verified_by}
        raise errors.conflict_now(db, m.Person, person_ids[0], mine, entity="person",
                                  message=people_service.STALE_MESSAGE)

    monkeypatch.setattr(people_service, "mark_vneid_proficient", a_colleague_saved_one_first)
    dialog = BulkVneidDialog(ctx, ids, None)
    qtbot.addWidget(dialog)
    dialog.on.setText("20/03/2026")
    dialog.verified_by.setText("Công an phường")
    dialog.apply()
    settle(qtbot)
    assert shown == [] and len(asked) == 1
    exc, labels = asked[0]
    assert "Người/đơn vị xác nhận: bạn nhập «Công an phường», hiện đang lưu «Tổ trưởng»" in conflict_details(exc,
                                                                                                           labels)
    assert not dialog.general_error.text()  # not said again on the dialog's own line
    assert any(c.touches({Change.PEOPLE}) for c in published)
    assert dialog.result() != dialog.DialogCode.Accepted and dialog.verified_by.text() == "Công an phường"


def test_the_person_form_colliding_with_a_colleague_names_the_fields_in_the_question(ctx, qtbot, shown, asked):
    """The person form's conflict lists what differs by the form's own field names."""
    from bdhvs_desktop.gui.conflict import conflict_details
    from bdhvs_desktop.gui.person_dialog import PersonDialog
    from bdhvs_desktop.services import people as people_service
    from bdhvs_desktop.services.records import list_units
    from bdhvs_desktop.storage import models as m

    with ctx.db.read() as s:
        pid = s.query(m.Person.id).order_by(m.Person.id).first()[0]
    form = PersonDialog(ctx, list_units(ctx.db), pid, None)
    qtbot.addWidget(form)
    record = people_service.get_person(ctx.db, pid)
    with ctx.db.session() as s:  # a colleague saves first
        s.get(m.Person, pid).position = "Tổ trưởng (đồng nghiệp sửa)"
    form.position.setText("Tổ phó")
    form.save()
    settle(qtbot)
    assert shown == [] and len(asked) == 1 and form.result() != form.DialogCode.Accepted
    exc, labels = asked[0]
    assert "Chức vụ: bạn nhập «Tổ phó», hiện đang lưu «Tổ trưởng (đồng nghiệp sửa)»" in conflict_details(exc, labels)
    assert record.version != people_service.get_person(ctx.db, pid).version
