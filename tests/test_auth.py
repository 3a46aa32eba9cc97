"""Users and roles for the shared office: argon2 hashes, login, role checks, the CLI."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from bdhvs_desktop.services import accounts, auth, passwords
from bdhvs_desktop.storage import models as m


def test_password_hash_is_argon2_and_verifies():
    h = passwords.hash_password("Mật-khẩu-1")
    assert h.startswith("$argon2id$")
    assert passwords.verify_password(h, "Mật-khẩu-1")
    assert not passwords.verify_password(h, "mật-khẩu-1")
    assert not passwords.verify_password("không phải hash", "x")
    assert passwords.hash_password("Mật-khẩu-1") != h  # salted


@pytest.mark.parametrize("name", ["ab", "Có dấu", "a" * 60, "-abc", "abc-", "a b"])
def test_bad_usernames_are_refused_in_vietnamese(db, name):
    with pytest.raises(auth.AuthError, match="không hợp lệ"):
        accounts.add_user(db, name, "Tên", "viewer", "Mat-khau-dai-01")


def test_account_rules(db):
    with pytest.raises(auth.AuthError, match="ít nhất 10 ký tự"):
        accounts.add_user(db, "thuky", "Tên", "secretary", "ngan")
    with pytest.raises(auth.AuthError, match="Vai trò \"admin\" không hợp lệ"):
        accounts.add_user(db, "thuky", "Tên", "admin", "Mat-khau-dai-01")
    with pytest.raises(auth.AuthError, match="Thiếu họ và tên"):
        accounts.add_user(db, "thuky", "  ", "secretary", "Mat-khau-dai-01")
    accounts.add_user(db, "thuky", "Nguyễn Văn A", "secretary", "Mat-khau-dai-01")
    with pytest.raises(auth.AuthError, match="đã có"):
        accounts.add_user(db, "ThuKy", "Khác", "viewer", "Mat-khau-dai-01")
    with pytest.raises(auth.AuthError, match="thư ký cuối cùng"):
        accounts.disable_user(db, "thuky")
    accounts.add_user(db, "thuky2", "Nguyễn Văn B", "secretary", "Mat-khau-dai-01")
    accounts.disable_user(db, "thuky")
    assert [(u.username, u.active) for u in accounts.list_users(db)] == [("thuky", False), ("thuky2", True)]
    accounts.set_active(db, "thuky", True)
    accounts.set_password(db, "thuky", "mat-khau-moi-cua-thu-ky")
    assert accounts.login(db, "thuky", "mat-khau-moi-cua-thu-ky").username == "thuky"
    with db.read() as s:
        notes = [e.note for e in s.scalars(select(m.AuditEntry).where(m.AuditEntry.entity == "app_user"))]
    assert any("Tạo tài khoản thuky" in n for n in notes) and any("Đổi mật khẩu" in n for n in notes)
    assert not any("mat-khau-moi-cua-thu-ky" in (n or "") for n in notes)


def test_unknown_user_and_wrong_password_get_the_same_message(db):
    accounts.add_user(db, "thuky", "Nguyễn Văn A", "secretary", "Mat-khau-dai-01")
    with pytest.raises(auth.AuthError) as a:
        accounts.login(db, "khongco", "Mat-khau-dai-01")
    with pytest.raises(auth.AuthError) as b:
        accounts.login(db, "thuky", "sai-sai-sai")
    assert str(a.value) == str(b.value) == "Tên đăng nhập hoặc mật khẩu không đúng."


def test_roles_secretary_council_viewer(db):
    # A SQLite file on this PC: no login, the user is the secretary.
    assert not auth.login_required(db)
    auth.require_role(db, "secretary")
    accounts.add_user(db, "hoidong", "Lê Thị B", "council_member", "Mat-khau-dai-01")
    accounts.add_user(db, "xem", "Phạm C", "viewer", "Mat-khau-dai-01")
    accounts.login(db, "xem", "Mat-khau-dai-01")
    assert auth.has_role(db, "viewer") and not auth.has_role(db, "council_member")
    with pytest.raises(auth.PermissionDenied, match=r"xem \(Chỉ xem\) không có quyền biểu quyết"):
        auth.require_role(db, "council_member", action="biểu quyết")
    accounts.login(db, "hoidong", "Mat-khau-dai-01")
    auth.require_role(db, "council_member")
    auth.require_role(db, "viewer")
    with pytest.raises(auth.PermissionDenied, match="Thư ký"):
        auth.require_role(db, "secretary")
    with pytest.raises(auth.AuthError):
        auth.require_role(db, "quan-tri")
    accounts.logout(db)
    auth.require_role(db, "secretary")  # back to the local secretary on a SQLite file


def test_shared_database_without_login_is_refused(db, monkeypatch):
    monkeypatch.setattr(type(db), "is_sqlite", property(lambda self: False))
    assert auth.login_required(db)
    with pytest.raises(auth.PermissionDenied, match="Cần đăng nhập"):
        auth.require_role(db, "viewer")


def test_old_hash_parameters_are_upgraded_at_login(db):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("Mat-khau-dai-01")
    with db.session() as s:
        s.add(m.AppUser(username="cu", full_name="Cũ", role="viewer", password_hash=weak))
    accounts.login(db, "cu", "Mat-khau-dai-01")
    with db.read() as s:
        stored = s.scalar(select(m.AppUser.password_hash).where(m.AppUser.username == "cu"))
    assert stored != weak and passwords.verify_password(stored, "Mat-khau-dai-01")


def test_cli_users(db, monkeypatch, capsys):
    from bdhvs_desktop.cli import main

    url = str(db.path)
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-thu-ky\n"))
    assert main(["--db", url, "users", "add", "thuky", "--name", "Nguyễn Thị Hòa", "--role", "secretary"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-hd-01\n"))
    assert main(["users", "add", "hoidong", "--db", url, "--name", "Trần Văn Bình", "--role", "council_member",
                 "--password-stdin"]) == 0
    assert main(["--db", url, "users", "list"]) == 0
    out = capsys.readouterr().out
    assert "thuky" in out and "Thư ký (văn phòng)" in out and "Thành viên Hội đồng" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    assert main(["--db", url, "users", "passwd", "hoidong"]) == 2
    assert "ít nhất 10 ký tự" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-moi-1\n"))
    assert main(["--db", url, "users", "passwd", "hoidong"]) == 0
    assert main(["--db", url, "users", "disable", "hoidong"]) == 0
    assert main(["--db", url, "users", "list"]) == 0
    assert "(đã khóa)" in capsys.readouterr().out
    assert main(["--db", url, "users", "disable", "khongco"]) == 2
    assert "Không có tài khoản" in capsys.readouterr().err
    assert main(["--db", url, "users", "add", "x y", "--name", "A", "--role", "viewer"]) == 2
    assert accounts.login(db, "thuky", "mat-khau-thu-ky").role == "secretary"
