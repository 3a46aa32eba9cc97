"""A small valid package.json and its documents, for the package-format tests (no database needed)."""

from __future__ import annotations

import copy


def sample_data() -> dict:
    return copy.deepcopy(_SAMPLE)


def sample_documents() -> dict[str, bytes]:
    return {
        "documents/01-to-trinh.docx": b"PK\x03\x04 fake docx of the submission " * 20,
        "documents/01-to-trinh.pdf": b"%PDF-1.7\n fake pdf of the submission\n%%EOF\n" * 20,
        "documents/02-bien-ban.pdf": b"%PDF-1.7\n fake pdf of the minutes\n%%EOF\n" * 15,
        "documents/mau-08/DU-KP1.pdf": b"%PDF-1.7\n fake form 08\n%%EOF\n" * 10,
    }


_SAMPLE = {
    "format": "bdhvs.proposal-package",
    "schema_version": 1,
    "generator": "bdhvs-desktop test",
    "ward": {"code": "PHUONG-LA-GI", "name": "Phường La Gi", "province": "Tỉnh Lâm Đồng",
             "party_org": "Đảng bộ phường La Gi", "office": "Văn phòng Đảng ủy"},
    "campaign": {"code": "BDHVS-2026", "name": "Bình dân học vụ số", "plan": "Kế hoạch số 004-KH/ĐU"},
    "level": "province",
    "as_of": "2026-11-15",
    "proposal": {
        "number": "12/TTr-UBND", "date": "2026-11-25", "place": "La Gi",
        "signer": {"name": "Trần Văn B", "position": "Chủ tịch"},
        "submissions": [{"authority": "state", "recipient": "Chủ tịch UBND tỉnh", "number": "12/TTr-UBND",
                         "date": "2026-11-25", "signer": {"name": "Trần Văn B", "position": "Chủ tịch"},
                         "document": "documents/01-to-trinh.pdf", "candidates": ["U-DU-KP1"]}],
    },
    "council": {"meetings": [{
        "number": "01/BB-HĐTĐKT", "date": "2026-11-20", "place": "Hội trường", "method": "secret_ballot",
        "present": [{"name": "Nguyễn Văn A", "position": "Bí thư", "role": "chair"}],
        "absent": [{"name": "Lê Thị C", "position": "Ủy viên", "role": "member", "reason": "Đi công tác"}],
        "votes": [{"candidate": "U-DU-KP1", "for": 5, "against": 1, "abstain": 0, "passed": True}],
        "document": "documents/02-bien-ban.pdf"}]},
    "candidates": [{
        "key": "U-DU-KP1", "subject_type": "unit", "subject_kind": "party_org", "name": "Chi bộ khu phố 1",
        "unit_code": "DU-KP1", "cccd": None, "birth_date": None, "sex": None, "position": None,
        "unit_path": ["Đảng bộ phường La Gi", "Chi bộ khu phố 1"],
        "award_form": {"code": "BK_UBND_TINH", "name": "Bằng khen của Chủ tịch UBND tỉnh", "level": "province",
                       "issuer": "Chủ tịch UBND tỉnh", "authority": "state"},
        "ward_status": "approved", "ward_votes": {"for": 5, "against": 1, "abstain": 0},
        "facts": {"members": 35}, "ward_score": None, "province_score": None,
        "figures": [{"indicator": "Đảng viên sử dụng thành thạo VNeID", "target": "100%",
                     "result": "100% (35/35)", "assessment": "Đạt"}],
        "narrative": {"achievements": "Hoàn thành xuất sắc."}, "register": [],
        "documents": ["documents/mau-08/DU-KP1.pdf"]}],
    "documents": [
        {"path": "documents/01-to-trinh.docx", "kind": "submission", "title": "Tờ trình", "signed": "none"},
        {"path": "documents/01-to-trinh.pdf", "kind": "submission", "title": "Tờ trình", "signed": "office",
         "source": "documents/01-to-trinh.docx"},
        {"path": "documents/02-bien-ban.pdf", "kind": "minutes", "title": "Biên bản", "signed": "office"},
        {"path": "documents/mau-08/DU-KP1.pdf", "kind": "achievement_report", "title": "Báo cáo thành tích",
         "signed": "paper"},
    ],
}
