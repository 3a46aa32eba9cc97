"""Đơn vị: the units as a tree, with their figures; add, edit/rename, move (drag or dialog)
and merge, each validated with the message next to the field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from bdhvs_desktop.domain import unit_tree
from bdhvs_desktop.domain.values import parse_int
from bdhvs_desktop.domain.vocab import UNIT_KIND_LABELS, UnitKind
from bdhvs_desktop.gui import ops
from bdhvs_desktop.gui.forms import dialog_buttons
from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.gui.import_wizard import ImportWizard, export_to_excel
from bdhvs_desktop.gui.pages.base import Page
from bdhvs_desktop.gui.person_dialog import FieldError, fill_unit_combo
from bdhvs_desktop.services import unit_merge
from bdhvs_desktop.services import units as unit_service
from bdhvs_desktop.services.changes import Change, Changes
from bdhvs_desktop.services.records import UnitRow, list_units
from bdhvs_desktop.services.units import get_unit

#: A unit's fields by name, for a conflict's "what you typed / what is stored" list.
UNIT_LABELS = {"code": tr("Mã đơn vị"), "name": tr("Tên đơn vị"), "kind": tr("Loại đơn vị"),
               "parent_id": tr("Đơn vị cấp trên"), "is_party_org": tr("Tổ chức đảng"), "households": tr("Số hộ dân"),
               "adult_residents": tr("Số người dân trưởng thành")}


def _descendants(units: list[UnitRow], unit_id: int) -> set[int]:
    return set(unit_tree.descendants(unit_tree.children_of((u.id, u.parent_id) for u in units), unit_id))


class UnitTree(QTreeWidget):
    """A tree whose drag and drop asks the page to move the unit (validated, audited),
    instead of moving the item itself."""

    def __init__(self, page: UnitsPage):
        super().__init__()
        self.page = page
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)

    def dropEvent(self, event) -> None:  # noqa: N802
        item = self.currentItem()
        target = self.itemAt(event.position().toPoint())
        event.ignore()  # the tree is rebuilt from the database after the move
        if item is None:
            return
        indicator = self.dropIndicatorPosition()
        if target is None:
            new_parent = None
        elif indicator == QAbstractItemView.DropIndicatorPosition.OnItem:
            new_parent = target.data(0, Qt.ItemDataRole.UserRole)
        else:
            parent = target.parent()
            new_parent = parent.data(0, Qt.ItemDataRole.UserRole) if parent else None
        self.page.move_to(item.data(0, Qt.ItemDataRole.UserRole), new_parent)


class UnitDialog(QDialog):
    """Add or edit a unit; messages next to each field."""

    def __init__(self, ctx, units: list[UnitRow], unit_id: int | None = None, parent=None,
                 default_parent: int | None = None):
        super().__init__(parent)

        self.ctx = ctx
        self.unit_id = unit_id
        self.version = None
        self.saved_id = None
        self.setWindowTitle(tr("Sửa đơn vị") if unit_id else tr("Thêm đơn vị"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.errors: dict[str, FieldError] = {}
        self.inputs = {}

        def row(key: str, label: str, widget) -> None:
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            err = FieldError()
            box.addWidget(err)
            form.addRow(label, box)
            self.errors[key], self.inputs[key] = err, widget

        self.code = QLineEdit()
        self.code.setMaxLength(64)
        self.code.setPlaceholderText(tr("ví dụ: TDP-06"))
        row("code", tr("Mã đơn vị *"), self.code)
        self.name = QLineEdit()
        row("name", tr("Tên đơn vị *"), self.name)
        self.kind = QComboBox()
        for kind, label in UNIT_KIND_LABELS.items():
            self.kind.addItem(label, kind.value)
        row("kind", tr("Loại đơn vị *"), self.kind)
        self.parent_combo = QComboBox()
        excluded = _descendants(units, unit_id) if unit_id else set()
        fill_unit_combo(self.parent_combo, [u for u in units if u.id not in excluded], empty=tr("(không có — cấp cao nhất)"))
        row("parent_id", tr("Đơn vị cấp trên"), self.parent_combo)
        self.is_party_org = QCheckBox(tr("Là tổ chức đảng (chi bộ, đảng bộ)"))
        form.addRow("", self.is_party_org)
        self.households = QLineEdit()
        self.households.setPlaceholderText(tr("để trống nếu không áp dụng"))
        row("households", tr("Số hộ dân"), self.households)
        self.adults = QLineEdit()
        self.adults.setPlaceholderText(tr("để trống nếu không áp dụng"))
        row("adult_residents", tr("Số người dân trưởng thành"), self.adults)
        layout.addLayout(form)
        layout.addWidget(dialog_buttons(self, accept=self.save))
        if unit_id is not None:
            # Synchronous: one row by its id.
            record = get_unit(ctx.db, unit_id)
            self.version = record.version
            d = record.data
            self.code.setText(d.code)
            self.name.setText(d.name)
            self.kind.setCurrentIndex(max(self.kind.findData(d.kind), 0))
            self.parent_combo.setCurrentIndex(max(self.parent_combo.findData(d.parent_id), 0))
            self.is_party_org.setChecked(d.is_party_org)
            self.households.setText("" if d.households is None else str(d.households))
            self.adults.setText("" if d.adult_residents is None else str(d.adult_residents))
        elif default_parent is not None:
            self.parent_combo.setCurrentIndex(max(self.parent_combo.findData(default_parent), 0))

    def show_errors(self, errors: dict[str, str]) -> None:
        for key, label in self.errors.items():
            label.show_message(errors.get(key))
            self.inputs[key].setStyleSheet("border: 1px solid #b00020;" if key in errors else "")
        self.layout().activate()
        self.adjustSize()

    def save(self) -> None:
        errors: dict[str, str] = {}
        numbers = {}
        for key, widget in (("households", self.households), ("adult_residents", self.adults)):
            try:
                numbers[key] = parse_int(widget.text())
            except ValueError as exc:
                errors[key], numbers[key] = str(exc), None
        data = unit_service.UnitData(self.code.text(), self.name.text(), self.kind.currentData(),
                                     self.parent_combo.currentData(), self.is_party_org.isChecked(),
                                     numbers["households"], numbers["adult_residents"])
        # Synchronous: every field's message at once before saving; a few indexed lookups (code,
        # parent), under 5 ms on the demo ward and not growing with the number of people.
        errors = {**unit_service.validate_unit(self.ctx.db, data, self.unit_id), **errors}
        self.show_errors(errors)
        if errors:
            return
        unit_id, version = self.unit_id, self.version

        def write(db) -> int:
            if unit_id is None:
                return unit_service.add_unit(db, data)
            unit_service.update_unit(db, unit_id, data, version=version)
            return unit_id

        def saved(new_id: int) -> None:
            self.saved_id = new_id
            self.accept()

        ops.run(self, write, changes=Changes.of(Change.UNITS), success=saved,
                failure=lambda exc: ops.take_problems(exc, self.show_errors), title=tr("Đang lưu đơn vị"),
                labels=UNIT_LABELS)


class ChooseUnitDialog(QDialog):
    """Pick another unit: the new parent (move) or the unit to merge into."""

    def __init__(self, title: str, intro: str, units: list[UnitRow], exclude: set[int], *, allow_none: bool,
                 parent=None, ok_text: str = ""):
        super().__init__(parent)

        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        label = QLabel(intro)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.combo = QComboBox()
        fill_unit_combo(self.combo, [u for u in units if u.id not in exclude],
                        empty=tr("(không có — cấp cao nhất)") if allow_none else None)
        layout.addWidget(self.combo)
        self.error = FieldError()
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, ok_text or tr("Đồng ý")))

    def chosen(self) -> int | None:
        return self.combo.currentData()


class UnitsPage(Page):
    title = tr("Đơn vị")
    depends_on = frozenset({Change.UNITS, Change.PEOPLE})

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        actions = QHBoxLayout()
        self.add_button = QPushButton(tr("Thêm đơn vị…"))
        self.edit_button = QPushButton(tr("Sửa, đổi tên…"))
        self.move_button = QPushButton(tr("Chuyển cấp trên…"))
        self.merge_button = QPushButton(tr("Sáp nhập vào…"))
        self.awards_button = QPushButton(tr("Khen thưởng…"))
        self.awards_button.setToolTip(tr("Quá trình khen thưởng của đơn vị đang chọn (sổ theo dõi khen thưởng)"))
        self.import_button = QPushButton(tr("Nhập từ Excel…"))
        self.export_button = QPushButton(tr("Xuất Excel…"))
        for b in (self.add_button, self.edit_button, self.move_button, self.merge_button, self.awards_button):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.import_button)
        actions.addWidget(self.export_button)
        layout.addLayout(actions)
        self.tree = UnitTree(self)
        self.tree.setHeaderLabels([tr("Tên đơn vị"), tr("Mã"), tr("Loại"), tr("Tổ chức đảng"), tr("Nhân sự"),
                                   tr("Đảng viên"), tr("Số hộ"), tr("Người dân trưởng thành")])
        self.tree.header().setStretchLastSection(False)  # the name column takes the spare width
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.setAlternatingRowColors(True)
        layout.addWidget(self.tree)
        self.hint = QLabel(tr("Mẹo: kéo một đơn vị thả vào đơn vị khác để chuyển cấp trên; bấm đúp để sửa."))
        self.hint.setStyleSheet("color: #555;")
        layout.addWidget(self.hint)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.units: list[UnitRow] = []
        self.add_button.clicked.connect(self.add_unit)
        self.edit_button.clicked.connect(self.edit_selected)
        self.move_button.clicked.connect(self.move_selected)
        self.merge_button.clicked.connect(self.merge_selected)
        self.awards_button.clicked.connect(self.show_awards)
        self.import_button.clicked.connect(self.open_import)
        self.export_button.clicked.connect(self.export_units)
        self.tree.itemDoubleClicked.connect(lambda *_: self.edit_selected())
        self.tree.itemSelectionChanged.connect(self._update_actions)
        self._update_actions()

    def refresh(self) -> None:
        # A page load: the unit tree with its people counts grouped in SQL takes 1 ms on the demo ward
        # but 40-50 ms on a ward of 300 units and 30,000 people.
        self.load(list_units, self.populate)

    def populate(self, units: list[UnitRow]) -> None:
        selected = self.selected_id()
        self.units = units
        self.tree.clear()
        items: dict[int, QTreeWidgetItem] = {}
        for u in units:
            kind = UNIT_KIND_LABELS.get(UnitKind(u.kind), u.kind) if u.kind in UnitKind._value2member_map_ else u.kind
            item = QTreeWidgetItem([
                u.name, u.code, kind, tr("Có") if u.is_party_org else "", str(u.people), str(u.party_members),
                "" if u.households is None else str(u.households),
                "" if u.adult_residents is None else str(u.adult_residents),
            ])
            item.setData(0, Qt.ItemDataRole.UserRole, u.id)
            for col in range(4, 8):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            items[u.id] = item
        for u in units:
            parent = items.get(u.parent_id) if u.parent_id else None
            (parent.addChild(items[u.id]) if parent else self.tree.addTopLevelItem(items[u.id]))
        self.tree.expandAll()
        for col in range(1, 8):
            self.tree.resizeColumnToContents(col)
        if selected in items:
            self.tree.setCurrentItem(items[selected])
        party = sum(1 for u in units if u.is_party_org)
        groups = sum(1 for u in units if u.kind == UnitKind.RESIDENTIAL_GROUP)
        self.summary.setText(
            tr("{n} đơn vị, trong đó {p} tổ chức đảng và {g} tổ dân phố.").format(n=len(units), p=party, g=groups)
            if units else tr("Chưa có đơn vị nào. Hãy tạo phường mẫu hoặc nhập dữ liệu từ tệp Excel.")
        )
        self._update_actions()

    # -- selection
    def selected_id(self) -> int | None:
        item = self.tree.currentItem() if self.tree.selectedItems() else None
        return item.data(0, Qt.ItemDataRole.UserRole) if item else None

    def show_awards(self) -> None:
        # The award dialog brings the council and decision services: the page opens without them.
        from bdhvs_desktop.gui.awards_dialog import AwardHistoryDialog  # lazy: start-up

        unit = self.selected_unit()
        if unit is not None:
            AwardHistoryDialog(self.ctx, "unit", unit.id, unit.name, self).exec()

    def selected_unit(self) -> UnitRow | None:
        uid = self.selected_id()
        return next((u for u in self.units if u.id == uid), None)

    def _update_actions(self) -> None:
        has = self.selected_id() is not None
        for b in (self.edit_button, self.move_button, self.merge_button, self.awards_button):
            b.setEnabled(has)

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")
        self.message.setText(text)

    # -- actions
    def add_unit(self) -> None:
        dialog = UnitDialog(self.ctx, self.units, None, self, default_parent=self.selected_id())
        if dialog.exec():
            self.show_message(tr("Đã thêm đơn vị {c}.").format(c=dialog.code.text().strip()))

    def edit_selected(self) -> None:
        uid = self.selected_id()
        if uid is None:
            return
        dialog = UnitDialog(self.ctx, self.units, uid, self)
        if dialog.exec():
            self.show_message(tr("Đã lưu đơn vị {c}.").format(c=dialog.code.text().strip()))

    def move_to(self, unit_id: int, new_parent: int | None) -> bool:
        unit = next((u for u in self.units if u.id == unit_id), None)
        if unit is None or unit.parent_id == new_parent:
            return False
        def refused(exc: BaseException) -> bool:
            # Invalid moves are said on the page's line; a conflict goes by ops' one rule (the
            # question with what differs, then this page reloads).
            if ops.error_kind(exc) is not ops.ErrorKind.INVALID:
                return False
            message = dict(ops.problems_of(exc)).get("parent_id", str(exc))
            self.show_message(tr("Không chuyển được {n}: {m}").format(n=unit.name, m=message), error=True)
            return True

        def moved(_result) -> None:
            target = next((u.name for u in self.units if u.id == new_parent), tr("cấp cao nhất"))
            self.show_message(tr("Đã chuyển {n} về {t}.").format(n=unit.name, t=target))

        # A drop needs to know whether the move was accepted: wait for the operation in a local
        # event loop (the window keeps answering).
        return ops.run(self, lambda db: unit_service.move_unit(db, unit_id, new_parent), success=moved,
                       failure=refused, changes=Changes.of(Change.UNITS), title=tr("Đang chuyển đơn vị"),
                       labels=UNIT_LABELS).wait()

    def move_selected(self) -> None:
        unit = self.selected_unit()
        if unit is None:
            return
        dialog = ChooseUnitDialog(tr("Chuyển cấp trên"), tr("Chọn đơn vị cấp trên mới cho \"{n}\":").format(n=unit.name),
                                  self.units, _descendants(self.units, unit.id), allow_none=True, parent=self,
                                  ok_text=tr("Chuyển"))
        dialog.combo.setCurrentIndex(max(dialog.combo.findData(unit.parent_id), 0))
        if dialog.exec():
            self.move_to(unit.id, dialog.chosen())

    def merge_selected(self) -> None:
        unit = self.selected_unit()
        if unit is None:
            return
        dialog = ChooseUnitDialog(
            tr("Sáp nhập đơn vị"),
            tr("Sáp nhập \"{n}\" vào đơn vị nào? Toàn bộ {p} người, hoạt động, mô hình, số liệu và đơn vị cấp dưới "
               "sẽ chuyển sang đơn vị được chọn; \"{n}\" được đánh dấu ngừng hoạt động (vẫn giữ trong lịch sử).")
            .format(n=unit.name, p=unit.people),
            self.units, _descendants(self.units, unit.id), allow_none=False, parent=self, ok_text=tr("Sáp nhập"))
        if not dialog.exec() or dialog.chosen() is None:
            return
        target = next(u for u in self.units if u.id == dialog.chosen())
        answer = QMessageBox.question(self, tr("Xác nhận sáp nhập"),
                                      tr("Sáp nhập \"{a}\" vào \"{b}\"? Việc này được ghi vào nhật ký.")
                                      .format(a=unit.name, b=target.name))
        if answer != QMessageBox.StandardButton.Yes:
            return
        def refused(exc: BaseException) -> bool:
            problems = ops.problems_of(exc)
            if not problems:
                return False
            self.show_message(" ".join(msg for _f, msg in problems), error=True)
            return True

        # Merging moves the unit's people, activities, models and figures to the target.
        ops.run(self, lambda db: unit_merge.merge_units(db, unit.id, target.id), failure=refused,
                changes=Changes.of(Change.UNITS, Change.PEOPLE, Change.ACTIVITIES, Change.MODELS, Change.SCORES),
                title=tr("Đang sáp nhập đơn vị"),
                success=lambda result: self.show_message(tr("Đã sáp nhập {a} vào {b}. {r}").format(
                    a=unit.name, b=target.name, r=result.text())))

    def open_import(self) -> None:
        ImportWizard(self.ctx, self).exec()

    def export_units(self) -> None:
        export_to_excel(self, self.ctx, "units", "don-vi.xlsx")
