"""The start-up path of the window (bench/bench_startup.py measures it): what the first frame
shows, what waits until after it, and the shortcuts it takes to get there quickly."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt


@pytest.fixture
def lazy_demo(demo_template, tmp_path):
    from bdhvs_desktop.storage.backup import backup_file
    from bdhvs_desktop.storage.lazy import LazyDatabase

    path = backup_file(demo_template, tmp_path / "demo.sqlite3")
    db = LazyDatabase.try_open(path)
    assert db is not None and not db.loaded
    yield db
    db.dispose()


def test_roles_are_qts_values():
    from bdhvs_desktop.gui import roles

    assert roles.DISPLAY_ROLE == Qt.ItemDataRole.DisplayRole.value
    assert roles.TOOLTIP_ROLE == Qt.ItemDataRole.ToolTipRole.value
    assert roles.TEXT_ALIGNMENT_ROLE == Qt.ItemDataRole.TextAlignmentRole.value
    assert roles.USER_ROLE == Qt.ItemDataRole.UserRole.value
    aligned = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert roles.ALIGN_RIGHT_VCENTER == aligned.value


@pytest.mark.parametrize("argv", [
    [], ["--db", "x.sqlite3"], ["--db=x.sqlite3"], ["--smoke-test"], ["--page", "units", "--db", "a b.sqlite3"],
    ["--startup-benchmark", "--db", "postgresql+psycopg://u:p@h/d"], ["--db", ""], ["--db", "a", "--db", "b"],
    ["--page=plan", "--smoke-test", "--startup-benchmark"], ["--db="], ["--smoke"],
])
def test_quick_argument_reading_agrees_with_argparse(argv):
    from bdhvs_desktop.gui.app import _parse_args_fully, parse_args

    assert vars(parse_args(argv)) == vars(_parse_args_fully(argv))


@pytest.mark.parametrize("argv", [["--db"], ["--nonsense"], ["--db", "--smoke-test"], ["--smoke-test=1"],
                                  ["extra"]])
def test_unusual_arguments_get_argparses_message(argv, capsys):
    from bdhvs_desktop.gui.app import parse_args

    with pytest.raises(SystemExit) as exit_info:
        parse_args(argv)
    assert exit_info.value.code == 2
    assert "bdhvs-desktop" in capsys.readouterr().err


def test_help_is_argparses(capsys):
    from bdhvs_desktop.gui.app import parse_args

    with pytest.raises(SystemExit):
        parse_args(["--help"])
    assert "--smoke-test" in capsys.readouterr().out


def test_context_defers_work_until_the_first_paint(qapp):
    from bdhvs_desktop.gui.context import AppContext

    done = []
    at_once = AppContext(object())
    at_once.after_first_paint(lambda: done.append("at once"))
    assert done == ["at once"]
    later = AppContext(object(), defer_until_painted=True)
    later.after_first_paint(lambda: done.append("first"))
    later.after_first_paint(lambda: done.append("second"))
    assert done == ["at once"]
    later.first_paint_done()
    assert done == ["at once", "first", "second"]
    later.after_first_paint(lambda: done.append("after"))  # once painted, jobs run at once
    assert done[-1] == "after"


def test_first_paint_shows_the_sorted_people_table_and_the_rest_follows(lazy_demo, qtbot):
    from PySide6.QtCore import QEvent, QObject

    from bdhvs_desktop.gui.app import FirstPaintWatcher
    from bdhvs_desktop.gui.context import AppContext
    from bdhvs_desktop.gui.main_window import MainWindow

    ctx = AppContext(lazy_demo, defer_until_painted=True)
    window = MainWindow(ctx, initial_page="people")
    qtbot.addWidget(window)
    page = window.pages["people"]
    events: list[str] = []

    class ViewportPaints(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                events.append("table painted")
            return False

    spy = ViewportPaints(page.table.viewport())
    page.table.viewport().installEventFilter(spy)
    watcher = FirstPaintWatcher(window, lambda: events.append("window watcher"))
    assert watcher is not None
    window.show()
    qtbot.waitUntil(lambda: "window watcher" in events, timeout=5000)
    # The watcher on the window (what the start-up benchmark uses) fires after the pass that
    # painted the table.
    assert "table painted" in events[:events.index("window watcher")]
    assert not lazy_demo.loaded  # the first frame came from the read-only sqlite3 path

    model = page.model
    assert model.rowCount() >= 150
    header = page.table.horizontalHeader()
    titles = [header.model().headerData(c, Qt.Orientation.Horizontal) for c in range(header.count())]
    assert titles == model.header_labels() and titles[0] == "Họ và tên"
    given_names = [model.row_at(r).search_key.rsplit(" ", 1)[-1] for r in range(model.rowCount())]
    assert given_names == sorted(given_names)  # sorted by given name in the first frame
    shown_first = [model.row_at(r).id for r in range(model.rowCount())]
    cells = [(r, c) for r in range(0, model.rowCount(), 7) for c in range(model.columnCount())]
    assert all(model.display_text(r, c) == model.data(model.index(r, c)) for r, c in cells)
    # columns sized to the text of the first rows
    name_width = page.table.fontMetrics().horizontalAdvance(model.display_text(0, 0))
    assert name_width < page.table.columnWidth(0) <= 320
    assert window.file_menu.title() == "&Tệp" and window.file_menu.actions() == []
    assert not page.table.isSortingEnabled()

    ctx.first_paint_done()
    assert [a.text() for a in window.file_menu.actions() if not a.isSeparator()] == [
        "Sao lưu ngay", "Khôi phục từ bản sao lưu…", "Kiểm tra cơ sở dữ liệu", "Thoát"]
    assert page.table.isSortingEnabled()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (0, Qt.SortOrder.AscendingOrder)
    assert [model.row_at(r).id for r in range(model.rowCount())] == shown_first  # no reshuffle
    header.setSortIndicator(10, Qt.SortOrder.DescendingOrder)  # a click on "Số người đã HD"
    guided = [model.row_at(r).people_guided or 0 for r in range(model.rowCount())]
    assert guided == sorted(guided, reverse=True)
    window.close()


def test_start_up_paints_without_qts_enum_namespace(demo_template, tmp_path):
    """The measured start-up path: the window paints before PySide6 builds `Qt` (gui/roles.py)
    and before SQLAlchemy loads; the Tệp menu is filled right after."""
    from bdhvs_desktop.storage.backup import backup_file

    path = backup_file(demo_template, tmp_path / "demo.sqlite3")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "bdhvs_desktop", "--db", str(path), "--startup-benchmark"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    assert int(values["people_rows"]) >= 150
    assert values["qt_namespace_before_paint"] == "0"
    assert values["sqlalchemy_before_paint"] == "0"
    assert values["file_menu_actions"] == "6"  # four actions and two separators
    assert float(values["cpu_at_paint"]) > 0


def test_window_icon_is_installed(qapp):
    from PySide6.QtCore import QSize

    from bdhvs_desktop.gui.app import install_window_icon
    from bdhvs_desktop.paths import resources_dir

    install_window_icon(qapp)
    icon = qapp.windowIcon()
    assert not icon.isNull()
    assert icon.actualSize(QSize(256, 256)) == QSize(256, 256)
    ico = (resources_dir() / "icons" / "bdhvs-desktop.ico").read_bytes()
    assert ico[:4] == b"\x00\x00\x01\x00" and int.from_bytes(ico[4:6], "little") == 7  # 16 to 256 pixels
