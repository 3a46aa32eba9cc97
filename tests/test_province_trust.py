"""The province import trusts the CAs of the signing settings (the "Chữ ký số" dialog, `bdhvs signing trust`,
`bdhvs province trust`: one list), and the "Hồ sơ các phường" page says plainly when none is configured: the
packages are then imported as "chưa tin cậy".

With BDHVS_SCREENS=<folder> the page is also saved there as PNG (widget.grab())."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gui_wait import settle
from province_office import generated_packages, province_db

from bdhvs_desktop.services import province, trusted_cas
from bdhvs_desktop.services import province_views as pv
from bdhvs_desktop.services import signing_settings as ss
from bdhvs_desktop.services.office import OfficeError, add_trust_root, trust_roots


@pytest.fixture
def office(tmp_path):
    db = province_db(tmp_path / "tinh.sqlite3")
    packages, ca = generated_packages(tmp_path / "goi", n=3)
    yield db, packages, ca
    db.dispose()


def test_the_ca_trusted_in_the_signing_settings_is_the_provinces(office):
    db, packages, ca = office
    trusted_cas.add_trusted_ca(db, ca)  # as the dialog does
    assert trust_roots(db) == [ca]
    report = province.import_packages(db, packages[:1])  # the stored roots apply
    assert report.imported and report.imported[0].trusted, report.summary_lines()


def test_province_trust_adds_to_the_same_list_and_refuses_a_non_ca(office, tmp_path):
    db, _packages, ca = office
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import Encoding
    from pki import TestCA

    add_trust_root(db, ca)
    assert [c.der for c in ss.load(db).trusted_cas] == [ca]  # the dialog lists it
    other = TestCA.create("CA khác")
    leaf = other.issue(rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key(), "Trần Văn B")
    with pytest.raises(OfficeError, match="không phải chứng thư của tổ chức chứng thực"):
        add_trust_root(db, leaf.public_bytes(Encoding.PEM))
    assert trust_roots(db) == [ca]


def test_the_wards_page_says_when_no_ca_is_trusted(office, qtbot, monkeypatch):
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.main_window import MainWindow
    from bdhvs_desktop.services.changes import Change, Changes

    db, packages, ca = office
    window = MainWindow(AppContext(db))
    qtbot.addWidget(window)
    window.resize(1360, 820)
    window.show()
    window.ctx.first_paint_done()
    page = window.show_page("province_wards")
    settle(qtbot)
    assert page.trust_note.isVisible()
    assert "Chưa cài đặt chứng thư CA tin cậy" in page.trust_note.text() and "“chưa tin cậy”" in page.trust_note.text()
    shown = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda _p, _t, text: shown.append(text))
    page.import_packages([str(p) for p in packages])
    settle(qtbot)
    settle(qtbot)  # the reload after the import
    rows = [page.wards_model.columns[4][1](w) for w in page.wards_model.rows]
    assert rows == ["Nguyên vẹn · đã ký số · chưa tin cậy"] * 3
    folder = os.environ.get("BDHVS_SCREENS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert page.grab().save(str(Path(folder) / "7-ho-so-cac-phuong-chua-tin-cay.png"))
    assert all(not w.trusted for w in pv.list_wards(db))
    assert "Chưa tin cậy" in shown[-1] and "Cài đặt → Chữ ký số…" in shown[-1]  # the import says why

    trusted_cas.add_trusted_ca(db, ca)
    window.ctx.publish(Changes.of(Change.SETTINGS))  # what the dialog publishes: the page reloads
    settle(qtbot)
    assert not page.trust_note.isVisible()
