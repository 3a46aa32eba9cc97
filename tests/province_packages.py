"""Generated wards' proposal packages for the province tests and bench/bench_province.py: package.json
built directly (facts through domain/score_facts.py: facts_to_dict), small .docx/.pdf bytes, optionally
signed (manifest CMS and the PDFs) with a PKCS#12 certificate of a test CA (tests/pki.py)."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from bdhvs_desktop.documents import package_format as pf
from bdhvs_desktop.domain.score_facts import (
    MemberFact,
    ModelFact,
    SolutionFact,
    SubjectFacts,
    TargetFact,
    facts_to_dict,
)

AS_OF = dt.date(2026, 11, 15)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Hà", "Hòa", "Lan", "Mai", "Nam", "Phúc", "Quân", "Thủy", "Yến"]
AWARD_PERSON = {"code": "BK_CT_UBND_TINH", "name": "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", "level": "province",
                "issuer": "Chủ tịch Ủy ban nhân dân tỉnh", "authority": "state"}
AWARD_UNIT = {"code": "BK_BTV_TU", "name": "Bằng khen của Ban Thường vụ Tỉnh ủy", "level": "province",
              "issuer": "Ban Thường vụ Tỉnh ủy Lâm Đồng", "authority": "party"}


@dataclass(frozen=True)
class Person:
    """A person a test wants in a ward's package (e.g. the same one in two wards)."""

    name: str
    cccd: str | None
    birth_date: dt.date | None
    female: bool = False
    vneid_on: dt.date | None = dt.date(2026, 3, 1)
    people_guided: int = 30
    solutions: int = 2  # applied, with their effect written
    guidance: int = 8  # sessions guiding residents in Q2/2026
    votes_for: int | None = None  # of 9 at the ward's council (None: drawn at random)


def docx_bytes(text: str) -> bytes:
    """A tiny but real .docx (one paragraph)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                   'relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.'
                   'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                   '</Relationships>')
        z.writestr("word/document.xml", '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
                   'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
                   + text.replace("&", "&amp;").replace("<", "&lt;") + "</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def pdf_bytes(text: str) -> bytes:
    """A tiny one-page PDF (reportlab), with a signer line a stamp can be anchored to."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 760, text.encode("ascii", "replace").decode("ascii"))
    c.drawString(350, 200, "CHU TICH")
    c.showPage()
    c.save()
    return out.getvalue()


def _person_facts(i: int, p: Person, as_of: dt.date) -> dict:
    solutions = [SolutionFact(f"Giải pháp số {j + 1}: hướng dẫn cài VNeID tại nhà", True, dt.date(2026, 5, 1),
                              "Hơn 100 hộ dân cài đặt và sử dụng") for j in range(p.solutions)]
    guidance = [(dt.date(2026, 4, 6) + dt.timedelta(days=7 * w), 1) for w in range(p.guidance)]
    f = SubjectFacts("person", i, p.cccd or f"ID{i}", p.name, "individual", female=p.female, vneid_on=p.vneid_on,
                     can_guide=True, people_guided=p.people_guided, mentees=p.people_guided // 10,
                     solutions=solutions, activities={"guidance": guidance} if guidance else {}, as_of=as_of)
    return facts_to_dict(f)


def _unit_facts(i: int, name: str, kind: str, rng: random.Random, as_of: dt.date) -> dict:
    members = [MemberFact(f"Đảng viên {j}", dt.date(2026, 2, 1) if rng.random() < 0.9 else None, True)
               for j in range(rng.randint(8, 25))]
    models = [ModelFact(f"MH{j}", f"Mô hình {j}", rng.randint(0, 4)) for j in range(rng.randint(0, 3))]
    activities = {"thematic_meeting": [(dt.date(2026, 3, 10), 1)],
                  "guidance": [(dt.date(2026, 4, 1) + dt.timedelta(days=7 * w), 1) for w in range(rng.randint(0, 13))],
                  "class": [(dt.date(2026, 5, 1), 1)] * rng.randint(0, 3)}
    targets = {"VNEID_CB": TargetFact("VNEID_CB", "Cán bộ thành thạo VNeID", 100.0 if rng.random() < 0.8 else 90.0,
                                      100.0, "met", numerator=20, denominator=20)}
    f = SubjectFacts("unit", i, f"U{i}", name, kind, women=rng.randint(0, 10), headcount=20,
                     party_members=members if kind == "party_org" else [], models=models, activities=activities,
                     targets=targets, as_of=as_of)
    return facts_to_dict(f)


