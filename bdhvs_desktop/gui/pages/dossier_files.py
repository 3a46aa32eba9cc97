"""The Hồ sơ page's choices (the Tờ trình's format and issuer, the Form 08 sections and personal
fields), its default output folder, and what the page does with a generated dossier: list its
files, open and print them, open the office's templates, the decision and the register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt

from bdhvs_desktop.gui.i18n import tr

ISSUER_FORMATS = [
    ("auto", tr("Theo thẩm quyền của hình thức khen thưởng (khuyên dùng)")),
    ("party", tr("Văn bản của Đảng (Hướng dẫn 36-HD/VPTW): “Số 12-TTr/ĐU”")),
    ("state", tr("Văn bản hành chính (Nghị định 30/2020/NĐ-CP): “Số: 12/TTr-UBND”")),
]

ISSUERS = [
    ("auto", tr("Tự động: Hội đồng Thi đua - Khen thưởng trình cấp mình, Ủy ban nhân dân/Đảng ủy trình cấp trên")),
    ("council", tr("Hội đồng Thi đua - Khen thưởng (Văn phòng Đảng ủy với hình thức khen thưởng của Đảng)")),
    ("ward", tr("Ủy ban nhân dân/Đảng ủy (cấp dưới của cấp khen thưởng)")),
]

#: The editable sections, in the order shown.
SECTIONS = [
    ("results", tr("Thành tích đạt được (viết thêm, ngoài số liệu tự động)")),
    ("measures", tr("Các biện pháp, giải pháp đã thực hiện")),
    ("lessons", tr("Bài học kinh nghiệm")),
    ("structure", tr("Cơ cấu tổ chức (tập thể; để trống: lấy từ dữ liệu)")),
    ("functions", tr("Chức năng, nhiệm vụ (tập thể)")),
]
#: Form 08 personal fields the records do not hold (individuals only), one line each.
PERSONAL_FIELDS = [
    ("occupation", tr("Nghề nghiệp:")),
    ("professional", tr("Trình độ chuyên môn, nghiệp vụ:")),
    ("political_theory", tr("Trình độ lý luận chính trị:")),
]


def default_out_dir(draft: bool, day: dt.date) -> Path:
    from bdhvs_desktop import paths

    name = ("du-thao-ho-so-" if draft else "ho-so-khen-thuong-") + day.isoformat()
    return paths.user_data_dir() / "ho-so" / name


class DossierFilesMixin:
    """The generated files' part of DossierPage (needs its files list, buttons, status line)."""

    def _update_buttons(self) -> None:
        has_files = self.files.count() > 0
        self.open_doc_btn.setEnabled(has_files)
        self.print_doc_btn.setEnabled(has_files)
        self.open_folder_btn.setEnabled(self.last_outcome is not None)
        self.generate_btn.setEnabled(self._task is None)

    def _selected_file(self) -> Path | None:
        item = self.files.currentItem()
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item else None

    def open_folder(self) -> None:
        from bdhvs_desktop.gui.opening import open_path

        if self.last_outcome is not None:
            open_path(self.last_outcome.folder)

    def open_document(self) -> None:
        from bdhvs_desktop.gui.opening import open_path

        path = self._selected_file()
        if path is not None:
            open_path(path)

    def print_document(self) -> None:
        from bdhvs_desktop.gui.opening import print_path

        path = self._selected_file()
        if path is None:
            return
        try:
            self.status.setText(print_path(path))
        except OSError as exc:
            from bdhvs_desktop.gui import ops

            ops.refuse(self, tr("Không in được “{n}”: {e}").format(n=path.name, e=exc))

    def open_templates_dir(self) -> None:
        from bdhvs_desktop import paths
        from bdhvs_desktop.gui.opening import open_path

        folder = paths.user_templates_dir()
        open_path(folder)
        self.status.setText(tr("Thư mục mẫu của văn phòng: {f}").format(f=folder))

    def open_decision(self) -> None:
        from bdhvs_desktop.gui.awards_dialog import DecisionDialog

        DecisionDialog(self.ctx, self).exec()

    def open_register(self) -> None:
        from bdhvs_desktop.gui.awards_dialog import AwardRegisterDialog

        AwardRegisterDialog(self.ctx, self).exec()
