"""The narrative of a Form 08 drafted from the records (a collective's functions, structure,
measures, results, lessons; an individual's occupation and work), in plain official Vietnamese
with figures, never points or ranks; what the secretary saved takes precedence."""

from __future__ import annotations

from bdhvs_desktop.documents import vn_format as vf
from bdhvs_desktop.domain import vocab
from bdhvs_desktop.services.form08.figures import _kind_totals, party_vneid, unit_target_rows
from bdhvs_desktop.services.form08.models import unit_models
from bdhvs_desktop.services.form08.source import Source, _date, _lower_first, is_score_text
from bdhvs_desktop.storage import models as m


def draft_texts(src: Source, cand: m.Candidate) -> dict[str, str]:
    """The narrative of one candidate, drafted from the records (the secretary edits it)."""
    if cand.subject_type == "unit" and cand.unit is not None:
        return _draft_collective(src, cand.unit)
    if cand.person is not None:
        return _draft_individual(src, cand.person)
    return {}


def _draft_collective(src: Source, unit: m.Unit) -> dict[str, str]:
    ids = set(src.subtree(unit.id))
    parent = src.units.get(unit.parent_id) if unit.parent_id else None
    kind = unit.kind
    if unit.functions and unit.functions.strip():
        functions = unit.functions.strip()
    elif unit.is_party_org:
        functions = (f"{unit.name} là tổ chức đảng" + (f" trực thuộc {parent.name}" if parent else "")
                     + ", lãnh đạo thực hiện nhiệm vụ chính trị của đơn vị theo Điều lệ Đảng. Trong phong trào "
                     "“Bình dân học vụ số”, có nhiệm vụ lãnh đạo, chỉ đạo đảng viên đi đầu học tập, sử dụng "
                     "thành thạo kỹ năng số thiết yếu và hướng dẫn người dân cùng thực hiện.")
    elif kind == "to_dan_pho":
        hh = f" gồm {vf.vn_number(unit.households)} hộ" if unit.households else ""
        functions = (f"{unit.name} là cộng đồng dân cư tự quản{hh}, tổ chức cho người dân thực hiện chủ trương "
                     "của Đảng, chính sách, pháp luật của Nhà nước; trong phong trào, vận động người dân học tập "
                     "và sử dụng kỹ năng số thiết yếu.")
    elif kind == "doan_the":
        functions = (f"{unit.name} là tổ chức chính trị - xã hội, tập hợp, đoàn kết đoàn viên, hội viên; trong "
                     "phong trào có nhiệm vụ tuyên truyền, hướng dẫn người dân sử dụng kỹ năng số thiết yếu.")
    else:
        functions = (f"{unit.name} thực hiện chức năng, nhiệm vụ được giao theo quy định; trong phong trào, tổ "
                     "chức cho cán bộ, công chức, viên chức học tập, sử dụng thành thạo kỹ năng số và hỗ trợ "
                     "người dân thực hiện thủ tục trên môi trường số.")
    acts = _kind_totals(src, unit_ids=ids)
    own, related = unit_models(src, unit)
    vneid = party_vneid(src, unit)
    measures, summary = [], []
    measures.append("Quán triệt, triển khai Kế hoạch thi đua đến toàn thể cán bộ, đảng viên, hội viên; xây dựng "
                    "kế hoạch của đơn vị, phân công cụ thể người phụ trách từng nội dung.")
    if vneid is not None:
        line = (f"Phân công đảng viên đã thành thạo kèm cặp đảng viên chưa thành thạo; kết quả "
                f"{vneid.members_proficient}/{vneid.members_total} đảng viên ({vneid.percent_text}) sử dụng thành "
                "thạo nền tảng định danh điện tử VNeID")
        line += (f", hoàn thành ngày {vneid.completed_text}, trước thời hạn ngày {vneid.deadline_text}"
                 if vneid.on_time else (f" đến ngày {vneid.deadline_text}" if vneid.deadline else ""))
        measures.append(line + ".")
        summary.append(f"{vneid.members_proficient}/{vneid.members_total} đảng viên ({vneid.percent_text}) "
                       "thành thạo VNeID" + (f" trước ngày {vneid.deadline_text}" if vneid.on_time else ""))
    else:
        rows = unit_target_rows(src, unit)
        vrow = next((r for r in rows if "VNeID" in r.indicator), None)
        if vrow is not None:
            measures.append(f"Tổ chức cho cán bộ, đoàn viên, hội viên học tập sử dụng VNeID: đạt {vrow.result}.")
            summary.append(f"{vrow.result.split(' (')[0]} cán bộ, công chức, đảng viên của đơn vị thành thạo VNeID "
                           f"({vrow.result.split(' (')[-1].rstrip(')')})")
    if "thematic_meeting" in acts:
        n, p = acts["thematic_meeting"]
        measures.append(f"Tổ chức {vf.vn_count(n)} buổi sinh hoạt chuyên đề “Đảng viên tiên phong học tập kỹ năng "
                        f"số” với {vf.vn_number(p)} lượt người dự.")
    if "class" in acts:
        n, p = acts["class"]
        measures.append(f"Mở {vf.vn_count(n)} lớp “Bình dân học vụ số” cho {vf.vn_number(p)} lượt người học.")
        summary.append(f"mở {vf.vn_count(n)} lớp “Bình dân học vụ số” ({vf.vn_number(p)} lượt người học)")
    if "guidance" in acts:
        n, p = acts["guidance"]
        measures.append(f"Hướng dẫn trực tiếp người dân sử dụng VNeID, Cổng Dịch vụ công quốc gia, thanh toán "
                        f"QR: {vf.vn_count(n)} buổi, {vf.vn_number(p)} lượt người.")
        summary.append(f"{vf.vn_count(n)} buổi hướng dẫn trực tiếp ({vf.vn_number(p)} lượt người dân)")
    if "training" in acts:
        n, p = acts["training"]
        measures.append(f"Tổ chức {vf.vn_count(n)} lớp tập huấn kỹ năng số cho {vf.vn_number(p)} lượt người.")
    if "broadcast" in acts:
        measures.append(f"Tuyên truyền trên hệ thống loa {vf.vn_number(acts['broadcast'][0])} lần.")
    if own:
        measures.append("Lấy mô hình " + ", ".join(f"“{dm.name}”" for dm in own) + " làm cách làm chủ lực, "
                        "định kỳ đánh giá hiệu quả để nhân rộng (kết quả tại mục 2).")
    for dm in own:
        extra = []
        if dm.recognition:
            extra.append(_lower_first(dm.recognition.rstrip(".")))
        if dm.replication:
            extra.append(_lower_first(dm.replication.split(":")[0]))
        summary.append(f"mô hình “{dm.name}”" + (f" ({'; '.join(extra)})" if extra else ""))
    directed = sum(1 for x in related if x.startswith("Lãnh đạo, chỉ đạo"))
    if directed:
        summary.append(f"lãnh đạo đơn vị trực thuộc xây dựng {vf.vn_count(directed)} mô hình")
    subunits = [src.units[u] for u in src.subtree(unit.id)[1:] if u in src.units and src.units[u].active]
    if subunits:
        structure = (f"Gồm {vf.vn_count(len(subunits))} đơn vị trực thuộc: "
                     + ", ".join(u.name for u in subunits))
    else:
        people = [p for uid in src.subtree(unit.id) for p in src.people_by_unit.get(uid, [])]
        label = vocab.UNIT_KIND_LABELS.get(vocab.UnitKind(unit.kind), "Đơn vị") \
            if unit.kind in set(vocab.UnitKind) else "Đơn vị"
        structure = f"{label} có {vf.vn_count(len(people))} thành viên" if people else ""
    lessons = [
        "Cấp ủy, người đứng đầu trực tiếp chỉ đạo, phân công cụ thể từng người, từng việc; thường xuyên "
        "kiểm tra, đôn đốc và kịp thời tháo gỡ vướng mắc.",
        "Cách hướng dẫn phải phù hợp từng nhóm đối tượng, nhất là người cao tuổi; “cầm tay chỉ việc”, "
        "làm mẫu trên chính điện thoại của người dân.",
    ]
    if own:
        lessons.append("Lấy mô hình hiệu quả làm hạt nhân để nhân rộng, gắn phong trào với nhiệm vụ chính trị "
                       "của đơn vị.")
    else:
        lessons.append("Phát huy vai trò tiên phong của đảng viên, đoàn viên; phối hợp chặt chẽ với các đơn vị "
                       "trên địa bàn.")
    text = "; ".join(x for x in summary if x)
    return {"functions": functions, "structure": structure, "measures": "\n".join(f"- {x}" for x in measures) if measures else "",
            "lessons": "\n".join(f"- {x}" for x in lessons),
            "summary": (text[:1].upper() + text[1:] + ".") if text else ""}