def ward_package(code: str, name: str, *, n: int = 30, seed: int = 0, people: list[Person] | None = None,
                 with_docs: bool = True, as_of: dt.date = AS_OF) -> tuple[dict, dict[str, bytes]]:
    """package.json data and documents of a ward proposing `n` candidates (the `people` first, then
    generated ones: two thirds persons, the rest party organisations and collectives)."""
    rng = random.Random(f"{code}-{seed}")
    party = f"Đảng bộ {name[:1].lower()}{name[1:]}"
    people = list(people or [])
    candidates, documents, described = [], {}, []
    submission = "documents/01-to-trinh.pdf"
    minutes = "documents/02-bien-ban.pdf"
    if with_docs:
        documents[submission] = pdf_bytes(f"To trinh {code}")
        documents["documents/01-to-trinh.docx"] = docx_bytes(f"Tờ trình của {name}")
        documents[minutes] = pdf_bytes(f"Bien ban {code}")
        described += [{"path": "documents/01-to-trinh.docx", "kind": "submission", "title": "Tờ trình", "signed": "none"},
                      {"path": submission, "kind": "submission", "title": "Tờ trình", "signed": "office",
                       "source": "documents/01-to-trinh.docx"},
                      {"path": minutes, "kind": "minutes", "title": "Biên bản họp xét", "signed": "office"}]
    votes = []
    for i in range(n):
        group = f"Chi bộ khu phố {i % 7 + 1}"
        if i < len(people) or i % 3 != 2:
            p = people[i] if i < len(people) else Person(
                f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                f"0{rng.randint(10, 99)}{rng.randint(0, 3)}{rng.randint(60, 99)}{rng.randint(0, 999999):06d}",
                dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 15000)), rng.random() < 0.5,
                dt.date(2026, rng.randint(1, 6), 1) if rng.random() < 0.9 else None, rng.randint(0, 80),
                rng.randint(1, 3), rng.randint(0, 12))
            key = f"P-{p.cccd}" if p.cccd else f"P-ID{i}"
            cand = {"key": key, "subject_type": "person", "subject_kind": "individual", "name": p.name,
                    "unit_code": f"CB-KP{i % 7 + 1}", "cccd": p.cccd,
                    "birth_date": p.birth_date.isoformat() if p.birth_date else None,
                    "birth_year": p.birth_date.year if p.birth_date else None,
                    "sex": "female" if p.female else "male", "position": "Đảng viên",
                    "unit_path": [party, group], "award_form": AWARD_PERSON,
                    "facts": _person_facts(i, p, as_of)}
        else:
            kind = "party_org" if i % 2 else "collective"
            unit_name = group if kind == "party_org" else f"Ban công tác Mặt trận khu phố {i % 7 + 1} ({i})"
            key = f"U-{kind[:2].upper()}{i}"
            cand = {"key": key, "subject_type": "unit", "subject_kind": kind, "name": unit_name,
                    "unit_code": f"U{i}", "cccd": None, "birth_date": None, "sex": None, "position": None,
                    "unit_path": [party, unit_name], "award_form": AWARD_UNIT,
                    "facts": _unit_facts(i, unit_name, kind, rng, as_of)}
        chosen = people[i].votes_for if i < len(people) else None
        for_ = chosen if chosen is not None else rng.randint(6, 9)
        votes.append({"candidate": key, "for": for_, "against": 9 - for_, "abstain": 0, "passed": True})
        report = f"documents/mau-08/{key}.pdf"
        cand_docs = []
        if with_docs:
            documents[report] = pdf_bytes(f"Bao cao thanh tich {key}")
            documents[f"documents/mau-08/{key}.docx"] = docx_bytes(f"Báo cáo thành tích {cand['name']}")
            cand_docs = [report, f"documents/mau-08/{key}.docx"]
            described += [{"path": report, "kind": "achievement_report", "title": "Báo cáo thành tích",
                           "signed": "paper"},
                          {"path": f"documents/mau-08/{key}.docx", "kind": "achievement_report",
                           "title": "Báo cáo thành tích", "signed": "none"}]
        cand.update({
            "ward_status": "approved", "ward_votes": {"for": for_, "against": 9 - for_, "abstain": 0, "present": 9,
                                                      "members": 11, "meeting": "01/BB-HĐTĐKT"},
            "ward_score": {"level": "ward", "eligible": True, "points": float(rng.randint(40, 100)), "max_points": 100.0,
                           "criteria": []},
            "province_score": None,
            "figures": [{"indicator": "Đảng viên sử dụng thành thạo VNeID", "target": "100%", "result": "100%",
                         "assessment": "Đạt"}],
            "narrative": {"achievements": f"Thành tích của {cand['name']}."}, "register": [],
            "documents": cand_docs})
        candidates.append(cand)
    data = {
        "format": pf.FORMAT, "schema_version": 1, "generator": "bdhvs-desktop tests/province_packages.py",
        "ward": {"code": code, "name": name, "province": "Tỉnh Lâm Đồng", "party_org": party,
                 "office": "Văn phòng Đảng ủy"},
        "campaign": {"code": "BDHVS-2026", "name": "Bình dân học vụ số", "plan": "Kế hoạch số 004-KH/ĐU"},
        "level": "province", "as_of": as_of.isoformat(),
        "proposal": {"number": f"{seed + 12}/TTr-UBND", "date": "2026-11-25", "place": name,
                     "signer": {"name": "Trần Văn B", "position": "Chủ tịch"},
                     "submissions": [{"authority": "state", "recipient": "Chủ tịch UBND tỉnh",
                                      "number": f"{seed + 12}/TTr-UBND", "date": "2026-11-25",
                                      "signer": {"name": "Trần Văn B", "position": "Chủ tịch"},
                                      "document": submission if with_docs else None,
                                      "candidates": [c["key"] for c in candidates]}]},
        "council": {"meetings": [{"number": "01/BB-HĐTĐKT", "date": "2026-11-20", "place": "Hội trường",
                                  "method": "secret_ballot",
                                  "present": [{"name": "Nguyễn Văn A", "position": "Bí thư", "role": "chair"}],
                                  "absent": [], "votes": votes, "document": minutes if with_docs else None}]},
        "candidates": candidates,
        "documents": described,
    }
    return data, documents


