"""`bdhvs package`: export the ward's proposal package to the province and verify a package file.

    bdhvs package export --level province --out de-nghi-tinh.bdhvs-goi [--sign-p12 VP.p12 | --sign-pkcs11-lib LIB
                         --token NHÃN --key NHÃN]
    bdhvs package verify de-nghi-tinh.bdhvs-goi [--trust CA.pem ...] [--json]

The PIN of a token comes from BDHVS_TOKEN_PIN or is asked; a .p12 passphrase from BDHVS_P12_PASSPHRASE
or is asked: never on the command line. Format: docs/package-format.md.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

from bdhvs_desktop.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CliError, VietnameseArgumentParser
from bdhvs_desktop.cli.preamble import exit_codes, optional_date
from bdhvs_desktop.documents.atomic import FileInUseError

PIN_ENV = "BDHVS_TOKEN_PIN"
P12_ENV = "BDHVS_P12_PASSPHRASE"


def register(subparsers, common) -> None:
    p = subparsers.add_parser(
        "package", parents=[common], help="gói hồ sơ đề nghị khen thưởng gửi tỉnh (xuất, kiểm tra)",
        description=(
            "Gói hồ sơ đề nghị (.bdhvs-goi) là một tệp chứa Tờ trình, Biên bản họp Hội đồng và Báo cáo thành\n"
            "tích (Mẫu 08) dạng .docx và PDF, dữ liệu (package.json) và bản kê mã SHA-256 (manifest.json),\n"
            "có thể ký số. Bất kỳ byte nào bị sửa đều bị phát hiện khi kiểm tra."))
    sub = p.add_subparsers(dest="package_command", metavar="VIỆC", title="Các việc", required=True,
                           parser_class=VietnameseArgumentParser)
    q = sub.add_parser(
        "export", parents=[common], help="xuất gói hồ sơ đề nghị khen thưởng cấp tỉnh",
        description=(
            "Xuất các tập thể, cá nhân được Hội đồng thông qua đề nghị khen thưởng cấp tỉnh vào một tệp.\n"
            "Ký số (tùy chọn): Tờ trình và Biên bản (PDF) được ký PAdES, có dấu hiển thị ở vị trí ký; bản kê được\n"
            "ký CMS. Báo cáo thành tích (Mẫu 08) do thủ trưởng đơn vị ký trên giấy nên chỉ được bản kê bảo vệ.\n"
            f"Mã PIN lấy từ biến môi trường {PIN_ENV} hoặc được hỏi; mật khẩu tệp .p12 từ {P12_ENV} hoặc\n"
            "được hỏi (không ghi trên dòng lệnh). Cần LibreOffice để tạo PDF."))
    q.add_argument("--level", default="province", choices=["province"], help="cấp đề nghị (chỉ province)")
    q.add_argument("--out", metavar="TỆP", required=True, help="tệp gói hồ sơ (đuôi .bdhvs-goi)")
    q.add_argument("--at", metavar="NNNN-TT-NN", help="số liệu tính đến ngày, cũng là ngày ký (mặc định: hôm nay)")
    q.add_argument("--ward-code", metavar="MÃ", help="mã phường trong gói (mặc định: theo tên phường, ví dụ "
                                                    "PHUONG-LA-GI); tỉnh dùng mã này để tách dữ liệu từng phường")
    q.add_argument("--sign", action="store_true",
                   help="ký bằng chữ ký số đã cài đặt của văn phòng (bdhvs signing token|p12)")
    q.add_argument("--sign-pkcs11-lib", metavar="THƯ_VIỆN", help="thư viện PKCS#11 của USB token (.dll/.so)")
    q.add_argument("--token", metavar="NHÃN", help="nhãn (label) của token")
    q.add_argument("--key", metavar="NHÃN", help="nhãn của khóa ký trên token")
    q.add_argument("--sign-p12", metavar="TỆP.p12", help="ký bằng chứng thư số dạng tệp PKCS#12")
    q.add_argument("--overwrite", action="store_true", help="ghi đè tệp đã có")
    q.set_defaults(func=cmd_export)
    q = sub.add_parser(
        "verify", parents=[common], help="kiểm tra một gói hồ sơ: nội dung, toàn vẹn, chữ ký số",
        description=("In nội dung gói và cho biết gói có nguyên vẹn không, có chữ ký số không và chữ ký có\n"
                     "được tin cậy không (theo các chứng thư gốc --trust). Mã thoát 0: nguyên vẹn (và tin cậy nếu\n"
                     "có --trust); 1: gói bị sửa, chữ ký hỏng hoặc không tin cậy; 2: không đọc được tệp."))
    q.add_argument("file", metavar="TỆP")
    q.add_argument("--trust", action="append", default=[], metavar="CA.pem",
                   help="chứng thư gốc tin cậy (PEM hoặc DER; nhiều lần được)")
    q.add_argument("--json", action="store_true", help="in JSON")
    q.set_defaults(func=cmd_verify)


def _secret(env: str, prompt: str, what: str) -> str:
    # `bdhvs signing` reads the PIN from BDHVS_SIGN_PIN: a script that sets either one works here too.
    for name in (env, *(("BDHVS_SIGN_PIN",) if env == PIN_ENV else ())):
        value = os.environ.get(name)
        if value is not None:
            return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CliError(f"Cần {what}: chạy trong cửa sổ lệnh để được hỏi, hoặc đặt biến môi trường {env}.", EXIT_USAGE)

    return getpass.getpass(prompt)


def _signer(args, ctx):
    from bdhvs_desktop.documents.signing import SignerConfig  # lazy: start-up

    token = any((args.sign_pkcs11_lib, args.token, args.key))
    if sum((token, bool(args.sign_p12), args.sign)) > 1:
        raise CliError("Chọn một cách ký: --sign (đã cài đặt), --sign-pkcs11-lib (USB token) hoặc --sign-p12 (tệp), "
                       "không cả hai.", EXIT_USAGE)
    if args.sign:
        from bdhvs_desktop.services import signing_settings  # lazy: start-up

        saved = signing_settings.load(ctx.db(create=False))
        if not saved.configured:
            raise CliError("Văn phòng chưa cài đặt chữ ký số: bdhvs signing token … hoặc bdhvs signing p12 …, hoặc "
                           "dùng --sign-pkcs11-lib/--sign-p12.", EXIT_USAGE)
        if saved.kind == "pkcs12":
            secret = _secret(P12_ENV, f"Mật khẩu của tệp “{Path(saved.pkcs12_path).name}”: ", "mật khẩu tệp .p12")
            return saved.signer_config(passphrase=secret.encode("utf-8"))
        return saved.signer_config(pin=_secret(PIN_ENV, f"Mã PIN của token “{saved.token_label}”: ",
                                               "mã PIN của token"))
    if token:
        missing = [n for n, v in (("--sign-pkcs11-lib", args.sign_pkcs11_lib), ("--token", args.token),
                                  ("--key", args.key)) if not v]
        if missing:
            raise CliError(f"Ký bằng USB token cần cả {', '.join(missing)}.", EXIT_USAGE)
        pin = _secret(PIN_ENV, f"Mã PIN của token “{args.token}”: ", "mã PIN của token")
        return SignerConfig(kind="pkcs11", pkcs11_lib=args.sign_pkcs11_lib, token_label=args.token,
                            key_label=args.key, pin=pin)
    if args.sign_p12:
        if not Path(args.sign_p12).is_file():
            raise CliError(f"Không tìm thấy tệp chứng thư số “{args.sign_p12}”.", EXIT_USAGE)
        passphrase = _secret(P12_ENV, f"Mật khẩu của tệp “{Path(args.sign_p12).name}”: ", "mật khẩu tệp .p12")
        return SignerConfig(kind="pkcs12", pkcs12_path=args.sign_p12, pkcs12_passphrase=passphrase.encode("utf-8"))
    return None


def _size(n: int) -> str:
    """1.234.567: the Vietnamese thousands separator."""
    return f"{n:,}".replace(",", ".")


def _progress(done: int, total: int, message: str) -> None:
    print(f"[{done}/{total}] {message}", file=sys.stderr)


def cmd_export(args, ctx) -> int:
    from bdhvs_desktop.documents.formsets import FormSetError  # lazy: start-up
    from bdhvs_desktop.documents.package_format import PackageError  # lazy: start-up
    from bdhvs_desktop.documents.pdf_convert import ConversionError  # lazy: start-up
    from bdhvs_desktop.documents.render import DocumentRenderError  # lazy: start-up
    from bdhvs_desktop.documents.signing import SigningError  # lazy: start-up
    from bdhvs_desktop.services.dossier import DossierError  # lazy: start-up
    from bdhvs_desktop.services.package_export import PackageExportError, export_package  # lazy: start-up

    out = Path(args.out)
    if out.is_dir():
        raise CliError(f"“{out}” là một thư mục; --out cần tên tệp, ví dụ de-nghi-tinh.bdhvs-goi.", EXIT_USAGE)
    if out.exists() and not args.overwrite:
        raise CliError(f"Tệp “{out}” đã có; thêm --overwrite để ghi đè.", EXIT_USAGE)
    at = optional_date(args.at)
    signer = _signer(args, ctx)
    with exit_codes(usage=(FormSetError, FileInUseError, ConversionError),
                    error=(PackageExportError, DossierError, DocumentRenderError, PackageError, SigningError)):
        outcome = export_package(ctx.db(create=False), out, level=args.level, signer=signer, at=at,
                                 ward_code=args.ward_code, progress=_progress)
    ctx.out(f"Đã xuất gói hồ sơ đề nghị cấp tỉnh: {outcome.path}")
    ctx.out(f"  Mã gói: {outcome.package_id}")
    ctx.out(f"  {outcome.candidates} hồ sơ, {outcome.documents} tài liệu, {_size(outcome.size)} byte")
    ctx.out(f"  SHA-256 của tệp: {outcome.sha256}")
    ctx.out("  Đã ký số (Tờ trình, Biên bản và bản kê)." if outcome.signed else "  Chưa ký số.")
    for note in outcome.notes:
        ctx.out(f"  Lưu ý: {note}")
    return EXIT_OK


def _load_roots(paths: list[str]) -> list[bytes]:
    from cryptography import x509  # lazy: start-up
    from cryptography.hazmat.primitives.serialization import Encoding  # lazy: start-up

    roots = []
    for name in paths:
        try:
            raw = Path(name).read_bytes()
        except OSError as exc:
            raise CliError(f"Không đọc được chứng thư gốc “{name}”: {exc.strerror or exc}.", EXIT_USAGE) from exc
        try:
            certs = x509.load_pem_x509_certificates(raw) if b"-----BEGIN" in raw else [x509.load_der_x509_certificate(raw)]
        except ValueError as exc:
            raise CliError(f"“{name}” không phải chứng thư X.509 (PEM hoặc DER).", EXIT_USAGE) from exc
        roots.extend(c.public_bytes(Encoding.DER) for c in certs)
    return roots


def _check_text(check) -> str:
    if check is None:
        return "không có"
    when = f", lúc {check.signing_time:%d/%m/%Y %H:%M:%S %z}" if check.signing_time else ""
    state = "nguyên vẹn" if check.intact else "HỎNG"
    trust = "tin cậy" if check.trusted else "chưa được tin cậy"
    return f"{check.signer or '(không rõ)'}{when}: {state}, {trust}" + (f" ({check.problem})" if check.problem else "")


def cmd_verify(args, ctx) -> int:
    from bdhvs_desktop.documents.package_format import PackageError, read_package, verify_signatures  # lazy: start-up

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"Không tìm thấy tệp “{path}”.", EXIT_USAGE)
    roots = _load_roots(args.trust)
    try:
        opened = read_package(path)
    except PackageError as exc:
        if args.json:
            ctx.out(json.dumps({"file": str(path), "intact": False, "problem": exc.message}, ensure_ascii=False))
        raise CliError(f"Gói hồ sơ “{path.name}” KHÔNG nguyên vẹn: {exc.message}", EXIT_ERROR) from exc
    result = verify_signatures(opened, roots)
    data = opened.data
    failed = bool(result.problems) or (bool(args.trust) and not result.trusted)
    if args.json:
        ctx.out(json.dumps({
            "file": str(path), "package_id": opened.package_id, "sha256": opened.sha256, "size": opened.size,
            "ward": data["ward"], "level": data["level"], "created_at": opened.created_at,
            "candidates": [{"key": c["key"], "name": c["name"], "award": c["award_form"]["name"]}
                           for c in data["candidates"]],
            "documents": sorted(opened.documents), "intact": result.intact, "signed": result.signed,
            "trusted": result.trusted, "problems": list(result.problems), "trust_problems": list(result.trust_problems),
        }, ensure_ascii=False, indent=2))
        return EXIT_ERROR if failed else EXIT_OK
    ward = data["ward"]
    ctx.out(f"Gói hồ sơ đề nghị khen thưởng cấp tỉnh: {path}")
    ctx.out(f"  Mã gói: {opened.package_id}; lập lúc {opened.created_at}; lược đồ phiên bản {opened.schema_version}")
    ctx.out(f"  Phường: {ward['name']} ({ward['code']}), tỉnh {ward['province']}")
    ctx.out(f"  SHA-256 của tệp: {opened.sha256} ({_size(opened.size)} byte)")
    ctx.out(f"  {len(data['candidates'])} hồ sơ đề nghị:")
    for c in data["candidates"]:
        v = c.get("ward_votes") or {}
        votes = f"; biểu quyết {v['for']} đồng ý / {v['against']} không đồng ý" if v else ""
        ctx.out(f"    - {c['name']} [{c['key']}]: {c['award_form']['name']}{votes}")
    ctx.out(f"  {len(opened.documents)} tài liệu:")
    for d in data["documents"]:
        mark = {"office": "ký số của cơ quan", "paper": "ký trên giấy, bảo vệ bằng bản kê", "none": ""}[d["signed"]]
        ctx.out(f"    - {d['path']} ({_size(len(opened.documents[d['path']]))} byte){' - ' + mark if mark else ''}")
    ctx.out("  Toàn vẹn: có (mọi byte khớp dạng chuẩn và bản kê SHA-256).")
    if not result.signed:
        ctx.out("  Chữ ký số: KHÔNG có (gói chưa ký; không xác định được cơ quan gửi).")
    else:
        ctx.out(f"  Chữ ký số của bản kê: {_check_text(result.manifest)}")
        for name, checks in sorted(result.pdfs.items()):
            for check in checks:
                ctx.out(f"  Chữ ký số trong {name}: {_check_text(check)}")
    for problem in result.problems:
        ctx.out(f"  LỖI: {problem}")
    if args.trust:
        ctx.out("  Tin cậy: có (chuỗi chứng thư đến chứng thư gốc đã cho)." if result.trusted
                else "  Tin cậy: KHÔNG.")
    elif result.signed:
        ctx.out("  Tin cậy: chưa kiểm tra (thêm --trust CA.pem).")
    return EXIT_ERROR if failed else EXIT_OK
