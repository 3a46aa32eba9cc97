"""A realistic example dossier: La Gi ward, 3 collectives, 4 individuals.

Used by the tests and to look at the pages::

    .venv/bin/python -m tests.documents.sample_data /tmp/ho-so-mau
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

from bdhvs_desktop.documents.context import (
    AchievementContext,
    ActivityCount,
    BallotCount,
    ClassTaught,
    CollectiveProfile,
    CouncilMember,
    DigitalModel,
    DocumentNumber,
    IndividualProfile,
    Issuer,
    MinutesContext,
    Nominee,
    PartyVneid,
    Person,
    Solution,
    SubmissionContext,
    TargetResult,
    VoteResult,
)

ROOT = Path(__file__).resolve().parents[2]
BUILTIN_FORMS = ROOT / "forms_templates"

CAMPAIGN = "Phong trào thi đua “Bình dân học vụ số”"
AWARD = "Giấy khen của Chủ tịch Ủy ban nhân dân phường La Gi"
VNEID_DEADLINE = dt.date(2026, 3, 31)

PARTY_ISSUER = Issuer(
    format="party",
    parent_name="ĐẢNG BỘ TỈNH LÂM ĐỒNG",
    name="ĐẢNG ỦY PHƯỜNG LA GI",
    abbreviation="ĐU",
    place="La Gi",
    signer_authority="T/M BAN THƯỜNG VỤ",
    signer_title="PHÓ BÍ THƯ",
    signer_name="Võ Minh Vương",
    name_in_text="Ban Thường vụ Đảng ủy phường La Gi",
)

STATE_ISSUER = Issuer(
    format="state",
    parent_name="",
    name="ỦY BAN NHÂN DÂN\nPHƯỜNG LA GI",
    abbreviation="UBND",
    place="La Gi",
    signer_authority="TM. ỦY BAN NHÂN DÂN",
    signer_title="CHỦ TỊCH",
    signer_name="Nguyễn Văn Thành",
    name_in_text="Ủy ban nhân dân phường La Gi",
)

COUNCIL_ISSUER = Issuer(
    format="state",
    parent_name="ỦY BAN NHÂN DÂN PHƯỜNG LA GI",
    name="HỘI ĐỒNG THI ĐUA -\nKHEN THƯỞNG",
    abbreviation="HĐTĐKT",
    place="La Gi",
    name_in_text="Hội đồng Thi đua - Khen thưởng phường La Gi",
)

COLLECTIVES = [
    Nominee(
        name="Chi bộ Khu phố 3",
        position_unit="Đảng bộ phường La Gi",
        award=AWARD,
        achievement_summary=(
            "100% đảng viên (35/35) sử dụng thành thạo VNeID, hoàn thành ngày 20/3/2026;\n"
            "xây dựng mô hình “Gia đình số” tại 312 hộ."
        ),
    ),
    Nominee(
        name="Công an phường La Gi",
        position_unit="Công an tỉnh Lâm Đồng",
        award=AWARD,
        achievement_summary=(
            "Hướng dẫn kích hoạt 4.860 tài khoản định danh điện tử mức 2; mô hình "
            "“Mỗi công dân - Một danh tính số”."
        ),
    ),
    Nominee(
        name="Trường Trung học cơ sở Nguyễn Du",
        position_unit="Ủy ban nhân dân phường La Gi",
        award=AWARD,
        achievement_summary="Học sinh tình nguyện “Thanh niên chung tay phổ cập kỹ năng số” tại 6 khu phố.",
    ),
]

INDIVIDUALS = [
    Nominee(
        name="Nguyễn Thị Hồng Nhung",
        position_unit="Công chức Văn hóa - Xã hội, UBND phường La Gi",
        award=AWARD,
        achievement_summary="Đại sứ số: hướng dẫn 1.245 lượt người; giải pháp tra cứu hồ sơ bằng mã QR.",
    ),
    Nominee(
        name="Trần Quốc Bảo",
        position_unit="Bí thư Đoàn phường La Gi",
        award=AWARD,
        achievement_summary="Tổ chức 18 buổi “Bình dân học vụ số” cho người cao tuổi.",
    ),
    Nominee(
        name="Lê Thị Thu Hà",
        position_unit="Tổ trưởng Tổ công nghệ số cộng đồng Khu phố 5",
        award=AWARD,
        achievement_summary="Hướng dẫn thanh toán QR cho 86 tiểu thương chợ La Gi (mô hình “Chợ số”).",
        note="Nữ",
    ),
    Nominee(
        name="Phạm Đức Thắng",
        position_unit="Cán bộ Công an phường La Gi",
        award=AWARD,
        achievement_summary="Hỗ trợ 530 người cao tuổi kích hoạt VNeID tại nhà.",
    ),
]


def submission(fmt: str = "party", **changes) -> SubmissionContext:
    issuer = PARTY_ISSUER if fmt == "party" else STATE_ISSUER
    ctx = SubmissionContext(
        issuer=issuer,
        number=DocumentNumber(kind="TTr", number=12),
        date=dt.date(2026, 11, 5),
        recipient="Chủ tịch Ủy ban nhân dân phường La Gi",
        campaign_name=CAMPAIGN,
        award_name=AWARD,
        legal_bases=[
            "Căn cứ Kế hoạch số 08-KH/ĐU, ngày 30/10/2025 của Ban Thường vụ Đảng ủy phường "
            "La Gi triển khai Phong trào “Bình dân học vụ số” trên địa bàn phường La Gi;",
            "Căn cứ kết quả họp xét của Hội đồng Thi đua - Khen thưởng phường ngày 03/11/2026,",
        ],
        body=(
            "Qua gần một năm triển khai, Phong trào đã được các tổ chức cơ sở đảng, cơ quan, "
            "đơn vị và Nhân dân hưởng ứng tích cực; 100% cán bộ, đảng viên, công chức, viên "
            "chức sử dụng thành thạo nền tảng định danh điện tử VNeID trong Quý I/2026.\n"
            "Trên cơ sở đề nghị của các đơn vị và kết quả họp xét của Hội đồng Thi đua - "
            "Khen thưởng phường,"
        ),
        collectives=COLLECTIVES,
        individuals=INDIVIDUALS,
        recipients=[
            "Như trên;",
            "Thường trực Đảng ủy phường (b/c);",
            "Hội đồng TĐ-KT phường;",
            "Lưu Văn phòng Đảng ủy.",
        ],
    )
    return dataclasses.replace(ctx, **changes) if changes else ctx


MEMBERS = [
    CouncilMember(name="Nguyễn Văn Thành", position="Phó Bí thư Đảng ủy, Chủ tịch UBND phường",
                  role="Chủ tịch Hội đồng"),
    CouncilMember(name="Võ Minh Vương", position="Phó Bí thư Thường trực Đảng ủy phường",
                  role="Phó Chủ tịch Hội đồng"),
    CouncilMember(name="Huỳnh Thị Lệ", position="Phó Chủ tịch UBND phường",
                  role="Phó Chủ tịch Thường trực Hội đồng"),
    CouncilMember(name="Đặng Văn Tú", position="Trưởng Ban Xây dựng Đảng", role="Ủy viên"),
    CouncilMember(name="Ngô Thị Kim Oanh", position="Chủ tịch Ủy ban MTTQ Việt Nam phường",
                  role="Ủy viên"),
    CouncilMember(name="Bùi Văn Hải", position="Trưởng Công an phường", role="Ủy viên"),
    CouncilMember(name="Đỗ Thị Mai", position="Chánh Văn phòng HĐND và UBND phường",
                  role="Ủy viên", present=False, absence_reason="đi học tập trung"),
    CouncilMember(name="Phan Thanh Tâm", position="Trưởng phòng Văn hóa - Xã hội",
                  role="Ủy viên"),
    CouncilMember(name="Châu Ngọc Ánh", position="Công chức Văn phòng - Thống kê",
                  role="Ủy viên, Thư ký"),
]

_VOTES = [8, 8, 7, 8, 7, 6, 8]


def minutes(secret: bool = True, **changes) -> MinutesContext:
    names = [(n, "collective") for n in COLLECTIVES] + [(n, "individual") for n in INDIVIDUALS]
    results = [
        VoteResult(name=n.name, kind=kind, award=n.award, votes_for=votes, total_members=9,
                   votes_against=(8 - votes) if secret else None,
                   note="Đề nghị" if votes * 2 > 9 else "")
        for (n, kind), votes in zip(names, _VOTES)
    ]
    ctx = MinutesContext(
        issuer=COUNCIL_ISSUER,
        number=DocumentNumber(kind="BB", number=3),
        council_name="Hội đồng Thi đua - Khen thưởng phường La Gi",
        subject="Về việc xét, đề nghị khen thưởng các tập thể, cá nhân có thành tích xuất "
                "sắc trong Phong trào thi đua “Bình dân học vụ số”",
        start=dt.datetime(2026, 11, 3, 14, 0),
        end=dt.datetime(2026, 11, 3, 16, 30),
        place="Hội trường Ủy ban nhân dân phường La Gi",
        chair=Person(name="Nguyễn Văn Thành", position="Chủ tịch UBND phường, Chủ tịch Hội đồng"),
        secretary=Person(name="Châu Ngọc Ánh", position="Công chức Văn phòng - Thống kê"),
        members=MEMBERS,
        guests=["Đại diện Ban Tuyên giáo và Dân vận Đảng ủy phường"],
        content=(
            "Đồng chí Huỳnh Thị Lệ, Phó Chủ tịch Thường trực Hội đồng, báo cáo tóm tắt thành "
            "tích của 03 tập thể và 04 cá nhân do các đơn vị đề nghị; quán triệt tiêu chuẩn "
            "tại Mục IV Kế hoạch phát động thi đua (100% đảng viên sử dụng thành thạo VNeID "
            "trong Quý I/2026; có ít nhất 01 mô hình sáng tạo, hiệu quả).\n"
            "Hội đồng đã thảo luận, phân tích, đánh giá thành tích của từng tập thể, cá nhân "
            "và bỏ phiếu kín."
        ),
        voting_method="secret_ballot" if secret else "show_of_hands",
        ballot=BallotCount(
            committee=[
                CouncilMember(name="Đặng Văn Tú", position="Trưởng Ban Xây dựng Đảng",
                              role="Trưởng ban"),
                CouncilMember(name="Phan Thanh Tâm", role="Thành viên"),
                CouncilMember(name="Châu Ngọc Ánh", role="Thành viên"),
            ],
            issued=8, returned=8, valid=8, invalid=0,
        ) if secret else None,
        results=results,
        conclusion=(
            "Hội đồng thống nhất đề nghị Chủ tịch Ủy ban nhân dân phường La Gi tặng Giấy "
            "khen cho 03 tập thể và 04 cá nhân có tên nêu trên (đạt trên 50% tổng số thành "
            "viên Hội đồng đồng ý).\n"
            "Giao Văn phòng Đảng ủy phường hoàn chỉnh hồ sơ, trình cấp có thẩm quyền xem xét."
        ),
    )
    return dataclasses.replace(ctx, **changes) if changes else ctx


def _cb_kp3() -> AchievementContext:
    return AchievementContext(
        kind="collective",
        name="Chi bộ Khu phố 3",
        award=AWARD,
        campaign_name=CAMPAIGN,
        issuer=Issuer(format="party", parent_name="ĐẢNG ỦY PHƯỜNG LA GI",
                      name="CHI BỘ KHU PHỐ 3", abbreviation="CB", place="La Gi",
                      signer_authority="T/M CHI BỘ", signer_title="BÍ THƯ",
                      signer_name="Trần Văn Hùng"),
        confirmer=PARTY_ISSUER,
        number=DocumentNumber(kind="BC", number=5),
        date=dt.date(2026, 10, 20),
        collective=CollectiveProfile(
            address="Khu phố 3, phường La Gi, tỉnh Lâm Đồng",
            phone="0252 3 870 123",
            structure="Chi ủy 03 đồng chí; 35 đảng viên sinh hoạt tại 04 tổ đảng.",
            headcount=35,
            headcount_detail="trong đó 12 đảng viên là cán bộ hưu trí",
            functions=(
                "Lãnh đạo thực hiện nhiệm vụ chính trị, xây dựng Đảng, chính quyền, Mặt trận "
                "và các đoàn thể trên địa bàn Khu phố 3.\n"
                "Tổ chức triển khai Phong trào “Bình dân học vụ số” đến từng hộ gia đình."
            ),
            vneid=PartyVneid(members_total=35, members_proficient=35,
                             completed_on=dt.date(2026, 3, 20), deadline=VNEID_DEADLINE),
        ),
        targets=[
            TargetResult(indicator="Đảng viên sử dụng thành thạo VNeID (Quý I/2026)",
                         target="100%", result="100% (35/35)", assessment="Đạt"),
            TargetResult(indicator="Người dân biết đến Phong trào qua ít nhất một kênh",
                         target="80%", result="91,4%", assessment="Vượt"),
            TargetResult(indicator="Hướng dẫn trực tiếp tại tổ dân phố",
                         target="01 buổi/tuần", result="46 buổi", assessment="Đạt"),
        ],
        models=[
            DigitalModel(name="Gia đình số", started=dt.date(2026, 1, 10),
                         description="mỗi hộ có ít nhất 01 thành viên được hướng dẫn 05 kỹ năng số thiết yếu",
                         effect="312/340 hộ (91,8%) có thành viên sử dụng VNeID & thanh toán QR.",
                         replication="Nhân rộng ra Khu phố 4 và Khu phố 6 (Quý III/2026).",
                         recognition="Được Ban Thường vụ Đảng ủy phường công nhận mô hình xuất sắc."),
        ],
        activities=[
            ActivityCount(kind="Lớp “Bình dân học vụ số”", count=12, unit="lớp", participants=384),
            ActivityCount(kind="Buổi hướng dẫn trực tiếp tại tổ dân phố", count=46, unit="buổi",
                          participants=1130),
            ActivityCount(kind="Sinh hoạt chuyên đề “Đảng viên tiên phong học tập kỹ năng số”",
                          count=2, unit="lần", participants=70),
        ],
        results="Chi bộ đã lãnh đạo hoàn thành vượt mức các chỉ tiêu của Phong trào, cụ thể:",
        measures=(
            "Phân công mỗi đảng viên phụ trách 05 - 07 hộ liền kề.\n"
            "Phối hợp Công an phường tổ chức kích hoạt VNeID tại nhà cho người cao tuổi."
        ),
        lessons="Cấp ủy phải vào cuộc quyết liệt; đảng viên làm trước để Nhân dân làm theo.",
    )


def _ca_phuong() -> AchievementContext:
    return AchievementContext(
        kind="collective",
        name="Công an phường La Gi",
        award=AWARD,
        campaign_name=CAMPAIGN,
        issuer=Issuer(format="state", parent_name="CÔNG AN TỈNH LÂM ĐỒNG",
                      name="CÔNG AN PHƯỜNG LA GI", abbreviation="CAP", place="La Gi",
                      signer_title="TRƯỞNG CÔNG AN PHƯỜNG", signer_name="Bùi Văn Hải"),
        confirmer=STATE_ISSUER,
        number=DocumentNumber(kind="BC", number=41),
        date=dt.date(2026, 10, 21),
        collective=CollectiveProfile(
            address="Số 12 đường Thống Nhất, phường La Gi, tỉnh Lâm Đồng",
            structure="Ban chỉ huy 04 đồng chí; 03 tổ công tác.",
            headcount=28,
            functions="Tham mưu bảo đảm an ninh, trật tự; quản lý cư trú, định danh điện tử.",
            vneid=PartyVneid(members_total=22, members_proficient=22,
                             completed_on=dt.date(2026, 2, 5), deadline=VNEID_DEADLINE),
        ),
        models=[DigitalModel(name="Mỗi công dân - Một danh tính số",
                             effect="4.860 tài khoản định danh điện tử mức 2 được kích hoạt.")],
        activities=[ActivityCount(kind="Tập huấn an toàn số cho lực lượng nòng cốt", count=4,
                                  unit="lớp", participants=160)],
        results="Đơn vị hoàn thành vượt mức các chỉ tiêu được giao.",
        measures="Tổ chức làm thủ tục, kích hoạt VNeID lưu động vào ngày nghỉ.",
        lessons="Gắn nhiệm vụ chuyên môn với hỗ trợ người dân.",
    )


def _thcs() -> AchievementContext:
    return AchievementContext(
        kind="collective",
        name="Trường Trung học cơ sở Nguyễn Du",
        award=AWARD,
        campaign_name=CAMPAIGN,
        issuer=Issuer(format="state", parent_name="ỦY BAN NHÂN DÂN PHƯỜNG LA GI",
                      name="TRƯỜNG THCS NGUYỄN DU", abbreviation="THCSND", place="La Gi",
                      signer_title="HIỆU TRƯỞNG", signer_name="Lý Thị Ngọc Hân"),
        confirmer=STATE_ISSUER,
        date=dt.date(2026, 10, 22),
        collective=CollectiveProfile(
            address="Khu phố 6, phường La Gi, tỉnh Lâm Đồng",
            structure="Ban giám hiệu 03 người; 05 tổ chuyên môn; 1.020 học sinh.",
            headcount=64,
            functions="Giáo dục trung học cơ sở trên địa bàn phường.",
        ),
        models=[DigitalModel(name="Thanh niên chung tay phổ cập kỹ năng số",
                             description="học sinh lớp 8, 9 hướng dẫn ông bà, cha mẹ",
                             effect="Hơn 600 người thân của học sinh biết thanh toán QR.")],
        results="Nhà trường lồng ghép nội dung an toàn số vào hoạt động ngoại khóa.",
    )


def _person(name, sex, born, unit, position, guided, **kw) -> AchievementContext:
    return AchievementContext(
        kind="individual",
        name=name,
        award=AWARD,
        campaign_name=CAMPAIGN,
        position_unit=f"{position}, {unit}",
        issuer=STATE_ISSUER,
        date=dt.date(2026, 10, 23),
        individual=IndividualProfile(
            sex=sex, birth_date=born,
            home_town="Phường La Gi, tỉnh Lâm Đồng",
            residence="Khu phố 5, phường La Gi, tỉnh Lâm Đồng",
            unit=unit, position=position,
            qualifications="Đại học; Trung cấp lý luận chính trị",
            vneid_proficient_on=dt.date(2026, 2, 14), vneid_deadline=VNEID_DEADLINE, can_guide=True,
            people_guided=guided,
            **kw,
        ),
        results="Trong Phong trào, bản thân đã đạt được những kết quả sau:",
        measures="Chủ động học tập, tự bồi dưỡng kỹ năng số.\nDành thời gian ngoài giờ hỗ trợ người dân.",
        lessons="Kiên trì, “cầm tay chỉ việc” cho từng người.",
    )


def achievements() -> list[AchievementContext]:
    return [
        _cb_kp3(),
        _ca_phuong(),
        _thcs(),
        _person(
            "Nguyễn Thị Hồng Nhung", "Nữ", dt.date(1990, 8, 2), "UBND phường La Gi",
            "Công chức Văn hóa - Xã hội", 1245,
            people_guided_detail="trong đó 410 người cao tuổi",
            solutions=[Solution(
                name="Tra cứu tiến độ hồ sơ bằng mã QR",
                description="dán mã QR tại Bộ phận một cửa để người dân tự tra cứu",
                applied_from=dt.date(2026, 4, 1),
                effect="Giảm 35% số lượt hỏi trực tiếp; người dân hài lòng.")],
            classes_taught=[
                ClassTaught(topic="VNeID và Dịch vụ công Quốc gia cho người cao tuổi",
                            held_on=dt.date(2026, 5, 9), place="Nhà văn hóa Khu phố 5",
                            participants=42),
                ClassTaught(topic="Thanh toán QR an toàn", held_on=dt.date(2026, 6, 13),
                            place="Chợ La Gi", participants=57),
            ],
        ),
        _person("Trần Quốc Bảo", "Nam", dt.date(1994, 1, 25), "Đoàn phường La Gi",
                "Bí thư Đoàn phường", 640),
        _person("Lê Thị Thu Hà", "Nữ", dt.date(1985, 11, 30),
                "Tổ công nghệ số cộng đồng Khu phố 5", "Tổ trưởng", 380),
        _person("Phạm Đức Thắng", "Nam", dt.date(1992, 7, 7), "Công an phường La Gi",
                "Cán bộ Công an phường", 530),
    ]


def main(argv: list[str]) -> int:  # pragma: no cover - manual tool
    from bdhvs_desktop.documents.dossier_writer import write_dossier
    from bdhvs_desktop.documents.formsets import load_form_set

    out = Path(argv[0] if argv else "/tmp/ho-so-mau")
    name = argv[1] if len(argv) > 1 else "decree-98-2023"
    fmt = argv[2] if len(argv) > 2 else "party"
    fs = load_form_set(name, BUILTIN_FORMS)
    result = write_dossier(out, fs, submission(fmt), minutes(), achievements(), make_zip=True,
                           progress=lambda d, t, m: print(f"[{d}/{t}] {m}"))
    for f in result.files:
        print(f.name, f.sha256[:12])
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
