"""`bdhvs signing ...`: the office's digital-signature settings (its USB token or .p12 file, the trusted CAs),
and signing / verifying a PDF or a detached signature by hand (documents/signing.py does the work)."""

from __future__ import annotations

import getpass
import os
from dataclasses import replace
from pathlib import Path

from bdhvs_desktop.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CliError, _interactive
from bdhvs_desktop.cli.preamble import exit_codes

#: For scripts only: the token's PIN / the .p12 file's password; otherwise they are asked, never stored.
PIN_ENV = "BDHVS_SIGN_PIN"
P12_PASSWORD_ENV = "BDHVS_P12_PASSWORD"


def register(subparsers, common) -> None:
    p = subparsers.add_parser(
        "signing", parents=[common], help="chữ ký số: cài đặt USB token, CA tin cậy; ký và kiểm tra tệp",
        description=(
            "Chữ ký số của cơ quan (USB token PKCS#11 hoặc tệp chứng thư .p12) và các tổ chức chứng thực (CA)\n"
            "được tin cậy khi kiểm tra gói hồ sơ của các phường. Mã PIN không bao giờ được lưu: nó được hỏi\n"
            f"mỗi lần ký (hoặc lấy từ biến môi trường {PIN_ENV} khi chạy bằng kịch bản).\n"
            "Mã thoát: 0 thành công / chữ ký hợp lệ; 1 chữ ký không hợp lệ hoặc không ký được; 2 tham số hoặc tệp\n"
            "không dùng được."),
    )
    sub = p.add_subparsers(dest="signing_command", metavar="LỆNH", required=True)
    s = sub.add_parser("show", parents=[common], help="xem cài đặt chữ ký số")
    s.set_defaults(func=cmd_show)
    s = sub.add_parser("tokens", parents=[common], help="liệt kê USB token đang cắm và nhãn các khóa (không cần PIN)")
    s.add_argument("--lib", metavar="TỆP", default=None,
                   help="thư viện PKCS#11 (mặc định: các thư viện token quen biết tìm thấy trên máy)")
    s.set_defaults(func=cmd_tokens)
    s = sub.add_parser("token", parents=[common], help="dùng USB token (PKCS#11)")
    s.add_argument("--lib", required=True, metavar="TỆP", help="thư viện PKCS#11 của token (.dll trên Windows)")
    s.add_argument("--token", required=True, metavar="NHÃN", help="nhãn của token")
    s.add_argument("--key", required=True, metavar="NHÃN", help="nhãn của khóa ký (và chứng thư) trên token")
    s.set_defaults(func=cmd_token)
    s = sub.add_parser("p12", parents=[common], help="dùng tệp chứng thư số .p12/.pfx")
    s.add_argument("path", metavar="TỆP")
    s.set_defaults(func=cmd_p12)
    s = sub.add_parser("trust", parents=[common], help="tin cậy chứng thư của tổ chức chứng thực (.cer/.crt/.pem)")
    s.add_argument("files", nargs="+", metavar="TỆP")
    s.set_defaults(func=cmd_trust)
    s = sub.add_parser("seal", parents=[common], help="ảnh con dấu của cơ quan (PNG nền trong suốt) trên dấu chữ ký số")
    s.add_argument("path", metavar="TỆP.png", nargs="?", default=None)
    s.add_argument("--remove", action="store_true", help="bỏ ảnh con dấu")
    s.set_defaults(func=cmd_seal)
    s = sub.add_parser("sign-pdf", parents=[common], help="ký một tệp PDF (chữ ký PAdES, có dấu hiển thị)")
    s.add_argument("pdf", metavar="VÀO.pdf")
    s.add_argument("out", metavar="RA.pdf")
    s.add_argument("--anchor", metavar="CHỮ", default=None,
                   help="dòng chức danh của người ký (ví dụ \"CHỦ TỊCH\") để đặt dấu chữ ký số; bỏ trống: ký ẩn")
    s.add_argument("--reason", default="", metavar="LÝ_DO")
    s.add_argument("--location", default="", metavar="NƠI_KÝ")
    s.add_argument("--p12", metavar="TỆP", default=None, help="ký bằng tệp .p12 này thay vì cài đặt của cơ quan")
    s.add_argument("--seal", metavar="TỆP.png", default=None,
                   help="ảnh con dấu dùng cho lần ký này (mặc định: ảnh trong cài đặt của cơ quan)")
    s.set_defaults(func=cmd_sign_pdf)
    s = sub.add_parser("verify", parents=[common], help="kiểm tra chữ ký số của tệp PDF (hoặc tệp và chữ ký .p7s)")
    s.add_argument("file", metavar="TỆP")
    s.add_argument("--p7s", metavar="TỆP", default=None, help="chữ ký tách rời (CMS) của TỆP")
    s.add_argument("--ca", metavar="TỆP", action="append", default=None,
                   help="chứng thư CA tin cậy (lặp lại được); mặc định: các CA đã cài đặt trong cơ sở dữ liệu")
    s.set_defaults(func=cmd_verify)


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CliError(f"Không đọc được {what} {path}: {exc.strerror or exc}", EXIT_USAGE) from exc


