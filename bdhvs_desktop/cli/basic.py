"""Commands for the database itself: init, demo, check, backup, presets."""

from __future__ import annotations

from pathlib import Path

from bdhvs_desktop.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, CliError
from bdhvs_desktop.domain.presets import PresetError, list_presets
from bdhvs_desktop.paths import presets_dir


def register(subparsers, common) -> None:
    p = subparsers.add_parser("init", parents=[common], help="tạo phong trào từ một kế hoạch mẫu",
                              description="Tạo phong trào (giai đoạn, nhiệm vụ, chỉ tiêu, tiêu chí) từ một kế hoạch mẫu.")
    p.add_argument("--preset", metavar="TÊN", help="tên kế hoạch mẫu (xem 'bdhvs presets'); mặc định: kế hoạch 004 La Gi")
    p.add_argument("--province", action="store_true",
                   help="cơ sở dữ liệu của văn phòng cấp tỉnh: nhập gói hồ sơ đề nghị của các phường (bdhvs province)")
    p.set_defaults(func=cmd_init)

    p = subparsers.add_parser("demo", parents=[common], help="tạo phường mẫu với dữ liệu mô phỏng",
                              description="Tạo phường mẫu (người và đơn vị hư cấu) trong cơ sở dữ liệu trống.")
    p.add_argument("--preset", metavar="TÊN", help="kế hoạch mẫu dùng cho phường mẫu")
    p.add_argument("--if-missing", action="store_true", help="không báo lỗi nếu cơ sở dữ liệu đã có dữ liệu")
    p.add_argument("--ward-code", metavar="MÃ", help="mã phường (khi thử văn phòng tỉnh với nhiều phường mẫu)")
    p.add_argument("--ward-name", metavar="TÊN", help="tên phường, ví dụ \"Phường Bình Minh\" (thay tên địa phương "
                                                     "của kế hoạch mẫu trong mọi văn bản)")
    p.add_argument("--seed", type=int, metavar="SỐ", help="hạt giống sinh dữ liệu (người, CCCD, số liệu); mặc định "
                                                         "là phường mẫu quen thuộc")
    p.add_argument("--province-candidates", type=int, default=0, metavar="SỐ",
                   help="số hồ sơ đề nghị Hội đồng xét để trình khen thưởng cấp tỉnh")
    p.add_argument("--shared-person", action="store_true",
                   help="cá nhân xuất sắc nhất là một người mẫu có mặt ở hai phường (để thử phát hiện trùng lặp)")
    p.set_defaults(func=cmd_demo)

    p = subparsers.add_parser("check", parents=[common], help="kiểm tra toàn vẹn và phiên bản cơ sở dữ liệu")
    p.set_defaults(func=cmd_check)

    p = subparsers.add_parser("backup", parents=[common], help="sao lưu cơ sở dữ liệu")
    p.add_argument("--out", metavar="TỆP", help="tệp hoặc thư mục sao lưu (mặc định: thư mục backups của người dùng); "
                                               "không bao giờ là chính cơ sở dữ liệu đang dùng")
    p.add_argument("--overwrite", action="store_true", help="cho phép ghi đè lên tệp --out đã có")
    p.set_defaults(func=cmd_backup)

    p = subparsers.add_parser("presets", parents=[common], help="liệt kê các kế hoạch mẫu")
    p.set_defaults(func=cmd_presets)


def _preset_error(exc: Exception) -> CliError:
    return CliError(str(exc), EXIT_USAGE)


