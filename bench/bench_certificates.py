"""Benchmark: 500 certificates in one PDF (issue #13: "500 certificates in one PDF in under 10 s").

Generated awardees with long names, long units and diacritics-heavy achievements, so that most
fields need wrapping or shrinking. The version for the pre-printed blanks is the target; the
plain-paper version (which also draws the frame, heading and title) is reported on its own
line. ratio = seconds / 10.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bdhvs_desktop.documents import certificates as cert  # noqa: E402
from bdhvs_desktop.documents.certificate_layout import builtin_layout  # noqa: E402

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Thị", "Văn", "Hữu", "Ngọc", "Thanh", "Quốc", "Bảo", "Thuỳ", "Hoàng", "Minh", "Đức"]
GIVEN = ["Hương", "Khánh", "Thuỷ", "Hoà", "Dũng", "Nguyệt", "Trường", "Phượng", "Quyết", "Yến", "Ngữ"]


def awardees(n: int = 500) -> list[cert.Awardee]:
    rnd = random.Random(13)
    out = []
    for i in range(n):
        collective = i % 5 == 0
        name = " ".join([rnd.choice(SURNAMES)] + rnd.sample(MIDDLE, 3) + [rnd.choice(GIVEN)])
        if collective:
            name = f"Chi bộ Khu phố {i} thuộc Đảng bộ phường La Gi, tỉnh Lâm Đồng (mô phỏng số {i})"
        unit = (f"Bí thư Chi bộ, Trưởng Ban công tác Mặt trận khu phố {i}, Tổ trưởng Tổ công nghệ số cộng đồng "
                f"phường La Gi, tỉnh Lâm Đồng")
        out.append(cert.Awardee(
            key=f"k{i}", name=name, honorific="" if collective else rnd.choice(["Ông", "Bà"]), unit_line=unit,
            achievement_line=("Đã có thành tích xuất sắc trong phong trào thi đua lập thành tích trong triển khai "
                              "Phong trào “Bình dân học vụ số” trên địa bàn phường La Gi năm 2026"),
            award_code="GK_CT_UBND", award_name="Giấy khen của Chủ tịch Ủy ban nhân dân phường",
            award_level="ward", award_issuer="Chủ tịch Ủy ban nhân dân phường La Gi",
            decision_number="123/QĐ-UBND", decision_date=dt.date(2026, 12, 5), collective=collective))
    return out


def main() -> int:
    people = awardees(500)
    layout = builtin_layout("GK_CT_UBND", "state")
    cert.register_fonts()
    cert.fit_text("khởi động", cert.FONT, 100, 20, 12, 8)  # font loading is not the batch's cost
    ok = True
    # Shrunk-below-minimum warnings go to the log file in the app; here they would flood the console.
    logging.getLogger("bdhvs").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        for label, plain in (("certificates_500", False), ("certificates_500_plain", True)):
            out = Path(tmp) / f"{label}.pdf"
            start = time.perf_counter()
            cert.write_pdf(out, cert.certificates_pdf(people, lambda code: layout, place="La Gi", plain=plain))
            seconds = time.perf_counter() - start
            ratio = seconds / 10.0
            passed = ratio <= 1.0
            ok = ok and passed
            print(f"{label}: ratio {ratio:.3f} (target <= 1.0) {'PASS' if passed else 'FAIL'}"
                  f"  [{seconds:.2f} s, {out.stat().st_size // 1024} KiB]")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
