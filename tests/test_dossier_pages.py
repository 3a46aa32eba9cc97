"""On the printed page (issue #11): the dossier of the demo ward with enough candidates to
break pages, for each form set and each format, converted by LibreOffice to PDF and checked
page by page -- no table row split across pages, every signature block on one page with the
text before it, no lead-in line left alone at the foot of a page.

A row is recognisable on the page by tokens: each extra candidate's name begins with
"ĐẦU<k>" and ends with "CUỐI<k>", its summary begins with "TÓMĐẦU<k>" and ends with
"TÓMCUỐI<k>"; a row whose tokens are on two pages was split."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from dossier_setup import add_council_round
from sqlalchemy import select

from bdhvs_desktop.services import dossier as svc
from bdhvs_desktop.storage import models as m

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")

AT = dt.date(2026, 11, 10)
N_EXTRA = 28
SIGNER = "Lê Thị Ký Thử"
FILLER = ("hướng dẫn người dân cài đặt, kích hoạt tài khoản định danh điện tử VNeID mức 2, sử dụng dịch vụ công "
          "trực tuyến và thanh toán không dùng tiền mặt tại tổ dân phố")


def _pdf_pages(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(str(pdf)).pages]


def _page_of(pages: list[str], needle: str, start: int = 0) -> int | None:
    """First page (from *start*) holding *needle*; a token "ĐẦU07"/"CUỐI07" matches as a
    word of its own (not inside "TÓMĐẦU07")."""
    if re.fullmatch(r"(ĐẦU|CUỐI)\d\d", needle):
        pattern = re.compile(rf"(?<!TÓM){needle}(?!\d)")
        hits = [i for i in range(start, len(pages)) if pattern.search(pages[i])]
        return hits[0] if hits else None
    for i in range(start, len(pages)):
        if needle in pages[i]:
            return i
    return None


def _convert(files: list[Path], out: Path, profile: Path) -> None:
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out)] + [str(p) for p in files], check=True, capture_output=True, timeout=600)


def _make_big_round(db, fmt: str) -> dict:
    """The demo council round plus N_EXTRA approved individuals with long names and
    summaries; every candidate proposed for the award of *fmt* ("state" or "party")."""
    # the party variants vote by secret ballot: the vote-count record and its signature too
    ids = add_council_round(db, n_extra_people=N_EXTRA, secret=fmt == "party")
    with db.session() as s:
        forms = {f.code: f for f in s.scalars(select(m.AwardForm))}
        award = forms["GK_CT_UBND" if fmt == "state" else "GK_BTV_DU"]
        for k, cid in enumerate(ids["approved"][4:], start=1):
            c = s.get(m.Candidate, cid)
            c.award_form_id = award.id
            c.person.full_name = f"ĐẦU{k:02d} Nguyễn Thị Phương Thảo Hồng Nhung CUỐI{k:02d}"
            c.summary = f"TÓMĐẦU{k:02d} Đã {FILLER}; {FILLER} TÓMCUỐI{k:02d}"
        for cid in ids["approved"][:4]:
            s.get(m.Candidate, cid).award_form_id = award.id
    svc.save_settings(db, signer_name=SIGNER)
    return ids


def _check_rows(pages: list[str], name: str, *, summary: bool) -> list[str]:
    problems = []
    for k in range(1, N_EXTRA + 1):
        tokens = [f"ĐẦU{k:02d}", f"CUỐI{k:02d}"] + ([f"TÓMĐẦU{k:02d}", f"TÓMCUỐI{k:02d}"] if summary else [])
        where = {t: _page_of(pages, t) for t in tokens}
        if None in where.values():
            problems.append(f"{name}: row {k} not found ({where})")
        elif len(set(where.values())) > 1:
            problems.append(f"{name}: row {k} split across pages {sorted(set(where.values()))}")
    return problems


def _check_together(pages: list[str], name: str, what: str, needles: list[str]) -> list[str]:
    where = {n: _page_of(pages, n) for n in needles}
    if None in where.values():
        return [f"{name}: {what}: not found {where}"]
    if len(set(where.values())) > 1:
        return [f"{name}: {what} spread over pages {where}"]
    return []


def _last_page_with(pages: list[str], needle: str) -> int | None:
    found = [i for i, p in enumerate(pages) if needle in p]
    return found[-1] if found else None


@pytest.mark.parametrize("form_set", ["decree-98-2023", "decree-152-2025"])
@pytest.mark.parametrize("fmt", ["state", "party"])
def test_no_row_or_signature_or_lead_in_breaks_across_pages(demo_db, tmp_path, form_set, fmt):
    _make_big_round(demo_db, fmt)
    outcome = svc.generate_dossier(demo_db, tmp_path / "hs", at=AT, form_set=form_set)
    files = [p for p in outcome.files if p.name.startswith(("to-trinh", "bien-ban"))]
    reports = [p for p in outcome.files if p.name.startswith("bao-cao")]
    # the collective's and two individuals' reports (their signature blocks)
    files += [p for p in reports if "chi-bo" in p.name][:1] + [p for p in reports if "dau0" in p.name][:2]
    pdf_dir = tmp_path / "pdf"
    _convert(files, pdf_dir, tmp_path / "lo-profile")
    keep = os.environ.get("BDHVS_KEEP_PAGES")  # a folder to look at the pages afterwards
    if keep:
        dest = Path(keep) / f"{form_set}-{fmt}"
        dest.mkdir(parents=True, exist_ok=True)
        for pdf in pdf_dir.glob("*.pdf"):
            shutil.copy2(pdf, dest / pdf.name)
    problems: list[str] = []
    for path in files:
        pages = _pdf_pages(pdf_dir / (path.stem + ".pdf"))
        if path.name.startswith("to-trinh"):
            assert len(pages) >= 3, (path.name, len(pages))  # the volume forces page breaks in the list
            problems += _check_rows(pages, path.name, summary=True)
            # the signature: the closing line, authority, title and name, and "Nơi nhận" on one page
            sign_page = _page_of(pages, SIGNER)
            problems += _check_together(pages[:sign_page + 1] if sign_page is not None else pages, path.name,
                                        "signature block", ["xem xét, quyết định./.", "Nơi nhận", "Lưu: VT",
                                                            SIGNER])
            # the list's title with its first rows
            problems += _check_together(pages, path.name, "list lead-in", ["DANH SÁCH", "II. CÁ NHÂN", "ĐẦU01"])
        elif path.name.startswith("bien-ban"):
            problems += _check_rows(pages, path.name, summary=False)
            problems += _check_together(pages, path.name, "signature block",
                                        ["thống nhất thông qua./.", "THƯ KÝ", "CHỦ TỊCH HỘI ĐỒNG",
                                         # the audit anchor is on the page the council signs
                                         "Mã neo nhật ký quyết định"])
            lead = "Số phiếu đồng ý đối với từng tập thể, cá nhân:" if fmt == "party" else \
                "Kết quả biểu quyết đối với từng tập thể, cá nhân:"
            lead_page = _page_of(pages, lead)
            first_row = _page_of(pages, "Chi bộ Khu phố 3", lead_page or 0)
            if lead_page is None or first_row != lead_page:
                problems.append(f"{path.name}: lead-in on page {lead_page}, first row on page {first_row}")
        else:
            individual = "dau0" in path.name
            caption = "NGƯỜI BÁO CÁO THÀNH TÍCH" if individual else "XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG"
            note = "(Ký, ghi rõ họ và tên)" if individual else "(Ký, đóng dấu)"
            cap_page = _last_page_with(pages, caption)
            # the signature block is the end of the report, on one page with the last section
            if cap_page != len(pages) - 1 or _last_page_with(pages, note) != cap_page:
                problems.append(f"{path.name}: signature caption on page {cap_page}, note on page "
                                f"{_last_page_with(pages, note)}, {len(pages)} pages")
            if _last_page_with(pages, "Bài học kinh nghiệm") != cap_page:
                problems.append(f"{path.name}: the last section is not on the signature's page")
        # no page of the document holds only a line or two (an orphaned signature, "- Lưu: VT")
        for i, page in enumerate(pages[1:], start=1):
            body = re.sub(r"^\d+\s*", "", page)
            if len(body) < 40:
                problems.append(f"{path.name}: page {i + 1} holds only {body!r}")
    assert problems == [], "\n".join(problems)


def test_the_audit_anchor_is_printed_on_the_page_the_council_signs(demo_db, tmp_path):
    """On the demo ward's minutes the anchor (QR and code) fell alone on a fourth page, away from
    the signatures it vouches for; it now sits in the signature block's unsplittable row."""
    outcome = svc.generate_dossier(demo_db, tmp_path / "hs", at=AT, draft=True)
    files = [p for p in outcome.files if p.name.startswith("bien-ban")]
    assert files
    pdf_dir = tmp_path / "pdf"
    _convert(files, pdf_dir, tmp_path / "lo-profile")
    problems: list[str] = []
    for path in files:
        pages = _pdf_pages(pdf_dir / (path.stem + ".pdf"))
        problems += _check_together(pages, path.name, "signatures and anchor",
                                    ["THƯ KÝ", "CHỦ TỊCH HỘI ĐỒNG", "Mã neo nhật ký quyết định"])
    assert problems == [], "\n".join(problems)