def draft_occupation(person: m.Person, unit: m.Unit | None) -> str:
    position = (person.position or "").lower()
    if unit is not None and unit.kind == "truong_hoc" or "giáo viên" in position or "hiệu trưởng" in position:
        return "Viên chức (giáo dục)"
    if person.is_public_servant:
        return "Cán bộ, công chức"
    return ""


def _draft_individual(src: Source, person: m.Person) -> dict[str, str]:
    facts = src.person_facts.get(person.id)
    unit = src.units.get(person.unit_id) if person.unit_id else None
    acts = _kind_totals(src, host=person.id)
    measures, summary = [], []
    if facts is not None and facts.vneid_on and facts.vneid_on <= src.at:
        line = f"Chủ động học tập, sử dụng thành thạo nền tảng định danh điện tử VNeID từ ngày {_date(facts.vneid_on)}"
        measures.append(line + (", hướng dẫn được người dân cùng sử dụng." if facts.can_guide else "."))
        summary.append(f"thành thạo VNeID từ ngày {_date(facts.vneid_on)}")
    guided = max(facts.people_guided, facts.mentees) if facts else 0
    if guided:
        summary.append(f"hướng dẫn {vf.vn_number(guided)} người dân sử dụng công nghệ số")
    taught = [(k, n, p) for k, (n, p) in acts.items() if k in ("class", "guidance", "training")]
    if taught:
        n = sum(x[1] for x in taught)
        p = sum(x[2] for x in taught)
        measures.append(f"Trực tiếp đứng lớp, hướng dẫn {vf.vn_count(n)} buổi (lớp “Bình dân học vụ số”, hướng dẫn "
                        f"tại tổ dân phố, tập huấn) với {vf.vn_number(p)} lượt người tham dự.")
        summary.append(f"trực tiếp hướng dẫn {vf.vn_count(n)} buổi")
    mentees = len(src.mentorships.get(person.id, []))
    if mentees:
        measures.append(f"Kèm cặp {vf.vn_count(mentees)} người học theo mô hình “Đại sứ số”, hướng dẫn đến khi tự "
                        "thực hiện được.")
    applied = [sol for sol in src.solutions.get(person.id, [])
               if sol.applied and (sol.applied_on is None or sol.applied_on <= src.at)]
    if applied:
        measures.append("Chủ động đề xuất, áp dụng giải pháp ứng dụng công nghệ số vào công việc ("
                        + ", ".join(f"“{sol.title}”" for sol in applied) + "; kết quả tại mục 3).")
        summary.extend(f"giải pháp “{sol.title}”" for sol in applied)
    lessons = [
        "Bản thân phải thành thạo trước rồi mới hướng dẫn người khác; kiên trì, hướng dẫn từng bước trên chính "
        "điện thoại của người dân.",
        "Ghi chép, theo dõi người đã được hướng dẫn để hỗ trợ lại khi cần; phối hợp với tổ dân phố và đoàn thể "
        "để mở rộng số người được hỗ trợ.",
    ]
    text = "; ".join(summary)
    return {"measures": "\n".join(f"- {x}" for x in measures), "lessons": "\n".join(f"- {x}" for x in lessons),
            "summary": (text[:1].upper() + text[1:] + ".") if text else "",
            "occupation": draft_occupation(person, unit),
            "professional": (person.qualifications or "").strip()}


def effective_texts(src: Source, cand: m.Candidate) -> tuple[dict[str, str], set[str]]:
    """(the narrative used for the documents, the keys that come from the draft): what the
    secretary saved wins; a summary made of points and ranks is replaced by the draft."""
    saved = {k: str(v) for k, v in (cand.report_text or {}).items() if isinstance(v, str) and v.strip()}
    if cand.summary and cand.summary.strip() and not is_score_text(cand.summary):
        saved.setdefault("summary", cand.summary.strip())
    drafted = draft_texts(src, cand)
    out = dict(drafted)
    out.update(saved)
    return out, {k for k in drafted if k not in saved}