def cmd_init(args, ctx) -> int:
    from bdhvs_desktop.services.campaign import CampaignExists, init_campaign  # lazy: start-up
    from bdhvs_desktop.services.office import OfficeError  # lazy: start-up

    try:
        name = init_campaign(ctx.db(), args.preset, province=args.province)
    except PresetError as exc:
        raise _preset_error(exc) from exc
    except (CampaignExists, OfficeError) as exc:
        raise CliError(f"{exc} ({ctx.db().display_name})", EXIT_ERROR) from exc  # never the password
    ctx.out(f"Đã tạo phong trào: {name}\nCơ sở dữ liệu: {ctx.db().display_name}")
    if args.province:
        ctx.out("Đây là cơ sở dữ liệu của văn phòng cấp tỉnh: nhập gói hồ sơ của các phường bằng "
                "bdhvs province import TỆP.bdhvs-goi --trust CA.pem")
    return EXIT_OK


def cmd_demo(args, ctx) -> int:
    from bdhvs_desktop.services.demo import DEMO_SEED, DemoExists, DemoVariant, create_demo  # lazy: start-up

    if args.province_candidates < 0:
        raise CliError("--province-candidates phải là số không âm.", EXIT_USAGE)
    if args.ward_name is not None and not args.ward_name.strip():
        raise CliError("--ward-name không được để trống.", EXIT_USAGE)
    variant = DemoVariant(ward_code=args.ward_code, ward_name=args.ward_name and args.ward_name.strip(),
                          seed=DEMO_SEED if args.seed is None else args.seed,
                          province_candidates=args.province_candidates, shared_person=args.shared_person)
    try:
        counts = create_demo(ctx.db(), args.preset, variant)
    except PresetError as exc:
        raise _preset_error(exc) from exc
    except DemoExists as exc:
        if args.if_missing:
            ctx.out(f"Cơ sở dữ liệu đã có dữ liệu, giữ nguyên: {ctx.db().display_name}")
            return EXIT_OK
        raise CliError(str(exc), EXIT_ERROR) from exc
    ctx.out(
        "Đã tạo phường mẫu (dữ liệu mô phỏng): "
        f"{counts['units']} đơn vị, {counts['people']} người, {counts['activities']} hoạt động, "
        f"{counts['models']} mô hình, {counts['solutions']} giải pháp.\n"
        f"Cơ sở dữ liệu: {ctx.db().display_name}"
    )
    return EXIT_OK


def cmd_check(args, ctx) -> int:
    from bdhvs_desktop.services.maintenance import check_database  # lazy: start-up

    location = ctx.db_location
    try:
        findings = check_database(ctx.db(create=False))
    except Exception:
        # A damaged file can fail before the check gets to say so (opening it, reading a
        # damaged page): SQLite's own check of the file then tells what is wrong.
        if "://" in location or not Path(location).is_file():
            raise
        from bdhvs_desktop.services.safety import corruption_findings, sqlite_file_problems  # lazy: start-up

        ctx.close()
        problems = sqlite_file_problems(Path(location))
        if problems is None:
            raise
        findings = corruption_findings(Path(location), problems)
    marks = {"ok": "✓", "warning": "!", "error": "✗"}
    for f in findings:
        ctx.out(f"{marks[f.level]} {f.message}")
    errors = sum(1 for f in findings if f.level == "error")
    warnings = sum(1 for f in findings if f.level == "warning")
    ctx.out(f"Kết quả: {errors} lỗi, {warnings} cảnh báo.")
    return EXIT_ERROR if errors else EXIT_OK


def cmd_backup(args, ctx) -> int:
    from bdhvs_desktop.services.maintenance import backup  # lazy: start-up
    from bdhvs_desktop.storage.backup import BackupError, TargetExists  # lazy: start-up

    try:
        dest = backup(ctx.db(create=False), Path(args.out) if args.out else None, overwrite=args.overwrite)
    except TargetExists as exc:
        raise CliError(f"{exc} Thêm --overwrite nếu thật sự muốn ghi đè.", EXIT_USAGE) from exc
    except (ValueError, BackupError) as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    ctx.out(f"Đã sao lưu vào: {dest}")
    return EXIT_OK


def cmd_presets(args, ctx) -> int:
    for info in list_presets(presets_dir()):
        ctx.out(f"{info.name}: {info.title} ({info.locality_full}, {info.province})")
    return EXIT_OK
