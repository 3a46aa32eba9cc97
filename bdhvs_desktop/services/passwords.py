"""Passwords of the office's accounts: the argon2 hashes (argon2 imported inside, start-up rule) and
the rules a new password obeys (length, no edge spaces, not in the shipped list of common ones)."""

from __future__ import annotations

import functools
import unicodedata

from bdhvs_desktop import paths
from bdhvs_desktop.services.auth import AuthError

MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS_FILE = "common_passwords.txt"  # in resources/


def hasher():
    from argon2 import PasswordHasher  # lazy: start-up

    return PasswordHasher()


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError  # lazy: start-up

    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError, ValueError):
        return False


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords too common to use (lower-cased)."""

    lines = (paths.resources_dir() / COMMON_PASSWORDS_FILE).read_text(encoding="utf-8").splitlines()
    return frozenset(_common_key(line) for line in lines if line.strip() and not line.startswith("#"))


def _common_key(password: str) -> str:
    """The form in which a password is compared with the list: full-width and other compatibility
    forms folded (NFKC), case folded, whitespace and punctuation dropped, so "ＰＡＳＳＷＯＲＤ１２３",
    "pass word123" and "Matkhau@123" are the listed "password123" and "matkhau123"."""

    folded = unicodedata.normalize("NFKC", password).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AuthError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    if password.strip() != password:
        raise AuthError("Mật khẩu không được bắt đầu hoặc kết thúc bằng khoảng trắng.")
    if _common_key(password) in common_passwords():
        raise AuthError("Mật khẩu này quá phổ biến (có trong danh sách mật khẩu hay bị dò); hãy chọn mật khẩu khác, "
                        "ví dụ một câu ngắn dễ nhớ.")
