"""What the demo ward's people did (all invented, "mô phỏng", all before DEMO_LAST_DAY so the demo
does not depend on today's date): activities week by week, digital models and solutions, the
units' reported figures, the plan's tasks linked to units, and the emulation council's members."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bdhvs_desktop.storage import models as m

if TYPE_CHECKING:
    pass


# Everything in the demo happens before this day, so it does not depend on today's date.
DEMO_LAST_DAY = dt.date(2026, 11, 15)


Q1_END = dt.date(2026, 3, 31)


PHASE2_START = dt.date(2026, 4, 1)


def create_activities(s: Session, rng: random.Random, by_code: dict[str, m.Unit],
                       people: dict[str, list[m.Person]]) -> int:
    count = 0

    def add(day: dt.date, kind: str, unit: m.Unit, content: str, skills: str, participants: int,
            host: m.Person | None = None) -> None:
        nonlocal count
        s.add(m.Activity(date=day, kind=kind, unit=unit, content=content, skills=skills,
                         participants=participants, host_person_id=host.id if host else None))
        count += 1

    # Weekly direct guidance in residential groups from phase 2 (the plan's "≥1 buổi/tuần/tổ dân phố").
    first_monday = PHASE2_START - dt.timedelta(days=PHASE2_START.weekday())
    week = 0
    monday = first_monday
    while monday <= DEMO_LAST_DAY:
        for code in ("TDP-01", "TDP-02", "TDP-03", "TDP-04"):
            if code == "TDP-04" and week % 6 == 5:
                continue  # TDP-04 misses every sixth week
            if code == "TDP-03" and week % 4 == 0:
                day = monday + dt.timedelta(days=6)  # a Sunday session still counts for its week
            else:
                day = monday + dt.timedelta(days=rng.randint(0, 5))
            if day < PHASE2_START or day > DEMO_LAST_DAY:
                continue
            host = rng.choice(people["CB-VHXH"] + people["DT-DTN"])
            add(day, "guidance", by_code[code], "Hướng dẫn cài đặt, kích hoạt VNeID và dịch vụ công trực tuyến",
                "1,2,3", rng.randint(8, 35), host)
        # TDP-05 holds no guidance sessions at all (an empty group for the weekly target).
        week += 1
        monday += dt.timedelta(days=7)
    # Daily loudspeaker broadcasts from phase 2, with a few days missed.
    day = PHASE2_START
    while day <= DEMO_LAST_DAY:
        if not (day.day == 15 and day.month in (5, 8)) and day != dt.date(2026, 9, 2):
            add(day, "broadcast", by_code["CQ-UBND"], "Phát thanh tuyên truyền phong trào (17h00)", "1,2,3,4,5", 0)
        day += dt.timedelta(days=1)
    # Thematic party meetings "Đảng viên tiên phong học tập kỹ năng số" (CB-KP3 never held one).
    for code, when in (("CB-CA", dt.date(2026, 1, 20)), ("CB-VPDU", dt.date(2026, 2, 5)),
                       ("CB-VHXH", dt.date(2026, 1, 28)), ("DU-CQD", dt.date(2026, 3, 10)),
                       ("DU-UBND", dt.date(2026, 3, 12))):
        add(when, "thematic_meeting", by_code[code], "Sinh hoạt chuyên đề \"Đảng viên tiên phong học tập kỹ năng số\"",
            "2,4", len(people[code]))
    # "Bình dân học vụ số" classes taught by named people, and trainings.
    teachers = people["TH-THCS"][:4] + people["CB-VHXH"][:2]
    for i in range(24):
        day = dt.date(2026, 4, 6) + dt.timedelta(days=9 * i)
        if day > DEMO_LAST_DAY:
            break
        code = ["TDP-01", "TDP-02", "TDP-03", "TDP-04", "TDP-05"][i % 5]
        add(day, "class", by_code[code], f"Lớp \"Bình dân học vụ số\" số {i + 1} cho người cao tuổi",
            "1,2,3,4,5", rng.randint(12, 30), teachers[i % len(teachers)])
    add(dt.date(2026, 3, 5), "training", by_code["CB-CA"], "Tập huấn an toàn số cho lực lượng nòng cốt", "4", 45,
        people["CB-CA"][0])
    add(dt.date(2026, 2, 24), "training", by_code["DU-CQD"], "Tập huấn sử dụng \"Sổ tay đảng viên điện tử\"", "2", 38,
        people["CB-VPDU"][0])
    return count


def create_models(s: Session, by_code: dict[str, m.Unit], people: dict[str, list[m.Person]]) -> int:
    def model(code: str, name: str, owner: str, status: str, model_type: str | None = None,
              registered: dt.date = dt.date(2026, 1, 10), evaluated: dt.date | None = None,
              excellent: dt.date | None = None, rating: str | None = None, quarter: str | None = None,
              evaluation: str | None = None, replicated_to: tuple[tuple[str, dt.date], ...] = ()) -> m.DigitalModel:
        dm = m.DigitalModel(code=code, name=name, owner_unit=by_code[owner], status=status, model_type=model_type,
                            registered_on=registered, implementing_on=registered + dt.timedelta(days=20),
                            evaluated_on=evaluated, excellent_on=excellent, rating=rating, evaluation_quarter=quarter,
                            evaluation=evaluation)
        for unit_code, when in replicated_to:
            dm.replications.append(m.ModelReplication(unit=by_code[unit_code], replicated_on=when))
        s.add(dm)
        return dm

    model("MH-01", "Đại sứ số khu phố", "CB-VHXH", "replicated", "Đại sứ số", evaluated=dt.date(2026, 6, 20),
          excellent=dt.date(2026, 8, 15), rating="Xuất sắc", quarter="Q3/2026",
          evaluation="Mỗi đại sứ hướng dẫn ít nhất 5 người; 1.240 lượt người dân được hỗ trợ.",
          replicated_to=(("TDP-01", dt.date(2026, 9, 1)), ("TDP-02", dt.date(2026, 9, 10))))
    model("MH-02", "Gia đình số", "CQ-UBND", "excellent", "Gia đình số", evaluated=dt.date(2026, 6, 25),
          excellent=dt.date(2026, 9, 20), rating="Xuất sắc", quarter="Q3/2026",
          evaluation="92% hộ tham gia có ít nhất một thành viên sử dụng thành thạo VNeID.")
    model("MH-03", "Tổ công nghệ số cộng đồng", "CB-KP3", "implementing", "Tổ công nghệ số cộng đồng")
    model("MH-04", "Đảng viên tiên phong với Sổ tay đảng viên điện tử", "CB-VPDU", "excellent", None,
          evaluated=dt.date(2026, 6, 30), excellent=dt.date(2026, 9, 5), rating="Xuất sắc", quarter="Q3/2026",
          evaluation="100% đảng viên chi bộ dùng Sổ tay đảng viên điện tử trong sinh hoạt.")
    model("MH-05", "Thanh niên chung tay phổ cập kỹ năng số", "DT-DTN", "evaluated",
          "Thanh niên chung tay phổ cập kỹ năng số", evaluated=dt.date(2026, 7, 10), rating="Tốt", quarter="Q2/2026",
          evaluation="30 đoàn viên tình nguyện hỗ trợ tại bộ phận một cửa.")
    model("MH-06", "Cán bộ một cửa với AI", "CB-CA", "registered", "Cán bộ ... với AI", registered=dt.date(2026, 10, 1))
    # "Đại sứ số" mentors: three with at least five mentees, one with only three.
    mentors = people["CB-VHXH"][:3] + [people["DT-DTN"][1]]
    residents = [p for code in ("TDP-01", "TDP-02", "TDP-03", "TDP-04") for p in people[code]]
    counts = [6, 5, 7, 3]
    index = 0
    for mentor, n in zip(mentors, counts):
        for _ in range(n):
            mentee = residents[index % len(residents)]
            index += 1
            s.add(m.Mentorship(mentor_id=mentor.id, mentee_name=mentee.full_name, mentee_person_id=mentee.id,
                               started_on=dt.date(2026, 4, 15)))
    return 6


def create_solutions(s: Session, people: dict[str, list[m.Person]]) -> int:
    entries = [
        ("CB-VHXH", 0, "Số hóa sổ theo dõi người cao tuổi cần hỗ trợ VNeID", True,
         "Rút ngắn thời gian rà soát từ 3 ngày xuống 2 giờ; 312 người cao tuổi được hỗ trợ."),
        ("CB-VHXH", 1, "Mã QR tra cứu thủ tục hành chính dán tại tổ dân phố", True,
         "Hơn 1.500 lượt quét; giảm 40% câu hỏi lặp lại tại bộ phận một cửa."),
        ("CB-VHXH", 2, "Nhóm Zalo hỗ trợ kỹ năng số theo khu phố", True, "420 thành viên, phản hồi trong ngày."),
        ("CB-VHXH", 3, "Video hướng dẫn VNeID bằng tiếng địa phương", True, "12 video, 9.800 lượt xem."),
        ("CB-VHXH", 4, "Bảng theo dõi điện tử các lớp Bình dân học vụ số", False, None),
        ("CB-CA", 0, "Quy trình kích hoạt VNeID mức 2 tại nhà cho người khuyết tật", True,
         "86 người khuyết tật được kích hoạt tại nhà."),
        ("CB-CA", 2, "Cảnh báo lừa đảo qua loa phát thanh hằng tuần", True, "Không ghi nhận vụ lừa đảo mới trong quý III."),
        ("CQ-UBND", 0, "Trợ lý AI trả lời câu hỏi thủ tục hành chính", True,
         "Trả lời tự động 65% câu hỏi; thời gian chờ giảm từ 15 xuống 5 phút."),
        ("CQ-UBND", 1, "Chữ ký số cho toàn bộ văn bản đi", True, "100% văn bản đi được ký số."),
        ("CQ-UBND", 5, "Biểu mẫu điện tử đăng ký hộ tịch", True, "Giảm 50% hồ sơ giấy."),
        ("TH-THCS", 0, "Câu lạc bộ An toàn số cho học sinh", True, "480 học sinh tham gia, 24 buổi sinh hoạt."),
        ("TH-THCS", 1, "Học sinh hướng dẫn ông bà dùng VNeID", False, None),
        ("DT-DTN", 0, "Đội hình thanh niên tình nguyện tại bộ phận một cửa", True, "2.100 lượt người dân được hỗ trợ."),
    ]
    for code, index, title, applied, effect in entries:
        s.add(m.Solution(person=people[code][index], title=title, applied=applied,
                         applied_on=dt.date(2026, 5, 1) if applied else None, effect=effect))
    return len(entries)


def create_reported_figures(s: Session, campaign: m.Campaign, by_code: dict[str, m.Unit],
                             seed: int | None = None) -> None:
    """Dated figures for every reported target, per residential group (some above, some below);
    another seed moves each group's share by up to 8 points."""
    reported = s.scalars(select(m.Target).where(m.Target.campaign_id == campaign.id,
                                                m.Target.measure == "reported")).all()
    shares = {"TDP-01": 0.91, "TDP-02": 0.84, "TDP-03": 0.86, "TDP-04": 0.72, "TDP-05": 0.55}
    if seed is not None:
        jitter = random.Random(seed * 7 + 1)
        shares = {code: min(0.99, max(0.3, share + jitter.uniform(-0.08, 0.08))) for code, share in shares.items()}
    for target in reported:
        day = target.deadline or Q1_END
        if day > DEMO_LAST_DAY:
            day = DEMO_LAST_DAY
        for code, share in shares.items():
            unit = by_code[code]
            total = float(unit.adult_residents or 100)
            s.add(m.ReportedFigure(target_id=target.id, unit_id=unit.id, as_of=day,
                                   numerator=round(total * share), denominator=total,
                                   note="Số liệu mô phỏng", entered_by="Tổ trưởng tổ dân phố"))