def cmd_show(args, ctx) -> int:
    from bdhvs_desktop.services import signing_settings as ss  # lazy: start-up

    st = ss.load(ctx.db(create=False))
    if st.kind == "pkcs12":
        ctx.out(f"Ký bằng tệp chứng thư số: {st.pkcs12_path or '(chưa chọn)'}")
    else:
        ctx.out(f"Ký bằng USB token: thư viện {st.pkcs11_lib or '(chưa chọn)'}, token \"{st.token_label}\", "
                f"khóa \"{st.key_label}\"")
    ctx.out(f"Ảnh con dấu: {'có' if st.seal_png else 'chưa có (dấu chữ ký số là khung đỏ)'}")
    ctx.out(f"CA tin cậy: {len(st.trusted_cas)}")
    for ca in st.trusted_cas:
        ctx.out(f"  {ca.name}  SHA-256 {ca.sha256}")
    return EXIT_OK


def cmd_tokens(args, ctx) -> int:
    from bdhvs_desktop.documents import signing  # lazy: start-up
    from bdhvs_desktop.services.pkcs11_libraries import find_pkcs11_libraries  # lazy: start-up

    libs = [("", args.lib)] if args.lib else find_pkcs11_libraries()
    if not libs:
        raise CliError("Không tìm thấy thư viện PKCS#11 quen biết trên máy: cài phần mềm của USB token rồi chỉ rõ "
                       "bằng --lib TỆP.", EXIT_USAGE)
    for issuer, lib in libs:
        ctx.out(f"Thư viện {lib}" + (f" ({issuer})" if issuer else ""))
        try:
            tokens = signing.list_tokens(lib)
        except signing.SigningError as exc:
            ctx.out(f"  {exc}")
            continue
        if not tokens:
            ctx.out("  (không có token nào đang cắm)")
        for token in tokens:
            ctx.out(f"  Token \"{token.label}\" ({token.manufacturer})")
            for key in token.keys:
                until = key.not_after.strftime("%d/%m/%Y") if key.not_after else "?"
                ctx.out(f"    khóa \"{key.label}\": {key.subject} (hết hạn {until})")
    return EXIT_OK


def cmd_token(args, ctx) -> int:
    from bdhvs_desktop.services import signing_settings as ss  # lazy: start-up

    with exit_codes(usage=(ss.SigningSettingsError,)):
        ss.save_signer(ctx.db(create=False), kind="pkcs11", pkcs11_lib=args.lib, token_label=args.token,
                       key_label=args.key)
    ctx.out("Đã lưu cài đặt USB token (mã PIN sẽ được hỏi mỗi lần ký).")
    return EXIT_OK


def cmd_p12(args, ctx) -> int:
    from bdhvs_desktop.services import signing_settings as ss  # lazy: start-up

    with exit_codes(usage=(ss.SigningSettingsError,)):
        ss.save_signer(ctx.db(create=False), kind="pkcs12", pkcs12_path=str(Path(args.path).resolve()))
    ctx.out("Đã lưu cài đặt tệp chứng thư số (mật khẩu sẽ được hỏi mỗi lần ký).")
    return EXIT_OK


def cmd_trust(args, ctx) -> int:
    from bdhvs_desktop.services import signing_settings as ss  # lazy: start-up
    from bdhvs_desktop.services import trusted_cas  # lazy: start-up

    db = ctx.db(create=False)
    for name in args.files:
        with exit_codes(usage=(ss.SigningSettingsError,)):
            ca = trusted_cas.add_trusted_ca(db, _read(name, "tệp chứng thư"), name)
        ctx.out(f"Tin cậy: {ca.name} (SHA-256 {ca.sha256})")
    return EXIT_OK


