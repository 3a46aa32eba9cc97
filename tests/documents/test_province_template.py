"""The province office's Tờ trình (form to_trinh_tinh): the committed template is what
forms_templates/build_province_template.py builds; it cites each ward's Tờ trình and groups the
list by ward; on the printed page (LibreOffice) no row, ward heading or signature block is split.

Rows are recognisable on the page by tokens, as in tests/test_dossier_pages.py: each nominee's
name begins with "ĐẦU<w><k>" and ends with "CUỐI<w><k>", its summary "TÓMĐẦU…"/"TÓMCUỐI…"."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import subprocess

import pytest

from bdhvs_desktop.documents import context as dc
from bdhvs_desktop.documents.province_context import ProvinceSubmissionContext, WardGroup
from bdhvs_desktop.documents.render import docx_text, render_document

from .conftest import SOFFICE, needs_soffice
from .sample_data import BUILTIN_FORMS
from .test_build_templates import _parts

WARDS = ("Bình Minh", "Tân Hà", "Hòa Đông")
SIGNER = "Phạm Quốc Tỉnh Thử"
FILLER = ("hướng dẫn người dân cài đặt, kích hoạt tài khoản định danh điện tử VNeID mức 2, sử dụng dịch vụ công "
          "trực tuyến và thanh toán không dùng tiền mặt tại tổ dân phố")


def _builder():
    spec = importlib.util.spec_from_file_location("build_province_template",
                                                  BUILTIN_FORMS / "build_province_template.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_province_templates_match_the_build_script(tmp_path):
    written = _builder().build_all(tmp_path)
    assert len(written) == 2
    for path in written:
        committed = BUILTIN_FORMS / path.parent.name / path.name
        assert _parts(path) == _parts(committed), (
            f"{committed} is out of date: run .venv/bin/python forms_templates/build_province_template.py")


def _nominee(w: int, k: int, collective: bool) -> dc.Nominee:
    tag = f"{w}{k:02d}"
    name = f"ĐẦU{tag} Chi bộ khu phố số {k} CUỐI{tag}" if collective else \
        f"ĐẦU{tag} Nguyễn Thị Phương Thảo Hồng CUỐI{tag}"
    return dc.Nominee(name=name, position_unit="Bí thư Chi bộ, Công an phường (mô phỏng)",
                      award="Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
                      achievement_summary=f"TÓMĐẦU{tag} Đã {FILLER}" + f"; {FILLER}" * (k % 3) + f" TÓMCUỐI{tag}")


def _context(per_ward: int = 3) -> ProvinceSubmissionContext:
    wards = tuple(WardGroup(position=i + 1, ward_name=f"Phường {name}", proposer=f"Ủy ban nhân dân phường {name}",
                            proposal_symbol=f"{12 + i}/TTr-UBND", proposal_date=dt.date(2026, 11, 20 + i),
                            collectives=tuple(_nominee(i + 1, k, True) for k in range(1, 3)),
                            individuals=tuple(_nominee(i + 1, k, False) for k in range(3, 3 + per_ward)))
                  for i, name in enumerate(WARDS))
    issuer = dc.Issuer(format="state", name="HỘI ĐỒNG\nTHI ĐUA - KHEN THƯỞNG", abbreviation="HĐTĐKT",
                       place="Lâm Đồng", parent_name="ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG", signer_authority="TM. HỘI ĐỒNG",
                       signer_title="CHỦ TỊCH", signer_name=SIGNER,
                       name_in_text="Hội đồng Thi đua - Khen thưởng tỉnh Lâm Đồng")
    return ProvinceSubmissionContext(
        issuer=issuer, number=dc.DocumentNumber(kind="TTr", number="45"), date=dt.date(2026, 12, 5),
        recipient="Chủ tịch Ủy ban nhân dân tỉnh Lâm Đồng", campaign_name="Phong trào “Bình dân học vụ số”",
        wards=wards, award_name="Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
        legal_bases=("Căn cứ Kế hoạch số 13-KH/TU, ngày 15/9/2025 của Ban Thường vụ Tỉnh ủy;",),
        recipients=("Như trên;", "Lưu: VT, HĐTĐKT."))


@pytest.mark.parametrize("form_set", ["fs98", "fs152"])
def test_the_list_cites_each_ward_and_is_grouped_by_ward(form_set, request):
    fs = request.getfixturevalue(form_set)
    text = docx_text(render_document(fs, _context()))
    for i, name in enumerate(WARDS):
        assert (f"Căn cứ Tờ trình số {12 + i}/TTr-UBND ngày {20 + i}/11/2026 của Ủy ban nhân dân phường {name} "
                "đề nghị khen thưởng 02 tập thể và 03 cá nhân;") in text
    headings = [text.index(f"{i + 1}. PHƯỜNG {name.upper()} (Tờ trình số {12 + i}/TTr-UBND") for i, name in
                enumerate(WARDS)]
    assert headings == sorted(headings)
    # each ward's nominees sit under its own heading, before the next ward's
    for i in range(len(WARDS)):
        end = headings[i + 1] if i + 1 < len(WARDS) else len(text)
        rows = re.findall(r"ĐẦU(\d)\d\d", text[headings[i]:end])
        assert rows and set(rows) == {str(i + 1)}
    assert "06 tập thể và 09 cá nhân thuộc các phường, xã (03 phường, xã)" in text


def _pdf_pages(pdf) -> list[str]:
    from pypdf import PdfReader

    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(str(pdf)).pages]


def _page_of(pages, needle):
    pattern = re.compile(rf"(?<!TÓM){re.escape(needle)}(?!\d)")
    hits = [i for i, p in enumerate(pages) if pattern.search(p)]
    return hits[0] if hits else None


@needs_soffice[0]
@needs_soffice[1]
@pytest.mark.parametrize("form_set", ["fs98", "fs152"])
def test_no_row_heading_or_signature_splits_across_pages(form_set, request, tmp_path):
    fs = request.getfixturevalue(form_set)
    ctx = _context(per_ward=9)
    docx = tmp_path / "to-trinh-tinh.docx"
    docx.write_bytes(render_document(fs, ctx))
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(docx)], check=True, capture_output=True, timeout=600)
    pages = _pdf_pages(tmp_path / "to-trinh-tinh.pdf")
    assert len(pages) >= 4, len(pages)  # the volume forces page breaks inside the list
    problems = []
    for w, ward in enumerate(ctx.wards, start=1):
        for n in (*ward.collectives, *ward.individuals):
            tag = re.search(r"ĐẦU(\d+)", n.name).group(1)
            where = {t: _page_of(pages, t) for t in (f"ĐẦU{tag}", f"CUỐI{tag}", f"TÓMĐẦU{tag}", f"TÓMCUỐI{tag}")}
            if None in where.values() or len(set(where.values())) > 1:
                problems.append(f"row {tag}: {where}")
        # the ward's heading row is on the page of its first row
        heading = _page_of(pages, f"{w}. PHƯỜNG {ward.ward_name.upper()[7:]}")
        first = _page_of(pages, f"ĐẦU{w}01")
        if heading is None or heading != first:
            problems.append(f"ward {w}: heading on page {heading}, first row on page {first}")
    sign = _page_of(pages, SIGNER)
    for needle in ("xem xét, quyết định./.", "Nơi nhận", "Lưu: VT", "TM. HỘI ĐỒNG"):
        if _page_of(pages, needle) != sign:
            problems.append(f"signature block: “{needle}” on page {_page_of(pages, needle)}, signer on {sign}")
    assert not problems, problems
