"""What the user sees when a save collides with a colleague's save on another workstation
(a services.errors.Conflict, which carries what the user typed and what is stored now): a
clear message, nothing lost, and a way to reload. No SQLAlchemy type is named here: the
services turn a StaleDataError into a Conflict.

    try:
        save_changes(...)
    except Exception as exc:
        if is_conflict(exc):
            if show_conflict(self, exc):
                self.refresh()   # reload; the form keeps what the user typed
            return
        raise
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from bdhvs_desktop.gui.i18n import tr
from bdhvs_desktop.services import errors as service_errors
from bdhvs_desktop.services.errors import Conflict

CONFLICT_TEXT = (tr("Bản ghi này vừa được người khác sửa trên máy khác; dữ liệu của bạn chưa bị mất — hãy tải lại "
                 "để xem thay đổi của họ, rồi lưu lại."))
DELETED_TEXT = tr("Bản ghi này vừa bị người khác xóa trên máy khác; dữ liệu bạn nhập chưa được lưu và vẫn còn trong ô nhập.")


def is_conflict(exc: BaseException) -> bool:
    return service_errors.is_conflict(exc)


def _show(value) -> str:
    if value is None or value == "":
        return tr("(trống)")
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return tr("Có") if value else tr("Không")
    return str(value)


def conflict_details(exc: BaseException, labels: dict[str, str] | None = None) -> str:
    """For a Conflict: each field where what you typed differs from what is stored now."""
    if not isinstance(exc, Conflict) or not exc.theirs:
        return ""
    lines = []
    for field, (mine, theirs) in exc.differing.items():
        name = (labels or {}).get(field, field)
        lines.append(tr("• {name}: bạn nhập «{mine}», hiện đang lưu «{theirs}»").format(
            name=name, mine=_show(mine), theirs=_show(theirs)))
    return "\n".join(lines)


DIFFERS_HEADING = tr("Khác biệt giữa bản của bạn và bản đang lưu:")


def conflict_text(message: str, exc: BaseException, labels: dict[str, str] | None = None) -> str:
    """The conflict said in one text (a warning, when no reload is offered): the message, then
    each field where what you typed differs from what is stored now."""
    details = conflict_details(exc, labels)
    return message + ("\n\n" + DIFFERS_HEADING + "\n" + details if details else "")


def conflict_box(parent: QWidget | None, exc: BaseException, labels: dict[str, str] | None = None) -> QMessageBox:
    deleted = isinstance(exc, Conflict) and exc.deleted
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(tr("Xung đột khi lưu"))
    box.setText(tr(DELETED_TEXT) if deleted else tr(CONFLICT_TEXT))
    details = conflict_details(exc, labels)
    if details:
        box.setInformativeText(DIFFERS_HEADING + "\n" + details)
    box.addButton(tr("Tải lại"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(tr("Để sau"), QMessageBox.ButtonRole.RejectRole)
    return box


def show_conflict(parent: QWidget | None, exc: BaseException, labels: dict[str, str] | None = None) -> bool:
    """Show the conflict message; True when the user chose to reload."""
    box = conflict_box(parent, exc, labels)
    box.exec()
    return box.buttonRole(box.clickedButton()) == QMessageBox.ButtonRole.AcceptRole