# --------------------------------------------------------------------------- a test PKI (PKCS#12)


@dataclass(frozen=True)
class TestPki:
    __test__ = False  # not a pytest test class

    ca_pem: bytes
    p12_path: Path
    passphrase: bytes
    other_ca_pem: bytes  # a CA that signed nothing here (an untrusted root for the ward's certificate)
    ca: object | None = None  # the TestCA (tests/pki.py) that issued the certificate, to issue one per ward

    def for_ward(self, ward_name: str) -> TestPki:
        """The same CA's certificate for the office of `ward_name` ("UBND phường La Gi"): the province
        accepts a ward's package only signed by that ward's own certificate (made once per ward)."""
        office = f"UBND {ward_name[:1].lower()}{ward_name[1:]}"
        if self.ca is None or office in (self.p12_path.stem, self.p12_path.stem.rpartition("--")[2]):
            return self
        p12 = self.p12_path.with_name(f"{self.p12_path.stem}--{office}.p12")
        if not p12.exists():
            self.ca.pkcs12(p12, office, self.passphrase, org=office)
        return replace(self, p12_path=p12)


def make_pki(folder: Path, office: str = "UBND phường La Gi") -> TestPki:
    """A test CA (tests/pki.py), a ward office's certificate and key from it in a PKCS#12 file, and a
    second, unrelated CA."""
    from cryptography.hazmat.primitives import serialization
    from pki import TestCA

    folder.mkdir(parents=True, exist_ok=True)
    ca, other = TestCA.create("CA thử nghiệm của tỉnh"), TestCA.create("CA khác")
    passphrase = b"matkhau"
    p12 = ca.pkcs12(folder / f"{office}.p12", office, passphrase, org=office)
    pem = serialization.Encoding.PEM
    return TestPki(ca.cert.public_bytes(pem), p12, passphrase, other.cert.public_bytes(pem), ca)


def signer_config(pki: TestPki):
    from bdhvs_desktop.documents.signing import SignerConfig

    return SignerConfig(kind="pkcs12", pkcs12_path=str(pki.p12_path), pkcs12_passphrase=pki.passphrase)


def sign_pdfs(documents: dict[str, bytes], data: dict, pki: TestPki) -> dict[str, bytes]:
    """The documents with the PDFs the data marks `signed: office` signed by the ward's certificate."""
    from bdhvs_desktop.documents.signing import sign_pdf

    cfg = signer_config(pki)
    office = {d["path"] for d in data["documents"] if d["signed"] == "office"}
    return {name: (sign_pdf(blob, cfg, reason="Đề nghị khen thưởng", location="La Gi", stamp_anchor=None)
                   if name in office else blob) for name, blob in documents.items()}


def write_ward_package(path: Path, data: dict, documents: dict[str, bytes], *, pki: TestPki | None = None,
                       sign_documents: bool = True) -> Path:
    """Write the package (signed with the test certificate when `pki` is given)."""
    signer = None
    if pki is None or not sign_documents:  # nothing signed: the data says so (as package_export writes it)
        data = {**data, "documents": [{**d, "signed": "none" if d["signed"] == "office" else d["signed"]}
                                      for d in data["documents"]]}
    if pki is not None:
        pki = pki.for_ward(data["ward"]["name"])
        signer = signer_config(pki)
        if sign_documents:
            documents = sign_pdfs(documents, data, pki)
    pf.write_package(path, data, documents, signer=signer)
    return path
