"""Issue #12: the preamble the command groups shared by copy (dossier, province, package,
certificates) is one helper, cli/preamble.py; each command says a refusal with the same exit code."""

from __future__ import annotations

import datetime as dt

import pytest

from bdhvs_desktop.cli import EXIT_ERROR, EXIT_USAGE, CliError
from bdhvs_desktop.cli.preamble import dossier_folder, exit_codes, optional_date


class _DataError(Exception):
    pass


class _FileError(Exception):
    pass


def test_exit_codes_say_each_refusal_with_its_code():
    with pytest.raises(CliError) as info, exit_codes(usage=(_FileError,), error=(_DataError,)):
        raise _FileError("Tệp đang mở bằng Word.")
    assert (str(info.value), info.value.code) == ("Tệp đang mở bằng Word.", EXIT_USAGE)
    with pytest.raises(CliError) as info, exit_codes(usage=(_FileError,), error=(_DataError,)):
        raise _DataError("Chưa có ứng viên nào được thông qua.")
    assert (str(info.value), info.value.code) == ("Chưa có ứng viên nào được thông qua.", EXIT_ERROR)
    with pytest.raises(KeyError), exit_codes(usage=(_FileError,)):  # anything else is not a refusal
        raise KeyError("x")


def test_optional_date_and_the_dossier_folder(tmp_path):
    assert optional_date(None) is None and optional_date("") is None
    assert optional_date("2026-11-20") == optional_date("20/11/2026") == dt.date(2026, 11, 20)
    with pytest.raises(CliError) as info:
        optional_date("31/02/2026")
    assert info.value.code == EXIT_USAGE and "Ngày không hợp lệ" in str(info.value)
    assert dossier_folder(tmp_path / "moi") == tmp_path / "moi"
    (tmp_path / "tep.txt").write_text("x", encoding="utf-8")
    with pytest.raises(CliError) as info:
        dossier_folder(tmp_path / "tep.txt")
    assert info.value.code == EXIT_USAGE and "là một tệp, không phải thư mục" in str(info.value)


def test_the_province_commands_on_a_ward_database_exit_with_the_data_error(demo_db, tmp_path, capsys):
    """`province wards|candidates|duplicates|rank` on a ward's database: refused with exit code 1
    and the service's message (the same preamble for each)."""
    from bdhvs_desktop.cli import main

    for command in ("wards", "candidates", "duplicates", "rank"):
        code = main(["--db", str(tmp_path / "demo.sqlite3"), "province", command])
        err = capsys.readouterr().err
        assert code == EXIT_ERROR, (command, err)
        assert "văn phòng cấp phường" in err, (command, err)
