"""Exports that contain personal data (citizen ID numbers, birth dates, phone numbers) say
so and ask once per session:

    if not confirm_personal_export(self, tr("danh sách nhân sự")):
        return
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from bdhvs_desktop.gui.i18n import tr

_PROPERTY = "bdhvs_personal_export_confirmed"
PERSONAL_EXPORT_TEXT = (tr("Tệp xuất ra có dữ liệu cá nhân (số CCCD, ngày sinh, số điện thoại). Chỉ gửi cho người có "
                        "trách nhiệm, không đăng lên mạng xã hội hoặc nhóm chung, và xóa khi không còn dùng."))


def _app():
    return QApplication.instance()


def personal_export_confirmed() -> bool:
    app = _app()
    return bool(app is not None and app.property(_PROPERTY))


def reset_personal_export_consent() -> None:
    app = _app()
    if app is not None:
        app.setProperty(_PROPERTY, False)


def personal_export_box(parent: QWidget | None, what: str = "") -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(tr("Xuất dữ liệu cá nhân"))
    box.setText(tr(PERSONAL_EXPORT_TEXT))
    info = tr("Bạn xác nhận xuất {what}? Chương trình sẽ không hỏi lại trong lần làm việc này.").format(
        what=what or tr("tệp này"))
    box.setInformativeText(info)
    box.addButton(tr("Xuất tệp"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(box.addButton(tr("Hủy"), QMessageBox.ButtonRole.RejectRole))
    return box


def confirm_personal_export(parent: QWidget | None, what: str = "") -> bool:
    """True when the user agrees to export personal data; asked once per session."""
    if personal_export_confirmed():
        return True
    box = personal_export_box(parent, what)
    box.exec()
    ok = box.buttonRole(box.clickedButton()) == QMessageBox.ButtonRole.AcceptRole
    if ok and _app() is not None:
        _app().setProperty(_PROPERTY, True)
    return ok
