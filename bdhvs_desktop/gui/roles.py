"""Qt's item-data roles and one alignment as plain ints, for code on the start-up path.

The first use of PySide6's `Qt` namespace builds Python enums for all of its ~100 enum types,
about 20 ms on a 2-core machine: a fifth of what a bare PySide6 window needs to start (see
bench/bench_startup.py). Item models get the role as an int, so the code that runs before
the main window's first paint compares against these and leaves `Qt` for later.
tests/test_startup.py checks that the values equal Qt's and that the first paint happens
without `Qt`."""

DISPLAY_ROLE = 0  # Qt.ItemDataRole.DisplayRole
TOOLTIP_ROLE = 3  # Qt.ItemDataRole.ToolTipRole
TEXT_ALIGNMENT_ROLE = 7  # Qt.ItemDataRole.TextAlignmentRole
USER_ROLE = 256  # Qt.ItemDataRole.UserRole
ALIGN_RIGHT_VCENTER = 0x0002 | 0x0080  # Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