def link_tasks(s: Session, campaign: m.Campaign, by_code: dict[str, m.Unit]) -> None:
    """Mark some tasks done or in progress so the timeline shows each status."""
    tasks = s.scalars(select(m.Task).where(m.Task.campaign_id == campaign.id).order_by(m.Task.due_date, m.Task.id)).all()
    for i, task in enumerate(tasks):
        if task.due_date and task.due_date <= dt.date(2026, 6, 30) and i % 3 != 2:
            task.status = "done"
            task.done_date = task.due_date - dt.timedelta(days=3)
            task.evidence = "Báo cáo kết quả (mô phỏng)"
        elif i % 2 == 0:
            task.status = "in_progress"


def create_council_members(s: Session, campaign: m.Campaign, by_code: dict[str, m.Unit],
                    people: dict[str, list[m.Person]]) -> None:
    members = [
        ("Bí thư Đảng ủy phường", "chair", people["DU-CQD"][0], "DU-CQD"),
        ("Chủ tịch UBND phường", "vice_chair", people["DU-UBND"][0], "DU-UBND"),
        ("Chánh Văn phòng Đảng ủy", "secretary", people["CB-VPDU"][0], "CB-VPDU"),
        ("Trưởng Công an phường", "member", people["CB-CA"][0], "CB-CA"),
        ("Chủ tịch Ủy ban MTTQ phường", "member", people["DT-DTN"][0], "DT-DTN"),
        ("Trưởng Ban Xây dựng Đảng", "member", people["DU-CQD"][1], "DU-CQD"),
        ("Công chức Văn hóa - Xã hội", "member", people["CB-VHXH"][0], "CB-VHXH"),
    ]
    for order, (position, role, person, unit_code) in enumerate(members):
        s.add(m.CouncilMember(campaign_id=campaign.id, full_name=person.full_name, position=position, role=role,
                              person_id=person.id, unit_id=by_code[unit_code].id, sort_order=order))