def cmd_seal(args, ctx) -> int:
    from bdhvs_desktop.services import signing_settings as ss  # lazy: start-up

    if bool(args.path) == bool(args.remove):
        raise CliError("Cho một tệp ảnh PNG, hoặc --remove để bỏ ảnh con dấu.", EXIT_USAGE)
    data = None if args.remove else _read(args.path, "ảnh con dấu")
    with exit_codes(usage=(ss.SigningSettingsError,)):
        ss.set_seal_image(ctx.db(create=False), data, args.path or "ảnh con dấu")
    ctx.out("Đã bỏ ảnh con dấu." if args.remove else "Đã lưu ảnh con dấu (dùng trên dấu chữ ký số từ lần ký sau).")
    return EXIT_OK


def _secret(env: str, prompt: str) -> str | None:
    if env in os.environ:
        return os.environ[env]

    if not _interactive():
        raise CliError(f"Cần {prompt.lower()}: chạy trong cửa sổ lệnh để được hỏi, hoặc đặt biến môi trường {env}.",
                       EXIT_USAGE)

    return getpass.getpass(f"{prompt}: ")


def cmd_sign_pdf(args, ctx) -> int:
    from bdhvs_desktop.documents import atomic, signing  # lazy: start-up
    from bdhvs_desktop.services import signing_settings as ss  # lazy: start-up

    if args.p12:
        cfg = signing.SignerConfig(kind="pkcs12", pkcs12_path=args.p12,
                                   pkcs12_passphrase=_secret(P12_PASSWORD_ENV, "Mật khẩu tệp .p12").encode())
    else:
        st = ss.load(ctx.db(create=False))
        with exit_codes(usage=(ss.SigningSettingsError,)):
            if st.kind == "pkcs12":
                cfg = st.signer_config(passphrase=_secret(P12_PASSWORD_ENV, "Mật khẩu tệp .p12").encode())
            else:
                st.signer_config()  # says what is missing before asking for the PIN
                cfg = st.signer_config(pin=_secret(PIN_ENV, "Mã PIN của USB token"))
    if args.seal:
        cfg = replace(cfg, seal_png=_read(args.seal, "ảnh con dấu"))
    with exit_codes(error=(signing.SigningError,)):
        signed = signing.sign_pdf(_read(args.pdf, "tệp PDF"), cfg, reason=args.reason, location=args.location,
                                  stamp_anchor=args.anchor)
    with exit_codes(usage=(atomic.FileInUseError,)):
        atomic.atomic_write_bytes(Path(args.out), signed)
    ctx.out(f"Đã ký: {args.out}")
    return EXIT_OK


def cmd_verify(args, ctx) -> int:
    from bdhvs_desktop.documents import signing  # lazy: start-up
    from bdhvs_desktop.services import signing_settings as ss  # lazy: start-up
    from bdhvs_desktop.services import trusted_cas  # lazy: start-up

    if args.ca:
        roots = [_read(name, "tệp chứng thư") for name in args.ca]
        with exit_codes(usage=(ss.SigningSettingsError,)):
            roots = [trusted_cas.parse_ca_certificate(data, name).der for data, name in zip(roots, args.ca)]
    else:
        roots = ss.load(ctx.db(create=False)).trust_roots()
        if not roots:
            raise CliError("Chưa cài đặt CA tin cậy nào: dùng --ca TỆP hoặc `bdhvs signing trust TỆP`.", EXIT_USAGE)
    data = _read(args.file, "tệp")
    if args.p7s:
        checks = [signing.verify_detached(data, _read(args.p7s, "tệp chữ ký"), roots)]
    else:
        checks = signing.verify_pdf(data, roots)
    for n, check in enumerate(checks, 1):
        when = check.signing_time.strftime("%d/%m/%Y %H:%M:%S %z") if check.signing_time else "không rõ"
        verdict = "HỢP LỆ" if check.ok else "KHÔNG HỢP LỆ"
        ctx.out(f"Chữ ký {n}: {verdict} — người ký: {check.signer or 'không rõ'}, thời gian ký: {when}")
        if check.problem:
            ctx.out(f"  {check.problem}")
    return EXIT_OK if all(c.ok for c in checks) else EXIT_ERROR
